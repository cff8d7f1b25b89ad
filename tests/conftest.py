"""Test-suite settings: point the library's data directory at ../shared/data (never copied here)."""

import os
import pathlib

import pytest

# a script run by the distributed tests (it parses sys.argv on import): not a module for
# --doctest-modules (pyproject.toml's addopts) to import
collect_ignore = ["_distributed_worker.py"]

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# The library reads this variable (hicosmo_nb.data); tests and benchmarks use the shared copy.
os.environ.setdefault("HICOSMO_NB_DATA_DIR", str(SHARED_DATA))


@pytest.fixture(scope="session")
def shared_data_dir() -> pathlib.Path:
    """The ../shared/data folder with the real public datasets."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED_DATA}; clone the repo beside ../shared")
    return SHARED_DATA

"""Test-suite settings: point the library's data directory at ../shared/data (never copied here)."""

import atexit
import os
import pathlib
import shutil
import tempfile

import pytest

# a script run by the distributed tests (it parses sys.argv on import): not a module for
# --doctest-modules (pyproject.toml's addopts) to import
collect_ignore = ["_distributed_worker.py"]

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# The library reads this variable (hicosmo_nb.data); tests and benchmarks use the shared copy.
os.environ.setdefault("HICOSMO_NB_DATA_DIR", str(SHARED_DATA))

# JAX's persistent compilation cache (on by default, hicosmo_nb._config) writes its files without
# a lock: give each pytest-xdist worker (and the notebook kernels and CLI runs it starts, which
# inherit the variable) a folder of its own for this session, never the user's cache, which the
# Colab-like venv's other JAX version would share too. Set HICOSMO_NB_JAX_CACHE to override.
if "HICOSMO_NB_JAX_CACHE" not in os.environ:
    _JAX_CACHE = tempfile.mkdtemp(prefix=f"hicosmo_nb_jax_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_")
    os.environ["HICOSMO_NB_JAX_CACHE"] = _JAX_CACHE
    atexit.register(shutil.rmtree, _JAX_CACHE, ignore_errors=True)


def pytest_collection_modifyitems(items):
    """Notebooks first: with two workers (pytest-xdist hands out tests in this order), the
    longest tests start early and the short ones fill in at the end, so that both workers end
    together. The Colab-like job, where tests/test_notebooks.py comes last by name, spent a
    sixth of its worker time idle on its last notebooks (2026-12-07: 1792 s of tests in
    2 x 1086 s)."""
    items.sort(key=lambda item: item.path.name != "test_notebooks.py")  # stable


@pytest.fixture(scope="session")
def shared_data_dir() -> pathlib.Path:
    """The ../shared/data folder with the real public datasets."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder not found at {SHARED_DATA}; clone the repo beside ../shared")
    return SHARED_DATA

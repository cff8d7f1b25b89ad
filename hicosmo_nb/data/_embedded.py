"""Access to the small published tables shipped inside the package (offline defaults).

``hicosmo_nb/data/embedded/`` holds JSON copies (exact numbers, with citation and the sha256 of
the original file) of: the DESI DR1 and DR2 BAO means and covariances, the 32-point cosmic
chronometer table, the Union3 compressed nodes, and the Planck 2018 distance priors of Chen,
Huang & Wang (2019); and, typed from the papers (no original file exists), the BBN priors of
Schöneberg (2024) and the DESI DR2 compressed CMB prior (see :mod:`hicosmo_nb.data.gaussian_priors`).
``tests/test_data_embedded.py`` checks every number against the original files and
``tests/test_priors_bbn_cmb.py`` pins the typed ones; ``python -m hicosmo_nb.data._make_embedded
DATA_DIR`` regenerates the file-derived tables.
"""

from __future__ import annotations

import json
from importlib import resources

__all__ = ["EMBEDDED_TABLES", "read_embedded"]

EMBEDDED_TABLES = ("desi_dr1_bao.json", "desi_dr2_bao.json", "cc_moresco2023.json", "union3.json",
                   "planck2018_distance_priors_chen2019.json", "bbn_schoneberg2024.json",
                   "desi_dr2_cmb_prior.json")


def read_embedded(name: str) -> dict:
    """Parsed JSON of an embedded table.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`EMBEDDED_TABLES`.
    FileNotFoundError
        If the package was installed without its data files.

    Examples
    --------
    >>> read_embedded("cc_moresco2023.json")["z"][:2]
    [0.07, 0.09]
    """
    if name not in EMBEDDED_TABLES:
        raise ValueError(f"unknown embedded table {name!r}; available: {', '.join(EMBEDDED_TABLES)}")
    res = resources.files("hicosmo_nb.data").joinpath("embedded", name)
    if not res.is_file():
        raise FileNotFoundError(f"embedded table {name!r} is missing from the installed package "
                                f"({res}); reinstall hicosmo_nb with its package data")
    return json.loads(res.read_text())

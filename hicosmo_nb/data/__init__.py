"""Real public cosmology datasets: registry, file lookup and validated loaders.

Small published tables (DESI DR1/DR2 BAO, cosmic chronometers, Union3, Planck 2018 distance
priors, BBN and DESI DR2 CMB Gaussian priors) ship embedded in the package and are the offline defaults. Large files (Pantheon+,
DES-SN5YR) are found by explicit path, ``data_dir=`` argument, the data directory setting
(``HICOSMO_NB_DATA_DIR`` / :func:`set_data_dir`) or a checksum-verified pooch download, in that
order; every file read is checked against its registered sha256.

Examples
--------
>>> from hicosmo_nb import data
>>> bao = data.load_desi_bao("dr2")
>>> bao.n, bao.tracers[-1]
(13, 'Lya')
"""

from .. import _config  # noqa: F401
from ._embedded import EMBEDDED_TABLES, read_embedded
from ._parse import read_flat_covariance, validate_covariance
from .gaussian_priors import BBN_PRIORS, GaussianPriorData, load_bbn_prior, load_desi_cmb_prior
from .containers import BAO_OBSERVABLES, BAOData, CMBPriors, HzData, SNData
from .paths import ENV_VAR, cache_dir, fetch, get_data_dir, set_data_dir, sha256sum
from .registry import CITATIONS, FILES, FileSpec
from .supernovae import load_desy5, load_pantheon_plus, load_union3
from .tables import DESI_TRACERS, load_cc, load_desi_bao, load_planck18_priors

__all__ = [
    "BAOData", "BAO_OBSERVABLES", "BBN_PRIORS", "CITATIONS", "CMBPriors", "DESI_TRACERS", "EMBEDDED_TABLES",
    "GaussianPriorData",
    "ENV_VAR", "FILES", "FileSpec", "HzData", "SNData", "cache_dir", "fetch", "get_data_dir",
    "load_bbn_prior", "load_cc", "load_desi_bao", "load_desi_cmb_prior", "load_desy5", "load_pantheon_plus", "load_planck18_priors",
    "load_union3", "read_embedded", "read_flat_covariance", "set_data_dir", "sha256sum",
    "validate_covariance",
]

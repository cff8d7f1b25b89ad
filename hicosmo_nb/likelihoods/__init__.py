"""Jit-compiled likelihoods on real data: pure functions of a parameter dict.

Builders do the one-off work (load, validate, factorize the covariance) and return a
:class:`Likelihood` whose ``loglike(params)`` is jitted, differentiable and vmappable; unphysical
parameters give ``-inf`` with finite gradients. Combine with ``a + b`` or :func:`combine`.

Examples
--------
>>> from hicosmo_nb import likelihoods
>>> lk = likelihoods.get("desi_dr2_bao", rd="free") + likelihoods.get("cc")
>>> lk.param_names
('Omega_m', 'hrd', 'H0')
>>> bool(lk({"Omega_m": 0.30, "hrd": 101.5, "H0": 68.0}) < 0)
True
"""

from .. import _config  # noqa: F401
from .bao import RD_OPTIONS, bao_likelihood
from .base import Likelihood, combine
from .cc import cc_likelihood
from .cmb import CONVENTIONS, chen2019_distance_priors, cmb_priors_likelihood
from .early_priors import bbn_likelihood, desi_cmb_prior_likelihood
from .gaussian import gaussian, gaussian_prior
from .priors import SH0ES_2022, h0_prior
from .registry import DATASETS, dataset_options, get
from .sn import sn_likelihood

__all__ = [
    "CONVENTIONS", "DATASETS", "Likelihood", "RD_OPTIONS", "SH0ES_2022", "bao_likelihood",
    "bbn_likelihood", "cc_likelihood", "chen2019_distance_priors", "cmb_priors_likelihood",
    "combine", "dataset_options", "desi_cmb_prior_likelihood", "gaussian", "gaussian_prior", "get", "h0_prior",
    "sn_likelihood",
]

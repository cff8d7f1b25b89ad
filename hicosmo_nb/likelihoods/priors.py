"""Gaussian priors on ``H0`` from local distance-ladder measurements.

Examples
--------
>>> from hicosmo_nb.likelihoods import h0_prior
>>> lk = h0_prior()
>>> lk.name, lk.param_names, lk.metadata["mean"], lk.metadata["sigma"]
('sh0es', ('H0',), 73.04, 1.04)
"""

from __future__ import annotations

from .. import _config  # noqa: F401
from .base import Likelihood
from .gaussian import gaussian_prior

__all__ = ["h0_prior", "SH0ES_2022"]

# Riess et al. 2022, ApJL 934, L7 (arXiv:2112.04510): H0 = 73.04 +- 1.04 km/s/Mpc.
SH0ES_2022 = {"mean": 73.04, "sigma": 1.04,
              "citation": "Riess et al. 2022, ApJL 934, L7 (arXiv:2112.04510)"}


def h0_prior(mean: float = SH0ES_2022["mean"], sigma: float = SH0ES_2022["sigma"], *,
             name: str = "sh0es", citation: str = SH0ES_2022["citation"]) -> Likelihood:
    """Normalized Gaussian likelihood on ``H0`` (default: SH0ES 2022, 73.04 +- 1.04 km/s/Mpc).

    Raises
    ------
    ValueError
        If ``mean`` is not finite or ``sigma`` is not positive.
    """
    return gaussian_prior("H0", mean, sigma, name=name, citation=citation)

"""Cosmic-chronometer likelihood: Gaussian in ``H(z)`` [km/s/Mpc].

Examples
--------
>>> from hicosmo_nb.data import load_cc
>>> from hicosmo_nb.likelihoods import cc_likelihood
>>> lk = cc_likelihood(load_cc())
>>> lk.param_names
('H0', 'Omega_m')
"""

from __future__ import annotations

from typing import Callable

import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from .. import cosmology
from ..data import HzData
from .base import Likelihood
from ._cosmo import CosmoView, optional_cosmology
from .gaussian import gaussian_model

__all__ = ["cc_likelihood"]


def cc_likelihood(data: HzData, *, name: str | None = None, de_density: Callable | None = None,
                  efunc: Callable | None = None, model_params: tuple[str, ...] = (),
                  neutrino_hierarchy: str = "one") -> Likelihood:
    """Build a Gaussian ``H(z)`` likelihood from an :class:`~hicosmo_nb.data.HzData`.

    Parameters
    ----------
    data : HzData
        Redshifts, ``H(z)`` and covariance (diagonal for the 32-point compilation).
    name : str, optional
        Defaults to ``data.name``.
    de_density, efunc, model_params
        User dark-energy density or ``E(z)`` and the extra parameter names it reads.
    neutrino_hierarchy : {"one", "degenerate", "normal", "inverted"}
        How ``m_nu`` splits into mass states: a static setting of the likelihood, never sampled.

    Returns
    -------
    Likelihood
        Gaussian; ``param_names = ("H0", "Omega_m")`` plus ``model_params``; optional cosmology
        keys are read when present.

    Raises
    ------
    ValueError
        If ``data`` is not an HzData.
    """
    if not isinstance(data, HzData):
        raise ValueError(f"cc_likelihood needs an HzData (hicosmo_nb.data), got {type(data).__name__}")
    name = name or data.name
    view = CosmoView(float(np.max(data.z)), model_params=model_params, de_density=de_density,
                     efunc=efunc, neutrino_hierarchy=neutrino_hierarchy)
    required = ("H0", "Omega_m") + view.model_params
    z = jnp.asarray(data.z)

    def model(params):
        cosmo, ok = view.safe(params)
        with cosmology.assume_physical():  # sanitized: skip the contract's repeated checks
            return cosmology.H(cosmo, z, **view.kw), ok

    return gaussian_model(data.H, data.cov, model, lambda p: model(p)[0], param_names=required,
                          name=name, optional_names=optional_cosmology(required),
                          metadata={"dataset": data.name, "files": dict(data.files),
                                    "citation": data.citation}, guard=view.guard)

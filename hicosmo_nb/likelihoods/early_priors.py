"""Gaussian early-universe priors: BBN on ``omega_b`` (and ``N_eff``), DESI DR2's compressed CMB prior.

- :func:`bbn_likelihood` (Schöneberg 2024, arXiv:2401.15054): ``omega_b = 0.02218 +- 0.00055``,
  or the joint ``(omega_b, N_eff)`` Gaussian of the same paper.
- :func:`desi_cmb_prior_likelihood` (DESI DR2 Results II, arXiv:2503.14738, Appendix A, from
  Planck PR4): a Gaussian in ``(theta_*, omega_b, omega_bc)``. ``theta_* = r_s(z_*)/D_M(z_*)``
  in radians with ``z_*`` at Thomson optical depth one (CAMB's ``thetastar``), computed by
  :func:`hicosmo_nb.cosmology.theta_star` (``z_*`` fit calibrated on CAMB, default
  ``"hs_camb"``); ``omega_bc = (Omega_m - Omega_nu,nr) h^2`` excludes the neutrinos, as DESI
  defines it: their released likelihood (cosmodesi desi-y3-kp, ``CMB_standard_compression_PR4``)
  predicts ``ombch2`` as CAMB's ``ombh2 + omch2``, and CAMB's ``omch2`` is CDM alone.
  ``labels=`` keeps the Gaussian marginal of a subset (e.g. ``theta_*`` alone, DESI's
  "BAO + BBN + theta_*").

Parameters: ``parametrization="density"`` (default) reads ``H0, Omega_m, Omega_b`` (the BBN
prior only ``H0, Omega_b``); ``"physical"`` reads ``omega_b`` (and, for the CMB prior, ``H0,
omega_c``). Unphysical input (non-finite, ``H0 <= 0``, ``Omega_b <= 0``, ``N_eff < 0``, or a
background that :func:`hicosmo_nb.cosmology.is_physical` rejects) gives ``-inf`` with finite
gradients.

Examples
--------
>>> from hicosmo_nb.likelihoods import get
>>> lk = get("bbn")
>>> lk.param_names
('H0', 'Omega_b')
>>> round(float(lk({"H0": 67.36, "Omega_b": 0.02218 / 0.6736**2})), 3)
6.587
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from .. import cosmology
from ..cosmology.densities import omega_nu_nr
from ..data import GaussianPriorData
from ..parameters import PARAMETERS
from .base import Likelihood
from ._cosmo import CosmoView, optional_cosmology
from .gaussian import gaussian_model

__all__ = ["bbn_likelihood", "desi_cmb_prior_likelihood", "PARAMETRIZATIONS"]

PARAMETRIZATIONS = ("density", "physical")
_Z_MAX = 1.0e5
_FID = {k: PARAMETERS[k].default for k in ("H0", "Omega_b", "omega_b", "omega_c", "N_eff")}


def _check(prior, labels, parametrization, who):
    if not isinstance(prior, GaussianPriorData):
        raise ValueError(f"{who} needs a GaussianPriorData, got {type(prior).__name__}")
    if set(prior.labels) - set(labels):
        raise ValueError(f"{who}: prior labels must be among {labels}, got {prior.labels}")
    if parametrization not in PARAMETRIZATIONS:
        raise ValueError(f"parametrization must be one of {PARAMETRIZATIONS}, got {parametrization!r}")


def _finite(values) -> jnp.ndarray:
    return jnp.all(jnp.stack([jnp.all(jnp.isfinite(jnp.asarray(v, dtype=jnp.float64))) for v in values]))


def bbn_likelihood(prior: GaussianPriorData, *, parametrization: str = "density",
                   name: str | None = None) -> Likelihood:
    """Gaussian BBN likelihood on ``omega_b`` (and ``N_eff``) from :func:`hicosmo_nb.data.load_bbn_prior`.

    Raises
    ------
    ValueError
        Wrong prior type or labels, unknown parametrization.
    """
    _check(prior, ("omega_b", "N_eff"), parametrization, "bbn_likelihood")
    name = name or prior.name
    base = ("H0", "Omega_b") if parametrization == "density" else ("omega_b",)
    required = base + tuple(lab for lab in prior.labels if lab == "N_eff")

    def model(params):
        raw = {k: jnp.asarray(params[k], dtype=jnp.float64) for k in required}
        ok = _finite(raw.values())
        if parametrization == "density":
            ok &= (raw["H0"] > 0) & (raw["Omega_b"] > 0)
        else:
            ok &= raw["omega_b"] > 0
        if "N_eff" in raw:
            ok &= raw["N_eff"] >= 0
        p = cosmology.safe_point(raw, ok, _FID)
        wb = p["Omega_b"] * (p["H0"] / 100.0) ** 2 if parametrization == "density" else p["omega_b"]
        values = {"omega_b": wb, "N_eff": p.get("N_eff")}
        return jnp.stack([values[lab] for lab in prior.labels]), ok

    return gaussian_model(prior.mean, prior.cov, model, lambda p: model(p)[0], param_names=required,
                          name=name, metadata={"citation": prior.citation, "labels": prior.labels,
                                               "parametrization": parametrization, **prior.metadata})


def desi_cmb_prior_likelihood(prior: GaussianPriorData, *, parametrization: str = "density",
                              z_star_method: str = "hs_camb", name: str | None = None,
                              neutrino_hierarchy: str = "one") -> Likelihood:
    """DESI DR2 compressed CMB prior on ``(theta_*, omega_b, omega_bc)`` (module docstring).

    Parameters
    ----------
    prior : GaussianPriorData
        :func:`hicosmo_nb.data.load_desi_cmb_prior`.
    parametrization : {"density", "physical"}
        ``(H0, Omega_m, Omega_b)`` or ``(H0, omega_b, omega_c)``.
    z_star_method : str
        Passed to :func:`hicosmo_nb.cosmology.theta_star` (``"hs_camb"`` matches CAMB's ``z_*``).
    name : str, optional
    neutrino_hierarchy : {"one", "degenerate", "normal", "inverted"}
        How ``m_nu`` splits into mass states: a static setting of the likelihood, never sampled.

    Raises
    ------
    ValueError
        Wrong prior, parametrization or ``z_star_method``.
    """
    _check(prior, ("theta_star", "omega_b", "omega_bc"), parametrization, "desi_cmb_prior_likelihood")
    if z_star_method not in cosmology.early.Z_STAR_METHODS:
        raise ValueError(f"z_star_method must be one of {cosmology.early.Z_STAR_METHODS}, got {z_star_method!r}")
    name = name or prior.name
    view = CosmoView(_Z_MAX, early=True, neutrino_hierarchy=neutrino_hierarchy)
    phys = ("H0", "omega_b", "omega_c")
    required = ("H0", "Omega_m", "Omega_b") if parametrization == "density" else phys
    optional = optional_cosmology(("H0", "Omega_m", "Omega_b"))

    def model(params):
        ok_in = True
        if parametrization == "physical":
            raw = {k: jnp.asarray(params[k], dtype=jnp.float64) for k in phys}
            ok_in = _finite(raw.values()) & (raw["H0"] > 0) & (raw["omega_b"] > 0) & (raw["omega_c"] >= 0)
            std = {k: params[k] for k in optional if k in params}
            params = cosmology.from_physical({**std, **cosmology.safe_point(raw, ok_in, _FID)})
        p, ok = view.safe(params, ok_in)
        h2 = (p["H0"] / 100.0) ** 2
        values = {"theta_star": cosmology.theta_star(p, method=z_star_method),
                  "omega_b": p["Omega_b"] * h2, "omega_bc": p["Omega_m"] * h2 - omega_nu_nr(p)}
        return jnp.stack([values[lab] for lab in prior.labels]), ok

    return gaussian_model(prior.mean, np.asarray(prior.cov), model, lambda p: model(p)[0],
                          param_names=required, optional_names=optional, name=name,
                          metadata={"citation": prior.citation, "labels": prior.labels,
                                    "parametrization": parametrization, "z_star_method": z_star_method,
                                    **prior.metadata})

"""Planck 2018 compressed CMB distance priors on ``(R, l_A, omega_b)``.

Two conventions for the predicted ``R = sqrt(Omega_m) H0 D_M(z_*) / c`` and
``l_A = pi D_M(z_*) / r_s(z_*)``:

``convention="chen2019"`` (default) follows Chen, Huang & Wang 2019 (arXiv:1808.05724), the paper
that derived the priors, in its Sec. II and Appendix A:

- ``z_*`` from the Hu & Sugiyama (1996) fit with ``g1 = 0.0783 omega_b^-0.238 / (1 + 39.5
  omega_b^0.763)`` (the value in the paper's code listing; its prose misprints 0.0738),
  ``g2 = 0.560 / (1 + 21.1 omega_b^1.81)``, using ``omega_m`` including massive neutrinos;
- ``E(z)^2 = Omega_r (1+z)^4 + Omega_m (1+z)^3 + Omega_k (1+z)^2 + Omega_de f_de(z)`` with
  ``Omega_r = Omega_m / (1 + z_eq)``, ``z_eq = 2.5e4 omega_m (T_cmb / 2.7 K)^-4`` and
  ``Omega_de = 1 - Omega_m - Omega_k - Omega_r`` (massive neutrinos counted as matter);
- ``r_s(z_*) = (c/H0) int_0^a_* da / [a^2 E(a) sqrt(3 (1 + 31500 omega_b (T_cmb/2.7 K)^-4 a))]``.

``convention="hicosmo"`` uses this package's own physics
(:func:`hicosmo_nb.cosmology.shift_parameter`, :func:`~hicosmo_nb.cosmology.acoustic_scale`:
exact photon + neutrino radiation, Fermi-Dirac massive neutrino, the same Hu-Sugiyama ``z_*``).

Accuracy against CAMB 2.0.5 (exact recombination ``z_*`` and ``r_s``; tested near Planck 2018):
chen2019 ``R`` -2.0e-4, ``l_A`` +1.8e-4 (0.6 sigma of the prior); hicosmo ``R`` +3e-5, ``l_A``
+1.2e-3 (4 sigma: the Hu-Sugiyama ``z_*`` is ~2 above CAMB's and ``d ln r_s / d z_* = -6e-4``).
Use chen2019 for the Planck priors; the Chen et al. conventions offset each other near LCDM.
Fitting flat LCDM to the priors alone gives H0 = 67.44 +- 0.61, Omega_m = 0.3163 +- 0.0085
(chen2019) and 67.64, 0.3154 (hicosmo). At Planck's TT,TE,EE+lowE best fit chi2 = 19.3
(chen2019); CAMB's exact ``R, l_A`` give 13.6, because ``l_A`` is measured to 3e-4.

Parameters: ``parametrization="physical"`` (default) reads ``H0, omega_b, omega_c`` and converts
with :func:`hicosmo_nb.cosmology.from_physical` (``m_nu`` defaults to 0.06 eV, one massive
state); ``"density"`` reads ``H0, Omega_m, Omega_b``. ``omega_b`` enters the data vector
directly.

Examples
--------
>>> from hicosmo_nb.data import load_planck18_priors
>>> from hicosmo_nb.likelihoods import cmb_priors_likelihood
>>> lk = cmb_priors_likelihood(load_planck18_priors())
>>> lk.param_names
('H0', 'omega_b', 'omega_c')
"""

from __future__ import annotations

from typing import Callable, Mapping

import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from .. import cosmology
from ..data import CMBPriors
from ..cosmology.densities import dark_energy_ratio
from ..parameters import COSMOLOGY_DEFAULTS, COSMOLOGY_PARAMETERS, PARAMETERS
from .base import Likelihood
from ._cosmo import CosmoView, optional_cosmology
from ..cosmology.quadrature import gl_points
from .gaussian import gaussian_model

__all__ = ["cmb_priors_likelihood", "chen2019_distance_priors", "CONVENTIONS"]

CONVENTIONS = ("chen2019", "hicosmo")
_PARAMETRIZATIONS = ("physical", "density")
_Z_MAX = 1.0e5
_PHYS_FIDUCIAL = {k: PARAMETERS[k].default for k in ("H0", "omega_b", "omega_c")}  # Planck 2018


_N_GL = 64  # Gauss-Legendre nodes of each distance integral


def _chen2019_background(params: Mapping, de_density: Callable | None):
    """The pieces of :func:`chen2019_distance_priors`: the full parameter dict, ``E(a)^2``,
    ``z_*``, ``s_* = (1 + z_*)^(-1/2)`` and ``(omega_b, theta^4)``."""
    p = {**COSMOLOGY_DEFAULTS, **params}
    h = p["H0"] / 100.0
    om, ob, ok = p["Omega_m"], p["Omega_b"], p["Omega_k"]
    wb, wm = ob * h * h, om * h * h
    theta4 = (p["T_cmb"] / 2.7) ** 4
    z_eq = 2.5e4 * wm / theta4
    o_r = om / (1.0 + z_eq)
    o_de = 1.0 - om - ok - o_r

    def e2_of_a(a):
        return o_r / a**4 + om / a**3 + ok / a**2 + o_de * dark_energy_ratio(params, a, de_density)

    z_star = cosmology.hu_sugiyama_z_star(wb, wm)
    return p, e2_of_a, z_star, 1.0 / jnp.sqrt(1.0 + z_star), (wb, theta4)


def _chen2019(params: Mapping, de_density: Callable | None):
    """``(priors, nodes_ok)``: :func:`chen2019_distance_priors`' dict and whether ``E^2 > 0`` at
    every node of its two integrals, from one evaluation of ``E^2`` at those nodes.

    The validity grid of :func:`hicosmo_nb.cosmology.sanitize` can step over a narrow dip of
    ``E^2`` below zero (e.g. a negative dark-energy density with ``w0 > 0``, ``wa < -2``); at a
    node inside it the integrals diverge. Where ``nodes_ok`` is False the integrands use
    ``E^2 = a^-4 = s^-8`` instead, so the (meaningless) values and their gradients stay finite,
    whatever the curvature, for the likelihood to replace by ``-inf``.
    """
    p, e2_of_a, z_star, s_star, (wb, theta4) = _chen2019_background(params, de_density)
    om, ok = p["Omega_m"], p["Omega_k"]
    # s = a^(1/2): dz/E = 2 ds / (s^3 E), da/(a^2 E) = 2 ds / (s^3 E).
    s_dm, w_dm = gl_points(s_star, 1.0, _N_GL)
    s_rs, w_rs = gl_points(0.0, s_star, _N_GL)
    e2_dm, e2_rs = e2_of_a(s_dm * s_dm), e2_of_a(s_rs * s_rs)
    nodes_ok = jnp.all(e2_dm > 0.0) & jnp.all(e2_rs > 0.0)

    def integrand(s, e2):
        return 2.0 / (s**3 * jnp.sqrt(jnp.where(nodes_ok, e2, 1.0 / s**8)))

    d_h0 = cosmology.C_KM_S / p["H0"]
    x = jnp.sum(w_dm * integrand(s_dm, e2_dm), axis=-1)
    d_m = d_h0 * x * cosmology.sinc_curvature(ok * x * x)
    r_b = 31500.0 * wb / theta4
    r_s = d_h0 * jnp.sum(w_rs * integrand(s_rs, e2_rs) / jnp.sqrt(3.0 * (1.0 + r_b * s_rs * s_rs)),
                         axis=-1)
    out = {"z_star": z_star, "R": jnp.sqrt(jnp.maximum(om, 0.0)) * d_m / d_h0,
           "l_A": jnp.pi * d_m / r_s, "r_s": r_s, "D_M": d_m}
    return out, nodes_ok


def chen2019_distance_priors(params: Mapping, *, de_density: Callable | None = None) -> dict:
    """``z_*``, ``R``, ``l_A``, ``r_s(z_*)`` [Mpc] and ``D_M(z_*)`` [Mpc] in the Chen et al. 2019
    conventions (see the module docstring), from density parameters ``H0, Omega_m, Omega_b``
    (+ optional ``Omega_k, w0, wa, T_cmb``). NaN where ``E^2 <= 0`` at a node of the integrals
    (their integrands are undefined there).

    Examples
    --------
    >>> out = chen2019_distance_priors({"H0": 67.36, "Omega_m": 0.3153, "Omega_b": 0.0493})
    >>> round(float(out["l_A"]), 1)
    301.8
    """
    out, nodes_ok = _chen2019(params, de_density)
    return {k: jnp.where(nodes_ok, v, jnp.nan) for k, v in out.items()}


def cmb_priors_likelihood(priors: CMBPriors, *, convention: str = "chen2019",
                          parametrization: str = "physical", name: str | None = None,
                          de_density: Callable | None = None,
                          model_params: tuple[str, ...] = (), neutrino_hierarchy: str = "one") -> Likelihood:
    """Build the Gaussian distance-prior likelihood from a :class:`~hicosmo_nb.data.CMBPriors`.

    Parameters
    ----------
    priors : CMBPriors
        E.g. :func:`hicosmo_nb.data.load_planck18_priors`.
    convention : {"chen2019", "hicosmo"}
        How ``R`` and ``l_A`` are predicted (module docstring).
    parametrization : {"physical", "density"}
        ``(H0, omega_b, omega_c)`` or ``(H0, Omega_m, Omega_b)``.
    name : str, optional
    de_density, model_params
        User dark-energy density and the extra parameter names it reads.
    neutrino_hierarchy : {"one", "degenerate", "normal", "inverted"}
        How ``m_nu`` splits into mass states: a static setting of the likelihood, never sampled.

    Returns
    -------
    Likelihood
        Gaussian in ``priors.labels``.

    Raises
    ------
    ValueError
        Bad convention or parametrization; at trace time, a dict holding both ``omega_c`` and
        ``Omega_m`` in the physical parametrization.
    """
    if not isinstance(priors, CMBPriors):
        raise ValueError(f"cmb_priors_likelihood needs a CMBPriors, got {type(priors).__name__}")
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    if parametrization not in _PARAMETRIZATIONS:
        raise ValueError(f"parametrization must be one of {_PARAMETRIZATIONS}, got {parametrization!r}")
    name = name or priors.name
    view = CosmoView(_Z_MAX, model_params=model_params, de_density=de_density, early=True,
                     neutrino_hierarchy=neutrino_hierarchy)
    if parametrization == "physical":
        required = ("H0", "omega_b", "omega_c") + view.model_params
        optional = optional_cosmology(("H0", "Omega_m", "Omega_b"))
    else:
        required = ("H0", "Omega_m", "Omega_b") + view.model_params
        optional = optional_cosmology(required)
    order = [("R", "l_A", "omega_b").index(lab) for lab in priors.labels]

    def to_density(params):
        if parametrization == "density":
            return params, True
        if "Omega_m" in params or "Omega_b" in params:
            raise ValueError(f"likelihood {name!r} (parametrization='physical') reads omega_b and "
                             "omega_c; the dict also has Omega_m/Omega_b. Use one set, or build it "
                             "with parametrization='density'.")
        raw = {k: jnp.asarray(params[k], dtype=jnp.float64) for k in ("H0", "omega_b", "omega_c")}
        ok = ((raw["H0"] > 0) & (raw["omega_b"] > 0) & (raw["omega_c"] >= 0)
              & jnp.all(jnp.isfinite(jnp.stack(list(raw.values())))))
        safe = cosmology.safe_point(raw, ok, _PHYS_FIDUCIAL)
        std = {k: params[k] for k in COSMOLOGY_PARAMETERS if k in params and k != "H0"}
        extra = {k: params[k] for k in view.model_params}
        return {**extra, **cosmology.from_physical({**std, **safe})}, ok

    def model(params):
        dens, ok_in = to_density(params)
        cosmo, ok = view.safe(dens, ok_in)
        h2 = (cosmo["H0"] / 100.0) ** 2
        if convention == "chen2019":  # invalid also where E^2 <= 0 at a node of the integrals
            out, nodes_ok = _chen2019(cosmo, de_density)
            r, la, ok = out["R"], out["l_A"], ok & nodes_ok
        else:
            r = cosmology.shift_parameter(cosmo, **view.kw)
            la = cosmology.acoustic_scale(cosmo, **view.kw)
        vec = jnp.stack([r, la, cosmo["Omega_b"] * h2])
        return vec[np.array(order)], ok

    return gaussian_model(priors.mean, priors.cov, model, lambda p: model(p)[0],
                          param_names=required, name=name, optional_names=optional,
                          metadata={"dataset": priors.name, "files": dict(priors.files),
                                    "citation": priors.citation, "convention": convention,
                                    "parametrization": parametrization, "labels": priors.labels},
                          guard=view.guard if parametrization == "density" else None)

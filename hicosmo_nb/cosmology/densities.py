"""Density parameters of the background: radiation, massive neutrinos, dark energy, closure.

Physics (the same as CAMB's):

- Photons: ``Omega_gamma h^2 = (pi^2/15) (k T_cmb)^4 / (hbar c)^3 / (c^2 rho_crit,100)``
  from CODATA 2018 constants (2.4728e-5 for T_cmb = 2.7255 K).
- Neutrinos: three eigenstates at ``T_nu = (4/11)^(1/3) T_cmb``, each carrying ``N_eff / 3`` of the
  relativistic density. Two are massless; one carries the whole mass ``m_nu`` and its energy
  density is the exact Fermi-Dirac integral
  ``rho(a) ∝ a^-4 F(y) / F(0)``, ``F(y) = ∫ q^2 sqrt(q^2 + y^2) / (e^q + 1) dq``,
  ``y = m_nu a / (k T_nu0)``. ``ln F`` is tabulated at import on a fine grid in ``ln y`` with its
  exact derivative, and evaluated by cubic Hermite interpolation (relative error < 1e-10, smooth
  and differentiable); outside the table the exact asymptotes are used.
- ``Omega_m`` counts CDM + baryons + the massive eigenstate's full energy density today
  (CAMB's ``omegam``); ``Omega_de = 1 - Omega_m - Omega_k - Omega_gamma - Omega_nu,massless``.
- Dark energy: CPL, ``rho_de(a)/rho_de0 = a^(-3 (1 + w0 + wa)) exp(-3 wa (1 - a))``, or a user
  callable ``de_density(params, z)``.
"""

from __future__ import annotations

from typing import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from ..parameters import COSMOLOGY_DEFAULTS, COSMOLOGY_PARAMETERS, unknown_name_error
from .quadrature import composite_rule

__all__ = [
    "C_KM_S",
    "check_params",
    "split_params",
    "with_defaults",
    "omega_gamma",
    "omega_nu",
    "density_parameters",
    "from_physical",
]

C_KM_S = 299792.458  # speed of light [km/s]

# CODATA 2018 / IAU constants, SI.
_K_B = 1.380649e-23
_HBAR = 1.054571817e-34
_C = 299792458.0
_G = 6.67430e-11
_MPC = 3.0856775814913673e22
_EV = 1.602176634e-19
_H100 = 1.0e5 / _MPC  # 100 km/s/Mpc in 1/s
_RHO_CRIT_100 = 3.0 * _H100**2 / (8.0 * np.pi * _G)  # kg/m^3 for h = 1
# Omega_gamma h^2 per K^4.
_OMEGA_GAMMA_H2_PER_T4 = (np.pi**2 / 15.0) * _K_B**4 / (_HBAR**3 * _C**5) / _RHO_CRIT_100
_NU_PER_SPECIES = 7.0 / 8.0 * (4.0 / 11.0) ** (4.0 / 3.0)  # relativistic nu / photon, one species
_T_NU_OVER_T_CMB = (4.0 / 11.0) ** (1.0 / 3.0)
_F0 = 7.0 * np.pi**4 / 120.0  # F(0)


def _fermi_dirac_table(lny: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ln(F(y)/F(0)) and its derivative d/d ln y on ``lny``, by composite Gauss-Legendre."""
    edges = np.array([0.0, 0.01, 0.05, 0.2, 0.5, 1, 2, 3, 5, 8, 12, 17, 24, 32, 42, 55, 75])
    q, wq = composite_rule(edges, 40)
    y = np.exp(lny)[:, None]
    occ = q**2 / (np.exp(q) + 1.0)
    root = np.sqrt(q**2 + y**2)
    F = (wq * occ * root).sum(axis=1)
    dF = (wq * occ * y**2 / root).sum(axis=1)  # y dF/dy
    return np.log(F / _F0), dF / F


_LNY_MIN, _LNY_MAX, _NTAB = -10.0, 12.0, 2201
_LNY = np.linspace(_LNY_MIN, _LNY_MAX, _NTAB)
_DLNY = _LNY[1] - _LNY[0]
_LNF, _DLNF = _fermi_dirac_table(_LNY)  # numpy: importing must not start the JAX backend


def _log_fd_ratio_and_slope(y: jax.Array) -> tuple[jax.Array, jax.Array]:
    """ln(F(y)/F(0)) for y >= 0 and its slope d ln F / d ln y (smooth, exact asymptotes)."""
    u = jnp.log(jnp.maximum(y, 1e-300))
    uc = jnp.clip(u, _LNY_MIN, _LNY_MAX)
    i = jnp.clip(jnp.floor((uc - _LNY_MIN) / _DLNY).astype(jnp.int32), 0, _NTAB - 2)
    t = (uc - (_LNY_MIN + i * _DLNY)) / _DLNY
    t2, t3 = t * t, t * t * t
    lnf_tab, dlnf_tab = jnp.asarray(_LNF), jnp.asarray(_DLNF)
    f0, f1 = lnf_tab[i], lnf_tab[i + 1]
    d0, d1 = _DLNY * dlnf_tab[i], _DLNY * dlnf_tab[i + 1]
    value = (2 * t3 - 3 * t2 + 1) * f0 + (t3 - 2 * t2 + t) * d0 + (3 * t2 - 2 * t3) * f1 + (t3 - t2) * d1
    slope = ((6 * t2 - 6 * t) * (f0 - f1) + (3 * t2 - 4 * t + 1) * d0 + (3 * t2 - 2 * t) * d1) / _DLNY
    # Above the table F(y) -> (3/2) zeta(3) y: ln F grows with slope 1 in ln y; below, F ~ F(0).
    above = u > _LNY_MAX
    return value + jnp.maximum(u - _LNY_MAX, 0.0), jnp.where(above, 1.0, jnp.where(u < _LNY_MIN, 0.0, slope))


def _log_fd_ratio(y: jax.Array) -> jax.Array:
    """ln(F(y)/F(0)) for y >= 0."""
    return _log_fd_ratio_and_slope(y)[0]


def check_params(
    params: Mapping,
    required: tuple[str, ...] = ("H0", "Omega_m"),
    *,
    allow_extra: bool = False,
) -> None:
    """Raise ``ValueError`` for unknown or missing parameter names (runs at trace time).

    Parameters
    ----------
    params : mapping
        Parameter dict.
    required : tuple of str
        Names that must be present.
    allow_extra : bool
        Accept names outside :data:`~hicosmo_nb.parameters.COSMOLOGY_PARAMETERS` (used when a
        user ``de_density``/``efunc`` reads its own parameters).
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of parameter values, got {type(params).__name__}")
    if not allow_extra:
        unknown = [k for k in params if k not in COSMOLOGY_PARAMETERS]
        if unknown:
            raise unknown_name_error("cosmology parameter", unknown, COSMOLOGY_PARAMETERS)
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(
            f"missing required cosmology parameter(s) {', '.join(map(repr, missing))}; "
            f"required: {', '.join(required)}; optional (with defaults): "
            + ", ".join(f"{k}={v}" for k, v in COSMOLOGY_DEFAULTS.items() if k not in required)
        )


def split_params(params: Mapping) -> tuple[dict, dict]:
    """Split a dict into (cosmology parameters, everything else).

    Examples
    --------
    >>> split_params({"H0": 70.0, "Omega_m": 0.3, "M": -19.3})
    ({'H0': 70.0, 'Omega_m': 0.3}, {'M': -19.3})
    """
    cosmo = {k: v for k, v in params.items() if k in COSMOLOGY_PARAMETERS}
    rest = {k: v for k, v in params.items() if k not in COSMOLOGY_PARAMETERS}
    return cosmo, rest


def with_defaults(params: Mapping) -> dict:
    """``params`` completed with :data:`COSMOLOGY_DEFAULTS`, values as float64 arrays."""
    full = {**COSMOLOGY_DEFAULTS, **params}
    return {k: jnp.asarray(v, dtype=jnp.float64) for k, v in full.items()}


def omega_gamma(params: Mapping) -> jax.Array:
    """Photon density ``Omega_gamma`` today (not times h^2)."""
    p = with_defaults(params)
    h = p["H0"] / 100.0
    return _OMEGA_GAMMA_H2_PER_T4 * p["T_cmb"] ** 4 / h**2


def _nu_mass_over_temp(p: dict) -> jax.Array:
    """m_nu / (k T_nu0), guarded for T_cmb = 0."""
    kT = _K_B * _T_NU_OVER_T_CMB * p["T_cmb"] / _EV  # eV
    return p["m_nu"] / jnp.maximum(kT, 1e-30)


def omega_nu(params: Mapping) -> jax.Array:
    """Energy density of the massive neutrino eigenstate today, ``Omega_nu h^2``.

    About ``m_nu / 93.1 eV`` for ``N_eff = 3.046`` (exact Fermi-Dirac integral, no fit).
    """
    p = with_defaults(params)
    og_h2 = _OMEGA_GAMMA_H2_PER_T4 * p["T_cmb"] ** 4
    one = _NU_PER_SPECIES * p["N_eff"] / 3.0 * og_h2
    return one * jnp.exp(_log_fd_ratio(_nu_mass_over_temp(p)))


def density_parameters(params: Mapping) -> dict[str, jax.Array]:
    """Today's density parameters implied by ``params``.

    Returns a dict with ``Omega_cb`` (CDM + baryons), ``Omega_gamma``, ``Omega_nu_massless``
    (two massless eigenstates), ``Omega_nu`` (the massive one, full energy density),
    ``Omega_nu_rel`` (the massive one if it were massless), ``Omega_k``, ``Omega_de``,
    ``y_nu`` (m_nu / k T_nu0) and ``h``.
    """
    p = with_defaults(params)
    h = p["H0"] / 100.0
    og = omega_gamma(p)
    one = _NU_PER_SPECIES * p["N_eff"] / 3.0 * og
    onu = omega_nu(p) / h**2
    return {
        "h": h,
        "Omega_gamma": og,
        "Omega_nu_massless": 2.0 * one,
        "Omega_nu_rel": one,
        "Omega_nu": onu,
        "Omega_cb": p["Omega_m"] - onu,
        "Omega_k": p["Omega_k"],
        "Omega_de": 1.0 - p["Omega_m"] - p["Omega_k"] - og - 2.0 * one,
        "y_nu": _nu_mass_over_temp(p),
    }


def e2_of_a(
    params: Mapping,
    a: jax.Array,
    de_density: Callable | None = None,
) -> jax.Array:
    """E(a)^2 = H^2/H0^2 as a function of the scale factor (unclamped: may be <= 0)."""
    p = with_defaults(params)
    d = density_parameters(p)
    nu_massive = d["Omega_nu_rel"] * jnp.exp(_log_fd_ratio(d["y_nu"] * a)) / a**4
    if de_density is None:
        w0, wa = p["w0"], p["wa"]
        f_de = jnp.exp(-3.0 * (1.0 + w0 + wa) * jnp.log(a) - 3.0 * wa * (1.0 - a))
    else:
        f_de = de_density(params, 1.0 / a - 1.0)
    return (
        d["Omega_cb"] / a**3
        + (d["Omega_gamma"] + d["Omega_nu_massless"]) / a**4
        + nu_massive
        + d["Omega_k"] / a**2
        + d["Omega_de"] * f_de
    )


def e2_coefficients(params: Mapping) -> jax.Array:
    """The 8 scalars E^2(a) depends on: Omega_cb, Omega_rad (photons + massless nu), Omega_k,
    Omega_nu_rel, y_nu, Omega_de, w0, wa (see :func:`e2_and_partials`)."""
    p = with_defaults(params)
    d = density_parameters(p)
    return jnp.stack([
        d["Omega_cb"], d["Omega_gamma"] + d["Omega_nu_massless"], d["Omega_k"],
        d["Omega_nu_rel"], d["y_nu"], d["Omega_de"], p["w0"], p["wa"],
    ])


def e2_and_partials(coef: jax.Array, a: jax.Array) -> tuple[jax.Array, jax.Array]:
    """E^2(a) (built-in CPL model) and its partial derivatives w.r.t. the 8 ``coef``.

    Returns ``(e2, partials)`` with ``partials.shape == (8,) + a.shape``. Used by the distance
    integrals' custom JVP: any number of tangents then costs one weighted sum per coefficient.
    """
    ocb, orad, ok, onu, y0, ode, w0, wa = coef
    la = jnp.log(a)
    a2 = 1.0 / (a * a)
    a3, a4 = a2 / a, a2 * a2
    lnf, slope = _log_fd_ratio_and_slope(y0 * a)
    nu = jnp.exp(lnf) * a4
    fde = jnp.exp(-3.0 * (1.0 + w0 + wa) * la - 3.0 * wa * (1.0 - a))
    e2 = ocb * a3 + orad * a4 + onu * nu + ok * a2 + ode * fde
    dnu_dy0 = onu * nu * slope / jnp.maximum(y0, 1e-300)
    partials = jnp.stack([
        a3, a4, a2, nu, dnu_dy0, fde, ode * fde * (-3.0 * la), ode * fde * (-3.0 * la - 3.0 * (1.0 - a)),
    ])
    return e2, partials


def from_physical(params: Mapping) -> dict:
    """Convert physical densities to the density parameters the background functions take.

    Accepts ``H0`` or ``h``, ``omega_b`` (Omega_b h^2) and ``omega_c`` (Omega_c h^2), plus any
    cosmology parameter (``m_nu``, ``N_eff``, ...). Returns a dict with ``H0``, ``Omega_b`` and
    ``Omega_m = (omega_b + omega_c + omega_nu) / h^2`` (massive neutrinos included, as in CAMB).

    Examples
    --------
    >>> p = from_physical({"h": 0.6736, "omega_b": 0.02237, "omega_c": 0.1200})
    >>> round(float(p["Omega_m"]), 4)
    0.3152
    """
    p = dict(params)
    if "h" in p and "H0" in p:
        raise ValueError("give either 'H0' or 'h', not both")
    if "h" in p:
        p["H0"] = 100.0 * jnp.asarray(p.pop("h"))
    missing = [k for k in ("H0", "omega_b", "omega_c") if k not in p]
    if missing:
        raise ValueError(f"from_physical needs H0 (or h), omega_b and omega_c; missing {missing}")
    omega_b, omega_c = p.pop("omega_b"), p.pop("omega_c")
    check_params({**p, "Omega_m": 0.0})
    h2 = (jnp.asarray(p["H0"]) / 100.0) ** 2
    onu = omega_nu(p)
    return {**p, "Omega_b": omega_b / h2, "Omega_m": (omega_b + omega_c + onu) / h2}

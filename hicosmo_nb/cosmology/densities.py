"""Density parameters of the background: radiation, massive neutrinos, dark energy, closure.

Physics (the same as CAMB's):

- Photons: ``Omega_gamma h^2 = (pi^2/15) (k T_cmb)^4 / (hbar c)^3 / (c^2 rho_crit,100)``
  from CODATA 2018 constants (2.4730e-5 for T_cmb = 2.7255 K).
- Neutrinos (:mod:`~hicosmo_nb.cosmology.neutrinos`): three eigenstates, each with ``N_eff / 3`` of
  the relativistic density and the exact Fermi-Dirac energy density at its mass; the masses
  follow from ``m_nu`` and the ``neutrino_hierarchy`` setting (default ``"one"``: one massive
  state carries the sum).
- ``Omega_m`` counts CDM + baryons + the neutrinos' *non-relativistic-limit* density
  ``omega_nu,nr ∝ m_nu`` (CAMB 1.x's ``omnuh2``; zero at zero mass, so a massless universe's
  ``Omega_m`` holds no radiation). CAMB 2.x counts the full density today instead: 5e-5 more
  at 0.06 eV, but the relativistic density as ``m_nu -> 0+``, discontinuous at 0. ``E(z)`` keeps the exact density, and dark energy closes the
  budget with the actual densities today:
  ``Omega_de = 1 - Omega_cb - Omega_k - Omega_gamma - Omega_nu`` (``Omega_nu``: all three states).
- Dark energy: CPL, ``rho_de(a)/rho_de0 = a^(-3 (1 + w0 + wa)) exp(-3 wa (1 - a))``, or a user
  callable ``de_density(params, z)``.
"""

from __future__ import annotations

from typing import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
# The photon and neutrino constants and the neutrinos' share of Omega_m are part of the parameter
# conventions (hicosmo_nb.parameters), which derives the fiducial omega_c with them.
from ..parameters import (C_KM_S, COSMOLOGY_DEFAULTS, COSMOLOGY_PARAMETERS, KT_NU_PER_T_CMB, NU_PER_SPECIES,
                          OMEGA_GAMMA_H2_PER_T4, check_scalar_params, neutrino_matter_density,
                          refuse_alternative_names, unknown_name_error)
from .neutrinos import as_hierarchy, log_fd_ratio_and_slope, neutrino_masses

__all__ = [
    "C_KM_S",
    "check_params",
    "split_params",
    "with_defaults",
    "omega_gamma",
    "omega_nu",
    "omega_nu_nr",
    "density_parameters",
    "dark_energy_ratio",
    "from_physical",
]

OPTIONS = ("neutrino_hierarchy",)  # settings allowed in a parameter dict (static, not sampled)


def _log_fd_ratio(y: jax.Array) -> jax.Array:
    """ln(F(y)/F(0)) for y >= 0."""
    return log_fd_ratio_and_slope(y)[0]


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
    refuse_alternative_names(params, COSMOLOGY_PARAMETERS, "cosmology parameters")
    missing_value = [k for k, v in params.items() if v is None]
    if missing_value:
        raise ValueError(f"cosmology parameter {missing_value[0]!r} is None; give a number (or leave "
                         "it out to use its default)")
    check_scalar_params(params, COSMOLOGY_PARAMETERS, "cosmology")
    if not allow_extra:
        unknown = [k for k in params if k not in COSMOLOGY_PARAMETERS and k not in OPTIONS]
        if unknown:
            raise unknown_name_error("cosmology parameter", unknown, [*COSMOLOGY_PARAMETERS, *OPTIONS])
    if "neutrino_hierarchy" in params:
        as_hierarchy(params["neutrino_hierarchy"])  # validates the name
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
    known = {*COSMOLOGY_PARAMETERS, *OPTIONS}
    cosmo = {k: v for k, v in params.items() if k in known}
    rest = {k: v for k, v in params.items() if k not in known}
    return cosmo, rest


def with_defaults(params: Mapping) -> dict:
    """``params`` completed with :data:`COSMOLOGY_DEFAULTS`, values as float64 arrays.

    The ``neutrino_hierarchy`` setting (default ``"one"``) is kept as a
    :class:`~hicosmo_nb.cosmology.neutrinos.NeutrinoHierarchy`.
    """
    full = {**COSMOLOGY_DEFAULTS, **params}
    out = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in full.items() if k not in OPTIONS}
    out["neutrino_hierarchy"] = as_hierarchy(full.get("neutrino_hierarchy", "one"))
    return out


def omega_gamma(params: Mapping) -> jax.Array:
    """Photon density today, ``omega_gamma = Omega_gamma h^2`` (lower case: times ``h^2``, like
    :func:`omega_nu` and ``omega_b``); it depends on ``T_cmb`` alone.

    Examples
    --------
    >>> f"{float(omega_gamma({'T_cmb': 2.7255})):.4e}"
    '2.4730e-05'
    """
    p = with_defaults(params)
    return OMEGA_GAMMA_H2_PER_T4 * p["T_cmb"] ** 4


def _nu_y(p: dict) -> jax.Array:
    """m_i / (k T_nu0) of the three eigenstates (shape (3,)), guarded for T_cmb = 0."""
    kT = KT_NU_PER_T_CMB * p["T_cmb"]  # eV
    return neutrino_masses(p["m_nu"], p["neutrino_hierarchy"]) / jnp.maximum(kT, 1e-30)


def _nu_one_h2(p: dict) -> jax.Array:
    """Relativistic density of one eigenstate, ``h^2`` times (``N_eff / 3`` of a species)."""
    return NU_PER_SPECIES * p["N_eff"] / 3.0 * OMEGA_GAMMA_H2_PER_T4 * p["T_cmb"] ** 4


def omega_nu(params: Mapping) -> jax.Array:
    """Energy density of the three neutrino eigenstates today, ``Omega_nu h^2`` (exact Fermi-Dirac).

    Massless states count as radiation (``omega_nu = 3 x 1.90e-6`` at ``m_nu = 0``).
    """
    p = with_defaults(params)
    return _nu_one_h2(p) * jnp.sum(jnp.exp(_log_fd_ratio(_nu_y(p))))


def omega_nu_nr(params: Mapping) -> jax.Array:
    """The neutrinos' part of ``Omega_m h^2``: their non-relativistic-limit density, ``∝ m_nu``.

    About ``m_nu / 92.6 eV`` for ``N_eff = 3.046`` (each state carries ``N_eff / 3``); zero at
    ``m_nu = 0`` and independent of the hierarchy.

    Examples
    --------
    >>> round(float(omega_nu_nr({"m_nu": 0.06})), 7)
    0.0006476
    """
    p = with_defaults(params)
    m_sum = jnp.sum(neutrino_masses(p["m_nu"], p["neutrino_hierarchy"]))  # the states' masses, as E(z) has them
    return neutrino_matter_density(m_sum, p["N_eff"], p["T_cmb"])


def density_parameters(params: Mapping) -> dict[str, jax.Array]:
    """Today's density parameters implied by ``params``.

    Returns a dict with ``Omega_cb`` (CDM + baryons), ``Omega_gamma``, ``Omega_nu`` (the three
    neutrino states' actual energy density), ``Omega_nu_nr`` (their non-relativistic limit, the
    part of ``Omega_m``), ``Omega_nu_rel`` (one state if it were massless), ``Omega_k``,
    ``Omega_de``, ``y_nu`` (the three ``m_i / k T_nu0``) and ``h``.
    """
    p = with_defaults(params)
    h = p["H0"] / 100.0
    og = omega_gamma(p) / h**2
    onu = omega_nu(p) / h**2
    onu_nr = omega_nu_nr(p) / h**2
    ocb = p["Omega_m"] - onu_nr
    return {
        "h": h,
        "Omega_gamma": og,
        "Omega_nu_rel": _nu_one_h2(p) / h**2,
        "Omega_nu": onu,
        "Omega_nu_nr": onu_nr,
        "Omega_cb": ocb,
        "Omega_k": p["Omega_k"],
        "Omega_de": 1.0 - ocb - p["Omega_k"] - og - onu,
        "y_nu": _nu_y(p),
    }


def dark_energy_ratio(params: Mapping, a: jax.Array, de_density: Callable | None = None) -> jax.Array:
    """``rho_de(a) / rho_de0``: CPL from ``w0, wa`` (defaults: Lambda), or ``de_density(params, z)``.

    Examples
    --------
    >>> round(float(dark_energy_ratio({"w0": -0.9, "wa": 0.0}, 0.5)), 6)  # a^(-3 (1 + w0))
    1.231144
    """
    if de_density is not None:
        return de_density(params, 1.0 / a - 1.0)
    p = with_defaults(params)
    w0, wa = p["w0"], p["wa"]
    return jnp.exp(-3.0 * (1.0 + w0 + wa) * jnp.log(a) - 3.0 * wa * (1.0 - a))


def e2_of_a(
    params: Mapping,
    a: jax.Array,
    de_density: Callable | None = None,
) -> jax.Array:
    """E(a)^2 = H^2/H0^2 as a function of the scale factor (unclamped: may be <= 0)."""
    p = with_defaults(params)
    d = density_parameters(p)
    a = jnp.asarray(a)
    massive = p["neutrino_hierarchy"].massive  # massless states: exactly radiation, F/F(0) = 1
    y = d["y_nu"][np.array(massive)].reshape((len(massive),) + (1,) * a.ndim)
    fd = jnp.sum(jnp.exp(log_fd_ratio_and_slope(y, a)[0]), axis=0) + (3 - len(massive))
    nu = d["Omega_nu_rel"] * fd / a**4
    f_de = dark_energy_ratio(params, a, de_density)
    return d["Omega_cb"] / a**3 + d["Omega_gamma"] / a**4 + nu + d["Omega_k"] / a**2 + d["Omega_de"] * f_de


def e2_coefficients(params: Mapping) -> jax.Array:
    """The 10 scalars E^2(a) depends on: Omega_cb, Omega_gamma, Omega_k, Omega_nu_rel, the three
    y_nu, Omega_de, w0, wa (see :func:`e2_and_partials`)."""
    p = with_defaults(params)
    d = density_parameters(p)
    return jnp.concatenate([
        jnp.stack([d["Omega_cb"], d["Omega_gamma"], d["Omega_k"], d["Omega_nu_rel"]]),
        d["y_nu"],
        jnp.stack([d["Omega_de"], p["w0"], p["wa"]]),
    ])


def e2_and_partials(coef: jax.Array, a: jax.Array,
                    massive: tuple[int, ...] = (0, 1, 2)) -> tuple[jax.Array, jax.Array]:
    """E^2(a) (built-in CPL model) and its partial derivatives w.r.t. the 10 ``coef``.

    Returns ``(e2, partials)`` with ``partials.shape == (10,) + a.shape``. Used by the distance
    integrals' custom JVP: any number of tangents then costs one weighted sum per coefficient.
    ``massive``: the eigenstates that can carry mass (``NeutrinoHierarchy.massive``); the others
    are radiation (their ``y`` is zero whatever the parameters, so their partial is zero).
    """
    ocb, og, ok, onu, y1, y2, y3, ode, w0, wa = coef
    la = jnp.log(a)
    a2 = 1.0 / (a * a)
    a3, a4 = a2 / a, a2 * a2
    nus, dnus = [], []
    for i, y0 in enumerate((y1, y2, y3)):
        if i not in massive:
            nus.append(a4)
            dnus.append(jnp.zeros_like(a4))
            continue
        lnf, slope = log_fd_ratio_and_slope(y0, a)  # ln a: constant at fixed nodes
        nus.append(jnp.exp(lnf) * a4)
        dnus.append(onu * nus[-1] * slope / jnp.maximum(y0, 1e-30))
    nu = nus[0] + nus[1] + nus[2]
    fde = jnp.exp(-3.0 * (1.0 + w0 + wa) * la - 3.0 * wa * (1.0 - a))
    e2 = ocb * a3 + og * a4 + onu * nu + ok * a2 + ode * fde
    partials = jnp.stack([
        a3, a4, a2, nu, *dnus, fde, ode * fde * (-3.0 * la), ode * fde * (-3.0 * la - 3.0 * (1.0 - a)),
    ])
    return e2, partials


def nonzero_partials(massive: tuple[int, ...] = (0, 1, 2)) -> np.ndarray:
    """Indices of the :func:`e2_coefficients` whose partial in :func:`e2_and_partials` can be
    nonzero: all but the ``y`` of neutrino states that cannot carry mass (``massive``, static)."""
    return np.asarray([c for c in range(10) if not 4 <= c <= 6 or c - 4 in massive])


def from_physical(params: Mapping) -> dict:
    """Convert physical densities to the density parameters the background functions take.

    Accepts ``H0`` or ``h``, ``omega_b`` (Omega_b h^2) and ``omega_c`` (Omega_c h^2), plus any
    cosmology parameter (``m_nu``, ``N_eff``, ...). Returns a dict with ``H0``, ``Omega_b`` and
    ``Omega_m = (omega_b + omega_c + omega_nu,nr) / h^2`` (the neutrinos' non-relativistic-limit
    density, :func:`omega_nu_nr`, as CAMB 1.x's ``omegam``).

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
    onu = omega_nu_nr(p)
    return {**p, "Omega_b": omega_b / h2, "Omega_m": (omega_b + omega_c + onu) / h2}

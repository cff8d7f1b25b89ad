"""Sound horizons, drag and recombination epochs, CMB distance-prior quantities, BAO ratios.

- ``r_s(z) = ∫_z^∞ c_s(z') dz' / H(z')`` with ``c_s = c / sqrt(3 (1 + R_b a))``,
  ``R_b = 3 rho_b / (4 rho_gamma)``, integrated exactly (Gauss-Legendre in ``s = a^1/2``) over
  the full background (radiation, massive neutrinos, dark energy).
- ``z_drag``: default ``"aizpuru2021"``, the fit of Aizpuru, Arjona & Nesseris 2021
  (arXiv:2106.00428, eq. A2), calibrated on Boltzmann-code drag redshifts; with the exact
  integral above it reproduces CAMB's ``rdrag`` to about 0.02% near Planck 2018 (tested against
  CAMB). ``"eh98"`` (Eisenstein & Hu 1998, eq. 4) is available for comparison: it is about
  40 lower in redshift and inflates r_d by ~2.5%.
- ``z_star``: default ``"hu_sugiyama1996"`` (eq. E-1, g1 coefficient 0.0783), as used by the
  Planck distance priors: 0.18% (about +2 in redshift) above CAMB 2.0's z_*; ``"aizpuru2021"``
  (arXiv:2106.00428) is 0.1% below it. ``D_M(z_*)`` moves by only ~1e-5 across that range.
  ``"hs_camb"``: Hu-Sugiyama times a 3-coefficient correction in ``(omega_b, omega_m)`` fitted
  to CAMB 2.0.5's ``z_*`` (optical depth 1), within 1e-5 of it near LCDM; the default of
  :func:`theta_star`, whose DESI DR2 prior needs ``z_*`` to ~0.2 (the others are 2-5 sigma off).
- ``shift_parameter`` ``R = sqrt(Omega_m) H0 D_M(z_*) / c`` and ``acoustic_scale``
  ``l_A = pi D_M(z_*) / r_s(z_*)``.
"""

from __future__ import annotations

from typing import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .background import hubble_distance, transverse_comoving_distance, volume_averaged_distance
from .integrals import _e_of_a, _gauss_legendre, _hubble_distance0, _s_of_z
from .validity import physical_contract
from .densities import check_params, omega_gamma, with_defaults

__all__ = [
    "z_drag",
    "z_star",
    "hu_sugiyama_z_star",
    "sound_horizon",
    "sound_horizon_drag",
    "shift_parameter",
    "acoustic_scale",
    "theta_star",
    "DM_over_rd",
    "DH_over_rd",
    "DV_over_rd",
]

_EARLY_REQUIRED = ("H0", "Omega_m", "Omega_b")
Z_DRAG_METHODS = ("aizpuru2021", "eh98")
Z_STAR_METHODS = ("hu_sugiyama1996", "aizpuru2021", "hs_camb")
# ln(z_*^CAMB / z_*^HS) = c0 + c1 ln(omega_b / 0.0222) + c2 ln(omega_m / 0.143): least squares on
# CAMB 2.0.5 z_* (optical depth 1) over omega_b in [0.0214, 0.0230], omega_c in [0.105, 0.135]
# (3 x 3 grid, m_nu = 0.06 eV, N_eff = 3.046, H0 = 67); largest residual 3.2e-6 in ln z_*.
_HS_CAMB = (-0.00184794, 0.00198552, 0.00017092)


def _rd_computed(args) -> bool:
    """Contract flag for the BAO ratios: early-universe checks only when r_d is computed."""
    return args["rd"] is None


def _physical(params) -> tuple[jax.Array, jax.Array]:
    """(omega_b, omega_m) = (Omega_b h^2, Omega_m h^2); omega_m includes massive neutrinos."""
    p = with_defaults(params)
    h2 = (p["H0"] / 100.0) ** 2
    return p["Omega_b"] * h2, p["Omega_m"] * h2


def _check_early(params, de_density, efunc):
    check_params(params, _EARLY_REQUIRED, allow_extra=de_density is not None or efunc is not None)


@physical_contract(early=True)
def z_drag(params: Mapping, *, method: str = "aizpuru2021", de_density=None, efunc=None) -> jax.Array:
    """Redshift of the baryon drag epoch.

    Parameters
    ----------
    method : {"aizpuru2021", "eh98"}
        Fitting formula (see the module docstring).
    """
    _check_early(params, de_density, efunc)
    wb, wm = _physical(params)
    wb, wm = jnp.maximum(wb, 1e-8), jnp.maximum(wm, 1e-8)
    if method == "aizpuru2021":
        num = 1.0 + 428.169 * wb**0.256459 * wm**0.616388 + 925.56 * wm**0.751615
        return num / wm**0.714129
    if method == "eh98":
        b1 = 0.313 * wm**-0.419 * (1.0 + 0.607 * wm**0.674)
        b2 = 0.238 * wm**0.223
        return 1291.0 * wm**0.251 / (1.0 + 0.659 * wm**0.828) * (1.0 + b1 * wb**b2)
    raise ValueError(f"unknown z_drag method {method!r}; valid: {', '.join(Z_DRAG_METHODS)}")


def hu_sugiyama_z_star(omega_b: jax.Array, omega_m: jax.Array) -> jax.Array:
    """The Hu & Sugiyama (1996, eq. E-1) fit of ``z_*`` in the physical densities.

    ``omega_b = Omega_b h^2`` and ``omega_m = Omega_m h^2`` (the caller decides what ``omega_m``
    holds: :func:`z_star` passes the full matter density, the Chen et al. 2019 CMB priors their own).

    Examples
    --------
    >>> round(float(hu_sugiyama_z_star(0.02237, 0.1430)), 2)
    1091.91
    """
    g1 = 0.0783 * omega_b**-0.238 / (1.0 + 39.5 * omega_b**0.763)
    g2 = 0.560 / (1.0 + 21.1 * omega_b**1.81)
    return 1048.0 * (1.0 + 0.00124 * omega_b**-0.738) * (1.0 + g1 * omega_m**g2)


@physical_contract(early=True)
def z_star(
    params: Mapping, *, method: str = "hu_sugiyama1996", de_density=None, efunc=None
) -> jax.Array:
    """Redshift of photon decoupling from a fitting formula.

    Parameters
    ----------
    method : {"hu_sugiyama1996", "aizpuru2021", "hs_camb"}
        See the module docstring for their accuracy against CAMB.
    """
    _check_early(params, de_density, efunc)
    wb, wm = _physical(params)
    wb, wm = jnp.maximum(wb, 1e-8), jnp.maximum(wm, 1e-8)
    if method == "aizpuru2021":
        return wm**-0.731631 + wb**0.93681 * wm**0.0192951 * (
            937.422 / wb**0.97966 + 391.672 / wm**0.372296
        )
    if method not in Z_STAR_METHODS:
        raise ValueError(f"unknown z_star method {method!r}; valid: {', '.join(Z_STAR_METHODS)}")
    hs = hu_sugiyama_z_star(wb, wm)
    if method == "hu_sugiyama1996":
        return hs
    c0, c1, c2 = _HS_CAMB
    return hs * jnp.exp(c0 + c1 * jnp.log(wb / 0.0222) + c2 * jnp.log(wm / 0.143))


def theta_star(params: Mapping, *, method: str = "hs_camb", de_density=None, efunc=None) -> jax.Array:
    """Angular acoustic scale ``theta_* = r_s(z_*) / D_M(z_*)`` in radians (CAMB's ``thetastar``/100).

    ``z_*`` from :func:`z_star` (default ``"hs_camb"``: within 1e-5 of CAMB's ``z_*`` near
    LCDM, so ``theta_*`` agrees with CAMB to ~1e-6 relative; ``"hu_sugiyama1996"`` is 1.2e-3
    low in ``theta_*``, 5 sigma of the DESI DR2 CMB prior).

    Examples
    --------
    >>> p = {"H0": 67.36, "Omega_m": 0.3153, "Omega_b": 0.0493}
    >>> round(100 * float(theta_star(p)), 4)
    1.0412
    """
    zs = z_star(params, method=method, de_density=de_density, efunc=efunc)
    dm = transverse_comoving_distance(params, zs, de_density=de_density, efunc=efunc)
    return sound_horizon(params, zs, de_density=de_density, efunc=efunc) / dm


@physical_contract(early=True)
def sound_horizon(params: Mapping, z, *, de_density=None, efunc=None) -> jax.Array:
    """Comoving sound horizon ``r_s(z)`` in Mpc.

    Examples
    --------
    >>> p = {"H0": 67.36, "Omega_m": 0.3153, "Omega_b": 0.0493}
    >>> round(float(sound_horizon(p, 1059.9)), 0)
    147.0
    """
    _check_early(params, de_density, efunc)
    p = with_defaults(params)
    h2 = (p["H0"] / 100.0) ** 2
    r_b = 0.75 * jnp.maximum(p["Omega_b"], 0.0) * h2 / jnp.maximum(omega_gamma(p), 1e-300)

    def integrand(s):
        a = s * s
        cs = 1.0 / jnp.sqrt(3.0 * (1.0 + r_b * a))
        return 2.0 * cs / (s**3 * _e_of_a(params, a, de_density, efunc))

    s_z = _s_of_z(z)
    return _hubble_distance0(params) * _gauss_legendre(integrand, jnp.zeros_like(s_z), s_z)


@physical_contract(early=True)
def sound_horizon_drag(
    params: Mapping, *, method: str = "aizpuru2021", de_density=None, efunc=None
) -> jax.Array:
    """Sound horizon at the drag epoch ``r_d = r_s(z_drag)`` in Mpc (147.1 for Planck 2018)."""
    zd = z_drag(params, method=method, de_density=de_density, efunc=efunc)
    return sound_horizon(params, zd, de_density=de_density, efunc=efunc)


@physical_contract(early=True)
def shift_parameter(params: Mapping, *, de_density=None, efunc=None) -> jax.Array:
    """CMB shift parameter ``R = sqrt(Omega_m) H0 D_M(z_*) / c``."""
    zs = z_star(params, de_density=de_density, efunc=efunc)
    dm = transverse_comoving_distance(params, zs, de_density=de_density, efunc=efunc)
    om = jnp.maximum(with_defaults(params)["Omega_m"], 0.0)
    return jnp.sqrt(om) * dm / _hubble_distance0(params)


@physical_contract(early=True)
def acoustic_scale(params: Mapping, *, de_density=None, efunc=None) -> jax.Array:
    """Acoustic scale ``l_A = pi D_M(z_*) / r_s(z_*)``."""
    zs = z_star(params, de_density=de_density, efunc=efunc)
    dm = transverse_comoving_distance(params, zs, de_density=de_density, efunc=efunc)
    return jnp.pi * dm / sound_horizon(params, zs, de_density=de_density, efunc=efunc)


def _rd(params, rd, de_density, efunc):
    if rd is None:
        return sound_horizon_drag(params, de_density=de_density, efunc=efunc)
    rd = jnp.asarray(rd, dtype=jnp.float64)
    if not isinstance(rd, jax.core.Tracer) and not bool(jnp.all(jnp.isfinite(rd) & (rd > 0))):
        raise ValueError(f"rd = {np.asarray(rd).tolist()!r} Mpc is unphysical; allowed: finite rd > 0 "
                         "(or rd=None to compute it)")
    return jnp.where(rd > 0, rd, jnp.nan)  # traced: NaN, never a finite wrong ratio


@physical_contract(early=_rd_computed)
def DM_over_rd(params: Mapping, z, *, rd=None, de_density=None, efunc=None) -> jax.Array:
    """``D_M(z) / r_d``; ``rd`` in Mpc, or None to compute it (needs ``Omega_b``)."""
    dm = transverse_comoving_distance(params, z, de_density=de_density, efunc=efunc)
    return dm / _rd(params, rd, de_density, efunc)


@physical_contract(early=_rd_computed)
def DH_over_rd(params: Mapping, z, *, rd=None, de_density=None, efunc=None) -> jax.Array:
    """``D_H(z) / r_d`` with ``D_H = c / H(z)``."""
    dh = hubble_distance(params, z, de_density=de_density, efunc=efunc)
    return dh / _rd(params, rd, de_density, efunc)


@physical_contract(early=_rd_computed)
def DV_over_rd(params: Mapping, z, *, rd=None, de_density=None, efunc=None) -> jax.Array:
    """``D_V(z) / r_d``."""
    dv = volume_averaged_distance(params, z, de_density=de_density, efunc=efunc)
    return dv / _rd(params, rd, de_density, efunc)

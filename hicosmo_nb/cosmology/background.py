"""Expansion rate, distances and times: pure, jit/vmap/grad-safe functions of a parameter dict.

Every function takes ``(params, z)`` first, ``z`` a scalar or an array of any shape (the result
has its shape), and keyword-only ``de_density`` / ``efunc`` to plug in a user dark-energy density
``rho_de(z)/rho_de(0)`` or a whole ``E(z)``; both are callables ``f(params, z)`` written with
``jax.numpy``. Distances are in Mpc, times in Gyr.

Integration (:mod:`.integrals`): a 48-node Gauss-Legendre rule in ``s = (1+z)^(-1/2)`` per
redshift for a few redshifts; for arrays, one evaluation on 376 fixed panel nodes spanning
``[0, max z]`` and each redshift's integral from the panel interpolants (no sort); relative error below
1e-10 against adaptive quadrature for ``1e-3 <= z <= 1100`` (tested), no recompilation when
parameter values change, no data-dependent control flow. For redshifts fixed in advance,
:class:`~hicosmo_nb.cosmology.DistanceEvaluator` is faster.

Unphysical input (:mod:`.validity`): called eagerly with concrete values, an unphysical parameter
or ``z < 0`` raises ``ValueError`` naming the parameter, its value and the allowed range; under
``jit``/``vmap``/``grad`` the result is ``NaN``, never a finite wrong number. Likelihoods guard
with :func:`~hicosmo_nb.cosmology.sanitize` and return ``-inf`` with finite gradients.
"""

from __future__ import annotations

from typing import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .densities import C_KM_S
from .integrals import (
    _GYR_PER_MPC_S_KM,
    _check,
    _comoving_over_dh0,
    _e_of_a,
    _gauss_legendre,
    _hubble_distance0,
    _integral_to_one,
    _s_of_z,
    luminosity_from_transverse,
    modulus_from_luminosity,
    transverse_from_x,
)
from .validity import physical_contract

__all__ = [
    "E",
    "H",
    "comoving_distance",
    "transverse_comoving_distance",
    "angular_diameter_distance",
    "luminosity_distance",
    "distance_modulus",
    "hubble_distance",
    "volume_averaged_distance",
    "lookback_time",
    "age",
]

@physical_contract()
def E(params: Mapping, z, *, de_density=None, efunc=None) -> jax.Array:
    """Dimensionless expansion rate ``E(z) = H(z)/H0`` (clamped positive).

    Examples
    --------
    >>> float(E({"H0": 70.0, "Omega_m": 0.3, "T_cmb": 0.0}, 0.0))
    1.0
    """
    _check(params, de_density, efunc)
    a = 1.0 / (1.0 + jnp.asarray(z, dtype=jnp.float64))
    return _e_of_a(params, a, de_density, efunc)


@physical_contract()
def H(params: Mapping, z, *, de_density=None, efunc=None) -> jax.Array:
    """Hubble rate ``H(z)`` in km/s/Mpc."""
    return params["H0"] * E(params, z, de_density=de_density, efunc=efunc)


@physical_contract()
def comoving_distance(params: Mapping, z, *, de_density=None, efunc=None) -> jax.Array:
    """Line-of-sight comoving distance ``D_C(z) = c ∫_0^z dz'/H(z')`` in Mpc.

    Examples
    --------
    >>> p = {"H0": 70.0, "Omega_m": 0.3}
    >>> round(float(comoving_distance(p, 1.0)), 1)
    3303.6
    """
    _check(params, de_density, efunc)
    return _hubble_distance0(params) * _comoving_over_dh0(params, z, de_density, efunc)


@physical_contract()
def transverse_comoving_distance(params: Mapping, z, *, de_density=None, efunc=None) -> jax.Array:
    """Transverse comoving distance ``D_M(z)`` in Mpc (sinh/sin for open/closed space)."""
    _check(params, de_density, efunc)
    return transverse_from_x(params, _comoving_over_dh0(params, z, de_density, efunc))


@physical_contract()
def angular_diameter_distance(params: Mapping, z, *, de_density=None, efunc=None) -> jax.Array:
    """Angular-diameter distance ``D_A = D_M / (1 + z)`` in Mpc."""
    dm = transverse_comoving_distance(params, z, de_density=de_density, efunc=efunc)
    return dm / (1.0 + jnp.asarray(z, dtype=jnp.float64))


@physical_contract()
def luminosity_distance(params: Mapping, z, *, z_hel=None, de_density=None, efunc=None) -> jax.Array:
    """Luminosity distance ``D_L = (1 + z_hel) D_M(z)`` in Mpc (``z_hel`` defaults to ``z``).

    For supernovae pass the CMB-frame (Hubble-diagram) redshift as ``z`` and the heliocentric
    one as ``z_hel``.
    """
    dm = transverse_comoving_distance(params, z, de_density=de_density, efunc=efunc)
    return luminosity_from_transverse(dm, z if z_hel is None else z_hel)


@physical_contract()
def distance_modulus(params: Mapping, z, *, z_hel=None, de_density=None, efunc=None) -> jax.Array:
    """Distance modulus ``mu = 5 log10(D_L / 10 pc)``; needs ``z > 0`` (``D_L(0) = 0``).

    Raises
    ------
    ValueError
        Eagerly, for ``z <= 0`` (traced: ``NaN`` there).
    """
    z = jnp.asarray(z, dtype=jnp.float64)
    if not isinstance(z, jax.core.Tracer) and not np.all(np.asarray(z) > 0):  # numpy: no tracing
        bad = np.asarray(z).ravel()[np.argmin(np.asarray(z).ravel() > 0)]
        raise ValueError(f"distance_modulus: z = {float(bad)!r}; z must be > 0 for a distance modulus "
                         "(D_L(0) = 0 gives mu = -inf)")
    dl = luminosity_distance(params, z, z_hel=z_hel, de_density=de_density, efunc=efunc)
    return jnp.where(z > 0, modulus_from_luminosity(dl), jnp.nan)


@physical_contract()
def hubble_distance(params: Mapping, z, *, de_density=None, efunc=None) -> jax.Array:
    """``D_H(z) = c / H(z)`` in Mpc."""
    return C_KM_S / H(params, z, de_density=de_density, efunc=efunc)


@physical_contract()
def volume_averaged_distance(params: Mapping, z, *, dm=None, dh=None, de_density=None,
                             efunc=None) -> jax.Array:
    """``D_V(z) = [z D_M(z)^2 D_H(z)]^(1/3)`` in Mpc (the package's one place for it).

    ``dm``/``dh``: ``D_M(z)`` and ``D_H(z)`` when the caller already has them (BAO likelihoods).

    Examples
    --------
    >>> round(float(volume_averaged_distance({"H0": 70.0, "Omega_m": 0.3}, 0.5)), 1)
    1800.4
    """
    z = jnp.asarray(z, dtype=jnp.float64)
    if dm is None:
        dm = transverse_comoving_distance(params, z, de_density=de_density, efunc=efunc)
    if dh is None:
        dh = hubble_distance(params, z, de_density=de_density, efunc=efunc)
    return jnp.cbrt(z * dm * dm * dh)


def _time_integrand(params, de_density, efunc):
    def integrand(s):  # dt = -da / (a H) = 2 ds / (s E) / H0
        return 2.0 / (s * _e_of_a(params, s * s, de_density, efunc))

    return integrand


@physical_contract()
def lookback_time(params: Mapping, z, *, de_density=None, efunc=None) -> jax.Array:
    """Lookback time to redshift ``z`` in Gyr."""
    _check(params, de_density, efunc)
    t = _integral_to_one(_time_integrand(params, de_density, efunc), _s_of_z(z))
    return _GYR_PER_MPC_S_KM / jnp.asarray(params["H0"], dtype=jnp.float64) * t


@physical_contract(to_infinity=True)
def age(params: Mapping, z=0.0, *, de_density=None, efunc=None) -> jax.Array:
    """Age of the universe at redshift ``z`` (default today) in Gyr."""
    _check(params, de_density, efunc)
    s_z = _s_of_z(z)
    t = _gauss_legendre(_time_integrand(params, de_density, efunc), jnp.zeros_like(s_z), s_z)
    return _GYR_PER_MPC_S_KM / jnp.asarray(params["H0"], dtype=jnp.float64) * t

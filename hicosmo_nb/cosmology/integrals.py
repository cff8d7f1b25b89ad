"""Distance integrals shared by the cosmology module (private helpers) and the curvature step.

All integrals use the variable ``s = (1 + z)^(-1/2)``, in which every integrand is smooth and
finite on ``[0, 1]`` (matter, radiation, massive neutrinos, CPL). For a few redshifts a 48-node
Gauss-Legendre rule on ``[s(z), 1]`` per redshift is used; for arrays of more than
``_DIRECT_MAX`` redshifts the redshifts are sorted together with fixed panel edges (geometric
below ``s = 1/16``, uniform above), each piece gets an 8-node rule and the distances are a
cumulative sum. The built-in model's comoving integral has a custom JVP: any number of tangents
costs one weighted sum per ``E^2`` coefficient.
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from .densities import C_KM_S, check_params, e2_and_partials, e2_coefficients, e2_of_a
from .quadrature import gauss_legendre

__all__ = ["sinc_curvature"]

_E2_FLOOR = 1e-30
_GYR_PER_MPC_S_KM = 977.7922216807891  # 1 / (km/s/Mpc) in Gyr
_N_NODES = 48
# Rules and panel edges are numpy constants: importing the package must not start the JAX backend
# (users may still set XLA flags, e.g. the host device count, after `import hicosmo_nb`).


def _check(params, de_density, efunc, required=("H0", "Omega_m")):
    check_params(params, required, allow_extra=de_density is not None or efunc is not None)


def _e_of_a(params, a, de_density=None, efunc=None) -> jax.Array:
    """Clamped E(a) > 0."""
    if efunc is not None:
        e = jnp.asarray(efunc(params, 1.0 / a - 1.0), dtype=jnp.float64)
        return jnp.maximum(e, jnp.sqrt(_E2_FLOOR))
    return jnp.sqrt(jnp.maximum(e2_of_a(params, a, de_density), _E2_FLOOR))


def _s_of_z(z) -> jax.Array:
    return 1.0 / jnp.sqrt(1.0 + jnp.asarray(z, dtype=jnp.float64))


def _gauss_legendre(fn: Callable, lo: jax.Array, hi: jax.Array, n: int = _N_NODES) -> jax.Array:
    """∫_lo^hi fn(s) ds elementwise over the broadcast shape of lo, hi."""
    return gauss_legendre(fn, lo, hi, n)


_DIRECT_MAX = 16
_PANEL_EDGES = np.concatenate([[0.0], np.geomspace(1e-3, 1 / 16, 10)[:-1], np.linspace(1 / 16, 1, 16)])
_PIECE_NODES = 8


def _integral_to_one(fn: Callable, s_z: jax.Array) -> jax.Array:
    """∫_{s_z}^1 fn(s) ds for every element of ``s_z`` (any shape).

    ``fn`` maps an array of ``s`` to values of the same shape, or with extra leading axes (several
    integrands at once); those lead the result's shape too.
    """
    if s_z.size <= _DIRECT_MAX:
        return _gauss_legendre(fn, s_z, jnp.ones_like(s_z))
    edges = jnp.concatenate([_PANEL_EDGES, s_z.ravel()])
    order = jnp.argsort(edges)
    sorted_edges = edges[order]
    pieces = _gauss_legendre(fn, sorted_edges[:-1], sorted_edges[1:], _PIECE_NODES)
    below = jnp.cumsum(pieces, axis=-1)  # ∫_{min edge}^{upper edge of each piece}
    below = jnp.concatenate([jnp.zeros(below.shape[:-1] + (1,)), below], axis=-1)
    rank = jnp.zeros(edges.shape[0], dtype=order.dtype).at[order].set(jnp.arange(edges.shape[0]))
    n_panel = _PANEL_EDGES.shape[0]
    out = below[..., rank[n_panel - 1 : n_panel]] - below[..., rank[n_panel:]]
    return out.reshape(out.shape[:-1] + s_z.shape)


@jax.custom_jvp
def _comoving_builtin(coef: jax.Array, s_z: jax.Array) -> jax.Array:
    """D_C / D_H0 for the built-in model, from its 8 E^2 coefficients (custom JVP below)."""

    def integrand(s):
        e2 = e2_and_partials(coef, s * s)[0]
        return 2.0 / (s**3 * jnp.sqrt(jnp.maximum(e2, _E2_FLOOR)))

    return _integral_to_one(integrand, s_z)


@_comoving_builtin.defjvp
def _comoving_builtin_jvp(primals, tangents):
    coef, s_z = primals
    dcoef, ds_z = tangents

    def integrand_and_partials(s):
        e2, partials = e2_and_partials(coef, s * s)
        e2c = jnp.maximum(e2, _E2_FLOOR)
        k = 2.0 / (s**3 * jnp.sqrt(e2c))
        dk = jnp.where(e2 > _E2_FLOOR, -0.5 * k / e2c, 0.0) * partials
        return jnp.concatenate([k[None], dk])

    out = _integral_to_one(integrand_and_partials, s_z)
    e2_at = e2_and_partials(coef, s_z * s_z)[0]
    k_at = 2.0 / (s_z**3 * jnp.sqrt(jnp.maximum(e2_at, _E2_FLOOR)))
    return out[0], jnp.tensordot(dcoef, out[1:], axes=1) - k_at * ds_z


def _hubble_distance0(params) -> jax.Array:
    return C_KM_S / jnp.asarray(params["H0"], dtype=jnp.float64)


def _comoving_over_dh0(params, z, de_density, efunc) -> jax.Array:
    """D_C / (c/H0) = ∫_{s(z)}^1 2 ds / (s^3 E(s^2))."""
    if de_density is None and efunc is None:
        return _comoving_builtin(e2_coefficients(params), _s_of_z(z))
    def integrand(s):
        return 2.0 / (s**3 * _e_of_a(params, s * s, de_density, efunc))

    return _integral_to_one(integrand, _s_of_z(z))


def sinc_curvature(u) -> jax.Array:
    """``sinh(sqrt(u))/sqrt(u)`` for ``u > 0``, ``sin(sqrt(-u))/sqrt(-u)`` for ``u < 0``; smooth
    through 0 (series). The curvature step: ``D_M = D_H0 x sinc_curvature(Omega_k x^2)`` with
    ``x = D_C / D_H0``; the package's one place for it.

    Examples
    --------
    >>> round(float(sinc_curvature(0.0)), 12), round(float(sinc_curvature(1.0)), 6)
    (1.0, 1.175201)
    """
    u = jnp.asarray(u, dtype=jnp.float64)
    small = jnp.abs(u) < 1e-4
    u_safe = jnp.where(small, 1.0, u)
    r = jnp.sqrt(jnp.abs(u_safe))
    exact = jnp.where(u_safe > 0, jnp.sinh(r), jnp.sin(r)) / r
    series = 1.0 + u / 6.0 + u * u / 120.0 + u**3 / 5040.0
    return jnp.where(small, series, exact)



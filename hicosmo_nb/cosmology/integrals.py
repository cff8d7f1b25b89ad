"""Distance integrals shared by the cosmology module (private helpers) and the curvature step.

All integrals use the variable ``s = (1 + z)^(-1/2)``, in which every integrand is smooth and
finite on ``[0, 1]`` (matter, radiation, massive neutrinos, CPL). For a few redshifts a 48-node
Gauss-Legendre rule on ``[s(z), 1]`` per redshift is used; for arrays of more than
``_DIRECT_MAX`` redshifts the integrand is evaluated once on 47 fixed panels spanning
``[s(max z), 1]`` (geometric near the high-redshift end, uniform above; 8 nodes each) and each
redshift's integral is the whole panels above it plus the panel interpolant integrated exactly
over its partial panel
(:class:`~hicosmo_nb.cosmology.quadrature.CumulativeRule`): the cost barely grows with the number
of redshifts and nothing is sorted. The built-in model's comoving integral has a custom JVP: the
integrals of the ``E^2`` partials that can be nonzero are computed with the value, so any number of
tangents (a full Jacobian) costs one small product more.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.custom_derivatives import SymbolicZero

from .. import _config  # noqa: F401
from ..parameters import COSMOLOGY_DEFAULTS
from .densities import (C_KM_S, check_params, e2_and_partials, e2_coefficients, e2_of_a,
                        nonzero_partials, with_defaults)
from .quadrature import CumulativeRule, gauss_legendre, gl_points

__all__ = ["curvature_step", "sinc_curvature"]

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
# Panels in tau = (s - s_min) / (1 - s_min), s_min = s(max z), for many redshifts: [0, 1e-3],
# 15 geometric up to 1/16 (radiation-matter equality, s ~ 0.017, falls there when max z is
# large), 31 uniform above; 8 nodes each (376 in all). Mapping onto [s(max z), 1] means the
# integrand is never evaluated beyond the largest redshift asked for, where E(z)^2 may be <= 0
# although the model is physical over the redshifts used.
_PANELS = CumulativeRule(
    np.concatenate([[0.0], np.geomspace(1e-3, 1 / 16, 16)[:-1], np.linspace(1 / 16, 1, 32)]), 8)


class _Placement(NamedTuple):
    """Where redshifts sit in :data:`_PANELS`: ``s_min`` (``s`` of the largest redshift), each
    point's panel ``j`` and interpolation weights ``wext`` (numpy, or traced)."""

    s_min: jax.Array
    j: jax.Array
    wext: jax.Array


def place(s_z, xp=np) -> _Placement:
    """Place the points ``s_z`` in :data:`_PANELS` mapped onto ``[min(s_z), 1]`` (``xp``: numpy
    at build time, ``jax.numpy`` when traced)."""
    s_min = xp.min(s_z)
    tau = (s_z - s_min) / xp.maximum(1.0 - s_min, 1e-300)  # all z = 0: tau = 0, span 0
    return _Placement(s_min, *_PANELS.locate(tau, xp))


def _locate(s_z: jax.Array) -> _Placement | None:
    """:func:`place` for traced points (``None``: few points, direct rule)."""
    return None if s_z.size <= _DIRECT_MAX else place(s_z, jnp)


def _integrator(s_z: jax.Array, where: _Placement | None = None) -> tuple[jax.Array, Callable]:
    """``(s, integrate)``: the points at which to evaluate an integrand and the map from its
    values there (leading axes allowed: several integrands) to ``∫_{s_z}^1`` for every element of
    ``s_z``. ``where``: ``None`` for a 48-node rule per point, else the points' placement in
    :data:`_PANELS` (from :func:`place`), whose nodes are fixed in ``tau``, so that the cost does
    not grow with the number of redshifts (no sort)."""
    if where is None:
        s, w = gl_points(s_z, jnp.ones_like(s_z), _N_NODES)
        return s, lambda values: jnp.sum(w * values, axis=-1)
    span = 1.0 - where.s_min
    s = where.s_min + span * jnp.asarray(_PANELS.nodes)
    return s, lambda values: span * _PANELS.integrate(values, where.j, where.wext)


def _integral_to_one(fn: Callable, s_z: jax.Array, where=None) -> jax.Array:
    """∫_{s_z}^1 fn(s) ds for every element of ``s_z`` (any shape)."""
    s, integrate = _integrator(s_z, _locate(s_z) if where is None else where)
    return integrate(fn(s))


def _integrand_builtin(coef: jax.Array, s: jax.Array, massive, partials: bool = False):
    """``2 / (s^3 E(s^2))`` for the built-in model (and its partials w.r.t. ``coef``);
    ``massive``: the neutrino states that can carry mass (static)."""
    e2, de2 = e2_and_partials(coef, s * s, massive)
    e2c = jnp.maximum(e2, _E2_FLOOR)
    k = 2.0 / (s**3 * jnp.sqrt(e2c))
    if not partials:
        return k
    return k, jnp.where(e2 > _E2_FLOOR, -0.5 * k / e2c, 0.0) * de2


@partial(jax.custom_jvp, nondiff_argnums=(3,))
def _comoving_builtin(coef: jax.Array, s_z: jax.Array, where, massive) -> jax.Array:
    """D_C / D_H0 at ``s_z`` (located by ``where``, see :func:`_integrator`) for the built-in
    model, from its E^2 coefficients. Custom JVP: the integrals of the integrand's partials
    w.r.t. the coefficients are computed with the value, and any number of tangents is one small
    product with them."""
    s, integrate = _integrator(s_z, where)
    return integrate(_integrand_builtin(coef, s, massive))


def _comoving_builtin_jvp(massive, primals, tangents):
    coef, s_z, where = primals
    dcoef, ds_z = tangents[:2]  # symbolic zeros when not differentiated (nothing computed)
    s, integrate = _integrator(s_z, where)
    k, dk = _integrand_builtin(coef, s, massive, partials=True)
    # The value and the integrals of the partials are two integrations, not one of the stacked
    # integrands: the value is used again after the tangents (D_M, D_L), and a shared integration
    # would be materialized at every point for every partial (on a 2-core machine XLA then splits
    # that large array's producer and its consumers across the cores: a thread hand-off each).
    # Tangents are a small product with the integrals (however many: jacfwd's batch of tangents
    # never reaches the integration); partials that are zero whatever the parameters (massless
    # states) are left out.
    value = integrate(k)
    tangent = jnp.zeros(jnp.shape(s_z))
    if not isinstance(dcoef, SymbolicZero):
        live = nonzero_partials(massive)
        tangent = jnp.tensordot(dcoef[live], integrate(dk[live]), axes=1)
    if not isinstance(ds_z, SymbolicZero):
        tangent = tangent - _integrand_builtin(coef, s_z, massive) * ds_z
    return value, tangent


_comoving_builtin.defjvp(_comoving_builtin_jvp, symbolic_zeros=True)


def _hubble_distance0(params) -> jax.Array:
    return C_KM_S / jnp.asarray(params["H0"], dtype=jnp.float64)


def _comoving_over_dh0(params, z, de_density, efunc, where=None) -> jax.Array:
    """D_C / (c/H0) = ∫_{s(z)}^1 2 ds / (s^3 E(s^2)); ``where`` as in :func:`_integrator`
    (default: located here)."""
    s_z = _s_of_z(z)
    where = _locate(s_z) if where is None else where
    if de_density is None and efunc is None:
        massive = with_defaults(params)["neutrino_hierarchy"].massive
        return _comoving_builtin(e2_coefficients(params), s_z, where, massive)

    def integrand(s):
        return 2.0 / (s**3 * _e_of_a(params, s * s, de_density, efunc))

    return _integral_to_one(integrand, s_z, where)


# sinc_curvature's series sum_n u^n / (2n + 1)! (Horner, highest power first): 18 terms reach
# 1e-18 of the sum for |u| <= _SINC_SERIES_MAX (largest left-out term 20^18 / 37!); at u = -20
# the terms cancel to ~1/45 of their size, so ~5e-15 relative there.
_SINC_SERIES_MAX = 20.0
_SINC_COEFFS = tuple(1.0 / math.factorial(2 * n + 1) for n in range(17, -1, -1))


def _sinc_series(u):
    out = jnp.full_like(u, _SINC_COEFFS[0])
    for c in _SINC_COEFFS[1:]:
        out = out * u + c
    return out


def sinc_curvature(u) -> jax.Array:
    """``sinh(sqrt(u))/sqrt(u)`` for ``u > 0``, ``sin(sqrt(-u))/sqrt(-u)`` for ``u < 0``; 1 at 0,
    smooth through it. The curvature step: ``D_M = D_H0 x sinc_curvature(Omega_k x^2)`` with
    ``x = D_C / D_H0``; the package's one place for it.

    Evaluated with multiplications, one ``exp`` and one ``sqrt`` only (XLA's CPU ``sin`` and
    ``sinh`` in float64 are several times slower, and both would be computed for every element):
    the series ``sum_n u^n / (2n + 1)!`` for ``|u| <= 20``; above, ``(e^r - e^-r) / (2r)`` with
    ``r = sqrt(u)``; below ``-20`` (past a closed universe's antipode), ``sin(t) / r`` with ``t``
    the reduction of ``r`` to ``[-pi, pi]`` and ``sin(t) = t x series(-t^2)``. Against numpy's
    ``sinh``/``sin``: within 1e-15 absolute, and 1e-13 relative wherever the value exceeds 1e-3
    in size (tests/test_cosmology_curvature.py).

    Examples
    --------
    >>> round(float(sinc_curvature(0.0)), 12), round(float(sinc_curvature(1.0)), 6)
    (1.0, 1.175201)
    """
    u = jnp.asarray(u, dtype=jnp.float64)
    inside = jnp.abs(u) <= _SINC_SERIES_MAX
    series = _sinc_series(jnp.where(inside, u, 0.0))
    r = jnp.sqrt(jnp.maximum(jnp.abs(u), _SINC_SERIES_MAX))  # > 4.4 where used: no cancellation
    e = jnp.exp(jnp.minimum(r, 710.0))  # sinh overflows to inf beyond, as numpy's does
    open_ = 0.5 * (e - 1.0 / e) / r
    t = r - (2.0 * math.pi) * jnp.round(r / (2.0 * math.pi))  # sin(r) = sin(t), |t| <= pi
    closed = t * _sinc_series(-t * t) / r
    return jnp.where(inside, series, jnp.where(u > 0, open_, closed))


def known_zero(value) -> bool:
    """True for a scalar that is 0 at trace time, not a tracer: e.g. the ``Omega_k`` of a flat
    model that is no parameter (absent, or a fixed value closed over). Nothing can differentiate
    with respect to such a value, so the curvature functions (whose derivatives are otherwise most
    of a gradient's compiled program) need not be traced for it."""
    return not isinstance(value, jax.core.Tracer) and np.ndim(value) == 0 and float(value) == 0.0


def curvature_step(omega_k, x) -> tuple[jax.Array, jax.Array]:
    """``(D_M / D_H0, d(D_M / D_H0) / dx)`` from ``x = D_C / D_H0``: ``x sinc_curvature(Omega_k
    x^2)`` and its slope (``cosh`` or ``cos`` of ``sqrt(|Omega_k|) x``); ``(x, 1)`` when
    ``Omega_k`` is a known 0 (a scalar, not a tracer: nothing can differentiate by it).

    Examples
    --------
    >>> s, ds = curvature_step(0.1, 2.0)
    >>> round(float(s), 6), round(float(ds), 6)  # sinh(r)/sqrt(0.1), cosh(r), r = 2 sqrt(0.1)
    (2.136026, 1.206756)
    """
    x = jnp.asarray(x, dtype=jnp.float64)
    if known_zero(omega_k):
        return x, jnp.ones_like(x)
    return jax.jvp(lambda xx: xx * sinc_curvature(omega_k * xx * xx), (x,), (jnp.ones_like(x),))


# The distance ladder, each rung once (background functions and DistanceEvaluator both use it):
# D_M from x = D_C / D_H0, D_L from D_M, mu from D_L.
def transverse_from_x(params, x) -> jax.Array:
    """``D_M = D_H0 x sinc_curvature(Omega_k x^2)`` [Mpc] from ``x = D_C / D_H0``.

    A flat model (``Omega_k == 0`` exactly, a scalar) takes the cubic Taylor polynomial of
    ``sinc_curvature``: the same value (1) and the same first three derivatives in ``Omega_k``,
    without the full function's cost (batched over ``Omega_k``, both branches are computed).
    A flat model whose ``Omega_k`` is a known 0 (``known_zero``) gives ``D_H0 x``."""
    ok = params.get("Omega_k", COSMOLOGY_DEFAULTS["Omega_k"])
    if known_zero(ok):
        return _hubble_distance0(params) * x
    ok = jnp.asarray(ok, dtype=jnp.float64)
    u = ok * x * x
    if ok.ndim == 0:
        factor = jax.lax.cond(ok == 0.0, lambda v: 1.0 + v * (1 / 6 + v * (1 / 120 + v / 5040)),
                              sinc_curvature, u)
    else:
        factor = sinc_curvature(u)
    return _hubble_distance0(params) * x * factor


def luminosity_from_transverse(dm, z_hel) -> jax.Array:
    """``D_L = (1 + z_hel) D_M``."""
    return (1.0 + jnp.asarray(z_hel, dtype=jnp.float64)) * dm


def modulus_from_luminosity(dl) -> jax.Array:
    """``mu = 5 log10(D_L / 10 pc)``, ``D_L`` in Mpc floored at 1e-30 (never NaN)."""
    return 5.0 * jnp.log10(jnp.maximum(dl, 1e-30)) + 25.0

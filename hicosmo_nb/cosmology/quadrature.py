"""Gauss-Legendre quadrature: the package's one integration rule.

Every integral in hicosmo_nb (distances, ages, sound horizons, the neutrino Fermi-Dirac table,
the CMB distance priors) goes through these helpers, so the rule, its node counts and the
composite-panel construction exist once. Rules are numpy constants (cached): importing must not
start the JAX backend.

Examples
--------
>>> import numpy as np
>>> x, w = composite_rule([0.0, 1.0, 3.0], 8)
>>> round(float(np.sum(w * x**2)), 12)  # ∫_0^3 x^2 dx = 9
9.0
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["gl_rule", "composite_rule", "gauss_legendre"]


@lru_cache(maxsize=None)
def gl_rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the ``n``-point Gauss-Legendre rule on [-1, 1] (numpy, cached)."""
    if int(n) != n or n < 1:
        raise ValueError(f"number of Gauss-Legendre nodes must be a positive integer; got {n!r}")
    x, w = np.polynomial.legendre.leggauss(int(n))
    x.flags.writeable = w.flags.writeable = False
    return x, w


def composite_rule(edges, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (flat numpy arrays, panel by panel) of ``n``-point Gauss-Legendre on each
    panel ``[edges[i], edges[i+1]]``: ``sum(w * f(x))`` approximates ``∫_{edges[0]}^{edges[-1]} f``."""
    edges = np.asarray(edges, dtype=np.float64)
    x, w = gl_rule(n)
    lo, hi = edges[:-1, None], edges[1:, None]
    half = 0.5 * (hi - lo)
    return (0.5 * (hi + lo) + half * x).ravel(), (half * w).ravel()


def gauss_legendre(fn: Callable, lo, hi, n: int = 48) -> jax.Array:
    """``∫_lo^hi fn(s) ds`` elementwise over the broadcast shape of ``lo`` and ``hi`` (JAX).

    ``fn`` maps an array of ``s`` (shape ``lo.shape + (n,)``) to values of that shape, or with
    extra leading axes (several integrands at once); those lead the result's shape too.
    """
    x, w = gl_rule(n)
    lo, hi = jnp.asarray(lo, dtype=jnp.float64), jnp.asarray(hi, dtype=jnp.float64)
    half = 0.5 * (hi - lo)
    mid = 0.5 * (hi + lo)
    s = mid[..., None] + half[..., None] * x
    return half * jnp.sum(w * fn(s), axis=-1)

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

__all__ = ["gl_rule", "composite_rule", "gl_points", "gauss_legendre", "CumulativeRule"]


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


def gl_points(lo, hi, n: int = 48) -> tuple[jax.Array, jax.Array]:
    """Nodes (``shape + (n,)``) and weights of ``n``-point Gauss-Legendre on ``[lo, hi]``
    elementwise over the broadcast shape of ``lo`` and ``hi`` (JAX): ``sum(w * f(x), -1)``."""
    x, w = gl_rule(n)
    lo, hi = jnp.asarray(lo, dtype=jnp.float64), jnp.asarray(hi, dtype=jnp.float64)
    half = 0.5 * (hi - lo)
    return 0.5 * (hi + lo)[..., None] + half[..., None] * x, half[..., None] * w


def gauss_legendre(fn: Callable, lo, hi, n: int = 48) -> jax.Array:
    """``∫_lo^hi fn(s) ds`` elementwise over the broadcast shape of ``lo`` and ``hi`` (JAX).

    ``fn`` maps an array of ``s`` (shape ``lo.shape + (n,)``) to values of that shape, or with
    extra leading axes (several integrands at once); those lead the result's shape too.
    """
    s, w = gl_points(lo, hi, n)
    return jnp.sum(w * fn(s), axis=-1)


class CumulativeRule:
    """``∫_s^{top} f`` for *any* ``s`` from ``f`` sampled once on fixed Gauss-Legendre panels.

    The panels ``[edges[j], edges[j+1]]`` each carry an ``n``-point rule. On each panel ``f`` is
    replaced by its degree ``n - 1`` interpolant through the panel's nodes, which is integrated
    exactly from ``s`` to the panel's upper edge; the whole panels above are summed. So one
    evaluation of ``f`` on ``nodes`` (``K n`` points, independent of how many ``s`` are asked
    for) gives the integral to every ``s``: no sorting, and a map from the node values to the
    results that is linear with weights fixed by ``s`` alone (derivatives w.r.t. parameters of
    ``f`` cost one more application each). The weights are polynomials in the distance
    ``u = (edge_{j+1} - s) / width_j`` from the upper edge, so a short partial panel keeps full
    relative precision.

    Examples
    --------
    >>> import numpy as np
    >>> rule = CumulativeRule(np.linspace(0.0, 1.0, 5), 8)
    >>> s = np.array([0.0, 0.3, 0.99])
    >>> j, wext = rule.locate(s)
    >>> bool(np.max(np.abs(rule.integrate(np.exp(rule.nodes), j, wext) - (np.e - np.exp(s)))) < 1e-13)
    True
    """

    def __init__(self, edges, n: int):
        edges = np.asarray(edges, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("CumulativeRule: edges must be a strictly increasing 1-D array")
        self.edges, self.n, self.n_panels = edges, int(n), edges.size - 1
        self.nodes, w = composite_rule(edges, n)
        self.weights = w.reshape(self.n_panels, self.n)
        self.width = np.diff(edges)
        x, _ = gl_rule(n)
        # Lagrange basis L_m on the panel's nodes, integrated from the point to the upper edge:
        # with x = 1 - 2u (x in [-1, 1]), ∫_x^1 L_m(x') dx' = V_m(u) = sum_k d[m, k] u^k, k >= 1;
        # times width/2 for the panel.
        d = np.zeros((self.n, self.n + 1))
        for m in range(self.n):
            basis = np.polynomial.Polynomial.fit(x, np.eye(self.n)[m], self.n - 1, domain=[-1, 1],
                                                 window=[-1, 1])
            anti = basis.integ()
            v = anti(1.0) - anti(np.polynomial.Polynomial([1.0, -2.0]))
            d[m, : v.coef.size] = 0.5 * v.coef
        self._d = d[:, 1:]  # (n, n): the constant term is 0
        # Locating without a search: a uniform table of cells at most one edge wide gives the
        # panel at each cell's left end; a point is in that panel or the next.
        self._cells = int(np.ceil(2.0 * (edges[-1] - edges[0]) / self.width.min()))
        left = edges[0] + (edges[-1] - edges[0]) * np.arange(self._cells) / self._cells
        j0 = np.searchsorted(edges[1:-1], left, side="right")
        j1 = np.minimum(j0 + 1, self.n_panels - 1)
        # per cell, for its panel and the next: index, upper edges, widths (one gather per point)
        self._table = np.stack([j0, edges[j0 + 1], edges[j1 + 1], self.width[j0], self.width[j1]])

    def locate(self, s, xp=np):
        """Panel index ``j`` and ``wext`` (``s.shape + (2,)``: the distance ``u`` from the panel's
        upper edge in panel widths, and the width) for points ``s`` (numpy or, with
        ``xp=jax.numpy``, traced)."""
        scale = self._cells / (self.edges[-1] - self.edges[0])
        cell = xp.clip(xp.floor((s - self.edges[0]) * scale), 0, self._cells - 1).astype(np.int32)
        j0, hi0, hi1, width0, width1 = xp.asarray(self._table)[:, cell]
        up = s >= hi0  # in the next panel (the last panel's "next" is itself)
        j = xp.minimum(j0.astype(np.int32) + up, self.n_panels - 1)
        hi, width = xp.where(up, hi1, hi0), xp.where(up, width1, width0)
        return j, xp.stack([(hi - s) / width, width], axis=-1)

    def integrate(self, values, j, wext):
        """``∫_s^{top} f`` for the located points, from ``values = f(nodes)`` (leading axes kept:
        several integrands at once, gathered together: each point reads one contiguous row).

        Per panel, the interpolant's integral from the upper edge down to ``u`` widths below it
        is ``width u sum_k c_k u^k`` with ``c = values @ d`` (``n`` coefficients per panel, from
        the node values once per call); each point then reads its panel's ``c`` and the integral
        above the panel, and evaluates that polynomial (Horner): ``n`` multiply-adds per point
        and integrand."""
        xp = np if isinstance(values, np.ndarray) and isinstance(j, np.ndarray) else jnp
        g = values.reshape(values.shape[:-1] + (self.n_panels, self.n))
        panels = xp.sum(g * xp.asarray(self.weights), axis=-1)
        above = xp.cumsum(panels[..., ::-1], axis=-1)[..., ::-1]  # ∫ from edge_j to the top
        above = xp.concatenate([above[..., 1:], xp.zeros(panels.shape[:-1] + (1,))], axis=-1)
        rows = xp.concatenate([g @ xp.asarray(self._d), above[..., None]], axis=-1)  # (..., K, n + 1)
        u, width = wext[..., 0], wext[..., 1]
        lead = rows.shape[:-2]
        if lead:  # integrands last, so that each point's gather reads one contiguous block
            rows = xp.moveaxis(rows.reshape((-1,) + rows.shape[-2:]), 0, -1)  # (K, n + 1, B)
            u, width = u[..., None], width[..., None]
        r = rows[j]  # (*s.shape, n + 1[, B])
        poly = r[..., self.n - 1, :] if lead else r[..., self.n - 1]
        for k in range(self.n - 2, -1, -1):
            poly = poly * u + (r[..., k, :] if lead else r[..., k])
        out = width * u * poly + (r[..., self.n, :] if lead else r[..., self.n])
        if not lead:
            return out
        out = xp.moveaxis(out, -1, 0)
        return out.reshape(lead + out.shape[1:])

"""Fast transverse comoving distances at many fixed redshifts (private helper of the SN builder).

:func:`hicosmo_nb.cosmology.transverse_comoving_distance` integrates each redshift separately
with a 48-node rule; for a 1590-point Hubble diagram that is 76k evaluations of ``E``. Here, in
the same variable ``s = (1+z)^-1/2`` as the cosmology module, ``x(s) = D_C / D_H0 =
int_s^1 g ds'`` with ``g = 2 / (s^3 E)`` is computed at uniformly spaced knots from ``s = 1``
(``z = 0``) down to the smallest data ``s`` (Gauss-Legendre per knot interval, cumulative sum),
and interpolated to the data redshifts with cubic Hermite polynomials that use the *exact*
derivative ``g`` at the knots. The knot index and Hermite weights of each data redshift are
fixed at build time, so evaluation is one ``E`` call on under a thousand points and a gather:
about 900 evaluations of ``E`` for Pantheon+ instead of 76k. The interpolation error
(``~h^4 max|g'''|/384``) with ``h = 0.0025`` is below 1e-8 relative in ``D_M`` (1e-8 mag) even for
extreme phantom dark energy and ~3e-10 typically (tested against the cosmology module).
Curvature is applied exactly as there (``D_M = D_H0 x sinh(sqrt(Ok) x)/(sqrt(Ok) x)``).
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .. import cosmology
from ..cosmology.background import _sinc_curvature
from ..parameters import COSMOLOGY_DEFAULTS

__all__ = ["DistanceGrid"]


class DistanceGrid:
    """Build-time knots and Hermite weights for ``D_M`` at the redshifts ``z``.

    Parameters
    ----------
    z : array (N,)
        Redshifts (any order, repeats allowed), all > 0.
    h : float
        Knot spacing in ``s = (1+z)^-1/2``.
    nodes : int
        Gauss-Legendre nodes per knot interval.
    """

    def __init__(self, z: np.ndarray, *, h: float = 0.0025, nodes: int = 4):
        s_data = 1.0 / np.sqrt(1.0 + np.asarray(z, dtype=float))
        n_int = max(1, int(np.ceil((1.0 - s_data.min()) / h)))
        knots = np.linspace(1.0, s_data.min(), n_int + 1)  # decreasing in s, increasing in z
        x, w = np.polynomial.legendre.leggauss(nodes)
        hi, lo = knots[:-1, None], knots[1:, None]
        half = 0.5 * (hi - lo)
        gl_s = (0.5 * (hi + lo) + half * x).ravel()
        self.gl_w = jnp.asarray((half * w))
        self.n_int, self.nodes = n_int, nodes
        self.s = jnp.asarray(np.concatenate([gl_s, knots]))
        # Interval of each data point and its Hermite weights in u = knots[k] - s (u grows with z).
        width = knots[:-1] - knots[1:]
        k = np.clip(np.searchsorted(-knots, -s_data, side="right") - 1, 0, n_int - 1)
        t = (knots[k] - s_data) / width[k]
        self.k = k
        self.h00 = jnp.asarray(2 * t**3 - 3 * t**2 + 1)
        self.h10 = jnp.asarray((t**3 - 2 * t**2 + t) * width[k])
        self.h01 = jnp.asarray(-2 * t**3 + 3 * t**2)
        self.h11 = jnp.asarray((t**3 - t**2) * width[k])
        self.n_evals = int(self.s.size)

    def comoving_over_dh0(self, params: dict, *, de_density: Callable | None = None,
                          efunc: Callable | None = None) -> jax.Array:
        """``D_C / (c/H0)`` at the grid's data redshifts (in the order given at build time)."""
        s = self.s
        g = 2.0 / (s**3 * cosmology.E(params, 1.0 / (s * s) - 1.0, de_density=de_density, efunc=efunc))
        n_gl = self.n_int * self.nodes
        pieces = jnp.sum(self.gl_w * g[:n_gl].reshape(self.n_int, self.nodes), axis=1)
        xk = jnp.concatenate([jnp.zeros(1), jnp.cumsum(pieces)])
        gk = g[n_gl:]
        k = self.k
        return self.h00 * xk[k] + self.h10 * gk[k] + self.h01 * xk[k + 1] + self.h11 * gk[k + 1]

    def transverse_comoving(self, params: dict, **kw) -> jax.Array:
        """``D_M`` in Mpc at the grid's data redshifts."""
        x = self.comoving_over_dh0(params, **kw)
        ok = params.get("Omega_k", COSMOLOGY_DEFAULTS["Omega_k"])
        dh0 = cosmology.C_KM_S / jnp.asarray(params["H0"], dtype=jnp.float64)
        return dh0 * x * _sinc_curvature(ok * x * x)

    def distance_modulus(self, params: dict, z_hel: jax.Array, **kw) -> jax.Array:
        """``mu = 5 log10((1 + z_hel) D_M / 10 pc)`` (``D_L`` floored at 1e-30 Mpc)."""
        dl = (1.0 + z_hel) * self.transverse_comoving(params, **kw)
        return 5.0 * jnp.log10(jnp.maximum(dl, 1e-30)) + 25.0

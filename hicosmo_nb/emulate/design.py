"""Parameter boxes, Latin-hypercube designs from named keys, and simulating a design under vmap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401  (float64)

__all__ = ["Box", "latin_hypercube", "simulate_design"]


@dataclass(frozen=True, eq=False)
class Box:
    """An axis-aligned parameter box: the region a surrogate is trained on and trusted in.

    Parameters
    ----------
    bounds : mapping of str to (float, float)
        ``{name: (lower, upper)}`` with ``lower < upper``, both finite.

    Examples
    --------
    >>> box = Box({"Omega_m": (0.2, 0.4), "w0": (-1.5, -0.5)})
    >>> box.names, box.dim
    (('Omega_m', 'w0'), 2)
    >>> bool(box.contains(np.array([0.3, -1.0])))
    True
    """

    bounds: Mapping[str, tuple[float, float]]

    def __post_init__(self):
        if not isinstance(self.bounds, Mapping) or not self.bounds:
            raise ValueError(f"Box needs a non-empty {{name: (lower, upper)}} mapping, got {self.bounds!r}")
        clean = {}
        for name, b in self.bounds.items():
            try:
                lo, hi = (float(v) for v in b)
            except (TypeError, ValueError) as err:
                raise ValueError(f"Box bound for {name!r} must be a (lower, upper) pair, got {b!r}") from err
            if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
                raise ValueError(f"Box bound for {name!r} needs finite lower < upper, got ({lo}, {hi})")
            clean[str(name)] = (lo, hi)
        object.__setattr__(self, "bounds", clean)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.bounds)

    @property
    def dim(self) -> int:
        return len(self.bounds)

    @property
    def lower(self) -> np.ndarray:
        return np.array([b[0] for b in self.bounds.values()])

    @property
    def upper(self) -> np.ndarray:
        return np.array([b[1] for b in self.bounds.values()])

    def to_unit(self, theta):
        """Map box coordinates to ``[-1, 1]`` per axis (the surrogate's standardized inputs)."""
        lo, hi = jnp.asarray(self.lower), jnp.asarray(self.upper)
        return 2.0 * (theta - lo) / (hi - lo) - 1.0

    def contains(self, theta) -> jax.Array:
        """True where every coordinate of ``theta`` (shape ``(..., dim)``) is inside the box."""
        theta = jnp.asarray(theta)
        return jnp.all((theta >= self.lower) & (theta <= self.upper), axis=-1)

    def vector(self, params: Mapping) -> jax.Array:
        """The box coordinates of a parameter dict, shape ``(dim,)``."""
        missing = [n for n in self.names if n not in params]
        if missing:
            raise ValueError(f"parameters {missing} of the emulator box are missing from the dict "
                             f"(it has {sorted(params)})")
        return jnp.stack([jnp.asarray(params[n], dtype=jnp.float64) for n in self.names])


def latin_hypercube(key: jax.Array, box: Box, n: int) -> np.ndarray:
    """A Latin-hypercube design of ``n`` points in ``box``: each axis split into ``n`` equal strata,
    one point per stratum per axis, strata paired at random.

    Parameters
    ----------
    key : jax.Array
        PRNG key, e.g. ``KeyManager(seed).key("emulate/design")``.
    box : Box
    n : int
        Number of points (>= 2).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, box.dim)``.

    Examples
    --------
    >>> from hicosmo_nb.keys import KeyManager
    >>> x = latin_hypercube(KeyManager(0).key("design"), Box({"a": (0, 1), "b": (2, 4)}), 10)
    >>> sorted(np.floor(x[:, 0] * 10).astype(int).tolist()) == list(range(10))
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"latin_hypercube needs an int n >= 2 points, got {n!r}")
    k_perm, k_jit = jax.random.split(key)
    perms = jax.vmap(lambda k: jax.random.permutation(k, n))(jax.random.split(k_perm, box.dim))
    u = (np.asarray(perms).T + np.asarray(jax.random.uniform(k_jit, (n, box.dim)))) / n
    return box.lower + u * (box.upper - box.lower)


def simulate_design(simulator: Callable[[Mapping], jax.Array], box: Box,
                    design: np.ndarray | Sequence) -> np.ndarray:
    """Evaluate ``simulator(params_dict) -> (n_out,)`` at every design point, batched by vmap.

    Raises
    ------
    ValueError
        If the design has the wrong shape or a simulated observable is not finite.
    """
    design = jnp.asarray(design, dtype=jnp.float64)
    if design.ndim != 2 or design.shape[1] != box.dim:
        raise ValueError(f"design must have shape (n, {box.dim}) for box {box.names}, got {design.shape}")
    out = np.asarray(jax.jit(jax.vmap(lambda th: simulator(dict(zip(box.names, th)))))(design))
    bad = ~np.all(np.isfinite(out), axis=tuple(range(1, out.ndim)))
    if bad.any():
        raise ValueError(f"the simulator returned non-finite values at {int(bad.sum())} design points, "
                         f"e.g. {dict(zip(box.names, np.asarray(design[bad][0]).tolist()))}; shrink the box")
    return out

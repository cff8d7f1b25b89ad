"""A differentiable gravitational N-body toy: potential -> forces by autodiff -> leapfrog in scan.

Teaching module (it sits beside the cosmology core): the only physics written by hand is the
Plummer-softened pairwise potential::

    U(x, m) = - sum_{i<j} G m_i m_j / sqrt(|x_i - x_j|^2 + eps^2),

forces are ``-jax.grad(U)``, and the kick-drift-kick leapfrog runs in :func:`jax.lax.scan`, so the
whole simulation is one XLA program that :func:`jax.grad` can differentiate through (w.r.t. the
initial conditions or the masses) and :func:`jax.vmap` can batch over an ensemble of initial
conditions drawn from named keys (:class:`hicosmo_nb.keys.KeyManager`).

Leapfrog is symplectic and time-reversible: the energy error oscillates and stays bounded,
scaling as ``dt^2``; total momentum is conserved to rounding (the forces are antisymmetric).

Examples
--------
>>> import jax.numpy as jnp
>>> from hicosmo_nb import nbody
>>> x = jnp.array([[-0.5, 0.0], [0.5, 0.0]]); m = jnp.array([1.0, 1.0])
>>> round(float(nbody.potential(x, m, eps=0.0)), 6)
-1.0
>>> f = nbody.forces(x, m, eps=0.0)
>>> round(float(f[0, 0]), 6)   # body 0 pulled towards body 1 with G m m / r^2 = 1
1.0
"""

from __future__ import annotations

import numbers
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _config  # noqa: F401  (float64)

__all__ = [
    "NBodyConfig", "State", "Trajectory", "potential", "forces", "accelerations", "kinetic_energy",
    "total_energy", "momentum", "leapfrog_step", "simulate", "initial_conditions", "run_ensemble",
]


class NBodyConfig(NamedTuple):
    """Settings of a leapfrog run (hashable: pass it as a static argument).

    Attributes
    ----------
    dt : float
        Time step.
    n_steps : int
        Number of kick-drift-kick steps.
    G : float
        Gravitational constant in the units of the run.
    eps : float
        Plummer softening length (>= 0; must be > 0 when two bodies can coincide).
    """

    dt: float = 0.01
    n_steps: int = 100
    G: float = 1.0
    eps: float = 0.05

    def checked(self) -> "NBodyConfig":
        """Return self after validating each field (``ValueError`` names the bad one)."""
        for name in ("dt", "G", "eps"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not float(v) == float(v):
                raise ValueError(f"NBodyConfig.{name} must be a real number, got {v!r}")
        if self.dt <= 0 or self.G <= 0 or self.eps < 0:
            raise ValueError(f"NBodyConfig needs dt > 0, G > 0, eps >= 0; got dt={self.dt}, "
                             f"G={self.G}, eps={self.eps}")
        n = self.n_steps
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"NBodyConfig.n_steps must be a positive int, got {n!r}")
        return self


class State(NamedTuple):
    """Positions and velocities, each ``(N, D)`` (a pytree: jit/vmap/grad pass through it)."""

    positions: jax.Array
    velocities: jax.Array


class Trajectory(NamedTuple):
    """Output of :func:`simulate`: the final state and per-step diagnostics (length ``n_steps``)."""

    final: State
    positions: jax.Array  # (n_steps, N, D)
    energy: jax.Array  # (n_steps,)
    momentum: jax.Array  # (n_steps, D)


def potential(positions: jax.Array, masses: jax.Array, *, G: float = 1.0, eps: float = 0.05) -> jax.Array:
    """Plummer-softened gravitational potential energy ``-sum_{i<j} G m_i m_j / sqrt(r_ij^2 + eps^2)``.

    Parameters
    ----------
    positions : array (N, D)
    masses : array (N,)
    G, eps : float
        Gravitational constant and softening length.

    Returns
    -------
    jax.Array
        Scalar potential energy.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> round(float(potential(jnp.array([[0.0], [2.0]]), jnp.array([1.0, 3.0]), eps=0.0)), 6)
    -1.5
    """
    x = jnp.asarray(positions, dtype=jnp.float64)
    m = jnp.asarray(masses, dtype=jnp.float64)
    n = x.shape[0]
    diff = x[:, None, :] - x[None, :, :]
    upper = jnp.triu(jnp.ones((n, n), dtype=bool), k=1)
    # On the diagonal and below, use r^2 = 1 so that 1/r and its gradient stay finite for eps = 0;
    # those pairs are then masked out (the gradient of the discarded branch is zero, not NaN).
    r2 = jnp.where(upper, jnp.sum(diff * diff, axis=-1), 1.0)
    pair = jnp.where(upper, m[:, None] * m[None, :] / jnp.sqrt(r2 + eps * eps), 0.0)
    return -G * jnp.sum(pair)


def forces(positions: jax.Array, masses: jax.Array, *, G: float = 1.0, eps: float = 0.05) -> jax.Array:
    """Forces ``-dU/dx``, shape ``(N, D)``, by reverse-mode autodiff of :func:`potential`."""
    return -jax.grad(potential)(jnp.asarray(positions, dtype=jnp.float64), masses, G=G, eps=eps)


def accelerations(positions: jax.Array, masses: jax.Array, *, G: float = 1.0, eps: float = 0.05) -> jax.Array:
    """Accelerations ``F_i / m_i``, shape ``(N, D)``."""
    return forces(positions, masses, G=G, eps=eps) / jnp.asarray(masses)[:, None]


def kinetic_energy(velocities: jax.Array, masses: jax.Array) -> jax.Array:
    """``sum_i m_i |v_i|^2 / 2``."""
    return 0.5 * jnp.sum(jnp.asarray(masses) * jnp.sum(velocities * velocities, axis=-1))


def total_energy(state: State, masses: jax.Array, *, G: float = 1.0, eps: float = 0.05) -> jax.Array:
    """Kinetic plus potential energy of ``state``."""
    return kinetic_energy(state.velocities, masses) + potential(state.positions, masses, G=G, eps=eps)


def momentum(state: State, masses: jax.Array) -> jax.Array:
    """Total momentum ``sum_i m_i v_i``, shape ``(D,)``."""
    return jnp.sum(jnp.asarray(masses)[:, None] * state.velocities, axis=0)


def leapfrog_step(state: State, masses: jax.Array, config: NBodyConfig) -> State:
    """One kick-drift-kick step (symplectic, time-reversible, second order in ``dt``)."""
    dt, kw = config.dt, {"G": config.G, "eps": config.eps}
    v_half = state.velocities + 0.5 * dt * accelerations(state.positions, masses, **kw)
    x_new = state.positions + dt * v_half
    v_new = v_half + 0.5 * dt * accelerations(x_new, masses, **kw)
    return State(x_new, v_new)


def simulate(positions: jax.Array, velocities: jax.Array, masses: jax.Array,
             config: NBodyConfig = NBodyConfig()) -> Trajectory:
    """Integrate ``config.n_steps`` leapfrog steps in one :func:`jax.lax.scan`.

    Pure and differentiable in ``positions``, ``velocities`` and ``masses``; ``config`` is
    static (a new ``config`` compiles a new program).

    Parameters
    ----------
    positions, velocities : array (N, D)
    masses : array (N,)
    config : NBodyConfig

    Returns
    -------
    Trajectory
        Final state, positions after each step, energy and momentum after each step.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> x = jnp.array([[-0.5, 0.0], [0.5, 0.0]]); v = jnp.array([[0.0, -0.7], [0.0, 0.7]])
    >>> tr = simulate(x, v, jnp.ones(2), NBodyConfig(dt=0.01, n_steps=200, eps=0.0))
    >>> bool(abs(tr.energy[-1] / tr.energy[0] - 1) < 1e-3)
    True
    """
    return _simulate(jnp.asarray(positions, dtype=jnp.float64), jnp.asarray(velocities, dtype=jnp.float64),
                     jnp.asarray(masses, dtype=jnp.float64), config.checked())


@partial(jax.jit, static_argnames="config")
def _simulate(positions, velocities, masses, config: NBodyConfig) -> Trajectory:
    kw = {"G": config.G, "eps": config.eps}

    def step(state, _):
        new = leapfrog_step(state, masses, config)
        return new, (new.positions, total_energy(new, masses, **kw), momentum(new, masses))

    final, (xs, energy, mom) = jax.lax.scan(step, State(positions, velocities), None, length=config.n_steps)
    return Trajectory(final, xs, energy, mom)


def initial_conditions(key: jax.Array, n_bodies: int, *, dim: int = 2, radius: float = 1.0,
                       velocity_scale: float = 0.3) -> State:
    """Random initial conditions: positions uniform in a ball, Gaussian velocities, zero net momentum.

    Positions and velocities are shifted to the centre-of-mass frame for equal masses.

    Parameters
    ----------
    key : jax.Array
        PRNG key, e.g. ``KeyManager(seed).key("nbody/ic")``.
    n_bodies, dim : int
        Number of bodies and spatial dimensions.
    radius, velocity_scale : float
        Ball radius and velocity dispersion.
    """
    kx, kr, kv = jax.random.split(key, 3)
    direction = jax.random.normal(kx, (n_bodies, dim))
    direction = direction / jnp.linalg.norm(direction, axis=1, keepdims=True)
    r = radius * jax.random.uniform(kr, (n_bodies, 1)) ** (1.0 / dim)
    x = direction * r
    v = velocity_scale * jax.random.normal(kv, (n_bodies, dim))
    return State(x - x.mean(axis=0), v - v.mean(axis=0))


def run_ensemble(keys: jax.Array, masses: jax.Array, config: NBodyConfig = NBodyConfig(), *,
                 dim: int = 2) -> Trajectory:
    """Simulate one system per key (``keys`` shape ``(B, 2)``), batched by :func:`jax.vmap`.

    Every field of the returned :class:`Trajectory` gains a leading batch axis ``B``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from hicosmo_nb.keys import KeyManager
    >>> tr = run_ensemble(KeyManager(0).split("nbody/ensemble", 3), jnp.ones(4), NBodyConfig(n_steps=5))
    >>> tr.energy.shape
    (3, 5)
    """
    masses = jnp.asarray(masses, dtype=jnp.float64)
    config = config.checked()
    if masses.ndim != 1:
        raise ValueError(f"masses must be a 1-d array (one per body), got shape {masses.shape}")

    def one(key):
        ic = initial_conditions(key, masses.shape[0], dim=dim)
        return _simulate(ic.positions, ic.velocities, masses, config)

    return jax.vmap(one)(jnp.asarray(keys))

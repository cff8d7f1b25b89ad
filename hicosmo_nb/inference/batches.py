"""The chain batches of a run: their states, one chunk of sampling for all of them, the host
buffers of kept draws, and the assembly of a Result from those buffers.

Internal to :mod:`hicosmo_nb.inference`: :func:`.state.step` advances a run with these pieces.

:func:`advance_batches` advances every chain batch (``plan.threads`` of them at a time, in host
threads) by one chunk of ``n <= length`` iterations. Because each chunk is one call of the same
compiled program and the sampler state is carried exactly, a run split into chunks of any sizes
(or stopped and resumed from a checkpoint) gives bitwise the draws of an unsplit run.
"""

from __future__ import annotations

from typing import Mapping

import jax
import numpy as np

from .. import _config  # noqa: F401  (float64)
from .checkpoint import SamplerState, restore_state, state_leaves
from .devices import ChainPlan
from .kernel import STAT_FIELDS, Sampler, tree_depth
from .results import Result

__all__ = ["new_buffers", "batch_states", "all_leaves", "step_sizes", "advance_batches", "sample_stats", "constrained",
           "assemble"]


def new_buffers(num_chains: int, num_draws: int, dim: int) -> dict[str, np.ndarray]:
    """Empty host buffers for the per-draw fields (``STAT_FIELDS``)."""
    shapes = {"z": (num_chains, num_draws, dim)}
    dtypes = {"num_steps": np.int64, "diverging": np.bool_}
    return {k: np.zeros(shapes.get(k, (num_chains, num_draws)), dtype=dtypes.get(k, np.float64))
            for k in STAT_FIELDS}


def batch_states(sampler: Sampler, plan: ChainPlan, keys: np.ndarray, *, z0=None, leaves=None,
                 inverse_mass_matrix=None) -> list:
    """Initial states per batch from ``z0``, or restored from stored ``leaves`` (all chains)."""
    d = len(sampler.names)
    states = []
    for b0, b1 in plan.batches:
        if leaves is None:
            states.append(sampler.init_state(z0[b0:b1], keys[b0:b1],
                                             inverse_mass_matrix=inverse_mass_matrix))
        else:
            template = sampler.init_state(np.zeros((b1 - b0, d)), keys[b0:b1], evaluate=False)
            states.append(restore_state(template, [np.asarray(x)[b0:b1] for x in leaves]))
    return states


def all_leaves(states: list) -> list[np.ndarray]:
    """State leaves of every batch, joined along the chain axis."""
    per = [state_leaves(s) for s in states]
    return [np.concatenate([p[i] for p in per], axis=0) for i in range(len(per[0]))]


def step_sizes(states: list) -> np.ndarray:
    """The current (adapted) step size of every chain."""
    return np.concatenate([np.asarray(s.adapt_state.step_size) for s in states])


def advance_batches(sampler: Sampler, plan: ChainPlan, states: list, n: int, length: int,
                    run_all=map) -> tuple[list, dict[str, np.ndarray]]:
    """Advance every batch ``n <= length`` iterations; returns the new states and the chunk's
    per-draw fields ``{name: (chains, n, ...)}`` on the host. ``run_all`` maps over batches
    (``ThreadPoolExecutor.map`` for concurrent batches; XLA releases the GIL while it runs)."""

    def one(bi):
        return jax.block_until_ready(sampler.run_chunk(states[bi], n, length, plan))

    advanced = list(run_all(one, range(len(plan.batches))))
    new_states = [s for s, _ in advanced]
    out = {k: np.concatenate([np.asarray(o[k])[:, :n] for _, o in advanced], axis=0) for k in STAT_FIELDS}
    return new_states, out


def sample_stats(fields: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """ArviZ ``sample_stats`` from the raw per-draw fields (``STAT_FIELDS``)."""
    return {
        "lp": -fields["potential_energy"], "energy": fields["energy"],
        "diverging": fields["diverging"], "n_steps": fields["num_steps"],
        "tree_depth": tree_depth(fields["num_steps"]), "step_size": fields["step_size"],
        "acceptance_rate": fields["accept_prob"],
    }


def constrained(sampler: Sampler, z: np.ndarray) -> dict[str, np.ndarray]:
    """``{name: (chains, draws)}`` parameter values of unconstrained draws ``z (chains, draws, d)``."""
    c, s, d = z.shape
    values = sampler.constrain_many(jax.numpy.asarray(z.reshape(c * s, d)))
    return {n: np.asarray(values[n]).reshape(c, s) for n in sampler.names}


def assemble(sampler: Sampler, buffers: dict, *, log_likelihood: bool, manifest: dict,
             state: SamplerState | None) -> Result:
    """Build a :class:`Result` from the host buffers (constrained draws, sample stats)."""
    z = buffers["z"]
    c, s, d = z.shape
    posterior = constrained(sampler, z)
    loglik = None
    if log_likelihood:
        flat = jax.numpy.asarray(z.reshape(c * s, d))
        loglik = {}
        fixed_j = {k: jax.numpy.asarray(v, dtype=jax.numpy.float64) for k, v in sampler.fixed.items()}
        leaves = sampler.problem.likelihood.leaves

        def per_leaf(u):  # one program for all leaves: a program per leaf costs ~0.1 s more each
            values = {**fixed_j, **sampler.constrain(u)}
            return tuple(leaf.loglike(values) for leaf in leaves)

        for leaf, values in zip(leaves, jax.jit(jax.vmap(per_leaf))(flat)):
            loglik[_unique(leaf.name, loglik)] = np.asarray(values).reshape(c, s)
    return Result.from_arrays(posterior, sample_stats=sample_stats(buffers), log_likelihood=loglik,
                              manifest=manifest, state=state)


def _unique(name: str, taken: dict) -> str:
    out, i = name, 1
    while out in taken:
        i += 1
        out = f"{name}_{i}"
    return out

"""The chunked sampling loop (with checkpoints and progress) and the assembly of a Result.

Internal to :mod:`hicosmo_nb.inference`; :func:`~hicosmo_nb.inference.run_nuts` and
:func:`~hicosmo_nb.inference.continue_nuts` are the public entry points.

The loop advances every chain batch (``plan.threads`` of them at a time, in host threads) by one
chunk of at most ``length`` iterations at a time, never crossing the warmup/sampling boundary,
copies the chunk's draws into host buffers and, when asked, writes a checkpoint. Because each
chunk is one call of the same compiled program and the sampler state is carried exactly, a run
split into chunks (or stopped and resumed from a checkpoint) gives bitwise the draws of an
unsplit run.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import jax
import numpy as np

from .. import _config  # noqa: F401  (float64)
from .checkpoint import restore_state, save_checkpoint, state_leaves
from .devices import ChainPlan
from .kernel import STAT_FIELDS, Sampler, tree_depth
from .progress import ChainProgress
from .results import Result

__all__ = ["LoopSpec", "new_buffers", "batch_states", "run_loop", "assemble"]


@dataclass
class LoopSpec:
    """Where a loop starts and ends (iterations count warmup + sampling from 0)."""

    iteration: int  # iterations done so far
    num_warmup: int  # adaptation stops here
    collect_from: int  # iteration whose draw goes to buffer index 0
    total: int  # stop here
    length: int  # compiled chunk length
    checkpoint: str | None = None
    fingerprint: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


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


def run_loop(sampler: Sampler, plan: ChainPlan, states: list, buffers: dict, spec: LoopSpec,
             show: bool) -> tuple[list, float, int]:
    """Run chunks until ``spec.total`` (per-chain progress bars when ``show``); returns the final
    states, the seconds spent and the number of leapfrog steps (summed over chains) taken before
    ``spec.collect_from``."""
    progress = ChainProgress(show, buffers["z"].shape[0], spec.total, initial=spec.iteration)
    # XLA releases the GIL while it runs, so batches in separate threads use separate cores
    pool = ThreadPoolExecutor(plan.threads, thread_name_prefix="hicosmo_nb-chains") if plan.threads > 1 else None
    run_all = map if pool is None else pool.map
    try:
        t0 = time.perf_counter()
        it = spec.iteration
        warm_steps = 0
        while it < spec.total:
            phase_end = spec.num_warmup if it < spec.num_warmup else spec.total
            n = min(spec.length, phase_end - it)
            step_sizes = []

            def advance(bi, n=n):
                return jax.block_until_ready(sampler.run_chunk(states[bi], n, spec.length, plan))

            advanced = list(run_all(advance, range(len(plan.batches))))
            for bi, (b0, b1) in enumerate(plan.batches):
                states[bi], out = advanced[bi]
                step_sizes.append(np.asarray(states[bi].adapt_state.step_size))
                if it < spec.collect_from:
                    warm_steps += int(np.asarray(out["num_steps"])[:, :n].sum())
                else:
                    j = it - spec.collect_from
                    for k in STAT_FIELDS:
                        buffers[k][b0:b1, j:j + n] = np.asarray(out[k])[:, :n]
            it += n
            filled = max(it - spec.collect_from, 0)
            progress.update(n, "warmup" if it <= spec.num_warmup else "sampling",
                            buffers["diverging"][:, :filled].sum(axis=1), np.concatenate(step_sizes))
            if spec.checkpoint is not None:
                save_checkpoint(spec.checkpoint, fingerprint=spec.fingerprint, iteration=it,
                                leaves=all_leaves(states),
                                draws={k: v[:, :filled] for k, v in buffers.items()}, info=spec.info)
        jax.block_until_ready(states)
        return states, time.perf_counter() - t0, warm_steps
    finally:
        progress.close()
        if pool is not None:  # on an interrupt, return at once (running chunks finish on their own)
            pool.shutdown(wait=False, cancel_futures=True)


def assemble(sampler: Sampler, buffers: dict, *, fixed: dict, leaves, log_likelihood: bool,
             manifest: dict, state: dict | None) -> Result:
    """Build a :class:`Result` from the host buffers (constrained draws, sample stats)."""
    z = buffers["z"]
    c, s, d = z.shape
    flat = jax.numpy.asarray(z.reshape(c * s, d))
    values = jax.jit(jax.vmap(sampler.constrain))(flat)
    posterior = {n: np.asarray(values[n]).reshape(c, s) for n in sampler.names}
    stats = {
        "lp": -buffers["potential_energy"], "energy": buffers["energy"],
        "diverging": buffers["diverging"], "n_steps": buffers["num_steps"],
        "tree_depth": tree_depth(buffers["num_steps"]), "step_size": buffers["step_size"],
        "acceptance_rate": buffers["accept_prob"],
    }
    loglik = None
    if log_likelihood:
        loglik = {}
        fixed_j = {k: jax.numpy.asarray(v, dtype=jax.numpy.float64) for k, v in fixed.items()}
        for leaf in leaves:
            fn = jax.jit(jax.vmap(lambda u, f=leaf.loglike: f({**fixed_j, **sampler.constrain(u)})))
            loglik[_unique(leaf.name, loglik)] = np.asarray(fn(flat)).reshape(c, s)
    return Result.from_arrays(posterior, sample_stats=stats, log_likelihood=loglik,
                              manifest=manifest, state=state)


def _unique(name: str, taken: dict) -> str:
    out, i = name, 1
    while out in taken:
        i += 1
        out = f"{name}_{i}"
    return out

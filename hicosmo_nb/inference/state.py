"""A run as data: its immutable :class:`RunPlan`, its :class:`RunState`, and the plain
functions that make and advance them.

BlackJAX's ``init``/``step`` at the scale of a whole multi-chain run:

- :func:`start` (a fresh run: MAP start, or the state in an existing checkpoint) and
  :func:`extend` (more draws of a saved result, no new warmup) return ``(plan, state)``;
- :func:`step` advances every chain ``m`` iterations and returns the new state and the chunk's
  per-draw fields;
- :func:`sampler_state` is what checkpoints and results store; :func:`result` assembles a
  :class:`~.results.Result`; :func:`manifest` writes its record.

The plan holds what a run is (problem, compiled sampler, chain layout, key, fingerprint,
phase boundaries, checkpoint path); the state what it has done (sampler states per batch,
iteration, step sizes, work and timings, and the host buffers of kept draws). The buffers are
allocated once by :func:`start`/:func:`extend` and filled in place by :func:`step` (copying
them every chunk would cost more than the chunk); everything else is replaced, never changed.
:class:`~.run.Run` is the thin shell that adds the lock, the thread-safe stop, callbacks and
checkpoint writes. Iterations count warmup + sampling from the original start.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _config  # noqa: F401  (float64)
from .._memory import release_memory
from ..keys import fold_in
from .batches import advance_batches, all_leaves, assemble, batch_states, new_buffers, step_sizes
from .checkpoint import SamplerState, check_writable, load_checkpoint
from .devices import ChainPlan, plan_chains
from .init import initial_positions
from .kernel import Sampler, chain_keys, sampler_for
from .manifest import build_manifest
from .problem import Problem
from .results import Result, concat_draws
from .settings import Fingerprint, NutsSettings, RunSettings, as_key, chunk_length, count

__all__ = ["RunPlan", "RunState", "start", "extend", "step", "sampler_state", "result", "manifest",
           "per_chain_keys", "CHAIN_KEYS_NAME"]

CHAIN_KEYS_NAME = "nuts/chains"  # the folded name of the per-chain keys (shown by the sampler dashboard)


def per_chain_keys(key, num_chains: int):
    """One key per chain, from ``fold_in(key, CHAIN_KEYS_NAME)``: start, continue and resume
    all derive them here, so the draws of a resumed run are those of an uninterrupted one."""
    return chain_keys(fold_in(key, CHAIN_KEYS_NAME), num_chains)


@dataclass(frozen=True)
class RunPlan:
    """What a run is; fixed once it has started."""

    problem: Problem
    sampler: Sampler
    layout: ChainPlan
    key: np.ndarray
    fingerprint: Fingerprint
    collect_from: int  # iteration whose draw goes to buffer index 0
    total: int  # the run ends here
    length: int  # compiled chunk length
    checkpoint: Any
    log_likelihood: bool
    settings: dict  # the manifest's record of the settings
    init_info: dict  # the start's record (MAP, jitter; where a resume began)
    base: Result | None = None  # the result a continuation extends

    @property
    def num_chains(self) -> int:
        return self.fingerprint.num_chains

    @property
    def num_warmup(self) -> int:
        return self.fingerprint.num_warmup


@dataclass(frozen=True)
class RunState:
    """What a run has done: sampler states per chain batch, the kept draws so far (host
    buffers, filled in place by :func:`step`), the iteration reached, work and timings."""

    states: tuple
    buffers: dict
    iteration: int
    step_size: np.ndarray
    warm_steps: int = 0  # leapfrog steps in warmup
    elapsed_s: float = 0.0  # spent advancing
    setup_s: float = 0.0  # spent in start/extend (compile wait and MAP included)
    init_s: float = 0.0  # spent finding the start (MAP)
    compiled_before: float = 0.0  # the sampler's compile seconds before this run
    waited_before: float = 0.0  # the sampler's compile-wait seconds before this run


def filled(plan: RunPlan, state: RunState) -> int:
    """Kept draws per chain so far (of this run; a continuation's old draws not counted)."""
    return max(state.iteration - plan.collect_from, 0)


def phase_end(plan: RunPlan, state: RunState) -> int:
    """The iteration at which the current phase ends (chunks never straddle it)."""
    return plan.num_warmup if state.iteration < plan.num_warmup else plan.total


def _resume(path, fp: Fingerprint):
    """The checkpoint at ``path`` if it exists and was written by the run ``fp`` describes."""
    if path is None:
        return None
    try:
        ck = load_checkpoint(path)
    except FileNotFoundError:
        return None
    try:
        diff = Fingerprint.from_json(ck.state.fingerprint).diff(fp)
    except (TypeError, ValueError):
        diff = ["the fingerprint is in another format"]
    if diff:
        raise ValueError(f"checkpoint {str(path)!r} was written by a different run; delete it or "
                         f"use another path. Differences: {'; '.join(diff)}")
    return ck


def start(problem, *, key, settings: RunSettings, nuts: NutsSettings, checkpoint,
          log_likelihood: bool) -> tuple[RunPlan, RunState]:
    """A fresh run (MAP start), or the run stored in ``checkpoint`` when that file exists.

    Raises
    ------
    ValueError
        Not a :class:`Problem`, a bad key or checkpoint path, no valid starting point, or a
        checkpoint written by another run.
    """
    t_start = time.perf_counter()
    if not isinstance(problem, Problem):
        raise ValueError(f"problem must be a Problem; got {type(problem).__name__} (wrap a likelihood "
                         "as Problem(likelihood, priors, fixed))")
    key = as_key(key)
    if checkpoint is not None:
        check_writable(checkpoint)
    s = settings
    sampler = sampler_for(problem, s.num_warmup, nuts)
    before = sampler.compile_seconds, sampler.compile_wait_seconds
    layout = plan_chains(s.chain_method, s.num_chains, s.chain_batch_size)
    length = chunk_length(s.chunk_size, s.num_warmup, s.num_samples)
    fp = Fingerprint.of(problem, key, num_chains=s.num_chains, num_warmup=s.num_warmup,
                        num_samples=s.num_samples, nuts=nuts, init=s.init, init_jitter=s.init_jitter)
    ckeys = per_chain_keys(key, s.num_chains)
    buffers = new_buffers(s.num_chains, s.num_samples, len(sampler.names))
    ck = _resume(checkpoint, fp)
    init_s = 0.0
    if ck is None:
        t0 = time.perf_counter()
        z0, info = initial_positions(sampler, problem.priors, key=fold_in(key, "nuts/init"),
                                     num_chains=s.num_chains, init=s.init, jitter=s.init_jitter)
        init_s = time.perf_counter() - t0
        release_memory()  # the MAP search's compiler memory, before the chunk program compiles
        states = batch_states(sampler, layout, ckeys, z0=z0, inverse_mass_matrix=info.get("inverse_mass_matrix"))
        iteration = 0
    else:
        iteration = ck.state.iteration
        info = {**ck.info, "resumed_at_iteration": iteration}
        states = batch_states(sampler, layout, ckeys, leaves=ck.state.leaves)
        for k, v in ck.draws.items():
            buffers[k][:, :v.shape[1]] = v
    record = {**sampler.settings, "num_chains": s.num_chains, "chain_method": s.chain_method,
              "chain_batch_size": s.chain_batch_size, "chunk_size": length, "init": repr(s.init),
              "init_jitter": s.init_jitter, "log_likelihood": log_likelihood}
    plan = RunPlan(problem, sampler, layout, key, fp, s.num_warmup, s.num_warmup + s.num_samples, length,
                   checkpoint, log_likelihood, record, info)
    return plan, RunState(tuple(states), buffers, iteration, step_sizes(states),
                          setup_s=time.perf_counter() - t_start, init_s=init_s,
                          compiled_before=before[0], waited_before=before[1])


def _problem_of(res: Result, problem):
    if problem is not None:
        if not isinstance(problem, Problem):
            raise ValueError(f"problem must be a Problem; got {type(problem).__name__}")
        return problem
    spec = res.manifest.get("fit")
    if not spec:
        raise ValueError("this result was sampled from a custom likelihood, which is not stored with "
                         "it: pass the problem back in, e.g. continue_nuts(result, num_samples=..., "
                         "problem=Problem(likelihood, priors, fixed))")
    from .spec import ProblemSpec  # spec sits above state (it builds likelihoods): imported on use

    return ProblemSpec.from_json(spec).build()


def extend(res: Result, num_samples: int, problem, *, chain_method, chain_batch_size, chunk_size,
           checkpoint) -> tuple[RunPlan, RunState]:
    """A run that adds ``num_samples`` draws to ``res`` from its final sampler state.

    Raises
    ------
    ValueError
        No sampler state in ``res``, a custom likelihood without ``problem``, or a problem
        that differs from the original run's.
    """
    t_start = time.perf_counter()
    if not isinstance(res, Result) or res.state is None:
        raise ValueError("continuing needs a Result from run_nuts (or load()) that holds its sampler state")
    num_samples = count("num_samples", num_samples, 1)
    layout_settings = RunSettings(chain_method=chain_method, chain_batch_size=chain_batch_size,
                                  chunk_size=chunk_size)  # validates the layout
    if checkpoint is not None:
        check_writable(checkpoint)
    problem = _problem_of(res, problem)
    base = Fingerprint.from_json(res.state.fingerprint)
    nuts = NutsSettings(**base.nuts)
    now = Fingerprint.of(problem, np.asarray(base.key, dtype=np.uint32), num_chains=base.num_chains,
                         num_warmup=base.num_warmup, num_samples=base.num_samples, nuts=nuts,
                         init=None, init_jitter=base.init_jitter)
    diff = base.diff(now, ignore=("init", "continued"))
    if diff:
        raise ValueError(f"continue_nuts got a different problem than the original run: {'; '.join(diff)}")
    sampler = sampler_for(problem, base.num_warmup, nuts)
    before = sampler.compile_seconds, sampler.compile_wait_seconds
    layout = plan_chains(layout_settings.chain_method, base.num_chains, layout_settings.chain_batch_size)
    it0 = res.state.iteration
    fp = dataclasses.replace(base, continued=base.continued + ((it0, num_samples),))
    length = chunk_length(layout_settings.chunk_size, 0, num_samples)
    key = np.asarray(base.key, dtype=np.uint32)
    buffers = new_buffers(base.num_chains, num_samples, len(sampler.names))
    ck = _resume(checkpoint, fp)
    leaves, iteration = (res.state.leaves, it0) if ck is None else (ck.state.leaves, ck.state.iteration)
    for k, v in (ck.draws if ck is not None else {}).items():
        buffers[k][:, :v.shape[1]] = v
    states = batch_states(sampler, layout, per_chain_keys(key, base.num_chains), leaves=leaves)
    old = res.manifest
    plan = RunPlan(problem, sampler, layout, key, fp, it0, it0 + num_samples, length, checkpoint,
                   "log_likelihood" in res.to_arviz().children, {}, old.get("init", {}), base=res)
    return plan, RunState(tuple(states), buffers, iteration, step_sizes(states),
                          setup_s=time.perf_counter() - t_start, compiled_before=before[0],
                          waited_before=before[1])


def step(plan: RunPlan, state: RunState, m: int, run_all=map) -> tuple[RunState, dict[str, np.ndarray]]:
    """Advance every chain ``m`` iterations (``m <= plan.length``, not past the phase end).

    Returns the new state and the chunk's per-draw fields ``{name: (chains, m, ...)}``; kept
    draws are also written into the state's buffers. ``run_all`` maps over chain batches
    (``ThreadPoolExecutor.map`` runs them in host threads).
    """
    states, out = advance_batches(plan.sampler, plan.layout, list(state.states), m, plan.length, run_all)
    j = state.iteration - plan.collect_from
    warm_steps = state.warm_steps
    if j < 0:
        warm_steps += int(out["num_steps"].sum())
    else:
        for k, v in out.items():
            state.buffers[k][:, j:j + m] = v
    return dataclasses.replace(state, states=tuple(states), step_size=step_sizes(states),
                               iteration=state.iteration + m, warm_steps=warm_steps), out


def sampler_state(plan: RunPlan, state: RunState, *, kept: int | None = None) -> SamplerState:
    """The state checkpoints and results store; ``kept`` (default: this run's) is the draw
    count the stored fingerprint records."""
    fp = plan.fingerprint.to_json()
    if kept is not None:
        fp = {**fp, "num_samples": kept}
    return SamplerState(tuple(all_leaves(list(state.states))), state.iteration, fp)


_OWN = ("format", "created_utc", "versions", "platform", "likelihood", "data_checksums", "priors",
        "fixed", "key", "chain_keys", "settings", "chain_layout", "init", "timings_s")


def manifest(plan: RunPlan, state: RunState, notes: dict, n: int) -> dict:
    """The manifest of a result holding this run's first ``n`` kept draws."""
    sp = plan.sampler
    waited = sp.compile_wait_seconds - state.waited_before
    timings = {"init_map": state.init_s, "compile": sp.compile_seconds - state.compiled_before,
               "compile_wait": waited, "sampling": state.elapsed_s - waited,
               "total": state.setup_s + state.elapsed_s}
    extra = {"checkpoint": str(plan.checkpoint) if plan.checkpoint is not None else None,
             "work": {"warmup_leapfrog_steps": state.warm_steps,
                      "sampling_leapfrog_steps": int(state.buffers["num_steps"][:, :n].sum())}}
    if plan.problem.spec is not None:
        extra["fit"] = plan.problem.spec.to_json()
    settings = {**plan.settings, "num_samples": n}
    if plan.base is not None:  # a continuation keeps the original record and adds to it
        old = plan.base.manifest
        timings = {**old.get("timings_s", {}), **{f"continue_{k}": v for k, v in timings.items()
                                                   if k in ("compile", "sampling", "total")}}
        settings = {**old["settings"], "num_samples": old["settings"]["num_samples"] + n}
        extra = {**{k: v for k, v in old.items() if k not in _OWN}, "continued": old.get("continued", [])
                 + [{"from_iteration": plan.collect_from, "num_samples": n}]}
    return build_manifest(problem=plan.problem, settings=settings, key=plan.key,
                          chain_keys=per_chain_keys(plan.key, plan.num_chains),
                          plan=plan.layout, init_info=plan.init_info, timings=timings,
                          extra={**extra, **notes})


def result(plan: RunPlan, state: RunState, notes: dict) -> Result:
    """A :class:`Result` of the draws so far, with the sampler state (a continuation's result
    holds the old draws too).

    Raises
    ------
    ValueError
        Before the first kept draw (during warmup).
    """
    n = filled(plan, state)
    if n == 0:
        raise ValueError(f"no draws yet (iteration {state.iteration} of {plan.num_warmup} warmup "
                         "iterations): advance the run past warmup before asking for a result")
    kept = n + (plan.base.num_draws if plan.base is not None else 0)
    res = assemble(plan.sampler, {k: v[:, :n] for k, v in state.buffers.items()},
                   log_likelihood=plan.log_likelihood, manifest=manifest(plan, state, notes, n),
                   state=sampler_state(plan, state, kept=kept))
    return res if plan.base is None else concat_draws(plan.base, res)

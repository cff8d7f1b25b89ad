"""How a :class:`~hicosmo_nb.inference.Run` starts: fresh (MAP start), from a checkpoint, or as
the continuation of a saved result; and the manifest its results carry.

Internal to :mod:`hicosmo_nb.inference`. :class:`RunSetup` is the run's whole state (sampler,
chain plan, states, host buffers, counters); :class:`~.run.Run` steps it.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _config  # noqa: F401  (float64)
from ..keys import fold_in
from .checkpoint import check_writable, load_checkpoint
from .devices import ChainPlan, plan_chains
from .init import initial_positions
from .kernel import Sampler, chain_keys, sampler_for
from .loop import batch_states, new_buffers, step_sizes
from .manifest import build_manifest
from .problem import Problem
from .results import Result
from .settings import Fingerprint, NutsSettings, RunSettings, as_key, chunk_length, count

__all__ = ["RunSetup", "start_setup", "continue_setup", "per_chain_keys", "CHAIN_KEYS_NAME"]

CHAIN_KEYS_NAME = "nuts/chains"  # the folded name of the per-chain keys (shown by the sampler dashboard)


def per_chain_keys(key, num_chains: int):
    """One key per chain, from ``fold_in(key, CHAIN_KEYS_NAME)``: start, continue and resume
    all derive them here, so the draws of a resumed run are those of an uninterrupted one."""
    return chain_keys(fold_in(key, CHAIN_KEYS_NAME), num_chains)


@dataclass
class RunSetup:
    """Everything a run holds; iterations count warmup + sampling from the original start."""

    problem: Problem
    sampler: Sampler
    plan: ChainPlan
    key: np.ndarray
    fingerprint: Fingerprint
    num_warmup: int
    collect_from: int  # iteration whose draw goes to buffer index 0
    total: int  # the run ends here
    length: int  # compiled chunk length
    checkpoint: Any
    log_likelihood: bool
    settings: dict  # for the manifest
    init_info: dict
    states: list
    buffers: dict
    iteration: int
    base: Result | None = None  # the result a continuation extends
    step_size: np.ndarray = None
    warm_steps: int = 0
    elapsed_s: float = 0.0
    setup_s: float = 0.0
    init_s: float = 0.0
    compiled_before: float = 0.0
    waited_before: float = 0.0
    old_manifest: dict = field(default_factory=dict)

    @property
    def num_chains(self) -> int:
        return self.fingerprint.num_chains

    def manifest(self, notes: dict, n: int) -> dict:
        """The manifest of a result holding this run's first ``n`` kept draws."""
        sp = self.sampler
        waited = sp.compile_wait_seconds - self.waited_before
        timings = {"init_map": self.init_s, "compile": sp.compile_seconds - self.compiled_before,
                   "compile_wait": waited, "sampling": self.elapsed_s - waited,
                   "total": self.setup_s + self.elapsed_s}
        extra = {"checkpoint": str(self.checkpoint) if self.checkpoint is not None else None,
                 "work": {"warmup_leapfrog_steps": self.warm_steps,
                          "sampling_leapfrog_steps": int(self.buffers["num_steps"][:, :n].sum())}}
        if self.problem.spec is not None:
            extra["fit"] = self.problem.spec.to_json()
        settings = {**self.settings, "num_samples": n}
        if self.base is not None:  # a continuation keeps the original record and adds to it
            old = self.old_manifest
            timings = {**old.get("timings_s", {}), **{f"continue_{k}": v for k, v in timings.items()
                                                       if k in ("compile", "sampling", "total")}}
            settings = {**old["settings"], "num_samples": old["settings"]["num_samples"] + n}
            extra = {**{k: v for k, v in old.items() if k not in _OWN}, "continued": old.get("continued", [])
                     + [{"from_iteration": self.collect_from, "num_samples": n}]}
        return build_manifest(problem=self.problem, settings=settings, key=self.key,
                              chain_keys=per_chain_keys(self.key, self.num_chains),
                              plan=self.plan, init_info=self.init_info, timings=timings,
                              extra={**extra, **notes})


_OWN = ("format", "created_utc", "versions", "platform", "likelihood", "data_checksums", "priors",
        "fixed", "key", "chain_keys", "settings", "chain_layout", "init", "timings_s")


def _resume(path, fp: Fingerprint) -> dict | None:
    if path is None:
        return None
    try:
        ck = load_checkpoint(path)
    except FileNotFoundError:
        return None
    try:
        diff = Fingerprint.from_json(ck["fingerprint"]).diff(fp)
    except (TypeError, ValueError):
        diff = ["the fingerprint is in another format"]
    if diff:
        raise ValueError(f"checkpoint {str(path)!r} was written by a different run; delete it or "
                         f"use another path. Differences: {'; '.join(diff)}")
    return ck


def start_setup(problem, *, key, settings: RunSettings, nuts: NutsSettings, checkpoint,
                log_likelihood) -> RunSetup:
    """A fresh run's state (MAP start), or the state stored in ``checkpoint`` when it exists."""
    t_start = time.perf_counter()
    if not isinstance(problem, Problem):
        raise ValueError(f"problem must be a Problem; got {type(problem).__name__} (wrap a likelihood "
                         "as Problem(likelihood, priors, fixed))")
    key = as_key(key)
    if checkpoint is not None:
        check_writable(checkpoint)
    num_chains, num_warmup, num_samples = settings.num_chains, settings.num_warmup, settings.num_samples
    init, init_jitter, batch = settings.init, settings.init_jitter, settings.chain_batch_size
    sampler = sampler_for(problem, num_warmup, nuts)
    before = sampler.compile_seconds, sampler.compile_wait_seconds
    plan = plan_chains(settings.chain_method, num_chains, batch)
    length = chunk_length(settings.chunk_size, num_warmup, num_samples)
    sampler.precompile(plan, length)  # overlaps the MAP search below
    fp = Fingerprint.of(problem, key, num_chains=num_chains, num_warmup=num_warmup, num_samples=num_samples,
                        nuts=nuts, init=init, init_jitter=init_jitter)
    ckeys = per_chain_keys(key, num_chains)
    buffers = new_buffers(num_chains, num_samples, len(sampler.names))
    ck = _resume(checkpoint, fp)
    init_s = 0.0
    if ck is None:
        t0 = time.perf_counter()
        z0, info = initial_positions(sampler, problem.priors, key=fold_in(key, "nuts/init"),
                                     num_chains=num_chains, init=init, jitter=init_jitter)
        init_s = time.perf_counter() - t0
        states = batch_states(sampler, plan, ckeys, z0=z0, inverse_mass_matrix=info.get("inverse_mass_matrix"))
        iteration = 0
    else:
        info, iteration = {**ck["info"], "resumed_at_iteration": ck["iteration"]}, ck["iteration"]
        states = batch_states(sampler, plan, ckeys, leaves=ck["leaves"])
        for k, v in ck["draws"].items():
            buffers[k][:, :v.shape[1]] = v
    settings = {**sampler.settings, "num_chains": num_chains, "chain_method": settings.chain_method,
                "chain_batch_size": batch, "chunk_size": length, "init": repr(init),
                "init_jitter": init_jitter, "log_likelihood": log_likelihood}
    return RunSetup(problem, sampler, plan, key, fp, num_warmup, num_warmup, num_warmup + num_samples,
                    length, checkpoint, log_likelihood, settings, info, states, buffers, iteration,
                    step_size=step_sizes(states), setup_s=time.perf_counter() - t_start, init_s=init_s,
                    compiled_before=before[0], waited_before=before[1])


def _problem_of(result: Result, problem):
    if problem is not None:
        if not isinstance(problem, Problem):
            raise ValueError(f"problem must be a Problem; got {type(problem).__name__}")
        return problem
    spec = result.manifest.get("fit")
    if not spec:
        raise ValueError("this result was sampled from a custom likelihood, which is not stored with "
                         "it: pass the problem back in, e.g. continue_nuts(result, num_samples=..., "
                         "problem=Problem(likelihood, priors, fixed))")
    from .spec import ProblemSpec

    return ProblemSpec.from_json(spec).build()


def continue_setup(result: Result, num_samples: int, problem, *, chain_method, layout, checkpoint) -> RunSetup:
    """The state of a run that adds ``num_samples`` draws to ``result`` from its final state."""
    t_start = time.perf_counter()
    if not isinstance(result, Result) or result.state is None:
        raise ValueError("continuing needs a Result from run_nuts (or load()) that holds its sampler state")
    num_samples = count("num_samples", num_samples, 1)
    if checkpoint is not None:
        check_writable(checkpoint)
    problem = _problem_of(result, problem)
    base = Fingerprint.from_json(result.state["fingerprint"])
    nuts = NutsSettings(**base.nuts)
    now = Fingerprint.of(problem, np.asarray(base.key, dtype=np.uint32), num_chains=base.num_chains,
                         num_warmup=base.num_warmup, num_samples=base.num_samples, nuts=nuts,
                         init=None, init_jitter=base.init_jitter)
    diff = base.diff(now, ignore=("init", "continued"))
    if diff:
        raise ValueError(f"continue_nuts got a different problem than the original run: {'; '.join(diff)}")
    sampler = sampler_for(problem, base.num_warmup, nuts)
    before = sampler.compile_seconds, sampler.compile_wait_seconds
    batch, chunk_size = layout
    plan = plan_chains(chain_method, base.num_chains, batch)
    it0 = int(result.state["iteration"])
    fp = dataclasses.replace(base, continued=base.continued + ((it0, num_samples),))
    length = chunk_length(chunk_size, 0, num_samples)
    key = np.asarray(base.key, dtype=np.uint32)
    ckeys = per_chain_keys(key, base.num_chains)
    buffers = new_buffers(base.num_chains, num_samples, len(sampler.names))
    ck = _resume(checkpoint, fp)
    leaves, iteration = (result.state["leaves"], it0) if ck is None else (ck["leaves"], ck["iteration"])
    for k, v in (ck["draws"] if ck is not None else {}).items():
        buffers[k][:, :v.shape[1]] = v
    states = batch_states(sampler, plan, ckeys, leaves=leaves)
    old = result.manifest
    return RunSetup(problem, sampler, plan, key, fp, base.num_warmup, it0, it0 + num_samples, length,
                    checkpoint, "log_likelihood" in result.to_arviz().children, {}, old.get("init", {}),
                    states, buffers, iteration, base=result, step_size=step_sizes(states),
                    setup_s=time.perf_counter() - t_start, compiled_before=before[0],
                    waited_before=before[1], old_manifest=old)

"""Multi-chain NUTS: :func:`run_nuts` and :func:`continue_nuts`.

NumPyro's NUTS kernel (its windowed step-size and mass-matrix adaptation included) runs under
``lax.scan`` in chunks; see :mod:`.devices` for the chain layouts and :mod:`.checkpoint` for the
resumable state. Draws are reproducible: the same key and settings give bitwise the same draws
in any process, however the run is split into chunks or interrupted and resumed (with the same
chain layout; ``sequential`` and ``concurrent`` give identical draws, ``vectorized`` the same
chains up to floating-point rounding).

Examples
--------
>>> import jax, jax.numpy as jnp
>>> from hicosmo_nb.likelihoods.base import Likelihood
>>> from hicosmo_nb.inference import run_nuts, Normal
>>> lk = Likelihood(lambda p: -0.5 * ((p["x"] - 1.0) / 0.1) ** 2, ("x",), "toy")
>>> res = run_nuts(lk, {"x": Normal(0.0, 10.0)}, key=jax.random.PRNGKey(0), num_chains=2,
...                num_warmup=200, num_samples=300, progress=False, warn=False)
>>> abs(res.mean()["x"] - 1.0) < 0.03
True
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from .. import _config  # noqa: F401  (float64)
from ..likelihoods.base import Likelihood
from .checkpoint import fingerprint_diff, load_checkpoint
from .diagnostics import compute_diagnostics, preload_stats, warn_problems
from .devices import plan_chains
from .init import initial_positions
from .kernel import Sampler, build_sampler, chain_keys
from .loop import LoopSpec, all_leaves, assemble, batch_states, new_buffers, run_loop
from .manifest import build_manifest
from .priors import Prior, check_priors, default_priors
from .progress import progress_enabled
from .results import Result, concat_draws
from .settings import (as_key, check_fixed, check_sampler, chunk_length, count, fingerprint,
                       sub_key)

__all__ = ["run_nuts", "continue_nuts"]

_MANIFEST_KEYS = ("format", "created_utc", "versions", "platform", "likelihood", "data_checksums",
                  "priors", "fixed", "key", "chain_keys", "settings", "chain_layout", "init", "timings_s",
                  "work")


def _resume(path, fingerprint) -> dict | None:
    if path is None:
        return None
    try:
        ck = load_checkpoint(path)
    except FileNotFoundError:
        return None
    diff = fingerprint_diff(ck["fingerprint"], fingerprint)
    if diff:
        raise ValueError(f"checkpoint {str(path)!r} was written by a different run; delete it or "
                         f"use another path. Differences: {'; '.join(diff)}")
    return ck


def _fill_draws(buffers: dict, ck: dict) -> None:
    """Copy a checkpoint's draws so far into the run's host buffers."""
    for k, v in ck["draws"].items():
        buffers[k][:, :v.shape[1]] = v


def _finish(sampler, plan, states, buffers, *, likelihood, priors, fixed, key, ckeys, settings,
            init_info, timings, log_likelihood, fingerprint, iteration, warn, extra) -> Result:
    leaves = all_leaves(states)
    manifest = build_manifest(likelihood=likelihood, priors=priors, fixed=fixed, settings=settings,
                              key=key, chain_keys=ckeys, plan=plan, init_info=init_info,
                              timings=timings, extra=extra)
    state = {"leaves": leaves, "fingerprint": fingerprint, "iteration": iteration}
    res = assemble(sampler, buffers, fixed=fixed, leaves=likelihood.leaves, log_likelihood=log_likelihood,
                   manifest=manifest, state=state)
    if warn:
        warn_problems(compute_diagnostics(res.to_arviz(), max_tree_depth=settings["max_tree_depth"]),
                      stacklevel=4)
    return res


def run_nuts(
    likelihood: Likelihood,
    priors: Mapping[str, Prior] | None = None,
    *,
    key,
    num_chains: int = 4,
    num_warmup: int = 500,
    num_samples: int = 1000,
    chain_method: str = "auto",
    fixed: Mapping[str, float] | None = None,
    init: str | Mapping = "map",
    init_jitter: float = 0.5,
    chain_batch_size: int | None = None,
    dense_mass: bool = False,
    target_accept: float = 0.8,
    max_tree_depth: int = 10,
    checkpoint: str | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    log_likelihood: bool = False,
    warn: bool = True,
    manifest_extra: Mapping[str, Any] | None = None,
    sampler: Sampler | None = None,
) -> Result:
    """Sample ``likelihood x priors`` with multi-chain NUTS (NumPyro kernel).

    Parameters
    ----------
    likelihood : Likelihood
        ``lk(params) -> log L``; every name in ``lk.param_names`` must be free or fixed.
    priors : dict name -> Prior, optional
        Free parameters and their priors (``Uniform``, ``Normal``, ``TruncatedNormal``). Default:
        :func:`~.priors.default_priors` of the likelihood's parameters that are not fixed.
    key : JAX key
        ``jax.random.PRNGKey(seed)`` or ``KeyManager(seed).key("nuts")``; the only randomness.
    num_chains, num_warmup, num_samples : int
        Chains, adaptation iterations (discarded) and kept draws per chain.
    chain_method : {"auto", "vectorized", "parallel", "sequential", "concurrent"}
        Chain layout (see :mod:`hicosmo_nb.inference.devices`).
    fixed : dict, optional
        Parameter values merged into every likelihood call.
    init : "map" or dict
        Start at the MAP (BFGS) plus ``init_jitter`` Laplace sigmas of per-chain jitter, or at
        given values (scalars, plus jitter; or arrays ``(num_chains,)``, exactly).
    chain_batch_size : int, optional
        Run vectorized chains in batches of this size to bound memory (``concurrent``: chains
        per thread, default 1).
    dense_mass, target_accept, max_tree_depth
        NUTS settings (diagonal mass matrix, 0.8 and 10 by default).
    checkpoint : path, optional
        ``.npz`` file written atomically after every chunk; if it exists (same settings), the
        run resumes from it and ends with exactly the draws of an uninterrupted run.
    chunk_size : int, optional
        Iterations per chunk (default: a tenth of the run with checkpoints or progress bars,
        else the whole warmup and sampling phases). Does not change the draws.
    progress : bool or None
        Progress bars; None = on in notebooks and terminals, off in CI and tests.
    log_likelihood : bool
        Also store each likelihood component's log L per draw (group ``log_likelihood``).
    warn : bool
        Emit :class:`ConvergenceWarning` with advice when R-hat, ESS, divergences or E-BFMI fail.
    manifest_extra : dict, optional
        Extra JSON-able entries for the manifest.
    sampler : Sampler, optional
        From :func:`~hicosmo_nb.inference.build_sampler` with the same likelihood, priors, fixed
        values and NUTS settings: reuses its compiled programs (no compilation on a re-run with
        another key or the same ``chunk_size``).

    Returns
    -------
    Result

    Raises
    ------
    ValueError
        Bad settings, unknown chain method, uncovered likelihood parameters, no valid starting
        point (names the parameters and prior bounds), or a checkpoint from a different run.
    """
    t_start = time.perf_counter()
    if warn:
        preload_stats()
    key = as_key(key)
    num_chains = count("num_chains", num_chains, 1)
    num_warmup = count("num_warmup", num_warmup, 0)
    num_samples = count("num_samples", num_samples, 1)
    fixed = check_fixed(fixed)
    if not isinstance(likelihood, Likelihood):
        raise ValueError(f"likelihood must be a hicosmo_nb Likelihood; got {type(likelihood).__name__}")
    if priors is None:
        priors = default_priors([n for n in likelihood.param_names if n not in fixed])
    priors = check_priors(priors)
    if sampler is None:
        sampler = build_sampler(likelihood, priors, fixed=fixed, num_warmup=num_warmup,
                                dense_mass=dense_mass, target_accept=target_accept,
                                max_tree_depth=max_tree_depth)
    else:
        check_sampler(sampler, likelihood, priors, fixed, dict(
            num_warmup=num_warmup, dense_mass=dense_mass, target_accept=target_accept,
            max_tree_depth=max_tree_depth))
    compiled_before, waited_before = sampler.compile_seconds, sampler.compile_wait_seconds
    plan = plan_chains(chain_method, num_chains, chain_batch_size)
    show = progress_enabled(progress)
    length = chunk_length(chunk_size, num_warmup, num_samples, show or checkpoint is not None)
    sampler.precompile(plan, length)  # overlaps the MAP search below
    settings = {**sampler.settings, "num_samples": num_samples, "num_chains": num_chains}
    fp = fingerprint(likelihood, priors, fixed, key, num_chains, settings, init, init_jitter)
    ckeys = chain_keys(sub_key(key, "nuts/chains"), num_chains)
    total = num_warmup + num_samples
    buffers = new_buffers(num_chains, num_samples, len(sampler.names))
    ck = _resume(checkpoint, fp)
    if ck is None:
        t0 = time.perf_counter()
        z0, init_info = initial_positions(sampler, priors, key=sub_key(key, "nuts/init"),
                                          num_chains=num_chains, init=init, jitter=init_jitter)
        init_s = time.perf_counter() - t0
        imm = init_info.get("inverse_mass_matrix")
        states, iteration = batch_states(sampler, plan, ckeys, z0=z0, inverse_mass_matrix=imm), 0
    else:
        init_info, init_s = {**ck["info"], "resumed_at_iteration": ck["iteration"]}, 0.0
        states, iteration = batch_states(sampler, plan, ckeys, leaves=ck["leaves"]), ck["iteration"]
        _fill_draws(buffers, ck)
    spec = LoopSpec(iteration, num_warmup, num_warmup, total, length, checkpoint, fp, init_info)
    states, loop_s, warm_steps = run_loop(sampler, plan, states, buffers, spec, show)
    work = {"warmup_leapfrog_steps": warm_steps, "sampling_leapfrog_steps": int(buffers["num_steps"].sum())}
    settings.update(chain_method=chain_method, chain_batch_size=chain_batch_size, chunk_size=length,
                    init=repr(init), init_jitter=init_jitter, log_likelihood=log_likelihood)
    waited = sampler.compile_wait_seconds - waited_before
    timings = {"init_map": init_s, "compile": sampler.compile_seconds - compiled_before,
               "compile_wait": waited, "sampling": loop_s - waited, "total": time.perf_counter() - t_start}
    return _finish(sampler, plan, states, buffers, likelihood=likelihood, priors=priors, fixed=fixed,
                   key=key, ckeys=ckeys, settings=settings, init_info=init_info, timings=timings,
                   log_likelihood=log_likelihood, fingerprint=fp, iteration=total, warn=warn,
                   extra=dict(manifest_extra or {}, checkpoint=str(checkpoint) if checkpoint else None,
                              work=work))


def continue_nuts(
    result: Result,
    likelihood: Likelihood,
    priors: Mapping[str, Prior] | None = None,
    *,
    num_samples: int,
    fixed: Mapping[str, float] | None = None,
    chain_method: str = "auto",
    chain_batch_size: int | None = None,
    checkpoint: str | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    warn: bool = True,
    sampler: Sampler | None = None,
) -> Result:
    """Add ``num_samples`` draws per chain to a finished run, without repeating warmup.

    The run continues from the final sampler state stored in ``result`` (also after
    :func:`~.results.load`), with its adapted step size and mass matrix, so
    ``continue_nuts(run_nuts(..., num_samples=n1), ..., num_samples=n2)`` gives exactly the draws
    of ``run_nuts(..., num_samples=n1 + n2)`` (same chain layout). Pass the same likelihood,
    priors and fixed values as the original run.

    ``sampler`` (optional) reuses compiled programs as in :func:`run_nuts`.

    Raises
    ------
    ValueError
        If ``result`` has no sampler state, or the priors, fixed values or likelihood differ.
    """
    t_start = time.perf_counter()
    if not isinstance(result, Result) or result.state is None:
        raise ValueError("continue_nuts needs a Result from run_nuts (or load()) that holds its sampler state")
    num_samples = count("num_samples", num_samples, 1)
    old = result.manifest
    fixed = check_fixed(fixed if fixed is not None else old.get("fixed"))
    if priors is None:
        priors = default_priors([n for n in likelihood.param_names if n not in fixed])
    priors = check_priors(priors)
    base = result.state["fingerprint"]
    s_old = old["settings"]
    nuts = {k: s_old[k] for k in ("num_warmup", "dense_mass", "target_accept", "max_tree_depth")}
    if sampler is None:
        sampler = build_sampler(likelihood, priors, fixed=fixed, **nuts)
    else:
        check_sampler(sampler, likelihood, priors, fixed, nuts)
    compiled_before, waited_before = sampler.compile_seconds, sampler.compile_wait_seconds
    key = as_key(np.array([int(w, 16) for w in base["key"].split()], dtype=np.uint32))
    now = fingerprint(likelihood, priors, fixed, key, result.num_chains,
                       {**sampler.settings, "num_samples": base["num_samples"]}, None, base["init_jitter"])
    diff = [d for d in fingerprint_diff(base, now) if d.split(":")[0] != "init"]
    if diff:
        raise ValueError(f"continue_nuts got a different problem than the original run: {'; '.join(diff)}")
    plan = plan_chains(chain_method, result.num_chains, chain_batch_size)
    ckeys = chain_keys(sub_key(key, "nuts/chains"), result.num_chains)
    it0 = int(result.state["iteration"])
    fp = {**base, "continue_from": it0, "continue_samples": num_samples}
    show = progress_enabled(progress)
    length = chunk_length(chunk_size, 0, num_samples, show or checkpoint is not None)
    buffers = new_buffers(result.num_chains, num_samples, len(sampler.names))
    ck = _resume(checkpoint, fp)
    leaves, iteration = (result.state["leaves"], it0) if ck is None else (ck["leaves"], ck["iteration"])
    if ck is not None:
        _fill_draws(buffers, ck)
    states = batch_states(sampler, plan, ckeys, leaves=leaves)
    spec = LoopSpec(iteration, s_old["num_warmup"], it0, it0 + num_samples, length, checkpoint, fp, {})
    states, loop_s, _ = run_loop(sampler, plan, states, buffers, spec, show)
    settings = {**s_old, "num_samples": s_old["num_samples"] + num_samples}
    waited = sampler.compile_wait_seconds - waited_before
    timings = {**old.get("timings_s", {}), "continue_compile": sampler.compile_seconds - compiled_before,
               "continue_sampling": loop_s - waited,
               "continue_total": time.perf_counter() - t_start}
    extra = {k: old[k] for k in old if k not in _MANIFEST_KEYS}
    extra["continued"] = old.get("continued", []) + [{"from_iteration": it0, "num_samples": num_samples}]
    new = _finish(sampler, plan, states, buffers, likelihood=likelihood, priors=priors, fixed=fixed,
                  key=key, ckeys=ckeys, settings=settings, init_info=old.get("init", {}), timings=timings,
                  log_likelihood="log_likelihood" in result.to_arviz().children,
                  fingerprint={**base, "num_samples": settings["num_samples"]},
                  iteration=it0 + num_samples, warn=False, extra=extra)
    joined = concat_draws(result, new)
    if warn:
        warn_problems(compute_diagnostics(joined.to_arviz(), max_tree_depth=s_old["max_tree_depth"]),
                      stacklevel=3)
    return joined

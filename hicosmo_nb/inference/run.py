"""A sampling run as explicit state you can step: :class:`Run`, its :class:`RunStatus` and :class:`Chunk`.

BlackJAX's ``init``/``step`` scaled up to a whole multi-chain run. :meth:`Run.start` compiles
and finds the starting points (MAP), and samples nothing; :meth:`Run.advance` runs up to ``n``
more iterations and returns the new draws; iterating a run yields one chunk at a time;
:meth:`Run.stop` may be called from another thread (a button callback) and ends the current
:meth:`~Run.advance` at the next chunk boundary; :meth:`Run.result` is a valid
:class:`~hicosmo_nb.inference.Result` at any point after warmup. Callbacks registered with
:meth:`Run.on_chunk` see every chunk (progress bars are one such callback).

A run is data (:mod:`.state`: its immutable :class:`~.state.RunPlan`, its
:class:`~.state.RunState`, and the plain functions that advance them); :class:`Run` is the thin
shell that adds the lock, the thread-safe stop, callbacks and checkpoint writes.

However a run is advanced, stopped and resumed (in process, or from its checkpoint in a new
one), it gives bitwise the draws of an uninterrupted run with the same key and settings.

Examples
--------
>>> import jax
>>> from hicosmo_nb.likelihoods.base import Likelihood
>>> from hicosmo_nb.inference import Normal, Problem, RunSettings
>>> lk = Likelihood(lambda p: -0.5 * ((p["x"] - 1.0) / 0.1) ** 2, ("x",), "toy")
>>> settings = RunSettings(num_chains=2, num_warmup=100, num_samples=200)
>>> run = Run.start(Problem(lk, {"x": Normal(0.0, 10.0)}), key=jax.random.PRNGKey(0), settings=settings)
>>> run.status.phase, run.status.iteration
('warmup', 0)
>>> chunks = list(run)
>>> run.done, sum(c.draws["x"].shape[1] for c in chunks), run.result().num_draws
(True, 200, 200)
"""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, NamedTuple

import numpy as np

from .. import _config  # noqa: F401  (float64)
from .._warnings import warn
from . import state as _run  # the plain functions this shell calls
from .batches import constrained, sample_stats
from .checkpoint import save_checkpoint
from .distributed import check_agree, is_coordinator
from .results import Result
from .settings import NutsSettings, RunSettings
from .state import RunPlan, RunState

__all__ = ["Run", "RunStatus", "Chunk"]


class RunStatus(NamedTuple):
    """Where a run stands (a snapshot; ``draws``, ``step_size``, ``divergences`` per chain)."""

    phase: str  # "warmup" | "sampling" | "done"
    iteration: int  # iterations done (warmup + sampling, counted from the original start)
    num_warmup: int
    num_samples: int  # draws per chain this run will keep
    draws: np.ndarray  # kept draws per chain so far
    step_size: np.ndarray
    divergences: np.ndarray  # divergent transitions among the kept draws
    elapsed_s: float
    compile_s: float
    stopped: bool


class Chunk(NamedTuple):
    """What one :meth:`Run.advance` (or one chunk) added: new kept draws ``(chains, k)`` (``k = 0``
    in warmup) starting at draw index ``start``, their sample stats, and the status after it."""

    draws: dict
    start: int
    stats: dict
    status: RunStatus


class Run:
    """One multi-chain NUTS run, stepped explicitly. Make it with :meth:`start` (or
    :meth:`continue_from` for more draws of a finished run), not with ``Run(...)``.

    Attributes
    ----------
    problem : Problem
    notes : dict
        Extra JSON-able entries for the manifest of :meth:`result`.
    """

    def __init__(self, plan: RunPlan, state: RunState | None = None):
        if not isinstance(plan, RunPlan) or not isinstance(state, RunState):
            raise ValueError(f"Run(...) takes a RunPlan and a RunState, got {type(plan).__name__}; make a run "
                             "with Run.start(problem, key=...) or Run.continue_from(result, num_samples)")
        if plan.layout.method == "distributed":
            check_agree(state.iteration, "the iteration to start from (checkpoint)")
        self.plan, self.state = plan, state
        self.problem = plan.problem
        self.notes: dict = {}
        self._callbacks: list[Callable] = []
        self._stop = threading.Event()
        self._stopped = False
        self._lock = threading.Lock()
        self._iterating = False  # inside `for chunk in run` (stop() between chunks is meant)
        self.saved_draws = None  # kept draws in the checkpoint on disk (None: none written)

    @classmethod
    def start(cls, problem, *, key, settings: RunSettings | None = None, nuts: NutsSettings | None = None,
              checkpoint=None, log_likelihood: bool = False) -> "Run":
        """Compile and initialize (MAP start, or resume from ``checkpoint`` if it exists).

        Parameters
        ----------
        problem : Problem
        key : JAX key
            The only randomness (``KeyManager(seed).key("nuts")`` or ``jax.random.PRNGKey(0)``).
        settings : RunSettings, optional
            Chains, warmup, draws, chain layout, chunk size and start (default ``RunSettings()``).
            With ``"distributed"`` chains every process gets the full draws and result, and
            process 0 alone writes the checkpoint.
        nuts : NutsSettings, optional
        checkpoint : path, optional
            ``.npz`` written atomically after every chunk; resumed from when it exists.
        log_likelihood : bool
            Also store each likelihood component's log L per draw in :meth:`result`.

        Raises
        ------
        ValueError
            Bad settings, no valid starting point, or a checkpoint written by another run.
        """
        return cls(*_run.start(problem, key=key, settings=RunSettings.of(settings),
                               nuts=NutsSettings() if nuts is None else nuts,
                               checkpoint=checkpoint, log_likelihood=log_likelihood))

    @classmethod
    def continue_from(cls, result: Result, num_samples: int, problem=None, *, chain_method: str = "auto",
                      chain_batch_size: int | None = None, chunk_size: int | None = None,
                      checkpoint=None) -> "Run":
        """A run that adds ``num_samples`` draws per chain to ``result`` (no new warmup); its
        :meth:`result` holds the old draws and the new ones. ``problem`` defaults to the one
        rebuilt from the result's manifest (facade and CLI results).

        Raises
        ------
        ValueError
            No sampler state in ``result``, a custom likelihood without ``problem=``, or a
            problem that differs from the original.
        """
        return cls(*_run.extend(result, num_samples, problem, chain_method=chain_method,
                                chain_batch_size=chain_batch_size, chunk_size=chunk_size, checkpoint=checkpoint))

    # -- state ---------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.state.iteration >= self.plan.total

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def nuts(self) -> NutsSettings:
        """The :class:`NutsSettings` of this run."""
        return NutsSettings(**self.plan.fingerprint.nuts)

    @property
    def total_iterations(self) -> int:
        """The iteration at which the run is done (warmup + sampling, from the original start)."""
        return self.plan.total

    @property
    def filled(self) -> int:
        """Kept draws per chain so far (of this run; a continuation's old draws not counted)."""
        return _run.filled(self.plan, self.state)

    @property
    def status(self) -> RunStatus:
        p, s = self.plan, self.state
        phase = "done" if self.done else ("warmup" if s.iteration < p.num_warmup else "sampling")
        n = self.filled
        return RunStatus(phase, s.iteration, p.num_warmup, p.total - p.collect_from,
                         np.full(p.num_chains, n), s.step_size.copy(),
                         s.buffers["diverging"][:, :n].sum(axis=1), s.elapsed_s,
                         p.sampler.compile_seconds - s.compiled_before, self._stopped)

    # -- driving -------------------------------------------------------------------------------
    def on_chunk(self, callback: Callable[[Chunk], None]) -> Callable[[], None]:
        """Call ``callback(chunk)`` after every chunk; returns a function that unsubscribes."""
        if not callable(callback):
            raise ValueError(f"on_chunk needs a callable f(chunk), got {callback!r}")
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def stop(self) -> None:
        """Ask the running :meth:`advance` (or ``for chunk in run`` loop) to return at the next
        chunk boundary (thread-safe). The run stays valid: the next :meth:`advance` continues as
        if never stopped. On an idle run it does nothing and warns: the next ``advance(n)`` runs
        its ``n`` iterations in full."""
        if not self._lock.locked() and not self._iterating:
            warn("stop() was called while no advance() is running: there is nothing to stop, and the "
                 "next advance(n) runs in full. Call stop() from a callback or another thread while "
                 "advance() runs, or inside a `for chunk in run` loop.")
            return
        self._stop.set()

    def advance(self, n: int | None = None) -> Chunk:
        """Run ``n`` more iterations (default: one chunk, ending at the end of warmup if it comes
        first), crossing from warmup into sampling when ``n`` asks for it, never past the last
        draw; returns the new draws (fewer after :meth:`stop`). Iteration stays chunked, with
        the same chunk boundaries as an uninterrupted run."""
        if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
            raise ValueError(f"n must be a positive int or None; got {n!r}")
        with self._lock:
            self._resume()
            return self._advance(n)

    def __iter__(self):
        with self._lock:
            self._resume()
        self._iterating = True
        try:
            while not self.done:
                before = self.state.iteration
                with self._lock:
                    chunk = self._advance(None)
                if chunk.status.iteration > before:  # a stop before the chunk began yields nothing
                    yield chunk
                if self._stopped:
                    return
        finally:
            self._iterating = False

    def _resume(self):
        if self._stopped:
            self._stopped = False
            self._stop.clear()

    def _advance(self, n):
        p = self.plan
        if n is None:  # one chunk, not past the end of the phase
            budget = min(p.length, _run.phase_end(p, self.state) - self.state.iteration)
        else:
            budget = min(n, p.total - self.state.iteration)
        start, parts = self.filled, []
        pool = None if p.layout.threads == 1 else ThreadPoolExecutor(p.layout.threads,
                                                                     thread_name_prefix="hicosmo_nb-chains")
        t0 = time.perf_counter()
        try:
            while budget > 0 and not self._stop.is_set():
                m = min(p.length, budget, _run.phase_end(p, self.state) - self.state.iteration)
                parts.append(self._step(m, map if pool is None else pool.map))
                budget -= m
        finally:
            self.state = dataclasses.replace(self.state, elapsed_s=self.state.elapsed_s + time.perf_counter() - t0)
            if pool is not None:  # on an interrupt, return at once (running chunks finish on their own)
                pool.shutdown(wait=False, cancel_futures=True)
        if self._stop.is_set() and not self.done:
            self._stopped = True
        if len(parts) == 1:
            return parts[0]._replace(status=self.status)
        kept = [c for c in parts if c.stats]  # warmup chunks carry no draws
        draws = {k: np.concatenate([c.draws[k] for c in kept], axis=1) if kept else
                 np.zeros((p.num_chains, 0)) for k in p.sampler.names}
        stats = {k: np.concatenate([c.stats[k] for c in kept], axis=1) for k in kept[0].stats} if kept else {}
        return Chunk(draws, start, stats, self.status)

    def _step(self, m: int, run_all) -> Chunk:
        p = self.plan
        j = self.state.iteration - p.collect_from
        self.state, out = _run.step(p, self.state, m, run_all)
        if p.checkpoint is not None and is_coordinator():  # one writer in a distributed run
            n = self.filled
            save_checkpoint(p.checkpoint, state=_run.sampler_state(p, self.state),
                            draws={k: v[:, :n] for k, v in self.state.buffers.items()}, info=p.init_info)
            self.saved_draws = n
        if j < 0:
            chunk = Chunk({k: np.zeros((p.num_chains, 0)) for k in p.sampler.names}, 0, {}, self.status)
        else:
            chunk = Chunk(constrained(p.sampler, out["z"]), j, sample_stats(out), self.status)
        for cb in list(self._callbacks):
            cb(chunk)
        return chunk

    # -- results -------------------------------------------------------------------------------
    def result(self) -> Result:
        """A :class:`Result` of the draws so far (with the sampler state, so it can be continued).

        Raises
        ------
        ValueError
            Before the first kept draw (during warmup).
        """
        return _run.result(self.plan, self.state, self.notes)

    def interrupted_message(self) -> str | None:
        """The one-line message for an interrupted run with a checkpoint (else None)."""
        if self.plan.checkpoint is None or self.saved_draws is None:
            return None
        return (f"interrupted after {self.saved_draws} draws; rerun the same command to resume from "
                f"{self.plan.checkpoint}")

    def __repr__(self) -> str:
        st = self.status
        return (f"Run({self.problem.likelihood.name!r}: {st.phase}, iteration {st.iteration}, "
                f"{int(st.draws[0])}/{st.num_samples} draws x {len(st.draws)} chains)")

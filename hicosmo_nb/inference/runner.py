"""Multi-chain NUTS in one call: :func:`run_nuts` and :func:`continue_nuts`, and :func:`finish`.

Both are thin wrappers over :class:`~.problem.Problem` and :class:`~.run.Run`: make the problem,
start the run, then :func:`finish` it: advance it to the end (progress bars are an
``on_chunk`` callback) and warn about convergence with advice that matches the settings used.
:func:`finish` also ends a run started elsewhere (``hicosmo_nb.fit`` is
``finish(start_fit(...))``), and :func:`run_settings` gives the settings of such a one-call
run. Draws are reproducible: the same key and settings give bitwise the same draws in any
process, however the run is split into chunks or interrupted and resumed (with the same chain
layout; ``sequential`` and ``concurrent`` give identical draws, ``vectorized`` the same chains
up to rounding).

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

from typing import Any, Mapping

from .. import _config  # noqa: F401  (float64)
from .diagnostics import compute_diagnostics, preload_stats, warn_prior_dominated, warn_problems
from .problem import as_problem
from .progress import ChainProgress, progress_enabled
from .results import Result
from .run import Run
from .settings import RunSettings

__all__ = ["run_nuts", "continue_nuts", "finish", "run_settings"]


_START_OPTIONS = ("nuts", "checkpoint", "log_likelihood")  # Run.start's own, beside settings


def _unwatched(progress: bool | None, checkpoint) -> bool:
    """No progress bars and no checkpoint: nothing needs the host between chunks, so runs
    default to whole-phase chunks (the fewest host round trips; the draws do not change)."""
    return not progress_enabled(progress) and checkpoint is None


def _chunks(progress: bool | None, options: dict) -> None:
    """``chunk_size="phase"`` in ``options`` unless given, for unwatched runs (:func:`_unwatched`)."""
    if _unwatched(progress, options.get("checkpoint")):
        options.setdefault("chunk_size", "phase")


def run_settings(settings: RunSettings | None = None, *, progress: bool | None = None, checkpoint=None,
                 **shortcuts: Any) -> RunSettings:
    """The :class:`RunSettings` of a run that is driven to its end in one call.

    ``settings`` (default ``RunSettings()``) with the keyword shortcuts (its fields one by
    one). When nobody watches (``progress`` off, see
    :func:`~hicosmo_nb.inference.progress.progress_enabled`) and no checkpoint is written, and
    no ``chunk_size`` is given, the chunks are whole phases: the fewest host round trips (the
    draws do not depend on the chunk size).

    Raises
    ------
    ValueError
        An unknown shortcut or a bad value (see :class:`RunSettings`).

    Examples
    --------
    >>> run_settings(progress=False, num_chains=2).chunk_size
    'phase'
    >>> run_settings(RunSettings(chunk_size=50), progress=False).chunk_size
    50
    """
    if (_unwatched(progress, checkpoint) and "chunk_size" not in shortcuts
            and (settings is None or settings.chunk_size is None)):
        shortcuts["chunk_size"] = "phase"
    return RunSettings.of(settings, **shortcuts)


def finish(run: Run, *, progress: bool | None = None, warn: bool = True) -> Result:
    """Advance ``run`` to the end and return its result.

    What :func:`run_nuts`, :func:`continue_nuts` and :func:`hicosmo_nb.fit` do after starting
    their run: progress bars (an ``on_chunk`` callback, removed at the end), a readable message
    on Ctrl-C, and convergence warnings with advice matching the run's NUTS settings. A run
    already advanced part of the way (or stopped) continues from where it is; a
    :meth:`Run.stop` from another thread ends it early, with the draws so far.

    Parameters
    ----------
    run : Run
        A started run (:meth:`Run.start`, :meth:`Run.continue_from`,
        :func:`hicosmo_nb.start_fit`).
    progress : bool or None
        Progress bars; None = on in notebooks and terminals, off in CI and tests.
    warn : bool
        Emit :class:`ConvergenceWarning` with advice when R-hat, ESS, divergences or E-BFMI fail,
        and a warning for parameters whose posterior is the prior.

    Returns
    -------
    Result

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C with a checkpoint: "interrupted after N draws; rerun the same command to
        resume from PATH" (the checkpoint holds the run so far).

    Examples
    --------
    >>> import jax
    >>> from hicosmo_nb.likelihoods.base import Likelihood
    >>> from hicosmo_nb.inference import Normal, Problem, Run, RunSettings
    >>> lk = Likelihood(lambda p: -0.5 * ((p["x"] - 1.0) / 0.1) ** 2, ("x",), "toy")
    >>> run = Run.start(Problem(lk, {"x": Normal(0.0, 10.0)}), key=jax.random.PRNGKey(0),
    ...                 settings=RunSettings(num_chains=2, num_warmup=100, num_samples=100))
    >>> _ = run.advance(150)  # warmup and half of the draws, e.g. from a button
    >>> finish(run, progress=False, warn=False).samples["x"].shape
    (2, 100)
    """
    preload_stats(stats=warn)
    st = run.status
    bar = ChainProgress(progress_enabled(progress), len(st.draws), run.total_iterations, initial=st.iteration)
    remove = run.on_chunk(bar)
    try:
        for _ in run:
            pass
    except KeyboardInterrupt:
        msg = run.interrupted_message()
        if msg is None:
            raise
        raise KeyboardInterrupt(msg) from None
    finally:
        bar.close()
        remove()
    res = run.result()
    if warn:
        warn_problems(compute_diagnostics(res.to_arviz(), max_tree_depth=run.nuts.max_tree_depth),
                      dense_mass=run.nuts.dense_mass)
        warn_prior_dominated(res.samples, run.problem.priors)
    return res


def run_nuts(likelihood, priors=None, *, key, fixed=None, progress: bool | None = None, warn: bool = True,
             manifest_extra: Mapping[str, Any] | None = None, **run_options: Any) -> Result:
    """Sample ``likelihood x priors`` with multi-chain NUTS (NumPyro kernel) to the end.

    Parameters
    ----------
    likelihood : Likelihood or Problem
        A :class:`~.problem.Problem` (reuses its compiled samplers), or a likelihood made into
        one with ``priors`` (default: registry priors of its parameters) and ``fixed``.
    key : JAX key
        ``jax.random.PRNGKey(seed)`` or ``KeyManager(seed).key("nuts")``; the only randomness.
    progress : bool or None
        Progress bars; None = on in notebooks and terminals, off in CI and tests.
    warn : bool
        Emit :class:`ConvergenceWarning` with advice when R-hat, ESS, divergences or E-BFMI fail.
    manifest_extra : dict, optional
        Extra JSON-able entries for the manifest.
    **run_options
        :meth:`Run.start <hicosmo_nb.inference.Run.start>` options (``settings``, ``nuts``,
        ``checkpoint``, ``log_likelihood``) and, as shortcuts, the
        :class:`~hicosmo_nb.inference.RunSettings` fields one by one (``num_chains``,
        ``num_warmup``, ``num_samples``, ``chain_method``, ``chain_batch_size``,
        ``chunk_size``, ``init``, ``init_jitter``), which replace those of ``settings``.

    Returns
    -------
    Result

    Raises
    ------
    ValueError
        Bad settings or names (see :class:`Problem` and :meth:`Run.start`).
    KeyboardInterrupt
        On Ctrl-C with a checkpoint: "interrupted after N draws; rerun the same command to
        resume from PATH" (the checkpoint holds the run so far).
    """
    preload_stats(stats=warn)  # the import overlaps the MAP search
    start = {k: run_options.pop(k) for k in _START_OPTIONS if k in run_options}
    settings = run_settings(run_options.pop("settings", None), progress=progress,
                            checkpoint=start.get("checkpoint"), **run_options)
    run = Run.start(as_problem(likelihood, priors, fixed), key=key, settings=settings, **start)
    run.notes.update(manifest_extra or {})
    return finish(run, progress=progress, warn=warn)


def continue_nuts(result: Result, num_samples: int, problem=None, *, progress: bool | None = None,
                  warn: bool = True, **layout: Any) -> Result:
    """Add ``num_samples`` draws per chain to a finished run, without repeating warmup.

    The run continues from the final sampler state stored in ``result`` (also after
    :func:`~.results.load`), so ``continue_nuts(run_nuts(..., num_samples=n1), n2)`` gives
    exactly the draws of ``run_nuts(..., num_samples=n1 + n2)`` (same chain layout). Results of
    the facade and the CLI rebuild their problem from the manifest; for a custom likelihood pass
    ``problem=Problem(likelihood, priors, fixed)``. ``layout``: ``chain_method``,
    ``chain_batch_size``, ``chunk_size``, ``checkpoint``.

    Raises
    ------
    ValueError
        If ``result`` has no sampler state, its likelihood is custom and no ``problem`` is
        given, or the problem differs from the original run's.
    """
    preload_stats(stats=warn)
    _chunks(progress, layout)
    return finish(Run.continue_from(result, num_samples, problem, **layout), progress=progress, warn=warn)

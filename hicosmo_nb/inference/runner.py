"""Multi-chain NUTS in one call: :func:`run_nuts` and :func:`continue_nuts`.

Both are thin wrappers over :class:`~.problem.Problem` and :class:`~.run.Run`: make the problem,
start the run, advance it to the end (progress bars are an ``on_chunk`` callback), then warn
about convergence with advice that matches the settings used. Draws are reproducible: the same
key and settings give bitwise the same draws in any process, however the run is split into
chunks or interrupted and resumed (with the same chain layout; ``sequential`` and
``concurrent`` give identical draws, ``vectorized`` the same chains up to rounding).

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

__all__ = ["run_nuts", "continue_nuts"]


_START_OPTIONS = ("nuts", "checkpoint", "log_likelihood")  # Run.start's own, beside settings


def _chunks(progress: bool | None, options: dict) -> bool:
    """Progress bars on? Unwatched runs without checkpoints default to whole-phase chunks."""
    show = progress_enabled(progress)
    if not show and options.get("checkpoint") is None:
        options.setdefault("chunk_size", "phase")
    return show


def _settings(options: dict) -> RunSettings:
    """The :class:`RunSettings` of ``settings=`` and the keyword shortcuts in ``options``
    (removed from it); a ``chunk_size`` set by :func:`_chunks` yields to one in ``settings``."""
    given = options.pop("settings", None)
    shortcuts = {k: options.pop(k) for k in list(options) if k not in _START_OPTIONS}
    if given is not None and given.chunk_size is not None and shortcuts.get("chunk_size") == "phase":
        shortcuts.pop("chunk_size")
    return RunSettings.of(given, **shortcuts)


def _drive(run: Run, show: bool, warn: bool) -> Result:
    """Advance ``run`` to the end and return its result (bars, interrupt message, warnings)."""
    st = run.status
    bar = ChainProgress(show, len(st.draws), run.total_iterations, initial=st.iteration)
    run.on_chunk(bar)
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
    if warn:
        preload_stats()
    show = _chunks(progress, run_options)
    settings = _settings(run_options)
    run = Run.start(as_problem(likelihood, priors, fixed), key=key, settings=settings, **run_options)
    run.notes.update(manifest_extra or {})
    return _drive(run, show, warn)


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
    if warn:
        preload_stats()
    show = _chunks(progress, layout)
    return _drive(Run.continue_from(result, num_samples, problem, **layout), show, warn)

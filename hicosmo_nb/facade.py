"""One-line fits: ``hicosmo_nb.fit("LCDM", ["desi_dr2_bao", "cc"], free=["H0", "Omega_m"])``.

The facade's choices live here once: the run key is ``KeyManager(seed).key("nuts")`` (its
record goes into the run's notes, hence the manifest), NUTS uses a dense mass matrix unless told
otherwise, and the run settings are :class:`~hicosmo_nb.inference.RunSettings` (or its fields
one by one). Three functions apply them:

- :func:`start_fit` builds the problem (:func:`build_problem`: model name, dataset names and
  options, free parameters; see :mod:`hicosmo_nb.inference.spec` for the defaults) and starts
  a :class:`~hicosmo_nb.inference.Run`: compiled, at its MAP start, not yet advanced, for a
  notebook or a dashboard to step (``run.advance(n)``, ``run.stop()``, ``run.on_chunk(f)``);
- :func:`start_problem` does the same for a ready :class:`~hicosmo_nb.inference.Problem`;
- :func:`fit` is :func:`start_fit` driven to the end by :func:`hicosmo_nb.inference.finish`
  (progress bars, Ctrl-C message, convergence warnings). The command line ``hicosmo-nb fit``
  calls it, the sampler dashboard calls :func:`build_problem` and :func:`start_problem`.

The returned :class:`~hicosmo_nb.inference.Result` has ``.summary()``, ``.corner()``,
``.trace()``, ``.to_arviz()``, ``.save(path)`` and ``.continue_run(n)``: its manifest holds the
problem's recipe, so a saved fit can be continued in a new session without rebuilding anything.

``import hicosmo_nb as hc; hc.fit(...)`` is :func:`fit` (an ordinary function: its signature
and docstring show in Jupyter's Shift-Tab and ``help``); ``hc.start_fit``, ``hc.start_problem``
and ``hc.build_problem`` are the functions here.

Examples
--------
>>> import hicosmo_nb as hc
>>> # skipped in doctests: a full NUTS run takes minutes (tests/test_fit.py runs fit)
>>> res = hc.fit("LCDM", {"desi_dr2_bao": {"rd": "free"}}, num_samples=500)  # doctest: +SKIP
>>> res.summary()  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

from . import _config  # noqa: F401  (float64)
from .inference import NutsSettings, Prior, Problem, Result, Run, RunSettings, finish, run_settings
from .inference.diagnostics import preload_stats
from .inference.spec import FACADE_OPTIONS, build_problem
from .keys import KeyManager

__all__ = ["fit", "start_fit", "start_problem", "build_problem", "FACADE_OPTIONS"]

KEY_NAME = "nuts"  # the facade's run key: KeyManager(seed).key(KEY_NAME)
_NUTS_FIELDS = tuple(f.name for f in dataclasses.fields(NutsSettings))


def _choices(nuts: NutsSettings | None, settings: RunSettings | None,
             shortcuts: dict) -> tuple[NutsSettings, RunSettings]:
    """The facade's NUTS and run settings from ``nuts=``, ``settings=`` and the keyword shortcuts
    (NutsSettings or RunSettings fields one by one; dense mass matrix by default)."""
    fields = {k: shortcuts.pop(k) for k in _NUTS_FIELDS if k in shortcuts}
    if fields and nuts is not None:  # start_fit(target_accept=0.9): the NUTS settings one by one
        raise ValueError(f"give {', '.join(fields)} inside nuts=NutsSettings(...), not beside it")
    if nuts is None:
        nuts = NutsSettings(**{"dense_mass": True, **fields})
    elif not isinstance(nuts, NutsSettings):
        raise ValueError(f"nuts must be a NutsSettings; got {type(nuts).__name__}")
    return nuts, RunSettings.of(settings, **shortcuts)


def start_problem(
    problem: Problem,
    *,
    seed: int = 0,
    nuts: NutsSettings | None = None,
    settings: RunSettings | None = None,
    checkpoint=None,
    log_likelihood: bool = False,
    **shortcuts: Any,
) -> Run:
    """Start a :class:`~hicosmo_nb.inference.Run` of a ready ``problem`` with the facade's choices.

    What :func:`start_fit` does once the problem is built, for a problem made elsewhere (the
    combination explorer, :func:`build_problem` called early to report bad names at once):
    key ``KeyManager(seed).key("nuts")`` with its record in ``run.notes["key_manager"]``,
    ``NutsSettings(dense_mass=True)`` by default. Compiles and finds the MAP start; nothing is
    advanced.

    Parameters
    ----------
    problem : Problem
    seed, nuts, settings, checkpoint, log_likelihood, **shortcuts
        As in :func:`start_fit`.

    Returns
    -------
    Run

    Raises
    ------
    ValueError
        Bad settings (see :class:`~hicosmo_nb.inference.RunSettings` and
        :meth:`Run.start <hicosmo_nb.inference.Run.start>`), or no valid starting point.

    Examples
    --------
    >>> import hicosmo_nb as hc
    >>> pb = hc.build_problem("LCDM", ["cc"], ["H0", "Omega_m"])
    >>> run = start_problem(pb, seed=1, num_chains=2, num_warmup=50, num_samples=50)
    >>> run.status.iteration, run.nuts.dense_mass, run.notes["key_manager"]["records"][0]["name"]
    (0, True, 'nuts')
    """
    nuts, settings = _choices(nuts, settings, shortcuts)
    keys = KeyManager(seed)
    key = keys.key(KEY_NAME)
    preload_stats()  # every run started here ends in diagnostics; the import overlaps the MAP search
    run = Run.start(problem, key=key, settings=settings, nuts=nuts, checkpoint=checkpoint,
                    log_likelihood=log_likelihood)
    run.notes["key_manager"] = keys.manifest()
    return run


def start_fit(
    model: str,
    datasets: str | Sequence[str] | Mapping[str, Mapping],
    free: Sequence[str] | None = None,
    *,
    priors: Mapping[str, Prior] | None = None,
    fixed: Mapping[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    allow_overlap: bool = False,
    neutrino_hierarchy: str = "one",
    rd_free: bool = False,
    seed: int = 0,
    nuts: NutsSettings | None = None,
    settings: RunSettings | None = None,
    checkpoint=None,
    log_likelihood: bool = False,
    **shortcuts: Any,
) -> Run:
    """Start fitting ``model`` to ``datasets``: a :class:`~hicosmo_nb.inference.Run` to step.

    Builds the problem (:func:`build_problem`) and starts its run with the facade's choices
    (:func:`start_problem`): compiled and at its MAP start, not yet advanced. Drive it with
    ``run.advance(n)``, ``for chunk in run``, ``run.stop()`` and ``run.on_chunk(f)``, or to the
    end with :func:`hicosmo_nb.inference.finish`; ``finish(start_fit(...))`` gives bitwise the
    draws of :func:`fit` with the same arguments.

    Parameters
    ----------
    model : str
        A key of :data:`hicosmo_nb.parameters.MODELS` (``"LCDM"``, ``"wCDM"``, ``"w0waCDM"``, ...).
    datasets : str, list of str, or dict name -> options
        Keys of :data:`hicosmo_nb.likelihoods.DATASETS`, e.g. ``{"desi_dr2_bao": {"rd": "free"}}``.
    free : list of str, optional
        Free parameters (default: the model's and the datasets'); the rest are fixed.
    priors : dict name -> Prior, optional
        Overrides of the default flat registry priors.
    fixed : dict, optional
        Values for parameters that are not free (default: registry defaults).
    options : dict dataset -> dict, optional
        Dataset builder options (another way to give them).
    allow_overlap : bool
        Combine datasets that share data (DESI DR1 and DR2 BAO, ...) without a warning.
    neutrino_hierarchy : {"one", "degenerate", "normal", "inverted"}
        How ``m_nu`` splits into mass states, for every dataset (a static setting, never
        sampled; see :func:`build_problem`).
    rd_free : bool
        ``rd="free"`` for every dataset that takes it (the BAO ones): sample ``hrd`` = h r_d
        instead of computing the sound horizon (a dataset's own ``rd`` option wins).
    seed : int
        The key is ``KeyManager(seed).key("nuts")``; its record goes into
        ``run.notes["key_manager"]`` and so into the manifest.
    nuts : NutsSettings, optional
        Default here ``NutsSettings(dense_mass=True)``: cosmological parameters are usually
        strongly correlated (e.g. Omega_m and M for SNe) and a dense mass matrix for a handful
        of them costs little (``benchmarks/sampling.py`` measures the gain).
    settings : RunSettings, optional
        Chains, warmup, draws, chain layout and start (default ``RunSettings()``).
    checkpoint : path, optional
        Checkpoint file, written at chunk boundaries; an existing one for the same run resumes.
    log_likelihood : bool
        Keep each draw's log-likelihood (for model comparison).
    **shortcuts
        The :class:`~hicosmo_nb.inference.RunSettings` fields one by one (``num_chains``,
        ``num_warmup``, ``num_samples``, ``chain_method``, ...), which replace those of
        ``settings``, and the :class:`~hicosmo_nb.inference.NutsSettings` fields
        (``target_accept``, ``dense_mass``, ``max_tree_depth``) instead of ``nuts=``
        (``dense_mass`` default True).

    Returns
    -------
    Run

    Raises
    ------
    ValueError
        See :func:`build_problem` and :meth:`Run.start <hicosmo_nb.inference.Run.start>`.

    Examples
    --------
    >>> from hicosmo_nb.inference import finish
    >>> run = start_fit("LCDM", ["cc"], ["H0", "Omega_m"], num_chains=2, num_warmup=100,
    ...                 num_samples=100)
    >>> _ = run.advance(120)           # all of warmup and 20 draws, e.g. from a button
    >>> run.status.draws.tolist()
    [20, 20]
    >>> res = finish(run, progress=False, warn=False)  # the rest, as fit(...) would
    >>> res.samples["H0"].shape
    (2, 100)
    """
    nuts, settings = _choices(nuts, settings, shortcuts)  # bad settings fail before any data is read
    problem = build_problem(model, datasets, free, priors=priors, fixed=fixed, options=options,
                            allow_overlap=allow_overlap, neutrino_hierarchy=neutrino_hierarchy,
                            rd_free=rd_free)
    return start_problem(problem, seed=seed, nuts=nuts, settings=settings, checkpoint=checkpoint,
                         log_likelihood=log_likelihood)


def fit(
    model: str,
    datasets: str | Sequence[str] | Mapping[str, Mapping],
    free: Sequence[str] | None = None,
    *,
    priors: Mapping[str, Prior] | None = None,
    fixed: Mapping[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    allow_overlap: bool = False,
    neutrino_hierarchy: str = "one",
    rd_free: bool = False,
    seed: int = 0,
    nuts: NutsSettings | None = None,
    settings: RunSettings | None = None,
    checkpoint=None,
    log_likelihood: bool = False,
    progress: bool | None = None,
    warn: bool = True,
    **shortcuts: Any,
) -> Result:
    """Fit ``model`` to ``datasets`` with NUTS in one line.

    :func:`start_fit` with the same arguments, driven to the end by
    :func:`hicosmo_nb.inference.finish`. Unwatched runs (``progress`` off) without a
    checkpoint compile whole phases at once (:func:`hicosmo_nb.inference.run_settings`; the
    draws do not depend on it).

    Parameters
    ----------
    model, datasets, free, priors, fixed, options, allow_overlap, neutrino_hierarchy, rd_free
        The problem, as in :func:`start_fit` (model name, dataset names or ``{name: options}``,
        free parameters, ...).
    seed, nuts, settings, checkpoint, log_likelihood, **shortcuts
        The run, as in :func:`start_fit`: key ``KeyManager(seed).key("nuts")``, default
        ``NutsSettings(dense_mass=True)``, :class:`~hicosmo_nb.inference.RunSettings` or its
        fields (``num_chains``, ``num_warmup``, ``num_samples``, ``chain_method``, ...) and
        the NutsSettings fields (``target_accept``, ...) one by one.
    progress : bool or None
        Progress bars; None = on in notebooks and terminals, off in CI and tests.
    warn : bool
        Warn (:class:`~hicosmo_nb.inference.ConvergenceWarning`, with advice) when the chains
        show signs of not having converged.

    Returns
    -------
    Result

    Raises
    ------
    ValueError
        See :func:`build_problem` and :meth:`Run.start <hicosmo_nb.inference.Run.start>`.
    KeyboardInterrupt
        On Ctrl-C with a checkpoint, saying how far it got and that the same call resumes.

    Examples
    --------
    >>> # skipped in doctests: a full NUTS run takes minutes (tests/test_fit.py runs fit)
    >>> res = fit("LCDM", ["desi_dr2_bao", "cc"], free=["H0", "Omega_m"])  # doctest: +SKIP
    >>> res.summary()  # doctest: +SKIP
    """
    nuts_fields = {k: shortcuts.pop(k) for k in _NUTS_FIELDS if k in shortcuts}
    settings = run_settings(settings, progress=progress, checkpoint=checkpoint, **shortcuts)
    run = start_fit(model, datasets, free, priors=priors, fixed=fixed, options=options,
                    allow_overlap=allow_overlap, neutrino_hierarchy=neutrino_hierarchy, rd_free=rd_free,
                    seed=seed, nuts=nuts, settings=settings, checkpoint=checkpoint,
                    log_likelihood=log_likelihood, **nuts_fields)
    return finish(run, progress=progress, warn=warn)

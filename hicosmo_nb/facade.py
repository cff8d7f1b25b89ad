"""One-line fits: ``hicosmo_nb.fit("LCDM", ["desi_dr2_bao", "cc"], free=["H0", "Omega_m"])``.

:func:`fit` builds the problem with :func:`build_problem` (model name, dataset names and
options, free parameters; see :mod:`hicosmo_nb.inference.spec` for the defaults) and samples it
with :func:`hicosmo_nb.inference.run_nuts`. The returned :class:`~hicosmo_nb.inference.Result`
has ``.summary()``, ``.corner()``, ``.trace()``, ``.to_arviz()``, ``.save(path)`` and
``.continue_run(n)``: its manifest holds the problem's recipe, so a saved fit can be continued
in a new session without rebuilding anything.

``import hicosmo_nb as hc; hc.fit(...)`` is :func:`fit` (an ordinary function: its signature
and docstring show in Jupyter's Shift-Tab and ``help``); ``hc.build_problem`` is
:func:`build_problem`.

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
from .inference import NutsSettings, Prior, Result, run_nuts
from .inference.spec import FACADE_OPTIONS, build_problem
from .keys import KeyManager

__all__ = ["fit", "build_problem", "FACADE_OPTIONS"]

_NUTS_FIELDS = tuple(f.name for f in dataclasses.fields(NutsSettings))


def fit(
    model: str,
    datasets: str | Sequence[str] | Mapping[str, Mapping],
    free: Sequence[str] | None = None,
    *,
    priors: Mapping[str, Prior] | None = None,
    fixed: Mapping[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    allow_overlap: bool = False,
    seed: int = 0,
    nuts: NutsSettings | None = None,
    neutrino_hierarchy: str = "one",
    **run_options: Any,
) -> Result:
    """Fit ``model`` to ``datasets`` with NUTS in one line.

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
    seed : int
        The key is ``KeyManager(seed).key("nuts")``; its record goes into the manifest.
    neutrino_hierarchy : {"one", "degenerate", "normal", "inverted"}
        How ``m_nu`` splits into mass states, for every dataset (a static setting, never
        sampled; see :func:`build_problem`).
    nuts : NutsSettings, optional
        Default here ``NutsSettings(dense_mass=True)``: cosmological parameters are usually
        strongly correlated (e.g. Omega_m and M for SNe) and a dense mass matrix for a handful
        of them costs little (``benchmarks/sampling.py`` measures the gain).
    **run_options
        :func:`hicosmo_nb.inference.run_nuts` options (``num_chains``, ``num_warmup``,
        ``num_samples``, ``chain_method``, ``checkpoint``, ``progress``, ...), and the
        :class:`~hicosmo_nb.inference.NutsSettings` fields (``target_accept``, ``dense_mass``,
        ``max_tree_depth``) one by one instead of ``nuts=`` (``dense_mass`` default True).

    Returns
    -------
    Result

    Raises
    ------
    ValueError
        See :func:`build_problem` and :func:`~hicosmo_nb.inference.run_nuts`.

    Examples
    --------
    >>> # skipped in doctests: a full NUTS run takes minutes (tests/test_fit.py runs fit)
    >>> res = fit("LCDM", ["desi_dr2_bao", "cc"], free=["H0", "Omega_m"])  # doctest: +SKIP
    >>> res.summary()  # doctest: +SKIP
    """
    nuts_fields = {k: run_options.pop(k) for k in _NUTS_FIELDS if k in run_options}
    if nuts_fields:  # fit(target_accept=0.9): the NUTS settings, given one by one
        if nuts is not None:
            raise ValueError(f"give {', '.join(nuts_fields)} inside nuts=NutsSettings(...), not beside it")
        nuts = NutsSettings(**{"dense_mass": True, **nuts_fields})
    problem = build_problem(model, datasets, free, priors=priors, fixed=fixed, options=options,
                            allow_overlap=allow_overlap,
                            neutrino_hierarchy=neutrino_hierarchy)
    km = KeyManager(seed)
    key = km.key("nuts")
    extra = {"key_manager": km.manifest(), **run_options.pop("manifest_extra", {})}
    return run_nuts(problem, key=key, nuts=NutsSettings(dense_mass=True) if nuts is None else nuts,
                    manifest_extra=extra, **run_options)

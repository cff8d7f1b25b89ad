"""One-line fits: ``fit("LCDM", ["desi_dr2_bao", "cc"], free=["H0", "Omega_m"])``.

:func:`fit` turns a model name, dataset names and a list of free parameters into a likelihood
(:func:`hicosmo_nb.likelihoods.get`), priors (:func:`hicosmo_nb.inference.default_priors`,
overridable) and fixed values (registry defaults), then runs
:func:`hicosmo_nb.inference.run_nuts`. The returned :class:`~hicosmo_nb.inference.Result` has
``.summary()``, ``.corner()``, ``.trace()``, ``.to_arviz()`` and ``.save(path)``.

Which parameters are free
    ``free=None`` frees the model's parameters (:data:`~hicosmo_nb.parameters.MODELS`) plus
    every other parameter the datasets need (e.g. ``Omega_b`` for BAO with a computed ``r_d``,
    ``hrd`` with ``rd="free"``, ``M`` for unmarginalized SNe), except the dark-energy and
    curvature parameters (``Omega_k``, ``w0``, ``wa``), which only the model frees, and those
    given in ``fixed=``. Everything not free is fixed (at the ``fixed=`` value, else the registry
    default).

Dataset options
    ``options={"desi_dr2_bao": {"rd": "free"}}``. ``planck18_priors`` defaults to
    ``parametrization="density"`` here, so it reads ``Omega_m`` like the other datasets.

Examples
--------
>>> from hicosmo_nb.fit import fit
>>> res = fit("LCDM", "desi_dr2_bao", options={"desi_dr2_bao": {"rd": "free"}},
...           num_samples=500, progress=False)  # doctest: +SKIP
>>> res.summary()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from . import _config  # noqa: F401  (float64)
from . import likelihoods
from .inference import Prior, Result, default_priors, run_nuts
from .keys import KeyManager
from .likelihoods.base import combine
from .parameters import MODELS, PARAMETERS, unknown_name_error

__all__ = ["fit", "build_problem", "FACADE_OPTIONS"]

# Defaults the facade applies to dataset options (user options win).
FACADE_OPTIONS: dict[str, dict[str, Any]] = {"planck18_priors": {"parametrization": "density"}}
_EXTENSIONS = tuple(dict.fromkeys(p for ps in MODELS.values() for p in ps if p not in MODELS["LCDM"]))


def _as_list(x, what: str) -> list[str]:
    if isinstance(x, str):
        return [x]
    try:
        out = list(x)
    except TypeError:
        raise ValueError(f"{what} must be a name or a list of names; got {x!r}") from None
    if not out or not all(isinstance(n, str) for n in out):
        raise ValueError(f"{what} must be a non-empty list of names; got {x!r}")
    return out


def build_problem(
    model: str,
    datasets: str | Sequence[str],
    free: Sequence[str] | None = None,
    *,
    priors: Mapping[str, Prior] | None = None,
    fixed: Mapping[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
):
    """The likelihood, priors and fixed values :func:`fit` would sample (no sampling).

    Returns
    -------
    likelihood : Likelihood
    priors : dict name -> Prior
    fixed : dict name -> float

    Raises
    ------
    ValueError
        Unknown model, dataset, option or parameter names (listing the valid ones and the
        closest match), a dark-energy/curvature parameter the model does not free, or a
        parameter that none of the datasets reads.
    """
    if not isinstance(model, str) or model not in MODELS:
        raise unknown_name_error("model", [str(model)], MODELS)
    names = _as_list(datasets, "datasets")
    unknown = [d for d in names if d not in likelihoods.DATASETS]
    if unknown:
        raise unknown_name_error("dataset", unknown, likelihoods.DATASETS)
    options = dict(options or {})
    stray = [k for k in options if k not in names]
    if stray:
        raise ValueError(f"options given for {stray}, which are not among the datasets {names}")
    lks = [likelihoods.get(d, **{**FACADE_OPTIONS.get(d, {}), **dict(options.get(d, {}))}) for d in names]
    lk = lks[0] if len(lks) == 1 else combine(*lks)
    needed = list(lk.param_names)
    reads = set(needed) | {p for leaf in lk.leaves for p in leaf.metadata.get("optional_params", ())}
    locked = [p for p in _EXTENSIONS if p not in MODELS[model]]
    if free is None:  # the model's and the datasets' parameters, less those the user fixed
        free = [p for p in dict.fromkeys([*MODELS[model], *(p for p in needed if p not in _EXTENSIONS)])
                if p not in (fixed or {})]
    free = _as_list(free, "free")
    bad = [p for p in free if p not in PARAMETERS and p not in needed]
    if bad:
        raise unknown_name_error("parameter", bad, set(PARAMETERS) | set(needed))
    wrong = [p for p in free if p in locked]
    if wrong:
        options_ = [m for m, ps in MODELS.items() if set(wrong) <= set(ps)]
        raise ValueError(f"parameter(s) {wrong} are not free in model {model!r} (its parameters: "
                         f"{', '.join(MODELS[model])}); use a model that frees them: {', '.join(options_)}")
    unused = [p for p in free if p not in reads]
    if unused:
        raise ValueError(f"parameter(s) {unused} do not enter the likelihood of {names}; it reads "
                         f"{', '.join(sorted(reads))}")
    fixed = dict(fixed or {})
    bad = [p for p in fixed if p not in PARAMETERS and p not in needed]
    if bad:
        raise unknown_name_error("parameter", bad, set(PARAMETERS) | set(needed))
    clash = [p for p in fixed if p in free]
    if clash:
        raise ValueError(f"parameter(s) {clash} are both free and fixed; pick one")
    for p in needed:
        if p not in free and p not in fixed:
            if p not in PARAMETERS:
                raise ValueError(f"parameter {p!r} of {names} has no registry default; make it free "
                                 "or give it in fixed=")
            fixed[p] = PARAMETERS[p].default
    pri = default_priors([p for p in free if p in PARAMETERS])
    given = dict(priors or {})
    extra = [p for p in given if p not in free]
    if extra:
        raise ValueError(f"priors given for {extra}, which are not free; free parameters: {free}")
    missing = [p for p in free if p not in pri and p not in given]
    if missing:
        raise ValueError(f"free parameter(s) {missing} are not in the registry; give their priors")
    pri.update(given)
    return lk, {p: pri[p] for p in free}, fixed


def fit(
    model: str,
    datasets: str | Sequence[str],
    free: Sequence[str] | None = None,
    *,
    priors: Mapping[str, Prior] | None = None,
    fixed: Mapping[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int = 0,
    num_chains: int = 4,
    num_warmup: int = 500,
    num_samples: int = 1000,
    dense_mass: bool = True,
    **run_options: Any,
) -> Result:
    """Fit ``model`` to ``datasets`` with NUTS in one line.

    Parameters
    ----------
    model : str
        A key of :data:`hicosmo_nb.parameters.MODELS` (``"LCDM"``, ``"wCDM"``, ``"w0waCDM"``, ...).
    datasets : str or list of str
        Keys of :data:`hicosmo_nb.likelihoods.DATASETS`.
    free : list of str, optional
        Free parameters (see the module docstring for the default); the rest are fixed.
    priors : dict name -> Prior, optional
        Overrides of the default flat registry priors.
    fixed : dict, optional
        Values for parameters that are not free (default: registry defaults).
    options : dict dataset -> dict, optional
        Dataset builder options, e.g. ``{"desi_dr2_bao": {"rd": "free"}}``.
    seed : int
        The key is ``KeyManager(seed).key("nuts")``; its record goes into the manifest.
    num_chains, num_warmup, num_samples : int
    dense_mass : bool
        Dense mass matrix (default here, unlike ``run_nuts``): cosmological parameters are
        usually strongly correlated (e.g. Omega_m and M at 0.8 for SNe, where it gave ~3x the
        effective samples per second of a diagonal one) and a handful of them costs nothing.
    **run_options
        Passed to :func:`hicosmo_nb.inference.run_nuts` (``chain_method``, ``dense_mass``,
        ``checkpoint``, ``progress``, ...).

    Returns
    -------
    Result

    Raises
    ------
    ValueError
        See :func:`build_problem`, and :func:`~hicosmo_nb.inference.run_nuts`.

    Examples
    --------
    >>> res = fit("LCDM", ["desi_dr2_bao", "cc"], free=["H0", "Omega_m"])  # doctest: +SKIP
    >>> res.summary()  # doctest: +SKIP
    """
    lk, pri, fix = build_problem(model, datasets, free, priors=priors, fixed=fixed, options=options)
    km = KeyManager(seed)
    key = km.key("nuts")
    extra = {"fit": {"model": model, "datasets": _as_list(datasets, "datasets"),
                     "options": {k: {o: repr(v) for o, v in d.items()} for k, d in (options or {}).items()},
                     "free": list(pri), "fixed": fix},
             "key_manager": km.manifest(), **run_options.pop("manifest_extra", {})}
    return run_nuts(lk, pri, key=key, fixed=fix, num_chains=num_chains, num_warmup=num_warmup,
                    num_samples=num_samples, dense_mass=dense_mass, manifest_extra=extra, **run_options)

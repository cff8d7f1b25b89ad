"""Named problems: :func:`build_problem` and :class:`ProblemSpec`, the recipe that rebuilds one.

``build_problem("LCDM", ["desi_dr2_bao", "cc"])`` turns a model name, dataset names and a list
of free parameters into a :class:`~.problem.Problem`: the likelihood
(:func:`hicosmo_nb.likelihoods.get`), flat registry priors (overridable) and fixed values
(registry defaults). The problem carries its resolved :class:`ProblemSpec` (model, datasets
and options, free list, priors, fixed values), which is plain JSON: results store it, and
``ProblemSpec.from_json(...).build()`` rebuilds the same problem in a new process.

Which parameters are free
    ``free=None`` frees the model's parameters (:data:`~hicosmo_nb.parameters.MODELS`) plus
    every other parameter the datasets need (e.g. ``Omega_b`` for BAO with a computed ``r_d``,
    ``hrd`` with ``rd="free"``, ``M`` for unmarginalized SNe), except the dark-energy and
    curvature parameters (``Omega_k``, ``w0``, ``wa``), which only the model frees, and those
    given in ``fixed=``. Everything not free is fixed (at the ``fixed=`` value, else the registry
    default).

Datasets and options
    ``datasets`` is a name, a list of names, or a dict ``{name: options}``; options can also
    come as ``options={"desi_dr2_bao": {"rd": "free"}}``. ``planck18_priors`` defaults to
    ``parametrization="density"`` here, so it reads ``Omega_m`` like the other datasets.

Examples
--------
>>> pb = build_problem("LCDM", {"desi_dr2_bao": {"rd": "free"}}, fixed={"H0": 70.0})
>>> pb.free, pb.spec.datasets
(('Omega_m', 'hrd'), ('desi_dr2_bao',))
>>> ProblemSpec.from_json(pb.spec.to_json()).build().free
('Omega_m', 'hrd')
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .. import _config  # noqa: F401  (float64)
from .. import likelihoods
from ..cosmology.neutrinos import as_hierarchy
from ..likelihoods.base import combine
from ..parameters import MODELS, PARAMETERS, canonical_values, refuse_alternative_names, unknown_name_error
from . import priors as _priors
from .diagnostics import warn_unconstrained
from .priors import Prior, default_priors
from .problem import Problem

__all__ = ["ProblemSpec", "build_problem", "FACADE_OPTIONS"]

# Defaults the facade applies to dataset options (user options win).
FACADE_OPTIONS: dict[str, dict[str, Any]] = {"planck18_priors": {"parametrization": "density"}}
_EXTENSIONS = tuple(dict.fromkeys(p for ps in MODELS.values() for p in ps if p not in MODELS["LCDM"]))
_PRIOR_TYPES = ("Uniform", "Normal", "TruncatedNormal")


def _prior_json(p: Prior) -> dict:
    return {"type": type(p).__name__, **dataclasses.asdict(p)}


def _prior_from_json(d: dict) -> Prior:
    d = dict(d)
    kind = d.pop("type", None)
    if kind not in _PRIOR_TYPES:
        raise ValueError(f"prior type {kind!r} is not one of {', '.join(_PRIOR_TYPES)}")
    return getattr(_priors, kind)(**d)


@dataclass(frozen=True)
class ProblemSpec:
    """The JSON recipe of a named problem (see the module docstring); :meth:`build` rebuilds it."""

    model: str
    datasets: tuple[str, ...]
    options: dict
    free: tuple[str, ...]
    priors: dict
    fixed: dict
    allow_overlap: bool = False

    def build(self) -> Problem:
        """The problem this spec describes (the same likelihood, priors and fixed values)."""
        return build_problem(self.model, list(self.datasets), list(self.free), priors=self.priors,
                             fixed=self.fixed, options=self.options, allow_overlap=self.allow_overlap)

    def to_json(self) -> dict:
        """A JSON-able dict (priors as ``{"type": ..., fields}``)."""
        return {"model": self.model, "datasets": list(self.datasets), "options": self.options,
                "free": list(self.free), "priors": {k: _prior_json(v) for k, v in self.priors.items()},
                "fixed": dict(self.fixed), **({"allow_overlap": True} if self.allow_overlap else {})}

    @classmethod
    def from_json(cls, d: Mapping) -> "ProblemSpec":
        """Read :meth:`to_json` output.

        Raises
        ------
        ValueError
            If ``d`` lacks a field or holds an unknown prior type.
        """
        need = ("model", "datasets", "options", "free", "priors", "fixed")
        if not isinstance(d, Mapping) or any(k not in d for k in need):
            raise ValueError(f"a problem spec needs the fields {need}; got {d!r}")
        return cls(d["model"], tuple(d["datasets"]), dict(d["options"]), tuple(d["free"]),
                   {k: _prior_from_json(v) for k, v in d["priors"].items()}, dict(d["fixed"]),
                   bool(d.get("allow_overlap", False)))


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


def _datasets(datasets, options) -> tuple[list[str], dict]:
    """Dataset names and their options, from a name, a list, or a dict ``{name: options}``."""
    options = {k: dict(v) for k, v in dict(options or {}).items()}
    if isinstance(datasets, Mapping):
        for d, opts in datasets.items():
            if not isinstance(opts, Mapping):
                raise ValueError(f"datasets as a dict maps each name to its options dict; got "
                                 f"{d!r}: {opts!r}. Accepted: 'cc', ['cc', 'sh0es'] or "
                                 "{'desi_dr2_bao': {'rd': 'free'}}")
            if opts and d in options:
                raise ValueError(f"options for {d!r} given twice (in datasets and in options=)")
            if opts:
                options[d] = dict(opts)
        datasets = list(datasets)
    names = _as_list(datasets, "datasets")
    unknown = [d for d in names if d not in likelihoods.DATASETS]
    if unknown:
        raise unknown_name_error("dataset", unknown, likelihoods.DATASETS)
    stray = [k for k in options if k not in names]
    if stray:
        raise ValueError(f"options given for {stray}, which are not among the datasets {names}")
    return names, options


def _free(model, free, fixed, lk, names) -> list[str]:
    needed = list(lk.param_names)
    locked = [p for p in _EXTENSIONS if p not in MODELS[model]]
    if free is None:  # the model's and the datasets' parameters, less those the user fixed
        free = [p for p in dict.fromkeys([*MODELS[model], *(p for p in needed if p not in _EXTENSIONS)])
                if p not in fixed]
    free = _as_list(free, "free")
    bad = [p for p in free if p not in PARAMETERS and p not in needed]
    if bad:
        raise unknown_name_error("parameter", bad, set(PARAMETERS) | set(needed))
    wrong = [p for p in free if p in locked]
    if wrong:
        models = [m for m, ps in MODELS.items() if set(wrong) <= set(ps)]
        raise ValueError(f"parameter(s) {wrong} are not free in model {model!r} (its parameters: "
                         f"{', '.join(MODELS[model])}); use a model that frees them: {', '.join(models)}")
    unused = [p for p in free if p not in lk.reads]
    if unused:
        raise ValueError(f"parameter(s) {unused} do not enter the likelihood of {names}; it reads "
                         f"{', '.join(sorted(lk.reads))}")
    return free


def build_problem(
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
) -> Problem:
    """The :class:`~.problem.Problem` that :func:`hicosmo_nb.fit` samples (no sampling).

    ``neutrino_hierarchy`` (``"one"``, ``"degenerate"``, ``"normal"``, ``"inverted"``) becomes
    the option of every dataset whose builder takes it (a static setting, never sampled; a
    dataset's own option wins) and so is part of the recipe. ``rd_free=True`` likewise gives
    ``rd="free"`` to every dataset whose builder takes ``rd`` (the BAO ones, per
    :func:`hicosmo_nb.likelihoods.dataset_options`): they sample ``hrd`` = h r_d instead of
    computing the sound horizon.

    Raises
    ------
    ValueError
        Unknown model, dataset, option or parameter names (listing the valid ones and the
        closest match), a dataset given twice, a dark-energy/curvature parameter the model does
        not free, or a parameter that none of the datasets reads.

    Warns
    -----
    UserWarning
        Datasets that share data (DESI DR1 and DR2 BAO, ...) unless ``allow_overlap=True``;
        free parameters the data do not constrain at the start point
        (:func:`~hicosmo_nb.inference.diagnostics.warn_unconstrained`).
    """
    if not isinstance(model, str) or model not in MODELS:
        raise unknown_name_error("model", [str(model)], MODELS)
    names, options = _datasets(datasets, options)
    hierarchy = as_hierarchy(neutrino_hierarchy).name  # ValueError lists the valid names
    if not isinstance(rd_free, bool):
        raise ValueError(f"rd_free must be True or False; got {rd_free!r}")
    defaults = {"neutrino_hierarchy": hierarchy} if hierarchy != "one" else {}
    defaults.update({"rd": "free"} if rd_free else {})
    for d in names if defaults else ():
        takes = likelihoods.dataset_options(d)  # ValueError for an unknown name, as get() gives
        for k, v in defaults.items():
            if k in takes:
                options.setdefault(d, {}).setdefault(k, v)
    lks = [likelihoods.get(d, **{**FACADE_OPTIONS.get(d, {}), **options.get(d, {})}) for d in names]
    lk = lks[0] if len(lks) == 1 else combine(*lks, allow_overlap=allow_overlap)
    fixed = canonical_values(dict(fixed or {}), lk.reads, "fixed")  # h -> H0 = 100 h
    if free is not None:
        refuse_alternative_names(_as_list(free, "free"), lk.reads, "free")
    refuse_alternative_names(dict(priors or {}), lk.reads, "priors")
    free = _free(model, free, fixed, lk, names)
    bad = [p for p in fixed if p not in PARAMETERS and p not in lk.param_names]
    if bad:
        raise unknown_name_error("parameter", bad, set(PARAMETERS) | set(lk.param_names))
    clash = [p for p in fixed if p in free]
    if clash:
        raise ValueError(f"parameter(s) {clash} are both free and fixed; pick one")
    for p in lk.param_names:
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
    pri = {p: given.get(p, pri.get(p)) for p in free}
    spec = None
    try:  # options that are not JSON (arrays, objects) make a problem that cannot be rebuilt
        spec = ProblemSpec(model, tuple(names), json.loads(json.dumps(options)), tuple(free),
                           pri, {k: float(v) for k, v in fixed.items()}, bool(allow_overlap))
    except (TypeError, ValueError):
        pass
    problem = Problem(lk, pri, fixed, spec=spec)
    warn_unconstrained(problem)  # before any sampling: flat directions named now, not after a run
    return problem

"""``compare``: best-fit chi^2, Delta chi^2 and its significance, AIC, BIC, ln Z and Bayes factors.

Each model is a :class:`~hicosmo_nb.inference.Problem` on the same data (optionally with
posterior draws to start the optimizer), or an already computed :class:`ModelFit` (the fast
path: a notebook or dashboard keeps its fits and re-tabulates for free). The reference is the
model with the fewest free parameters unless named.

A frequentist significance needs nested models: the reference's free parameters are free in the
other model too, and the other model's extra parameters, fixed in the reference, sit inside its
prior (e.g. LCDM's ``w0 = -1, wa = 0`` inside w0waCDM's priors). Then ``Delta chi^2`` with ``k``
extra parameters gives the sigma of :func:`~hicosmo_nb.compare.stats.sigma_from_chi2`, as DESI
quotes it. Non-nested pairs get ``sigma = None`` and a note saying why; their evidence and Bayes
factor are still given.

Examples
--------
>>> from hicosmo_nb.likelihoods import gaussian
>>> from hicosmo_nb.inference import Problem, Uniform
>>> import jax.numpy as jnp
>>> x = jnp.linspace(0.0, 1.0, 5)
>>> lk = gaussian([0.0, 0.3, 0.5, 0.9, 1.1], 0.01 * jnp.eye(5), lambda p: p["a"] + p["b"] * x,
...               param_names=("a", "b"), name="line")
>>> flat = Problem(lk, {"a": Uniform(-5.0, 5.0)}, fixed={"b": 0.0})
>>> slope = Problem(lk, {"a": Uniform(-5.0, 5.0), "b": Uniform(-5.0, 5.0)})
>>> table = compare({"flat": flat, "slope": slope})
>>> table.reference, table["slope"].sigma > 5
('flat', True)
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Mapping, NamedTuple

from ..inference import Problem
from ..parameters import PARAMETERS
from .evidence import Evidence, nested_evidence
from .fit import Maximizer, ModelFit, maximize
from .stats import aic, bic, sigma_from_chi2

__all__ = ["ModelRow", "Comparison", "compare", "EVIDENCE_METHODS"]

EVIDENCE_METHODS = ("laplace", "nested")


class ModelRow(NamedTuple):
    """One model of a :class:`Comparison` (``delta_*`` relative to the reference).

    ``delta_chi2 = chi2_ref - chi2`` (positive: this model fits better), ``sigma`` its
    significance with ``dof`` extra parameters (None when not nested, see ``note``),
    ``ln_bayes_factor = ln Z - ln Z_ref`` (positive: evidence for this model).
    """

    name: str
    k: int
    chi2: float
    aic: float
    bic: float | None
    log_z_laplace: float
    log_z: float | None
    log_z_err: float | None
    delta_chi2: float
    dof: int
    sigma: float | None
    ln_bayes_factor: float
    ln_bayes_factor_err: float | None
    note: str
    fit: ModelFit
    evidence: Evidence | None


class Comparison(NamedTuple):
    """Rows by model name (insertion order) and the reference model's name."""

    rows: dict
    reference: str
    evidence: str

    def __getitem__(self, name: str) -> ModelRow:
        if name not in self.rows:
            raise KeyError(f"no model {name!r}; models: {list(self.rows)}")
        return self.rows[name]

    def __str__(self) -> str:
        head = (f"{'model':<16}{'k':>3}{'chi2':>11}{'dchi2':>9}{'sigma':>7}{'AIC':>11}{'BIC':>11}"
                f"{'lnZ':>10}{'lnB':>8}")
        lines = [head]
        for r in self.rows.values():
            sig = "-" if r.sigma is None else f"{r.sigma:.2f}"
            bic_ = "-" if r.bic is None else f"{r.bic:.2f}"
            lnz = r.log_z if r.log_z is not None else r.log_z_laplace
            lines.append(f"{r.name:<16}{r.k:>3}{r.chi2:>11.2f}{r.delta_chi2:>9.2f}{sig:>7}{r.aic:>11.2f}"
                         f"{bic_:>11}{lnz:>10.2f}{r.ln_bayes_factor:>8.2f}")
        notes = [f"{r.name}: {r.note}" for r in self.rows.values() if r.note]
        return "\n".join(lines + notes + [f"reference: {self.reference}; ln Z: {self.evidence}"])


def _nesting(ref: ModelFit, other: ModelFit, priors: Mapping | None) -> tuple[int, str]:
    """(extra parameters, reason it is not nested or '')."""
    missing = [n for n in ref.free if n not in other.free]
    if missing:
        return 0, (f"not nested in {ref.name!r}: its free parameter(s) {missing} are not free here, "
                   "so there is no frequentist significance (compare the evidence)")
    extra = [n for n in other.free if n not in ref.free]
    if not extra:
        return 0, f"same free parameters as {ref.name!r}: no extra parameter to test"
    for n in extra:
        value = ref.fixed.get(n, PARAMETERS[n].default if n in PARAMETERS else None)
        lo, hi = priors[n].bounds if priors is not None and n in priors else (-math.inf, math.inf)
        if value is None or not lo <= value <= hi:
            return 0, (f"not nested: {ref.name!r} holds {n} = {value}, outside this model's prior "
                       f"[{lo}, {hi}]; no frequentist significance (compare the evidence)")
    return len(extra), ""


def compare(models: Mapping[str, Any], *, reference: str | None = None, evidence: str = "laplace",
            nested: Mapping[str, Any] | None = None, num_starts: int = 4, seed: int = 0) -> Comparison:
    """Compare models fitted to the same data (module docstring).

    Parameters
    ----------
    models : dict name -> Problem, (Problem, draws), Maximizer or ModelFit
        ``draws`` (an inference.Result or dict of arrays) start the optimizer.
    reference : str, optional
        Default: the model with the fewest free parameters (first on ties).
    evidence : {"laplace", "nested"}
        ``"nested"`` adds dynesty's ``ln Z`` and error (:func:`nested_evidence`) beside the
        Laplace one; it needs Problems (not bare ModelFits).
    nested : dict, optional
        Options for :func:`nested_evidence` (``nlive``, ``dlogz``, ``seed``).
    num_starts, seed
        Passed to :func:`~hicosmo_nb.compare.maximize`.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        Fewer than two models, an unknown reference or evidence method, a model of another type,
        or models on different data.

    Warns
    -----
    UserWarning
        For each model not nested with the reference (its significance is None).
    """
    if not isinstance(models, Mapping) or len(models) < 2:
        raise ValueError(f"compare needs a dict of at least two models, got {models!r}")
    if evidence not in EVIDENCE_METHODS:
        raise ValueError(f"evidence must be one of {EVIDENCE_METHODS}, got {evidence!r}")
    fits, problems = {}, {}
    for name, model in models.items():
        draws = None
        if isinstance(model, tuple) and len(model) == 2:
            model, draws = model
        if isinstance(model, ModelFit):
            fits[name] = model._replace(name=name)
            continue
        if not isinstance(model, (Problem, Maximizer)):
            raise ValueError(f"models[{name!r}] must be a Problem, (Problem, draws), Maximizer or "
                             f"ModelFit; got {type(model).__name__}")
        problems[name] = model if isinstance(model, Problem) else model.problem
        fits[name] = maximize(model, draws=draws, num_starts=num_starts, seed=seed, name=name)
    if evidence == "nested" and len(problems) < len(fits):
        raise ValueError("evidence='nested' needs a Problem for every model (ModelFits carry no likelihood)")
    data = {name: sorted(leaf.name for leaf in p.likelihood.leaves) for name, p in problems.items()}
    if len({tuple(d) for d in data.values()}) > 1:
        raise ValueError(f"models must be fitted to the same data; got {data}")
    if reference is None:
        reference = min(fits, key=lambda n: fits[n].k)
    elif reference not in fits:
        raise ValueError(f"reference {reference!r} is not one of the models {list(fits)}")
    evid = {}
    if evidence == "nested":
        evid = {n: nested_evidence(p, **dict(nested or {})) for n, p in problems.items()}
    ref = fits[reference]
    ref_ev = evid.get(reference)
    rows = {}
    for name, f in fits.items():
        dof, note = (0, "") if name == reference else _nesting(
            ref, f, problems[name].priors if name in problems else None)
        if note.startswith("not nested"):
            warnings.warn(f"compare: model {name!r} {note}", UserWarning, stacklevel=2)
        d = ref.chi2 - f.chi2
        ev = evid.get(name)
        if ev is not None:
            lnb, lnb_err = ev.log_z - ref_ev.log_z, math.hypot(ev.log_z_err, ref_ev.log_z_err)
        else:
            lnb, lnb_err = f.log_z_laplace - ref.log_z_laplace, None
        rows[name] = ModelRow(
            name=name, k=f.k, chi2=f.chi2, aic=aic(f.loglike_max, f.k), bic=bic(f.loglike_max, f.k, f.n_data),
            log_z_laplace=f.log_z_laplace, log_z=None if ev is None else ev.log_z,
            log_z_err=None if ev is None else ev.log_z_err, delta_chi2=d, dof=dof,
            sigma=sigma_from_chi2(d, dof) if dof else None, ln_bayes_factor=lnb,
            ln_bayes_factor_err=lnb_err, note=note, fit=f, evidence=ev)
    return Comparison(rows=rows, reference=reference, evidence=evidence)

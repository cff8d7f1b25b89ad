"""Convergence diagnostics via ArviZ, and warnings that say what to do.

:func:`compute_diagnostics` collects rank-normalized split R-hat, bulk and tail ESS (ArviZ),
divergences, E-BFMI per chain and tree-depth saturation from a DataTree. :func:`problems`
turns them into advice naming the worst parameters; :func:`warn_problems` emits each piece as a
:class:`ConvergenceWarning`.

Examples
--------
>>> import numpy as np
>>> from arviz_base import from_dict
>>> rng = np.random.default_rng(0)
>>> dt = from_dict({"posterior": {"x": rng.normal(size=(4, 500))},
...                 "sample_stats": {"energy": rng.normal(size=(4, 500)),
...                                  "diverging": np.zeros((4, 500), bool)}})
>>> d = compute_diagnostics(dt)
>>> d["rhat"]["x"] < 1.01, d["divergences"]
(True, 0)
"""

from __future__ import annotations

import importlib
import sys
import threading
import warnings
from typing import Any, Mapping

import numpy as np

from .._warnings import warn

__all__ = ["ConvergenceWarning", "compute_diagnostics", "preload_stats", "problems", "warn_problems",
           "PriorDominatedWarning", "PRIOR_DOMINATED_RATIO", "prior_dominated", "warn_prior_dominated",
           "UNCONSTRAINED_INFO", "unconstrained", "warn_unconstrained"]

_REPARAM = ("reparametrize with better-constrained combinations (e.g. omega_m = Omega_m h^2 "
            "instead of Omega_m, or h*r_d instead of H0 and r_d)")


def preload_stats(stats: bool = True) -> None:
    """Import ArviZ in a background thread: ``arviz_stats`` (~1.5 s), or with ``stats=False``
    only ``arviz_base`` and xarray, which every :class:`~.results.Result` holds.

    :func:`~hicosmo_nb.inference.run_nuts` calls this first, so the import overlaps the MAP
    search and the sampling (which run in compiled code, without the GIL) instead of delaying
    the first result; the result and :func:`compute_diagnostics` then find the modules imported.
    """
    name = "arviz_stats" if stats else "arviz_base"
    if name not in sys.modules:
        threading.Thread(target=importlib.import_module, args=(name,), daemon=True).start()


class ConvergenceWarning(UserWarning):
    """The chains show signs of not having converged or of biased exploration."""


def _per_var(ds) -> dict[str, float]:
    return {k: float(np.asarray(v)) for k, v in ds.data_vars.items()}


def compute_diagnostics(dt, *, max_tree_depth: int | None = None) -> dict[str, Any]:
    """Diagnostics of a sampled DataTree (posterior + sample_stats).

    Returns
    -------
    dict
        ``rhat``, ``ess_bulk``, ``ess_tail`` (dicts name -> float), ``num_draws`` (total),
        ``divergences`` (int), ``ebfmi`` (list per chain), ``treedepth_hits`` (int, or None).
    """
    import arviz_stats as az  # the ArviZ 1.x statistics package (az.rhat is arviz_stats.rhat)

    post = dt["posterior"]
    n_chain, n_draw = post.sizes["chain"], post.sizes["draw"]
    out: dict[str, Any] = {"num_chains": int(n_chain), "num_draws": int(n_chain * n_draw)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # R-hat compares chains: with one chain it is undefined (problems() says so), not NaN
        out["rhat"] = _per_var(az.rhat(dt).dataset) if n_chain >= 2 and n_chain * n_draw >= 8 else {}
        out["ess_bulk"] = _per_var(az.ess(dt, method="bulk").dataset)
        out["ess_tail"] = _per_var(az.ess(dt, method="tail").dataset)
    stats = dt["sample_stats"] if "sample_stats" in dt.children else None
    out["divergences"] = int(np.asarray(stats["diverging"]).sum()) if stats is not None and "diverging" in stats else 0
    out["ebfmi"] = []
    if stats is not None and "energy" in stats and n_draw > 2:
        out["ebfmi"] = [float(x) for x in np.asarray(az.bfmi(dt)["energy"])]
    out["treedepth_hits"] = None
    if stats is not None and max_tree_depth is not None and "tree_depth" in stats:
        out["treedepth_hits"] = int((np.asarray(stats["tree_depth"]) >= max_tree_depth).sum())
    return out


def _worst(d: dict[str, Any], k: int = 3) -> str:
    names = sorted(d["ess_bulk"], key=lambda n: d["ess_bulk"][n])[:k]
    return ", ".join(f"{n} (" + (f"R-hat {d['rhat'][n]:.3f}, " if n in d["rhat"] else "")
                     + f"bulk ESS {d['ess_bulk'][n]:.0f})" for n in names)


def problems(d: dict[str, Any], *, rhat_max: float = 1.01, ess_min: float = 400.0,
             ebfmi_min: float = 0.3) -> list[str]:
    """Advice for each failed check (empty list when everything passes)."""
    msgs = []
    if d.get("num_chains", 2) < 2:
        msgs.append(f"R-hat needs >= 2 chains and this run has {d['num_chains']}, so convergence "
                    "was not checked across chains: run num_chains=4 (chains are cheap on one "
                    "device) before trusting the result.")
    bad_r = sorted(((v, n) for n, v in d["rhat"].items() if not v <= rhat_max), reverse=True)
    if bad_r:
        names = ", ".join(f"{n} ({v:.3f})" for v, n in bad_r)
        msgs.append(f"R-hat > {rhat_max} for {names}: the chains disagree. Run longer "
                    f"(more num_warmup and num_samples), use dense_mass=True, {_REPARAM}, or "
                    "tighten the priors.")
    low = sorted((min(d["ess_bulk"][n], d["ess_tail"][n]), n) for n in d["ess_bulk"]
                 if not min(d["ess_bulk"][n], d["ess_tail"][n]) >= ess_min)
    if low:
        names = ", ".join(f"{n} (bulk {d['ess_bulk'][n]:.0f}, tail {d['ess_tail'][n]:.0f})" for _, n in low)
        msgs.append(f"effective sample size below {ess_min:.0f} for {names}: draws are strongly "
                    "autocorrelated or too few. Draw more (num_samples), use dense_mass=True for "
                    f"correlated parameters, or {_REPARAM}.")
    if d["divergences"]:
        rate = d["divergences"] / max(d["num_draws"], 1)
        msgs.append(f"{d['divergences']} divergent transitions after warmup ({100 * rate:.2g}% of "
                    "draws): NUTS cannot follow the posterior somewhere, so draws may be biased. "
                    f"Raise target_accept (e.g. 0.95), use more num_warmup, dense_mass=True, {_REPARAM}, "
                    f"or tighten priors. Worst-mixing parameters: {_worst(d)}.")
    bad_e = [(i, v) for i, v in enumerate(d["ebfmi"]) if v < ebfmi_min]
    if bad_e:
        chains = ", ".join(f"chain {i} ({v:.2f})" for i, v in bad_e)
        msgs.append(f"E-BFMI below {ebfmi_min} in {chains}: the energy is explored poorly (heavy "
                    f"tails or funnels). Use dense_mass=True, {_REPARAM}, or tighten the priors. "
                    f"Worst-mixing parameters: {_worst(d)}.")
    if d.get("treedepth_hits"):
        msgs.append(f"{d['treedepth_hits']} iterations hit the maximum tree depth: raise "
                    f"max_tree_depth or use dense_mass=True / {_REPARAM}.")
    return msgs


# Advice to drop when the run already used a dense mass matrix (in this order).
_DENSE_ADVICE = (("use dense_mass=True for correlated parameters, or ", "or "), ("use dense_mass=True, ", ""),
                 ("Use dense_mass=True, r", "R"), ("or use dense_mass=True / ", "or "), ("dense_mass=True, ", ""))


def warn_problems(d: dict[str, Any], *, dense_mass: bool = False,
                  **thresholds) -> list[str]:
    """Emit one :class:`ConvergenceWarning` per problem; returns the messages.

    ``dense_mass=True`` (the settings of the run) drops the advice to use a dense mass matrix.
    """
    msgs = problems(d, **thresholds)
    for old, new in _DENSE_ADVICE if dense_mass else ():
        msgs = [m.replace(old, new) for m in msgs]
    for m in msgs:
        warn(m, ConvergenceWarning)
    return msgs


# ------------------------------------------------------------------------ prior-dominated posteriors
class PriorDominatedWarning(UserWarning):
    """A marginal posterior is mostly the prior: the data barely constrain the parameter."""


# Posterior sd / prior sd above which a parameter counts as prior-dominated. For a Gaussian prior
# (sd s_p) times a Gaussian likelihood (sd s_L) the posterior precision is s_p^-2 + s_L^-2, so the
# ratio is sqrt(prior precision / posterior precision): above sqrt(1/2) the prior supplies more
# than half of the information (the data are weaker than the prior).
PRIOR_DOMINATED_RATIO = float(np.sqrt(0.5))


def _prior_sd(prior) -> float:
    import jax.numpy as jnp

    return float(jnp.sqrt(prior.distribution().variance))


def prior_dominated(samples: Mapping[str, np.ndarray], priors: Mapping[str, Any], *,
                    ratio: float = PRIOR_DOMINATED_RATIO) -> list[str]:
    """Messages for the parameters whose posterior sd exceeds ``ratio`` times the prior sd.

    Parameters
    ----------
    samples : mapping
        ``{name: draws}`` of any shape (e.g. ``Result.samples``, ``(chain, draw)``).
    priors : mapping
        ``{name: Prior}`` (:mod:`hicosmo_nb.inference.priors`); parameters without a prior
        or without samples are skipped.
    ratio : float
        Threshold on posterior sd / prior sd (default :data:`PRIOR_DOMINATED_RATIO` = 0.71:
        the prior supplies more than half of the posterior precision).

    Returns
    -------
    list of str
        One message per prior-dominated parameter (empty when the data dominate).

    Examples
    --------
    >>> import numpy as np
    >>> from hicosmo_nb.inference.priors import Uniform
    >>> draws = np.random.default_rng(0).uniform(20, 120, 4000)  # the posterior is the prior
    >>> prior_dominated({"H0": draws}, {"H0": Uniform(20.0, 120.0)})[0][:44]
    'H0 = 69.7 +- 29 is dominated by its prior Un'
    """
    if not 0 < ratio:
        raise ValueError(f"ratio must be > 0, got {ratio!r}")
    msgs = []
    for name, prior in priors.items():
        if name not in samples:
            continue
        x = np.asarray(samples[name], dtype=np.float64).ravel()
        x = x[np.isfinite(x)]
        if x.size < 2:
            continue
        sd_post, sd_prior = float(np.std(x, ddof=1)), _prior_sd(prior)
        if np.isfinite(sd_prior) and sd_prior > 0 and sd_post > ratio * sd_prior:
            msgs.append(f"{name} = {np.mean(x):.3g} +- {sd_post:.2g} is dominated by its prior "
                        f"{prior} (posterior sd / prior sd = {sd_post / sd_prior:.2f} > {ratio:.2f}): "
                        "the data barely constrain it, so the interval reflects the prior. Add "
                        "data that break the degeneracy, or report a better-constrained "
                        "combination (e.g. h*r_d instead of H0 and r_d).")
    return msgs


def warn_prior_dominated(samples: Mapping[str, np.ndarray], priors: Mapping[str, Any], *,
                         ratio: float = PRIOR_DOMINATED_RATIO) -> list[str]:
    """Emit one :class:`PriorDominatedWarning` per :func:`prior_dominated` message; returns them."""
    msgs = prior_dominated(samples, priors, ratio=ratio)
    for m in msgs:
        warn(m, PriorDominatedWarning)
    return msgs


# Information below this (Fisher diagonal times the prior variance, i.e. (prior sd / conditional
# error)^2) means the data do not constrain a free parameter: its error with every other
# parameter held would exceed 4.5 prior sd, so its posterior is its prior. Measured (central
# differences over one prior sd, registry priors): H0 with DESI DR2 BAO and rd="free" 0.0056
# (only the radiation density depends on h), H0 with Union3 (M marginalized) 0.012, Omega_b
# with cc 0; the constrained parameters of the tests and notebooks are far above 1.
UNCONSTRAINED_INFO = 0.05
_SCREEN = 10.0  # observed curvature above _SCREEN x the threshold: constrained, no closer look


def _leaf_information(leaf, theory, chol, point: dict, name: str, step: float) -> float:
    """Fisher diagonal x step^2 of one likelihood leaf from central differences over +-step:
    the expected ``|C^-1/2 d(theory)|^2`` for Gaussian leaves (``theory`` jitted, ``chol`` the
    covariance's Cholesky factor), else the observed curvature."""
    up, down = ({**point, name: point[name] + s * step} for s in (1.0, -1.0))
    if leaf.is_gaussian:
        diff = 0.5 * (np.asarray(theory(up)) - np.asarray(theory(down)))
        if not np.all(np.isfinite(diff)):
            return np.inf
        white = np.linalg.solve(chol, diff)
        return float(white @ white)
    f0, fu, fd = (float(leaf.loglike(p)) for p in (point, up, down))
    return abs(fu + fd - 2.0 * f0) if np.all(np.isfinite([f0, fu, fd])) else np.inf


def unconstrained(problem) -> list[str]:
    """Messages for free parameters the data do not constrain, found before sampling.

    At the start point (registry defaults, else the prior's center; fixed values as given)
    each free parameter is moved by one prior sd either way, the others held, and its Fisher
    information in prior units is estimated from the change (the expected ``J^T C^-1 J`` of
    Gaussian likelihoods, the observed curvature of others; parameters whose observed curvature
    of the whole likelihood is far above the threshold are passed without that closer look). Below
    :data:`UNCONSTRAINED_INFO` the data leave it at its prior. Scale-invariant: steps in
    prior sd, information per prior variance. Parameters the likelihood never reads are
    caught earlier (:class:`~hicosmo_nb.inference.Problem`).

    Examples
    --------
    >>> from hicosmo_nb.facade import build_problem
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     pb = build_problem("LCDM", ["cc"], free=["H0", "Omega_m", "Omega_b"])
    >>> unconstrained(pb)[0][:60]
    "free parameter 'Omega_b' is not constrained by likelihood 'c"
    """
    import jax
    import jax.numpy as jnp

    from ..parameters import PARAMETERS

    start = {}
    for name, prior in problem.priors.items():
        lo, hi = prior.bounds
        default = PARAMETERS[name].default if name in PARAMETERS else None
        start[name] = default if default is not None and lo <= default <= hi else prior.center()
    point = {k: jnp.asarray(float(v)) for k, v in {**problem.fixed, **start}.items()}

    loglike_x = problem.loglike_x  # compiled once per problem (nested sampling shares it)

    def total(p):
        return float(loglike_x(np.array([float(p[n]) for n in problem.free])))

    f0 = float(total(point))
    if not np.isfinite(f0):
        return []  # no judgement at an unphysical start
    leaves = None  # per-leaf expected information: compiled only where the screen is inconclusive
    msgs = []
    for name, prior in problem.priors.items():
        step = _prior_sd(prior)
        if not (np.isfinite(step) and step > 0):
            continue
        # Screen: the observed curvature of the whole ln L (no new compilation) equals the
        # expected information for linear Gaussian parts; far above the threshold is constrained.
        # Its size: ln L is concave near its maximum, so the second difference is negative there.
        curv = abs(sum(float(total({**point, name: point[name] + s * step})) for s in (1.0, -1.0)) - 2 * f0)
        if np.isfinite(curv) and curv >= _SCREEN * UNCONSTRAINED_INFO:
            continue
        if leaves is None:
            leaves = [(leaf, jax.jit(leaf.theory), np.linalg.cholesky(np.asarray(leaf.cov)))
                      if leaf.is_gaussian else (leaf, None, None) for leaf in problem.likelihood.leaves]
        info = sum(_leaf_information(leaf, theory, chol, point, name, step)
                   for leaf, theory, chol in leaves if name in leaf.reads)
        if info < UNCONSTRAINED_INFO:
            hint = (" BAO with rd='free' measure hrd = h r_d, not H0: fix H0 (hrd carries h)."
                    if name == "H0" and "hrd" in problem.priors else "")
            msgs.append(
                f"free parameter {name!r} is not constrained by likelihood {problem.likelihood.name!r}: "
                f"its Fisher information at {name} = {start[name]:.6g} is {info:.2g} per prior variance "
                f"(< {UNCONSTRAINED_INFO}), so its posterior will be its prior {prior}. Fix it "
                f"(fixed={{{name!r}: value}}), give it an informative prior, or add data that "
                f"constrain it.{hint}")
    return msgs


def warn_unconstrained(problem) -> list[str]:
    """Emit one ``UserWarning`` per :func:`unconstrained` message; returns them."""
    msgs = unconstrained(problem)
    for m in msgs:
        warn(m)
    return msgs

"""Starting points for the chains: a MAP estimate plus small per-chain jitter, or user values.

Randomness comes only from the key passed in (never from the clock).

- **MAP**: BFGS (``scipy.optimize.minimize``) on ``-(log L + log prior)`` in the original
  parameters, moved in the unconstrained coordinates and driven by the compiled value and
  gradient (the problem's :meth:`~.problem.Problem.terms`, compiled once and shared with the
  sampler's initial state and with :func:`hicosmo_nb.compare.maximize`, whereas
  ``jax.scipy.optimize.minimize`` compiles a line search of its own). It starts from the
  registry defaults, else the prior centers, else the first valid of 32 prior draws.
- **Laplace metric**: the Hessian ``H`` of the potential at the MAP (central differences of the
  gradient) gives the jitter widths and, through ``H^-1`` (dense, or its diagonal), NUTS's
  initial inverse mass matrix, so the first warmup window already moves in well-scaled
  coordinates (NumPyro's windowed adaptation then re-estimates it; ``benchmarks/sampling.py``
  reports the warmup leapfrog steps this saves).
- **Jitter**: chain ``c`` starts at ``u_map + jitter * sigma * N(0, 1)`` with its own key
  ``fold_in(key, c)``; an invalid point is redrawn, and after 20 tries the chain starts at the
  MAP itself.

When no valid point exists, :func:`find_start` raises a ``ValueError`` that names the
parameter(s) involved and their prior bounds: it varies each parameter alone, first inside its
prior and then over a wider range, to see which one can make the posterior finite.

Examples
--------
>>> import jax, jax.numpy as jnp
>>> from hicosmo_nb.likelihoods.base import Likelihood
>>> from hicosmo_nb.inference import Problem, Uniform, sampler_for
>>> pb = Problem(Likelihood(lambda p: -0.5 * (p["x"] - 1.0) ** 2, ("x",)), {"x": Uniform(-5, 5)})
>>> s = sampler_for(pb, 100)
>>> z0, info = initial_positions(s, s.priors, key=jax.random.PRNGKey(0), num_chains=2)
>>> z0.shape, round(info["start"]["x"], 3)
((2, 1), 1.0)
"""

from __future__ import annotations

import math
import warnings
from typing import Mapping

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import minimize

from .. import _config  # noqa: F401  (float64)
from .._warnings import warn
from ..keys import fold_in
from ..parameters import PARAMETERS
from .kernel import chain_keys
from .priors import Prior

__all__ = ["initial_positions", "find_start"]

_MAX_REDRAWS = 20


def _jitter_normals(key: jax.Array, num_chains: int, dim: int) -> np.ndarray:
    """``(num_chains, redraws, dim)`` standard normals; chain ``c``'s from its own key
    ``fold_in(key, c)`` (:func:`~.kernel.chain_keys`, the program that gives the chains their keys),
    whose two words seed numpy's PCG64: so they depend on the key and ``c`` only, and a start
    compiles no normal sampler (``jax.random.normal``'s program took longer to compile than the
    whole jitter is worth)."""
    draws = [np.random.Generator(np.random.PCG64([int(w) for w in k])).standard_normal((_MAX_REDRAWS, dim))
             for k in chain_keys(key, num_chains)]
    return np.stack(draws)


def _inside(prior: Prior, x: float) -> bool:
    lo, hi = prior.bounds
    return lo < x < hi


def _describe(name: str, prior: Prior) -> str:
    lo, hi = prior.bounds
    return f"{name} (prior {prior!s} with bounds [{lo:g}, {hi:g}])"


def _grid(prior: Prior, wide: bool) -> np.ndarray:
    lo, hi = prior.bounds
    c = prior.center()
    if not wide:
        if math.isfinite(lo) and math.isfinite(hi):
            return lo + (hi - lo) * np.linspace(0.02, 0.98, 13)
        s = getattr(prior, "sigma", 1.0)
        g = c + s * np.linspace(-3, 3, 13)
        return g[(g > lo) & (g < hi)]
    span = max(abs(c), 1.0)
    return np.concatenate([c + span * np.array([-100, -10, -3, -1, -0.5, 0.5, 1, 3, 10, 100]),
                           [0.0, 1e-3, -1e-3]])


def _diagnose(sampler, priors: Mapping[str, Prior], point: dict) -> str:
    """Which single parameter, moved alone, makes the posterior (or likelihood) finite."""
    names = sampler.names
    dists = {n: priors[n].distribution() for n in names}

    @jax.jit
    def _logpost(v):
        ll = sampler.loglike(v)
        return ll, ll + sum(dists[k].log_prob(v[k]) for k in names)

    def logpost(vals, with_prior):
        ll, lpost = _logpost({k: jnp.asarray(x, dtype=jnp.float64) for k, x in vals.items()})
        return float(lpost if with_prior else ll)

    inside, outside = [], []
    for n in names:
        for x in _grid(priors[n], wide=False):
            if math.isfinite(logpost({**point, n: x}, True)):
                inside.append(f"moving {n} alone to {x:.6g} (inside its prior) gives a finite posterior")
                break
        else:
            lo, hi = priors[n].bounds
            for x in _grid(priors[n], wide=True):
                if not lo < x < hi and math.isfinite(logpost({**point, n: x}, False)):
                    outside.append(f"the likelihood is finite at {n}={x:.6g}, outside the prior of "
                                   f"{_describe(n, priors[n])}")
                    break
    if outside:
        return "; ".join(outside) + ": widen or move that prior"
    if inside:
        return "; ".join(inside)
    return "no single parameter fixes it; parameters and prior bounds: " + ", ".join(
        _describe(n, priors[n]) for n in names)


def _fmt(point: Mapping[str, float]) -> str:
    return "{" + ", ".join(f"{k}={v:.6g}" for k, v in point.items()) + "}"


def find_start(sampler, priors: Mapping[str, Prior], *, key, init=None) -> dict:
    """A valid starting point ``{name: value}`` (finite posterior), or a ``ValueError``.

    ``init`` (dict, optional) gives values for some or all parameters; missing ones start at
    the registry default when it lies inside the prior, else at the prior center.

    Raises
    ------
    ValueError
        If a given value is outside its prior, names a parameter that is not free, or no valid
        point exists (the message names the parameter(s) involved and their prior bounds).
    """
    names = sampler.names
    init = dict(init or {})
    extra = [k for k in init if k not in names]
    if extra:
        raise ValueError(f"init gives value(s) for {extra}, which are not free parameters {list(names)}")
    for k, v in init.items():
        if np.ndim(v) != 0:
            raise ValueError(f"init[{k!r}] must be a scalar here; got shape {np.shape(v)}")
        if not _inside(priors[k], float(v)):
            raise ValueError(f"init value {k}={float(v):g} lies outside the prior of {_describe(k, priors[k])}")

    def default(n):
        spec = PARAMETERS.get(n)
        return spec.default if spec is not None and _inside(priors[n], spec.default) else priors[n].center()

    def valid(cands):
        vals = {n: np.array([c[n] for c in cands]) for n in names}
        us = np.asarray(sampler.unconstrain(vals))
        return next((c for c, u in zip(cands, us) if math.isfinite(sampler.value_and_grad(u)[0])), None)

    candidates = [{n: float(init.get(n, default(n))) for n in names}]
    found = valid(candidates)  # usually the registry defaults: no prior draws needed
    if found is not None:
        return found
    if not init:
        more = [{n: float(priors[n].center()) for n in names}]
        keys = jax.random.split(fold_in(key, "init/prior_draws"), len(names))
        draws = {n: np.asarray(priors[n].distribution().sample(k, (32,))) for n, k in zip(names, keys)}
        more += [{n: float(draws[n][i]) for n in names} for i in range(32)]
        found = valid(more)
        if found is not None:
            return found
        candidates += more
    what = "the given init" if init else (f"{len(candidates)} points (registry defaults, prior centers, "
                                          "prior draws)")
    raise ValueError(
        f"no valid starting point: the log-posterior is -inf or NaN at {what}, e.g. at "
        f"{_fmt(candidates[0])}. {_diagnose(sampler, priors, candidates[0])}."
    )


def _laplace_hessian(sampler, u: np.ndarray) -> np.ndarray:
    """Hessian of the potential at ``u`` from central differences of its (compiled) gradient."""
    d = u.size
    h = 1e-4 * np.maximum(1.0, np.abs(u))
    hess = np.empty((d, d))
    for i in range(d):
        e = np.zeros(d)
        e[i] = h[i]
        hess[:, i] = (sampler.value_and_grad(u + e)[1] - sampler.value_and_grad(u - e)[1]) / (2 * h[i])
    return 0.5 * (hess + hess.T)


def _laplace_metric(hess: np.ndarray, dense: bool):
    """Jitter widths and initial inverse mass matrix from the Laplace covariance ``H^-1``.

    Where ``H`` is not positive definite, widths fall back to ``1/sqrt(H_ii)`` (0.1 where
    ``H_ii <= 0``) and the mass matrix to NumPyro's identity (returned as None).
    """
    diag = np.diag(hess)
    ok = np.isfinite(diag) & (diag > 0)
    sigma = np.where(ok, 1.0 / np.sqrt(np.where(ok, diag, 1.0)), 0.1)
    if not np.all(np.isfinite(hess)):
        return sigma, None
    try:
        np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return sigma, None
    cov = np.linalg.inv(hess)
    cov = 0.5 * (cov + cov.T)
    return np.sqrt(np.diag(cov)), (cov if dense else np.diag(cov))


def initial_positions(
    sampler,
    priors: Mapping[str, Prior],
    *,
    key: jax.Array,
    num_chains: int,
    init: str | Mapping | None = "map",
    jitter: float = 0.5,
) -> tuple[np.ndarray, dict]:
    """Unconstrained starting positions ``(num_chains, d)`` and a record of how they were found.

    Parameters
    ----------
    sampler : Sampler
        From :func:`~hicosmo_nb.inference.kernel.build_sampler`.
    priors : dict name -> Prior
    key : jax key
        Source of the prior draws and the jitter.
    num_chains : int
    init : "map", dict or None
        ``"map"`` (default): BFGS MAP then jitter. A dict ``{name: value}``: start there (plus
        jitter; pass ``jitter=0`` for exact starts); values may also be arrays of shape
        ``(num_chains,)`` giving each chain's start (no jitter).
    jitter : float
        Jitter scale in Laplace standard deviations.

    Returns
    -------
    z0 : numpy array (num_chains, d)
    info : dict
        ``method``, ``start`` (constrained centre point), ``map_success``, ``map_neg_log_post``,
        ``inverse_mass_matrix`` (Laplace covariance for NUTS's initial metric, or None).
    """
    if not (isinstance(jitter, (int, float)) and math.isfinite(jitter) and jitter >= 0):
        raise ValueError(f"init_jitter must be a finite number >= 0; got {jitter!r}")
    names = sampler.names

    def pot(u):
        return sampler.value_and_grad(u)[0]

    if isinstance(init, Mapping) and any(np.ndim(v) > 0 for v in init.values()):
        if set(init) != set(names):
            raise ValueError(f"per-chain init must give every free parameter {list(names)}; got {list(init)}")
        vals = {}
        for n in names:
            arr = np.asarray(init[n], dtype=np.float64)
            if arr.shape != (num_chains,):
                raise ValueError(f"init[{n!r}] has shape {arr.shape}; expected ({num_chains},) or a scalar")
            bad = [float(x) for x in arr if not _inside(priors[n], float(x))]
            if bad:
                raise ValueError(f"init values {bad} for {_describe(n, priors[n])} lie outside the prior")
            vals[n] = arr
        z0 = np.asarray(jax.vmap(sampler.unconstrain)(vals))
        for c in range(num_chains):
            if not math.isfinite(pot(z0[c])):
                point = {n: float(vals[n][c]) for n in names}
                raise ValueError(f"init for chain {c} {_fmt(point)} has a -inf posterior. "
                                 f"{_diagnose(sampler, priors, point)}.")
        return z0, {"method": "per-chain user values", "inverse_mass_matrix": None}
    if init is not None and not isinstance(init, (str, Mapping)) or isinstance(init, str) and init != "map":
        raise ValueError(f"init must be 'map', a dict of values, or None; got {init!r}")
    user = isinstance(init, Mapping)
    start = find_start(sampler, priors, key=key, init=init if user else None)
    u0 = np.asarray(sampler.unconstrain(start))
    info = {"method": "user values" if user else "map", "start": start}
    if not user:
        f0 = sampler.value_and_grad(u0, map_objective=True)[0]
        with warnings.catch_warnings():  # line-search steps into -inf regions are expected
            warnings.simplefilter("ignore", RuntimeWarning)
            res = minimize(lambda u: sampler.value_and_grad(u, map_objective=True), u0, jac=True,
                           method="BFGS", options={"maxiter": 1000, "gtol": 1e-6})
        ok = (bool(np.all(np.isfinite(res.x))) and math.isfinite(res.fun) and res.fun <= f0
              and math.isfinite(pot(res.x)))
        info.update(map_success=bool(res.success), map_neg_log_post=float(res.fun) if ok else f0,
                    map_evaluations=int(res.nfev))
        if not ok:
            warn(f"the MAP search (BFGS) failed ({res.message}); chains start around "
                 f"{_fmt(start)} instead. Pass init={{...}} to choose the start.")
        else:
            u0 = np.asarray(res.x)
            info["start"] = {k: float(v) for k, v in sampler.constrain(jnp.asarray(u0)).items()}
    sigma, inv_mass = _laplace_metric(_laplace_hessian(sampler, u0), sampler.settings["dense_mass"])
    info["inverse_mass_matrix"] = None if inv_mass is None else inv_mass.tolist()
    sigma = jitter * sigma
    # chain c's jitter depends on c only (not on num_chains): fold_in(jitter_key, c)
    eps = np.swapaxes(_jitter_normals(fold_in(key, "init/jitter"), num_chains, len(names)), 0, 1)
    z0 = np.repeat(u0[None], num_chains, axis=0)
    if jitter > 0:
        done = np.zeros(num_chains, dtype=bool)
        for attempt in range(_MAX_REDRAWS):
            trial = u0[None] + sigma[None] * eps[attempt]
            for c in np.flatnonzero(~done):
                if math.isfinite(pot(trial[c])):
                    z0[c], done[c] = trial[c], True
            if done.all():
                break
        info["jitter_failed_chains"] = [int(i) for i in np.flatnonzero(~done)]
    info["jitter_sigma"] = [float(x) for x in sigma]
    return z0, info

"""Best fits of a :class:`~hicosmo_nb.inference.Problem`: maximum likelihood from several starts,
the posterior mode and its Laplace (Gaussian) evidence.

A :class:`Maximizer` holds the compiled objective of one problem (value and gradient of
``ln L`` and of ``ln prior``, in the sampler's unconstrained coordinates, so the prior bounds hold
by construction); build it once and call :func:`maximize` as often as you like, e.g. from a
dashboard. The maximum is a real optimization (scipy L-BFGS-B with JAX gradients) from several
starts, drawn from the posterior draws when given, never the best draw itself. The likelihood is
compiled once, with its gradient and the prior's terms: the problem's own program
(:meth:`Problem.terms <hicosmo_nb.inference.Problem.terms>`), which a sampler of the same problem
shares. The Laplace Hessian is differenced from that gradient (:func:`hessian_from_gradient`), so
a fit compiles no second copy of the likelihood and no ``jax.hessian`` of it.

Laplace evidence at the posterior mode ``x*`` with ``Sigma = [-grad grad (ln L + ln pi)]^-1``::

    ln Z ~ ln L(x*) + ln pi(x*) + (k/2) ln(2 pi) + (1/2) ln det Sigma

exact for a linear-Gaussian model whose prior is wide (or Gaussian).

Examples
--------
>>> from hicosmo_nb.likelihoods import gaussian
>>> from hicosmo_nb.inference import Problem, Uniform
>>> lk = gaussian([1.0], [[0.01]], lambda p: p["a"][None], param_names=("a",), name="toy")
>>> fit = maximize(Problem(lk, {"a": Uniform(-10.0, 10.0)}))
>>> round(fit.best["a"], 6), round(fit.chi2, 6)
(1.0, 0.0)
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Mapping, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401  (float64)
from ..inference import Problem

__all__ = ["Maximizer", "ModelFit", "build_maximizer", "maximize", "n_data", "hessian_from_gradient",
           "posterior_u"]

FD_STEP = 1e-5  # central-difference step of hessian_from_gradient, in unconstrained coordinates


class Maximizer(NamedTuple):
    """Compiled pieces of one problem (see the module docstring); build with :func:`build_maximizer`."""

    problem: Problem
    loglike_u: Callable        # u -> (ln L, d ln L / du), from a compiled program
    logpost_u: Callable        # u -> (ln L + ln pi(x), gradient), from the same program
    loglike_x: Callable        # x vector -> ln L (jitted; compiled on its first call)
    log_prior_x: Callable      # x vector -> ln pi(x) (density in x)
    to_u: Callable             # {name: value} -> u
    to_x: Callable             # u -> x vector
    hessian_x: Callable        # x vector -> Hessian of ln L + ln pi(x) (build_maximizer: exact,
                               # jax.hessian compiled on its first call; maximize does not use it)


class ModelFit(NamedTuple):
    """Best fit of one model.

    Attributes
    ----------
    name : str
    free : tuple of str
        Free parameters (``k = len(free)``).
    best : dict
        Maximum-likelihood point (free parameters).
    loglike_max : float
        ``ln L`` there. ``chi2 = -2 ln L_max - chi2_offset`` (the data normalization of the
        Gaussian likelihoods, when they all declare it; else 0): differences between models on
        the same data never depend on it.
    chi2 : float
    mode : dict
        Posterior mode (equal to ``best`` under flat priors that do not cut the peak).
    cov : ndarray (k, k)
        Laplace covariance at the mode (inverse Hessian of ``-(ln L + ln pi)``).
    log_z_laplace : float
        Laplace evidence (module docstring).
    n_data : int or None
        Number of data points (for BIC), None when a likelihood does not say.
    starts : int
        Optimizer starts that converged to a finite value.
    spread : float
        ``max - min`` of ``ln L`` over those starts (large: several optima).
    fixed : dict
        The problem's fixed values.
    """

    name: str
    free: tuple
    best: dict
    loglike_max: float
    chi2: float
    mode: dict
    cov: np.ndarray
    log_z_laplace: float
    n_data: int | None
    starts: int
    spread: float
    fixed: dict

    @property
    def k(self) -> int:
        return len(self.free)

    @property
    def sigma(self) -> dict:
        """Laplace standard deviations of the free parameters."""
        return dict(zip(self.free, np.sqrt(np.diag(self.cov)).tolist()))


def n_data(likelihood) -> int | None:
    """Sum of ``metadata["n_data"]`` over the likelihood's leaves (None if one lacks it)."""
    counts = [leaf.metadata.get("n_data") for leaf in likelihood.leaves]
    return None if any(c is None for c in counts) else int(sum(counts))


def _chi2_offset(likelihood) -> float:
    offsets = [leaf.metadata.get("chi2_offset") for leaf in likelihood.leaves]
    return 0.0 if any(o is None for o in offsets) else float(sum(offsets))


def build_maximizer(problem: Problem) -> Maximizer:
    """Compile the objectives of ``problem`` (once; reuse the result for many fits).

    Raises
    ------
    ValueError
        ``problem`` is not a :class:`~hicosmo_nb.inference.Problem`.
    """
    if not isinstance(problem, Problem):
        raise ValueError(f"build_maximizer needs an inference.Problem, got {type(problem).__name__}")
    names = problem.free
    transform = problem.transform
    dists = [problem.priors[n].distribution() for n in names]
    loglike_x = problem.loglike_x  # the problem's value-only program (its check's and nested sampling's)

    def log_prior_x(x):
        return sum(d.log_prob(x[i]) for i, d in enumerate(dists))

    def to_x(u):
        c = transform.constrain(u)
        return jnp.stack([c[n] for n in names])

    # ln L, ln pi and their gradients in u from the problem's one compiled program
    # (Problem.terms, which a sampler of the same problem shares): ln pi(x(u)) is the transform's
    # log_prior(u) less its log_jacobian(u).
    def loglike_u(u):
        t = problem.terms(u=u)
        return float(t.loglike), t.dx_du * t.grad

    def logpost_u(u):
        t = problem.terms(u=u)
        (lp, lj), (glp, glj) = t.prior, t.prior_grad
        return float(t.loglike) + float(lp - lj), t.dx_du * t.grad + glp - glj

    return Maximizer(
        problem=problem, loglike_u=loglike_u, logpost_u=logpost_u,
        loglike_x=loglike_x, log_prior_x=jax.jit(log_prior_x),
        to_u=lambda values: np.asarray(transform.unconstrain(values), dtype=float),
        to_x=jax.jit(to_x), hessian_x=jax.jit(jax.hessian(lambda x: loglike_x(x) + log_prior_x(x))))


def posterior_u(loglike_u: Callable, log_prior_u: Callable) -> Callable:
    """``u -> (ln L + ln pi, gradient)`` from the two compiled ``value_and_grad`` functions:
    the posterior needs no program of its own (the prior's is small)."""

    def logpost_u(u):
        (v, g), (pv, pg) = loglike_u(u), log_prior_u(u)
        return v + pv, g + pg

    return logpost_u


def hessian_from_gradient(value_and_grad_u: Callable, to_x: Callable, u, *, step: float = FD_STEP) -> np.ndarray:
    """The Hessian in ``x`` of ``f``, from the compiled gradient of ``f(x(u))`` in the sampler's
    unconstrained coordinates ``u``: central differences, nothing new to compile.

    With the elementwise transform ``x_i(u_i)`` of the priors,
    ``d2f/du_i du_j = x'_i H_ij x'_j + delta_ij g_i x''_i`` with ``g = df/dx = (df/du) / x'``;
    ``x'`` and ``d2f/du2`` are differences of ``to_x`` and of the exact gradient with steps
    ``step`` in ``u``, ``x''`` (which only matters away from the mode) with steps ``10 step``. The relative error is about ``(step / sigma_u)^2`` (``sigma_u`` the
    posterior width in ``u``, ~1e-2 or more for the registry's priors) plus rounding ~1e-10.
    A compiled ``jax.hessian`` of a joint likelihood costs as much memory as the rest of a fit
    (it kept ~80 MB per dataset combination) and about twice the gradient's compile time,
    which is why :func:`maximize` uses this.

    Parameters
    ----------
    value_and_grad_u : callable
        ``u -> (f, df/du)``.
    to_x : callable
        ``u -> x`` (vector).
    u : array (d,)

    Returns
    -------
    numpy.ndarray (d, d)
        Symmetric.

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> f = lambda x: -0.5 * (x[0] ** 2 / 4.0 + (x[1] - x[0]) ** 2)   # Gaussian in x
    >>> to_x = lambda u: jnp.stack([u[0], jnp.exp(u[1])])            # x_1 = exp(u_1) > 0
    >>> vg = jax.value_and_grad(lambda u: f(to_x(u)))
    >>> h = hessian_from_gradient(vg, to_x, jnp.array([0.3, -0.2]))
    >>> bool(jnp.allclose(h, jax.hessian(f)(to_x(jnp.array([0.3, -0.2]))), rtol=1e-7))
    True
    """
    u = np.asarray(u, dtype=np.float64)
    d = u.size
    steps = np.eye(d) * step
    x_at = lambda v: np.asarray(to_x(jnp.asarray(v)), dtype=np.float64)  # noqa: E731
    g_at = lambda v: np.asarray(value_and_grad_u(jnp.asarray(v))[1], dtype=np.float64)  # noqa: E731
    xp, xm = np.array([x_at(u + s) for s in steps]), np.array([x_at(u - s) for s in steps])
    dx = np.diag(xp - xm) / (2.0 * step)  # x'_i
    # x''_i: a second difference needs a wider step against rounding
    xp, xm = np.array([x_at(u + 10.0 * s) for s in steps]), np.array([x_at(u - 10.0 * s) for s in steps])
    ddx = (np.diag(xp) - 2.0 * x_at(u) + np.diag(xm)) / (10.0 * step) ** 2
    h_u = (np.array([g_at(u + s) for s in steps]) - np.array([g_at(u - s) for s in steps])) / (2.0 * step)
    h_u = 0.5 * (h_u + h_u.T)
    h_u[np.diag_indices(d)] -= g_at(u) / dx * ddx
    return h_u / np.outer(dx, dx)


def _climb(fn: Callable, u0: np.ndarray) -> tuple[np.ndarray, float]:
    from scipy.optimize import minimize

    def neg(u):
        v, g = fn(jnp.asarray(u))
        v = float(v)
        if not math.isfinite(v):
            return 1e300, np.zeros_like(u)
        return -v, -np.asarray(g, dtype=float)

    res = minimize(neg, u0, jac=True, method="L-BFGS-B", options={"maxiter": 5000, "ftol": 1e-14,
                                                                 "gtol": 1e-9})
    return res.x, -float(res.fun)


def _start_points(problem: Problem, draws, num_starts: int, seed: int) -> list[dict]:
    names = problem.free
    rng = np.random.default_rng(seed)
    if draws is not None:
        flat = _flat_draws(draws, names)
        n = next(iter(flat.values())).size
        pick = rng.choice(n, size=min(num_starts, n), replace=False)
        return [{k: float(flat[k][i]) for k in names} for i in pick]
    starts = [{n: float(problem.priors[n].center()) for n in names}]
    key = jax.random.PRNGKey(seed)
    for i in range(num_starts - 1):
        sub = jax.random.fold_in(key, i)
        starts.append({n: float(problem.priors[n].distribution().sample(jax.random.fold_in(sub, j)))
                       for j, n in enumerate(names)})
    return starts


def _flat_draws(draws, names) -> dict[str, np.ndarray]:
    samples = draws.samples if hasattr(draws, "samples") else draws
    if not isinstance(samples, Mapping):
        raise ValueError(f"draws must be an inference.Result or a dict name -> array, got "
                         f"{type(draws).__name__}")
    missing = [n for n in names if n not in samples]
    if missing:
        raise ValueError(f"draws lack the free parameter(s) {missing}; they have {sorted(samples)}")
    return {n: np.asarray(samples[n], dtype=float).ravel() for n in names}


def maximize(problem: Problem | Maximizer, *, draws: Any = None, num_starts: int = 4, seed: int = 0,
             name: str | None = None) -> ModelFit:
    """Maximum likelihood, posterior mode and Laplace evidence of ``problem``.

    Parameters
    ----------
    problem : Problem or Maximizer
        A Maximizer (from :func:`build_maximizer`) skips recompilation.
    draws : Result or dict name -> array, optional
        Posterior draws; ``num_starts`` of them, picked at random, start the optimizer.
        Without draws: the prior centres, then random prior draws.
    num_starts : int
        Optimizer starts (the best converged one is kept).
    seed : int
        Picks the starts.
    name : str, optional
        Default: the likelihood's name.

    Returns
    -------
    ModelFit

    Raises
    ------
    ValueError
        Bad arguments, or no start reaches a finite likelihood.

    Warns
    -----
    UserWarning
        When the starts end on optima whose ``ln L`` differ by more than 0.1.
    """
    m = problem if isinstance(problem, Maximizer) else build_maximizer(problem)
    problem = m.problem
    if isinstance(num_starts, bool) or not isinstance(num_starts, int) or num_starts < 1:
        raise ValueError(f"num_starts must be a positive integer, got {num_starts!r}")
    names = problem.free
    found = []
    for start in _start_points(problem, draws, num_starts, seed):
        u0 = m.to_u(start)
        if not np.all(np.isfinite(u0)):
            continue
        u, value = _climb(m.loglike_u, u0)
        if math.isfinite(value):
            found.append((value, u))
    if not found:
        raise ValueError(f"no optimizer start reached a finite likelihood for {problem!r}; give draws= "
                         "or tighter priors")
    values = [v for v, _ in found]
    value, u_best = max(found, key=lambda t: t[0])
    spread = float(max(values) - min(values))
    if spread > 0.1:
        warnings.warn(f"{len(found)} optimizer starts of {problem.likelihood.name!r} end on optima whose "
                      f"ln L differ by {spread:.2f}: the best is kept; check for several modes",
                      UserWarning, stacklevel=2)
    x_best = np.asarray(m.to_x(jnp.asarray(u_best)))
    u_mode, logpost_mode = _climb(m.logpost_u, u_best)  # ln L + ln pi at x_mode = to_x(u_mode)
    x_mode = jnp.asarray(m.to_x(jnp.asarray(u_mode)))
    hess = hessian_from_gradient(m.logpost_u, m.to_x, u_mode)  # nothing new to compile
    cov = np.linalg.inv(-0.5 * (hess + hess.T))
    sign, logdet = np.linalg.slogdet(cov)
    k = len(names)
    log_z = logpost_mode + 0.5 * k * math.log(2 * math.pi) + (0.5 * logdet if sign > 0 else math.nan)
    return ModelFit(name=name or problem.likelihood.name, free=names,
                    best={n: float(x_best[i]) for i, n in enumerate(names)}, loglike_max=value,
                    chi2=-2.0 * value - _chi2_offset(problem.likelihood),
                    mode={n: float(x_mode[i]) for i, n in enumerate(names)}, cov=cov, log_z_laplace=log_z,
                    n_data=n_data(problem.likelihood), starts=len(found), spread=spread,
                    fixed=dict(problem.fixed))

"""Readouts of likelihoods for people: chi^2 per probe, maximum likelihood, why a point is unphysical.

- :func:`chi2_of` turns a :class:`~hicosmo_nb.likelihoods.Likelihood` into ``params -> chi^2``
  with ``chi^2 = -2 loglike - metadata["chi2_offset"]`` (the normalization dropped), so the
  number is the familiar residual sum (for an offset-marginalized SN set: ``a - b^2/e``).
  Unphysical points give ``+inf``.
- :func:`best_fit` maximizes a likelihood over chosen parameters inside box bounds
  (L-BFGS-B with exact JAX gradients, compiled once per likelihood and set of free names).
- :func:`unphysical_reason` says in a few words why :func:`hicosmo_nb.cosmology.is_physical`
  rejects a point (for messages in dashboards and error reports).

Examples
--------
>>> from hicosmo_nb import likelihoods
>>> from hicosmo_nb.likelihoods.readout import chi2_of, unphysical_reason
>>> lk = likelihoods.get("desi_dr2_bao", rd="free")
>>> round(float(chi2_of(lk)({"Omega_m": 0.2975, "hrd": 101.54})), 1)
10.3
>>> unphysical_reason({"H0": 70.0, "Omega_m": 0.05, "Omega_k": -0.55})[:19]
'no big bang: E(z)^2'
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from .. import cosmology
from ..cosmology.densities import e2_of_a, with_defaults
from ..parameters import PARAMETERS
from .base import Likelihood

__all__ = ["chi2_of", "best_fit", "unphysical_reason"]


def _offset(lk: Likelihood) -> float:
    """Sum of the leaves' ``chi2_offset`` (normalizations), 0 where a leaf has none."""
    return float(sum(leaf.metadata.get("chi2_offset", 0.0) for leaf in lk.leaves))


def chi2_of(likelihood: Likelihood) -> Callable[[Mapping], jax.Array]:
    """``params -> chi^2 = -2 loglike(params) - chi2_offset`` (``+inf`` where unphysical).

    The function is traceable (call it inside your own ``jax.jit`` to fuse several readouts into
    one compiled call) and returns a float64 scalar.

    Raises
    ------
    ValueError
        If ``likelihood`` is not a :class:`Likelihood`.
    """
    if not isinstance(likelihood, Likelihood):
        raise ValueError(f"chi2_of needs a Likelihood, got {type(likelihood).__name__}")
    offset = _offset(likelihood)
    fn = likelihood.loglike

    def chi2(params):
        ll = fn(params)
        return jnp.where(jnp.isfinite(ll), -2.0 * ll - offset, jnp.inf)

    return chi2


_SOLVERS: dict = {}  # (id of loglike, free names) -> jitted value_and_grad; weakly bounded below
_MAX_SOLVERS = 32


def best_fit(likelihood: Likelihood, start: Mapping[str, float], free: Sequence[str],
             bounds: Mapping[str, tuple[float, float]] | None = None) -> dict:
    """Maximum-likelihood point over ``free`` (the other entries of ``start`` stay fixed).

    Powell's method in the unit box scaled from ``bounds``, polished by L-BFGS-B with the exact
    JAX gradient (compiled once per likelihood and set of free names).

    Parameters
    ----------
    likelihood : Likelihood
    start : dict
        Starting values of every parameter passed to the likelihood.
    free : sequence of str
        Names (keys of ``start``) to optimize.
    bounds : dict, optional
        ``name -> (lower, upper)`` (finite); default: the registry ranges of
        :data:`hicosmo_nb.parameters.PARAMETERS`.

    Returns
    -------
    dict
        ``best`` (all of ``start`` with the free values replaced), ``chi2``, ``success``.

    Raises
    ------
    ValueError
        If a free name is not in ``start`` or the start point is unphysical.
    """
    free = tuple(free)
    missing = [k for k in free if k not in start]
    if missing:
        raise ValueError(f"best_fit: free parameter(s) {missing} missing from start {sorted(start)}")
    from scipy.optimize import minimize

    unknown = [k for k in free if k not in PARAMETERS and k not in (bounds or {})]
    if unknown:
        raise ValueError(f"best_fit: give bounds for {unknown} (not in the parameter registry)")
    bounds = dict(bounds or {})
    box = np.array([bounds.get(k, (PARAMETERS[k].lower, PARAMETERS[k].upper)) for k in free], dtype=float)
    lo, width = box[:, 0], box[:, 1] - box[:, 0]
    fixed = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in start.items() if k not in free}
    key = (id(likelihood.loglike), free, tuple(sorted(fixed)))
    if key not in _SOLVERS:
        if len(_SOLVERS) >= _MAX_SOLVERS:
            _SOLVERS.pop(next(iter(_SOLVERS)))
        chi2 = chi2_of(likelihood)

        def objective(x, fix):
            c = chi2({**fix, **{k: x[i] for i, k in enumerate(free)}})
            return jnp.where(jnp.isfinite(c), c, 1e30)

        _SOLVERS[key] = (jax.jit(jax.value_and_grad(objective)), likelihood)
    vg = _SOLVERS[key][0]

    def fun(u):  # u in the unit box: every direction has the same scale for L-BFGS-B
        v, g = vg(jnp.asarray(lo + u * width), fixed)
        g = np.asarray(g, dtype=float) * width
        return float(v), np.where(np.isfinite(g), g, 0.0)

    u0 = np.clip((np.array([float(start[k]) for k in free]) - lo) / width, 0.0, 1.0)
    if fun(u0)[0] >= 1e30:
        raise ValueError(f"best_fit: the start point is unphysical ({unphysical_reason(start)}); "
                         "start from a physical point")
    # Powell (derivative free) crosses the unphysical corners of the box safely; L-BFGS-B with
    # the exact gradient then polishes (alone it stalls when its first trial step is unphysical).
    box01 = [(0.0, 1.0)] * len(free)
    coarse = minimize(lambda u: fun(u)[0], u0, method="Powell", bounds=box01,
                      options={"xtol": 1e-6, "ftol": 1e-12, "maxfev": 4000})
    res = minimize(fun, coarse.x, jac=True, method="L-BFGS-B", bounds=box01,
                   options={"maxiter": 500, "ftol": 1e-15, "gtol": 1e-10})
    # L-BFGS-B may end with "abnormal termination in line search" at a minimum it cannot improve
    # to machine precision; the fit succeeded when either stage converged.
    success = bool(res.success or coarse.success)
    if res.fun > coarse.fun:
        res = coarse
    x = lo + res.x * width
    best = {**{k: float(v) for k, v in start.items()}, **{k: float(x[i]) for i, k in enumerate(free)}}
    return {"best": best, "chi2": float(res.fun), "success": success}


def unphysical_reason(params: Mapping[str, float], z_max: float = 1100.0) -> str:
    """A short human-readable reason why ``params`` is unphysical, or ``""`` if it is physical.

    Checks, in order: the parameter signs and ranges, ``Omega_b <= Omega_m``, ``E(z)^2 > 0`` up
    to ``z_max`` (else: no big bang, the universe bounces), and for closed space that light
    has not gone around the universe (``D_M`` still growing) by ``z_max``.
    """
    p = {k: float(v) for k, v in with_defaults(params).items() if k != "neutrino_hierarchy"}
    if not p["H0"] > 0:
        return f"H0 must be > 0 (got {p['H0']:g})"
    if p["Omega_m"] < 0:
        return f"Omega_m must be >= 0 (got {p['Omega_m']:g})"
    if p["Omega_b"] < 0 or p["Omega_b"] > p["Omega_m"]:
        return f"need 0 <= Omega_b <= Omega_m (got Omega_b = {p['Omega_b']:g}, Omega_m = {p['Omega_m']:g})"
    if p["m_nu"] < 0:
        return f"m_nu must be >= 0 (got {p['m_nu']:g})"
    s = np.linspace((1.0 + z_max) ** -0.5, 1.0, 512)
    e2 = np.asarray(e2_of_a(p, jnp.asarray(s * s)))
    if np.any(e2 <= 0):
        z_bad = float(1.0 / (s[np.argmax(e2 <= 0)] ** 2) - 1.0)
        return f"no big bang: E(z)^2 <= 0 at z = {z_bad:.3g} (the universe would bounce)"
    if bool(cosmology.is_physical(p, z_max)):
        return ""
    if p["Omega_k"] < 0:
        return "closed universe: light has gone around it (D_M stops growing) before z = " \
               f"{z_max:g}"
    return "unphysical parameter combination"

"""Derived quantities from a Fisher matrix, and where the Gaussian approximation breaks down.

A derived quantity ``d(theta)`` (``Omega_m h^2``, ``h r_d``, ``D_M/r_d`` at some redshift, ...)
has, to first order, covariance ``J C J^T`` with ``J = d d / d theta`` at the fiducial and
``C = F^-1`` (``jax.jacfwd`` gives ``J``). :func:`derived_errors` returns the errors and
correlations of any number of quantities; :func:`derived_fisher` returns a
:class:`~hicosmo_nb.fisher.matrix.FisherMatrix` when the quantities are independent.

:func:`check_boundaries` warns when the fiducial sits within ``nsigma`` of a prior or physical
boundary (``sum m_nu >= 0``, ``Omega_m > 0``, ...), where the posterior is truncated and the
Gaussian forecast misleads.
"""

from __future__ import annotations

from typing import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401  (float64)
from .._warnings import warn
from ..parameters import PARAMETERS, unknown_name_error
from .matrix import FisherMatrix

__all__ = ["derived_errors", "derived_fisher", "check_boundaries"]

# Warnings point at the first caller outside this package (the user's line).


def _propagate(fisher: FisherMatrix, func: Callable[[dict], Mapping], fixed: Mapping | None):
    if not isinstance(fisher, FisherMatrix):
        raise ValueError(f"expected a FisherMatrix, got {type(fisher).__name__}")
    base = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in fisher.fiducial.items()}
    base.update({k: jnp.asarray(v, dtype=jnp.float64) for k, v in (fixed or {}).items()})
    theta0 = jnp.asarray([fisher.fiducial[n] for n in fisher.names])
    out0 = func({**base, **dict(zip(fisher.names, theta0))})
    if not isinstance(out0, Mapping) or not out0:
        raise ValueError(f"func must return a non-empty dict name -> scalar, got {type(out0).__name__}")
    dnames = tuple(out0)

    def vec(theta):
        out = func({**base, **dict(zip(fisher.names, theta))})
        return jnp.stack([jnp.asarray(out[n], dtype=jnp.float64) for n in dnames])

    values = np.asarray(vec(theta0))
    jac = np.asarray(jax.jacfwd(vec)(theta0))
    if values.shape != (len(dnames),) or not np.all(np.isfinite(values)) or not np.all(np.isfinite(jac)):
        raise ValueError(
            f"derived quantities {dnames} must be finite scalars with finite derivatives at the "
            f"fiducial; got values {values}"
        )
    cov = jac @ fisher.covariance @ jac.T
    return dnames, dict(zip(dnames, values.tolist())), 0.5 * (cov + cov.T)


def derived_errors(fisher: FisherMatrix, func: Callable[[dict], Mapping], *,
                   fixed: Mapping[str, float] | None = None) -> tuple[dict, dict, np.ndarray]:
    """Fiducial values, 1-sigma errors and covariance of derived quantities.

    Parameters
    ----------
    fisher : FisherMatrix
    func : callable
        Pure jnp function of a parameter dict (the Fisher parameters plus everything in
        ``fisher.fiducial`` and ``fixed``) returning a dict name -> scalar.
    fixed : mapping, optional
        Extra inputs held constant (e.g. ``Omega_b`` for ``r_d``).

    Returns
    -------
    values : dict
        Derived quantities at the fiducial.
    errors : dict
        Their 1-sigma errors (all Fisher parameters marginalized).
    cov : ndarray
        Their covariance ``J F^-1 J^T`` (may be singular: any number of quantities is allowed).

    Examples
    --------
    >>> F = FisherMatrix([[1e4, 0.0], [0.0, 1e4]], ["a", "b"], {"a": 1.0, "b": 2.0})
    >>> values, errors, cov = derived_errors(F, lambda p: {"s": p["a"] + p["b"]})
    >>> round(errors["s"], 6)
    0.014142
    """
    dnames, values, cov = _propagate(fisher, func, fixed)
    errors = dict(zip(dnames, np.sqrt(np.clip(np.diag(cov), 0.0, None)).tolist()))
    return values, errors, cov


def derived_fisher(fisher: FisherMatrix, func: Callable[[dict], Mapping], *,
                   fixed: Mapping[str, float] | None = None, name: str | None = None) -> FisherMatrix:
    """Fisher matrix of derived quantities (their covariance ``J F^-1 J^T``, inverted).

    Raises
    ------
    ValueError
        If the derived quantities are degenerate (more of them than independent directions in
        the Fisher parameters); use :func:`derived_errors` for such sets.

    Examples
    --------
    >>> F = FisherMatrix([[1e4, 0.0], [0.0, 4e4]], ["Omega_m", "h"], {"Omega_m": 0.3, "h": 0.7})
    >>> G = derived_fisher(F, lambda p: {"omega_m": p["Omega_m"] * p["h"] ** 2})
    >>> G.names
    ('omega_m',)
    """
    dnames, values, cov = _propagate(fisher, func, fixed)
    rank = np.linalg.matrix_rank(cov, tol=1e-12 * max(np.max(np.abs(cov)), 1e-300))
    if rank < len(dnames):
        raise ValueError(
            f"the {len(dnames)} derived quantities {dnames} are degenerate (rank {rank}, "
            f"from {fisher.size} parameters); ask for at most {rank} independent ones, or use "
            "derived_errors, which accepts any number"
        )
    out = FisherMatrix.from_covariance(cov, dnames, values, name=name or f"{fisher.name} (derived)")
    check_boundaries(out)
    return out


def _check_bounds(fisher: FisherMatrix, bounds) -> dict[str, tuple[float, float]]:
    if bounds is None:
        return {}
    if not isinstance(bounds, Mapping):
        raise ValueError(f"bounds must be a dict name -> (lower, upper), got {type(bounds).__name__}")
    unknown = [n for n in bounds if n not in fisher.names]
    if unknown:
        raise unknown_name_error("parameter in bounds", unknown, fisher.names)
    out = {}
    for n, b in bounds.items():
        try:
            lo, hi = (float(v) for v in b)
        except (TypeError, ValueError):
            raise ValueError(f"bounds[{n!r}] must be a pair (lower, upper), got {b!r}") from None
        if not lo < hi:
            raise ValueError(f"bounds[{n!r}] = {b!r} is empty: lower must be < upper")
        out[n] = (lo, hi)
    return out


def _sigma(fisher: FisherMatrix, name: str) -> tuple[float, str]:
    """Marginalized error of ``name`` (flat directions among the others integrated out), or,
    when ``name`` itself is unconstrained, the conditional one (0 without information)."""
    try:
        return fisher.marginal([name]).marginalized_errors()[name], "marginalized"
    except ValueError:  # in a flat or indefinite direction
        d = fisher.matrix[fisher.names.index(name), fisher.names.index(name)]
        return (1.0 / np.sqrt(d) if d > 0 else 0.0), "conditional (lower limit: F is singular)"


def check_boundaries(fisher: FisherMatrix, *, bounds: Mapping[str, tuple[float, float]] | None = None,
                     nsigma: float = 1.0) -> list[str]:
    """Warn for each parameter whose fiducial lies within ``nsigma`` of a boundary, or outside.

    Boundaries are the default prior ranges of :data:`hicosmo_nb.parameters.PARAMETERS`
    (physically allowed: ``m_nu >= 0``, ``Omega_m > 0.01``, ...) unless ``bounds`` gives
    ``(lower, upper)`` per name. Sigma is the marginalized error when ``fisher`` is invertible,
    otherwise the conditional one (a lower limit, said in the message).

    Returns
    -------
    list of str
        The warning messages (empty when nothing is near a boundary).

    Examples
    --------
    >>> import warnings
    >>> F = FisherMatrix([[100.0]], ["m_nu"], {"m_nu": 0.0})
    >>> with warnings.catch_warnings(record=True):
    ...     msgs = check_boundaries(F)
    >>> "m_nu" in msgs[0]
    True
    """
    if not nsigma >= 0:
        raise ValueError(f"nsigma must be >= 0, got {nsigma}")
    ranges = {n: (s.lower, s.upper) for n, s in PARAMETERS.items()}
    ranges.update(_check_bounds(fisher, bounds))
    messages = []
    for n in fisher.names:
        if n not in ranges:
            continue
        lo, hi = ranges[n]
        x, (s, kind) = fisher.fiducial[n], _sigma(fisher, n)
        if not lo <= x <= hi:
            messages.append(
                f"fiducial {n} = {x:.6g} lies outside its allowed range [{lo:g}, {hi:g}]: the "
                "Fisher forecast describes a point the prior excludes. Move the fiducial inside "
                "the range or widen the bounds."
            )
            continue
        for side, edge in (("lower", lo), ("upper", hi)):
            if edge is None or not np.isfinite(edge):
                continue
            if abs(x - edge) <= nsigma * s:
                dist = abs(x - edge) / s if s > 0 else 0.0
                messages.append(
                    f"fiducial {n} = {x:.6g} lies {dist:.2f} sigma ({kind} sigma = "
                    f"{s:.3g}) from the {side} boundary {edge:g} of its allowed range [{lo:g}, "
                    f"{hi:g}]: the posterior is truncated there and the Gaussian Fisher forecast "
                    "misleads. Sample the posterior (NUTS) or move the fiducial."
                )
    for msg in messages:
        warn(msg)
    return messages

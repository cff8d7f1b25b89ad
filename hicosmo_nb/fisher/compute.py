"""Fisher matrices of :class:`~hicosmo_nb.likelihoods.base.Likelihood` objects, by autodiff.

- :func:`fisher_observed`: ``F = -d^2 ln L / d theta^2`` at a point (``jax.hessian``). Exact for
  the likelihood as coded, data noise included; equals the expected one at the maximum of a
  Gaussian likelihood whose model is linear in the parameters.
- :func:`fisher_expected`: ``F = J^T C^-1 J`` with ``J = d theory / d theta`` (``jax.jacfwd``),
  the average over data realizations of the observed Fisher for Gaussian data with a
  parameter-independent covariance. Needs Gaussian likelihoods (``lk.is_gaussian``); for a
  combination, the leaves are summed (they are independent by construction).
- :func:`fisher_gaussian`: the same from a bare theory function and covariance.

Parameters not listed in ``params`` are held at their ``fiducial`` values (conditioned on).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401  (float64)
from .._warnings import warn
from ..likelihoods.base import Likelihood
from .derived import check_boundaries
from .matrix import FisherMatrix

__all__ = ["fisher_observed", "fisher_expected", "fisher_gaussian"]


def _split(fiducial: Mapping[str, float], params: Sequence[str] | None, needed: Sequence[str]):
    """Validate names; return (names, theta0, fixed dict, unpack(theta) -> full dict)."""
    if not isinstance(fiducial, Mapping):
        raise ValueError(f"fiducial must be a dict of parameter values, got {type(fiducial).__name__}")
    missing = [n for n in needed if n not in fiducial]
    if missing:
        raise ValueError(
            f"fiducial is missing {missing}, which the likelihood needs; it has {sorted(fiducial)}"
        )
    names = tuple(needed if params is None else ([params] if isinstance(params, str) else params))
    if not names:
        raise ValueError("params is empty: name at least one parameter to vary")
    unknown = [n for n in names if n not in fiducial]
    if unknown:
        raise ValueError(
            f"params {unknown} have no fiducial value; give them in fiducial (it has {sorted(fiducial)})"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"params repeat a name: {names}")
    vals = {}
    for k, v in fiducial.items():
        arr = np.asarray(v, dtype=np.float64)
        if arr.shape != () or not np.isfinite(arr):
            raise ValueError(f"fiducial value of {k!r} must be a finite scalar, got {v!r}")
        vals[k] = float(arr)
    theta0 = jnp.asarray([vals[n] for n in names])
    fixed = {k: jnp.asarray(v) for k, v in vals.items() if k not in names}

    def unpack(theta):
        return {**fixed, **dict(zip(names, theta))}

    return names, theta0, vals, unpack


def _finish(matrix: np.ndarray, names, vals, name: str, what: str) -> FisherMatrix:
    if not np.all(np.isfinite(matrix)):
        bad = sorted({names[i] for i in np.nonzero(~np.all(np.isfinite(matrix), axis=1))[0]})
        raise ValueError(
            f"{what} Fisher matrix is not finite in the rows of {bad}: the likelihood or its "
            "derivative is NaN/inf at the fiducial; move the fiducial inside the physical region"
        )
    fisher = FisherMatrix(0.5 * (matrix + matrix.T), names, vals, name)
    flat = [n for n, d in zip(names, np.diag(fisher.matrix)) if d == 0.0]
    if flat:
        warn(
            f"the {what} Fisher matrix {name!r} has no information on {flat}: the likelihood does "
            "not depend on them at the fiducial. Add a prior (.add_prior) or drop them (.fix).",
        )
    else:
        check_boundaries(fisher)
    return fisher


def fisher_observed(likelihood: Likelihood, fiducial: Mapping[str, float],
                    params: Sequence[str] | None = None, *, name: str | None = None) -> FisherMatrix:
    """Observed Fisher matrix ``-hessian(loglike)`` at ``fiducial``.

    Parameters
    ----------
    likelihood : Likelihood
        Any likelihood (Gaussian or not, combined or not).
    fiducial : dict
        Values of every parameter the likelihood needs (and of any optional one to vary).
    params : sequence of str, optional
        Parameters to vary (default ``likelihood.param_names``); the rest stay fixed.
    name : str, optional
        Label of the result (default ``likelihood.name``).

    Raises
    ------
    ValueError
        Unknown or missing parameter names, or a log-likelihood that is not finite at the
        fiducial (unphysical point).

    Examples
    --------
    >>> from hicosmo_nb.likelihoods.base import Likelihood
    >>> lk = Likelihood(lambda p: -0.5 * (p["x"] / 0.1) ** 2, ("x",), "toy")
    >>> fisher_observed(lk, {"x": 0.0}).marginalized_errors()
    {'x': 0.1}
    """
    _check_likelihood(likelihood)
    names, theta0, vals, unpack = _split(fiducial, params, likelihood.param_names)

    def f(theta):
        return likelihood(unpack(theta))

    value, hess = jax.jit(lambda t: (f(t), jax.hessian(f)(t)))(theta0)  # one compilation
    _require_finite(likelihood, value, vals)
    return _finish(-np.asarray(hess), names, vals, name or likelihood.name, "observed")


def fisher_expected(likelihood: Likelihood, fiducial: Mapping[str, float],
                    params: Sequence[str] | None = None, *, name: str | None = None) -> FisherMatrix:
    """Expected Fisher matrix ``sum_leaves J^T C^-1 J`` of Gaussian likelihoods.

    Parameters are as for :func:`fisher_observed`. Each leaf of ``likelihood`` must carry
    ``theory`` and ``cov`` (``leaf.is_gaussian``); the data vector is not used.

    Raises
    ------
    ValueError
        If a leaf is not Gaussian (its name is given; use :func:`fisher_observed` instead), or
        for the reasons listed in :func:`fisher_observed` (an unphysical fiducial included:
        the log-likelihood is evaluated there first).
    """
    _check_likelihood(likelihood)
    bad = [leaf.name for leaf in likelihood.leaves if not leaf.is_gaussian]
    if bad:
        raise ValueError(
            f"fisher_expected needs Gaussian likelihoods (theory and cov set), but {bad} "
            "are not; use fisher_observed for them"
        )
    names, theta0, vals, unpack = _split(fiducial, params, likelihood.param_names)
    _require_finite(likelihood, likelihood(unpack(theta0)), vals)  # the same rule as observed
    total = np.zeros((len(names), len(names)))
    for leaf in likelihood.leaves:
        total += _expected(leaf.theory, leaf.cov, unpack, theta0, leaf.name)
    return _finish(total, names, vals, name or likelihood.name, "expected")


def fisher_gaussian(theory: Callable[[dict], jax.Array], cov, fiducial: Mapping[str, float],
                    params: Sequence[str], *, name: str = "Gaussian") -> FisherMatrix:
    """Expected Fisher matrix ``J^T C^-1 J`` of a model vector ``theory(params)``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> F = fisher_gaussian(lambda p: jnp.stack([p["a"], 2 * p["a"]]), jnp.eye(2), {"a": 1.0}, ["a"])
    >>> F.matrix
    array([[5.]])
    """
    names, theta0, vals, unpack = _split(fiducial, params, ())
    return _finish(_expected(theory, cov, unpack, theta0, name), names, vals, name, "expected")


def _expected(theory, cov, unpack, theta0, label) -> np.ndarray:
    cov = np.asarray(cov, dtype=np.float64)
    if cov.ndim == 1:
        cov = np.diag(cov)
    try:
        chol = np.linalg.cholesky(0.5 * (cov + cov.T))
    except np.linalg.LinAlgError:
        raise ValueError(f"covariance of {label!r} is not positive definite") from None
    jac = np.asarray(jax.jit(jax.jacfwd(lambda t: jnp.ravel(theory(unpack(t)))))(theta0))
    if jac.shape[0] != cov.shape[0]:
        raise ValueError(
            f"theory of {label!r} returns {jac.shape[0]} values but its covariance is "
            f"{cov.shape[0]}x{cov.shape[0]}"
        )
    white = np.linalg.solve(chol, jac)  # L^-1 J, so F = (L^-1 J)^T (L^-1 J), exactly symmetric
    return white.T @ white


def _require_finite(likelihood: Likelihood, value, vals: Mapping[str, float]) -> None:
    """Refuse a fiducial where the log-likelihood is not finite (unphysical point)."""
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(
            f"log-likelihood of {likelihood.name!r} is {value} at the fiducial {vals}: the "
            "point is unphysical or outside the data's support; choose another fiducial"
        )


def _check_likelihood(likelihood) -> None:
    if not isinstance(likelihood, Likelihood):
        raise ValueError(
            f"expected a hicosmo_nb Likelihood, got {type(likelihood).__name__}; wrap a plain "
            "function as Likelihood(loglike, param_names)"
        )

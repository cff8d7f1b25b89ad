"""Tension between two posteriors on their shared parameters.

- :func:`gaussian_tension`: difference of the means with the summed covariances,
  ``chi2 = d^T (C_a + C_b)^-1 d`` on ``n`` shared parameters, its chi^2_n p-value and two-sided
  sigma (the "difference in means" estimator, Raveri & Hu 2019, arXiv:1806.04649, Sec. V A).
- :func:`parameter_shift`: the non-Gaussian parameter-shift probability from the draws
  (Raveri, Zacharegkas & Hu 2020, arXiv:1912.04880, Sec. III): the distribution of
  ``delta = theta_a - theta_b`` from independent pairs of draws, a Gaussian KDE of it, and the
  posterior mass where its density exceeds the density at ``delta = 0``. For Gaussian posteriors
  both give the same sigma.

Inputs are :class:`~hicosmo_nb.inference.Result` objects or dicts name -> draws.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> a = {"x": rng.normal(0.0, 1.0, 20000)}
>>> b = {"x": rng.normal(2.0 * np.sqrt(2.0), 1.0, 20000)}
>>> round(gaussian_tension(a, b).sigma, 1)
2.0
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
from scipy import special, stats

from .stats import sigma_from_chi2

__all__ = ["Tension", "gaussian_tension", "parameter_shift", "shared_draws"]


class Tension(NamedTuple):
    """``sigma`` (two-sided Gaussian equivalent), ``p_value`` (probability of a shift at least
    this large by chance), the statistic (``chi2`` or the shift probability) and ``params``."""

    sigma: float
    p_value: float
    statistic: float
    params: tuple
    method: str


def _flat(result: Any, what: str) -> dict[str, np.ndarray]:
    samples = result.samples if hasattr(result, "samples") else result
    if not isinstance(samples, Mapping):
        raise ValueError(f"{what} must be an inference.Result or a dict name -> draws, got "
                         f"{type(result).__name__}")
    return {str(k): np.asarray(v, dtype=float).ravel() for k, v in samples.items()}


def shared_draws(a: Any, b: Any, params: Sequence[str] | None = None) -> tuple[tuple, np.ndarray, np.ndarray]:
    """``(params, A, B)``: draw matrices ``(n_a, k)``, ``(n_b, k)`` of the shared parameters.

    Raises
    ------
    ValueError
        No shared parameter, or a requested one missing from a result (the message lists both).
    """
    da, db = _flat(a, "a"), _flat(b, "b")
    shared = [k for k in da if k in db]
    if params is None:
        params = shared
    else:
        params = [params] if isinstance(params, str) else list(params)
        bad = [p for p in params if p not in shared]
        if bad:
            raise ValueError(f"params {bad} are not in both results; shared: {shared}")
    if not params:
        raise ValueError(f"the results share no parameter: a has {sorted(da)}, b has {sorted(db)}")
    return tuple(params), np.column_stack([da[p] for p in params]), np.column_stack([db[p] for p in params])


def gaussian_tension(a: Any, b: Any, params: Sequence[str] | None = None) -> Tension:
    """Difference-of-means tension (module docstring) on ``params`` (default: all shared)."""
    params, xa, xb = shared_draws(a, b, params)
    d = xa.mean(axis=0) - xb.mean(axis=0)
    cov = np.atleast_2d(np.cov(xa, rowvar=False)) + np.atleast_2d(np.cov(xb, rowvar=False))
    chi2 = float(d @ np.linalg.solve(cov, d))
    return Tension(sigma=sigma_from_chi2(chi2, len(params)), p_value=float(stats.chi2.sf(chi2, len(params))),
                   statistic=chi2, params=params, method="gaussian")


def parameter_shift(a: Any, b: Any, params: Sequence[str] | None = None, *, num_pairs: int = 20000,
                    seed: int = 0) -> Tension:
    """Parameter-shift probability (module docstring) from ``num_pairs`` random pairs of draws.

    The KDE is scipy's Gaussian KDE (Scott bandwidth) in coordinates whitened by the shift
    covariance. Its resolution limits the tail: beyond ~3.5 sigma, ``num_pairs`` of 1e5 or more
    are needed (the p-value is floored at ``1 / num_pairs``).

    Raises
    ------
    ValueError
        As :func:`shared_draws`, or ``num_pairs`` < 100.
    """
    if isinstance(num_pairs, bool) or not isinstance(num_pairs, int) or num_pairs < 100:
        raise ValueError(f"num_pairs must be an integer >= 100, got {num_pairs!r}")
    params, xa, xb = shared_draws(a, b, params)
    rng = np.random.default_rng(seed)
    shift = xa[rng.integers(0, len(xa), num_pairs)] - xb[rng.integers(0, len(xb), num_pairs)]
    chol = np.linalg.cholesky(np.atleast_2d(np.cov(shift, rowvar=False)))
    white = np.linalg.solve(chol, (shift - shift.mean(axis=0)).T)  # (k, n)
    zero = np.linalg.solve(chol, -shift.mean(axis=0))[:, None]
    kde = stats.gaussian_kde(white)
    fit = np.maximum(kde(white[:, : min(num_pairs, 5000)]), 0.0)  # density at a subset of the shifts
    p_zero = float(kde(zero)[0])
    prob = float(np.mean(fit > p_zero))
    p_value = max(1.0 - prob, 1.0 / fit.size)
    return Tension(sigma=float(-special.ndtri(p_value / 2.0)), p_value=p_value, statistic=prob,
                   params=params, method="parameter_shift")

"""Frequentist conversions: Delta chi^2 with k extra parameters to a Gaussian sigma, AIC and BIC.

DESI (DR2 Results II, arXiv:2503.14738, Sec. VII) quotes the preference for w0waCDM over LCDM
as the Delta chi^2_MAP of the two best fits, converted with the chi^2 distribution of the number
of extra parameters into a p-value and then into the two-sided Gaussian number of sigma. The
same conversion turns a tension chi^2 with ``dof`` degrees of freedom into sigma.

Examples
--------
>>> round(sigma_from_chi2(9.0, 1), 6)  # 1 extra parameter: sqrt(Delta chi^2)
3.0
>>> round(sigma_from_chi2(17.3, 2), 2)
3.75
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

__all__ = ["sigma_from_chi2", "p_value", "aic", "bic"]


def _count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def p_value(chi2: float, dof: int) -> float:
    """Probability that a chi^2 variable with ``dof`` degrees of freedom exceeds ``chi2``
    (``chi2 <= 0`` gives 1)."""
    dof = _count("dof", dof)
    chi2 = float(chi2)
    if math.isnan(chi2):
        raise ValueError("chi2 is NaN")
    return float(stats.chi2.sf(max(chi2, 0.0), dof))


def sigma_from_chi2(chi2: float, dof: int) -> float:
    """Two-sided Gaussian sigma of the chi^2_dof p-value of ``chi2`` (0 for ``chi2 <= 0``).

    Computed from ``log p`` (:func:`scipy.special.ndtri_exp`), so 10 sigma and beyond stay finite.

    Raises
    ------
    ValueError
        ``dof`` not a positive integer, or ``chi2`` NaN.
    """
    dof = _count("dof", dof)
    chi2 = float(chi2)
    if math.isnan(chi2):
        raise ValueError("chi2 is NaN")
    if chi2 <= 0.0:
        return 0.0
    log_p = float(stats.chi2.logsf(chi2, dof))
    # two-sided: p = 2 Phi(-sigma)  =>  sigma = -Phi^-1(p / 2)
    return float(-special.ndtri_exp(log_p - math.log(2.0)))


def aic(loglike_max: float, k: int) -> float:
    """Akaike information criterion ``2 k - 2 ln L_max``."""
    return 2.0 * k - 2.0 * float(loglike_max)


def bic(loglike_max: float, k: int, n_data: int | None) -> float | None:
    """Bayesian information criterion ``k ln N - 2 ln L_max`` (None when ``n_data`` is unknown)."""
    if n_data is None:
        return None
    return k * math.log(_count("n_data", n_data)) - 2.0 * float(loglike_max)

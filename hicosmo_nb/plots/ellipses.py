"""Analytic confidence ellipses and 1-D Gaussians of a Fisher matrix.

For a 2-D Gaussian with covariance ``C`` the region enclosing probability ``p`` is
``(x - mu)^T C^-1 (x - mu) <= delta_chi2`` with ``delta_chi2 = -2 ln(1 - p)`` (the chi-square
quantile for 2 degrees of freedom): 2.30 for 68.3%, 6.18 for 95.4%.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Polygon

__all__ = ["delta_chi2", "ellipse_vertices", "draw_ellipse", "draw_gaussian"]


def delta_chi2(level: float) -> float:
    """``delta chi^2`` of the 2-D region enclosing probability ``level``.

    Examples
    --------
    >>> round(delta_chi2(0.6826894921370859), 3), round(delta_chi2(0.9544997361036416), 3)
    (2.296, 6.18)
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be a probability strictly between 0 and 1, got {level}")
    return float(-2.0 * np.log1p(-level))


def ellipse_vertices(mean: Sequence[float], cov, level: float, n: int = 181) -> np.ndarray:
    """Points ``(n, 2)`` on the ``level`` contour of ``N(mean, cov)`` (closed: last = first).

    Every vertex ``x`` satisfies ``(x - mean)^T cov^-1 (x - mean) = delta_chi2(level)``.

    Examples
    --------
    >>> v = ellipse_vertices([0.0, 0.0], [[4.0, 0.0], [0.0, 1.0]], 0.6826894921370859, n=5)
    >>> v.shape
    (5, 2)
    """
    cov = np.asarray(cov, dtype=np.float64)
    if cov.shape != (2, 2):
        raise ValueError(f"cov must be 2x2, got shape {cov.shape}")
    try:
        chol = np.linalg.cholesky(0.5 * (cov + cov.T))
    except np.linalg.LinAlgError:
        raise ValueError(f"cov must be positive definite to draw an ellipse, got {cov.tolist()}") from None
    t = np.linspace(0.0, 2.0 * np.pi, n)
    circle = np.stack([np.cos(t), np.sin(t)])
    return np.asarray(mean, dtype=np.float64) + np.sqrt(delta_chi2(level)) * (chol @ circle).T


def draw_ellipse(ax: Axes, mean, cov, level: float, *, color: str, filled: bool = False,
                 alpha: float = 0.25, **kwargs) -> Polygon:
    """Add the ``level`` ellipse of ``N(mean, cov)`` to ``ax`` as a Polygon and return it."""
    verts = ellipse_vertices(mean, cov, level)
    patch = Polygon(verts, closed=True, fill=filled, facecolor=color if filled else "none",
                    edgecolor=color, alpha=alpha if filled else 1.0, **kwargs)
    ax.add_patch(patch)
    ax.update_datalim(verts)
    return patch


def draw_gaussian(ax: Axes, mean: float, sigma: float, *, color: str, peak: float | None = None,
                  nsigma: float = 4.0, **kwargs):
    """Plot the 1-D Gaussian ``N(mean, sigma)`` (a density, or scaled to height ``peak``)."""
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    x = np.linspace(mean - nsigma * sigma, mean + nsigma * sigma, 301)
    y = np.exp(-0.5 * ((x - mean) / sigma) ** 2)
    y = y * (peak if peak is not None else 1.0 / (np.sqrt(2.0 * np.pi) * sigma))
    (line,) = ax.plot(x, y, color=color, **kwargs)
    return line

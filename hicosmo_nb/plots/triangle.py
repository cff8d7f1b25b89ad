"""Triangle (corner-style) grids and the analytic Fisher triangle plot.

:func:`fisher_triangle` draws, for one or several :class:`~hicosmo_nb.fisher.FisherMatrix`,
the marginalized 2-D ellipses enclosing 68.3% and 95.4% (``delta chi^2 = 2.30, 6.18``) below the
diagonal and the marginalized 1-D Gaussians on it (peak-normalized, so widths compare directly).
The same grid is used by :func:`hicosmo_nb.plots.corner_plot`, so forecasts and samples overlay.

A figure made here remembers its parameter order, drawn artists' legend entries and axis ranges
in the attribute ``fig.hicosmo_triangle`` (a dict), so a later call with ``fig=`` adds to it.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..fisher.matrix import FisherMatrix
from ..parameters import unknown_name_error
from .ellipses import draw_ellipse, draw_gaussian
from .style import SIGMA_LEVELS, check_levels, labels_for, level_label, palette

__all__ = ["fisher_triangle", "triangle_axes"]


def triangle_axes(params: Sequence[str], *, fig: Figure | None = None,
                  labels: Mapping[str, str] | Sequence[str] | None = None) -> tuple[Figure, np.ndarray]:
    """A ``K x K`` lower-triangular grid for ``params`` (new, or the one already on ``fig``).

    Returns the figure and the ``(K, K)`` array of axes (upper triangle hidden). Parameters
    not yet on an existing hicosmo triangle figure raise ValueError.
    """
    params = tuple(params)
    if not params:
        raise ValueError("params is empty: a triangle plot needs at least one parameter")
    state = getattr(fig, "hicosmo_triangle", None) if fig is not None else None
    if state is not None:
        extra = [p for p in params if p not in state["params"]]
        if extra:
            raise ValueError(
                f"this figure shows {list(state['params'])}; {extra} are not on it. Draw all sets "
                "in one call (pass a list) or start a new figure"
            )
        return fig, state["axes"]
    k = len(params)
    if fig is None:
        fig = plt.figure(figsize=(max(2.2 * k, 3.5), max(2.2 * k, 3.5)))
    if fig.axes and len(fig.axes) != k * k:
        raise ValueError(f"fig has {len(fig.axes)} axes; a triangle of {k} parameters needs {k * k}")
    axes = np.array(fig.axes).reshape(k, k) if fig.axes else fig.subplots(k, k, squeeze=False)
    names = labels_for(params, labels)
    for i in range(k):
        for j in range(k):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if i < k - 1:
                ax.tick_params(labelbottom=False)
            else:
                ax.set_xlabel(names[j])
                ax.tick_params(axis="x", labelrotation=45)
            if j > 0 or i == 0:
                ax.tick_params(labelleft=False)
            else:
                ax.set_ylabel(names[i])
            if i == j:
                ax.set_yticks([])
                ax.set_ylim(0.0, 1.12)
            if i != k - 1:
                ax.sharex(axes[k - 1, j])
            if 0 < j < i:
                ax.sharey(axes[i, 0])
    fig.subplots_adjust(hspace=0.06, wspace=0.06, left=0.14, bottom=0.14, right=0.97, top=0.97)
    fig.hicosmo_triangle = {"params": params, "axes": axes, "handles": [], "limits": {}, "count": 0}
    return fig, axes


def _extend(state: dict, name: str, lo: float, hi: float) -> None:
    old = state["limits"].get(name)
    state["limits"][name] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))


def _finish(fig: Figure, levels: Sequence[float], legend: bool) -> Figure:
    state = fig.hicosmo_triangle
    params, axes = state["params"], state["axes"]
    for j, p in enumerate(params):
        if p in state["limits"]:
            axes[-1, j].set_xlim(*state["limits"][p])
    for i, p in enumerate(params[1:], start=1):
        if p in state["limits"]:
            axes[i, 0].set_ylim(*state["limits"][p])
    for leg in list(fig.legends):
        leg.remove()
    if legend and state["handles"]:
        handles, names = zip(*state["handles"])
        small = len(params) <= 2  # little room in the empty upper triangle
        fig.legend(handles, names, loc="upper right", title=level_label(levels), frameon=False,
                   bbox_to_anchor=(0.99, 0.99), fontsize="small" if small else None,
                   title_fontsize="small" if small else None)
    return fig


def draw_fisher(fig: Figure, fisher: FisherMatrix, *, color: str, levels: Sequence[float],
                filled: bool, label: str | None, linestyle: str = "-") -> None:
    """Draw one Fisher matrix on a triangle figure made by :func:`triangle_axes`."""
    state = fig.hicosmo_triangle
    params, axes = state["params"], state["axes"]
    present = [p for p in params if p in fisher.names]
    if not present:
        raise ValueError(f"Fisher matrix {fisher.name!r} has none of the plotted params {list(params)}")
    try:  # the others are integrated out, flat directions among them included
        cov_full = fisher.marginal(present).covariance
    except ValueError as err:
        raise ValueError(
            f"fisher_triangle cannot draw {present} of {fisher.name!r}: {err} An unconstrained "
            "parameter has no ellipse; leave it out (params=...) or add a prior."
        ) from None
    idx = {p: present.index(p) for p in present}
    mean = {p: fisher.fiducial[p] for p in present}
    sig = {p: float(np.sqrt(cov_full[idx[p], idx[p]])) for p in present}
    for i, pi in enumerate(params):
        if pi not in idx:
            continue
        draw_gaussian(axes[i, i], mean[pi], sig[pi], color=color, peak=1.0, linestyle=linestyle)
        _extend(state, pi, mean[pi] - 3.5 * sig[pi], mean[pi] + 3.5 * sig[pi])
        for j, pj in enumerate(params[:i]):
            if pj not in idx:
                continue
            sub = cov_full[np.ix_([idx[pj], idx[pi]], [idx[pj], idx[pi]])]
            for lv in levels:
                draw_ellipse(axes[i, j], (mean[pj], mean[pi]), sub, lv, color=color,
                             filled=False, linestyle=linestyle, linewidth=1.4)
                if filled:
                    draw_ellipse(axes[i, j], (mean[pj], mean[pi]), sub, lv, color=color,
                                 filled=True, alpha=0.18)
    state["handles"].append((Line2D([], [], color=color, linestyle=linestyle), label or fisher.name))
    state["count"] += 1


def _as_list(x) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def fisher_triangle(fishers: FisherMatrix | Iterable[FisherMatrix], *, params: Sequence[str] | None = None,
                    labels: Mapping[str, str] | Sequence[str] | None = None, fig: Figure | None = None,
                    colors: Sequence[str] | None = None, legend: bool = True,
                    levels: Sequence[float] = SIGMA_LEVELS, filled: bool = True) -> Figure:
    """Triangle plot of the marginalized Gaussians of one or several Fisher matrices.

    Parameters
    ----------
    fishers : FisherMatrix or list of FisherMatrix
        Each is drawn around its own fiducial; parameters a matrix lacks are skipped for it.
    params : sequence of str, optional
        Parameters to show, in order (default: the union of the matrices' names).
    labels : dict or list, optional
        Axis labels (default: LaTeX names from the parameter registry).
    fig : Figure, optional
        Draw onto this figure (empty, or a hicosmo triangle figure to add to).
    colors : list of str, optional
        One colour per matrix (default: the Okabe-Ito palette).
    legend : bool
        Add a legend naming the matrices and the enclosed probabilities.
    levels : sequence of float
        2-D probabilities enclosed by the ellipses (default 68.3% and 95.4%).
    filled : bool
        Shade the ellipses lightly.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from hicosmo_nb.fisher import FisherMatrix
    >>> F = FisherMatrix([[2.0, 1.0], [1.0, 2.0]], ["a", "b"], {"a": 0.0, "b": 0.0}, name="toy")
    >>> fig = fisher_triangle(F)
    >>> len(fig.axes)
    4
    """
    fishers = _as_list(fishers)
    if not fishers:
        raise ValueError("fisher_triangle needs at least one FisherMatrix")
    for i, f in enumerate(fishers):
        if not isinstance(f, FisherMatrix):
            raise ValueError(f"fishers[{i}] is {type(f).__name__}, expected a FisherMatrix")
    levels = check_levels(levels)
    if params is None:
        params = list(dict.fromkeys(n for f in fishers for n in f.names))
        if fig is not None and hasattr(fig, "hicosmo_triangle"):
            params = list(fig.hicosmo_triangle["params"])
    elif isinstance(params, str):
        params = [params]
    unknown = [p for p in params if not any(p in f.names for f in fishers)]
    if unknown:
        raise unknown_name_error("parameter", unknown, {n for f in fishers for n in f.names})
    fig, _ = triangle_axes(params, fig=fig, labels=labels)
    start = fig.hicosmo_triangle["count"]
    colors = list(colors) if colors is not None else palette(len(fishers), start)
    if len(colors) < len(fishers):
        raise ValueError(f"{len(fishers)} Fisher matrices but only {len(colors)} colors")
    for f, c in zip(fishers, colors):
        draw_fisher(fig, f, color=c, levels=levels, filled=filled, label=f.name)
    return _finish(fig, levels, legend)

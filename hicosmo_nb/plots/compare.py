"""Overlay the posteriors of several results (e.g. dataset combinations) on one triangle.

:func:`compare_posteriors` draws each result's 68.3% / 95.4% contours and 1-D histograms with
:func:`~hicosmo_nb.plots.corner_plot` on one grid; a parameter missing from some results is drawn
only for those that have it. The legend names each result by the datasets in its manifest (the
likelihood name a run records, e.g. ``"desi_dr2_bao + union3"``) unless ``labels`` are given.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from matplotlib.figure import Figure

from .corner import corner_plot
from .style import SIGMA_LEVELS

__all__ = ["compare_posteriors", "result_label"]


def result_label(result: Any, default: str) -> str:
    """The dataset names of a result's manifest (``manifest["likelihood"]["name"]``), else ``default``."""
    manifest = getattr(result, "manifest", None)
    if isinstance(manifest, Mapping):
        name = (manifest.get("likelihood") or {}).get("name")
        if isinstance(name, str) and name:
            return name
    return default


def compare_posteriors(results: Sequence[Any] | Mapping[str, Any], params: Sequence[str] | None = None,
                       labels: Sequence[str] | None = None, *, axis_labels: Mapping[str, str] | None = None,
                       fig: Figure | None = None, levels: Sequence[float] = SIGMA_LEVELS, bins: int = 30,
                       smooth: float | None = None, colors: Sequence[str] | None = None,
                       truths: Mapping[str, float] | None = None) -> Figure:
    """One corner figure with the contours of several results overlaid.

    Parameters
    ----------
    results : list of Result (or dicts of draws), or dict legend name -> Result
        Two or more posteriors; their parameter sets may differ.
    params : sequence of str, optional
        Parameters to show (default: the union, in order of appearance).
    labels : sequence of str, optional
        Legend names, one per result (default: the dict keys, else each manifest's datasets).
    axis_labels : dict, optional
        Axis labels (default: LaTeX names from the parameter registry).
    fig, levels, bins, smooth, colors, truths
        As :func:`~hicosmo_nb.plots.corner_plot`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        Fewer than one result, a label count that differs from the results', or what
        :func:`~hicosmo_nb.plots.corner_plot` rejects (an unknown parameter names the valid ones).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = {"w0": rng.normal(-0.7, 0.1, 3000), "wa": rng.normal(-1.0, 0.3, 3000)}
    >>> b = {"w0": rng.normal(-0.8, 0.06, 3000)}
    >>> fig = compare_posteriors({"A": a, "B": b})
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['A', 'B']
    """
    if isinstance(results, Mapping):
        names, sets = list(results), list(results.values())
    else:
        sets = list(results) if isinstance(results, (list, tuple)) else [results]
        names = [result_label(r, f"result {i + 1}") for i, r in enumerate(sets)]
    if not sets:
        raise ValueError("compare_posteriors needs at least one result, got none")
    if labels is not None:
        labels = [labels] if isinstance(labels, str) else list(labels)
        if len(labels) != len(sets):
            raise ValueError(f"labels has {len(labels)} names for {len(sets)} results; give one per result")
        names = labels
    return corner_plot(sets, params=params, labels=axis_labels, fig=fig, color=colors, label=names,
                       levels=levels, bins=bins, smooth=smooth, truths=truths)

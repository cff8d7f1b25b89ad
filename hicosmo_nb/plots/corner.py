"""Corner plots of MCMC samples (via the ``corner`` package), with Fisher ellipses overlaid.

The 2-D contours are drawn by :func:`corner.hist2d` at the *enclosed probabilities* 68.3% and
95.4% (the same as the Fisher ellipses, and labelled so in the legend), not corner's default
"sigma" levels. Several sample sets, possibly with different parameters, share one triangle.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import corner as _corner
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..fisher.matrix import FisherMatrix
from ..parameters import unknown_name_error
from .style import SIGMA_LEVELS, check_levels, palette
from .triangle import _as_list, _extend, _finish, draw_fisher, triangle_axes

__all__ = ["corner_plot", "samples_dict"]

_SAMPLE_DIMS = ("chain", "draw")


def samples_dict(samples: Any) -> dict[str, np.ndarray]:
    """Flatten one sample set into ``{name: 1-D array}``.

    Accepts a dict name -> array (any shape, flattened), an ArviZ DataTree (its ``posterior``
    group) or an xarray Dataset (variables with only ``chain``/``draw`` dimensions), or an
    object with a ``samples`` dict (e.g. the result of :func:`hicosmo_nb.inference.run_nuts`).
    """
    if hasattr(samples, "samples") and isinstance(samples.samples, Mapping):
        samples = samples.samples
    if hasattr(samples, "children") and "posterior" in getattr(samples, "children", {}):
        samples = samples["posterior"].to_dataset()
    if hasattr(samples, "data_vars"):
        out = {}
        for name, var in samples.data_vars.items():
            if set(var.dims) <= set(_SAMPLE_DIMS):
                out[str(name)] = np.asarray(var.values, dtype=np.float64).ravel()
        return out
    if isinstance(samples, Mapping):
        out = {}
        for k, v in samples.items():
            try:
                out[str(k)] = np.asarray(v, dtype=np.float64).ravel()
            except (TypeError, ValueError):
                raise ValueError(f"samples[{k!r}] must be an array of numbers, got {type(v).__name__}") from None
        sizes = {k: v.size for k, v in out.items()}
        if len(set(sizes.values())) > 1:
            raise ValueError(f"every parameter of a sample set needs the same number of draws, got {sizes}")
        return out
    raise ValueError(
        f"samples must be a dict name -> array, an ArviZ DataTree / xarray Dataset, or a list "
        f"of those; got {type(samples).__name__}"
    )


def _hist_range(x: np.ndarray) -> tuple[float, float]:
    lo, hi = np.quantile(x, [0.0005, 0.9995])
    pad = 0.1 * (hi - lo) if hi > lo else max(abs(lo), 1.0) * 1e-3
    return float(lo - pad), float(hi + pad)


def corner_plot(samples: Any, *, params: Sequence[str] | None = None,
                labels: Mapping[str, str] | Sequence[str] | None = None,
                fisher: FisherMatrix | Sequence[FisherMatrix] | None = None,
                truths: Mapping[str, float] | None = None, fig: Figure | None = None,
                color: str | Sequence[str] | None = None, label: str | Sequence[str] | None = None,
                levels: Sequence[float] = SIGMA_LEVELS, bins: int = 30, smooth: float | None = None,
                legend: bool = True) -> Figure:
    """Corner plot of posterior samples, optionally with Fisher forecast ellipses.

    Parameters
    ----------
    samples : dict, DataTree, Dataset, or list of those
        One sample set, or several to overlay (their parameter sets may differ; a panel is drawn
        for each set that has both of its parameters).
    params : sequence of str, optional
        Parameters to show (default: the union over sample sets, in order of appearance).
    labels : dict or list, optional
        Axis labels (default: LaTeX names from the parameter registry).
    fisher : FisherMatrix or list, optional
        Forecasts drawn as dashed ellipses at the same enclosed probabilities.
    truths : dict, optional
        Reference values, drawn as grey lines.
    fig : Figure, optional
        Draw onto this figure (empty, or a hicosmo triangle figure to add to).
    color, label : str or list of str, optional
        Per sample set (default: Okabe-Ito colours; "samples 1", ...).
    levels : sequence of float
        Enclosed 2-D probabilities of the contours (default 68.3%, 95.4%).
    bins : int
        Histogram bins per axis. ``smooth`` is passed to corner (needs scipy).
    legend : bool
        Legend naming the sets and the contour probabilities.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> fig = corner_plot({"Omega_m": rng.normal(0.3, 0.01, 4000), "hrd": rng.normal(100, 1, 4000)})
    >>> len(fig.axes)
    4
    """
    sets = [samples_dict(s) for s in (samples if isinstance(samples, (list, tuple)) else [samples])]
    fishers = _as_list(fisher)
    for i, f in enumerate(fishers):
        if not isinstance(f, FisherMatrix):
            raise ValueError(f"fisher[{i}] is {type(f).__name__}, expected a FisherMatrix")
    levels = check_levels(levels)
    if params is not None:
        params = [params] if isinstance(params, str) else list(params)
        unknown = [p for p in params if not any(p in s for s in sets)
                   and not any(p in f.names for f in fishers)]
        if unknown:
            raise unknown_name_error("parameter", unknown,
                                     {k for s in sets for k in s} | {n for f in fishers for n in f.names})
    elif fig is not None and hasattr(fig, "hicosmo_triangle"):
        params = list(fig.hicosmo_triangle["params"])  # overlay on an existing triangle
    else:
        params = list(dict.fromkeys(k for s in sets for k in s))
    for i, s in enumerate(sets):
        if not any(p in s for p in params):
            raise ValueError(f"sample set {i} has none of the params {params}; it has {sorted(s)}")
    fig, axes = triangle_axes(params, fig=fig, labels=labels)
    state = fig.hicosmo_triangle
    colors = _as_list(color) or palette(len(sets), state["count"])
    names = _as_list(label) or [f"samples {state['count'] + i + 1}" for i in range(len(sets))]
    if len(colors) < len(sets) or len(names) < len(sets):
        raise ValueError(f"{len(sets)} sample sets need as many colors and labels, got {colors}, {names}")
    for s, c, name in zip(sets, colors, names):
        _draw_samples(fig, s, params, color=c, levels=levels, bins=bins, smooth=smooth)
        state["handles"].append((Line2D([], [], color=c, linewidth=2), name))
        state["count"] += 1
    for f, c in zip(fishers, palette(len(fishers), state["count"])):
        name = f.name if "fisher" in f.name.lower() else f"{f.name} (Fisher)"
        draw_fisher(fig, f, color=c, levels=levels, filled=False, label=name, linestyle="--")
    for i, pi in enumerate(params):
        if truths and pi in truths:
            for j in range(i, len(params)):
                axes[j, i].axvline(truths[pi], color="0.5", linewidth=1, zorder=0)
            for j in range(i):
                axes[i, j].axhline(truths[pi], color="0.5", linewidth=1, zorder=0)
    return _finish(fig, levels, legend)


def _draw_samples(fig: Figure, s: dict, params: Sequence[str], *, color: str, levels, bins, smooth):
    state = fig.hicosmo_triangle
    axes = state["axes"]
    rng = {}
    for i, p in enumerate(params):
        if p not in s:
            continue
        x = s[p]
        if x.size < 10 or not np.all(np.isfinite(x)):
            raise ValueError(f"samples of {p!r} must be >= 10 finite values, got {x.size} (finite: "
                             f"{int(np.isfinite(x).sum())})")
        rng[p] = _hist_range(x)
        h, edges = np.histogram(x, bins=bins, range=rng[p])
        axes[i, i].stairs(h / h.max(), edges, color=color, linewidth=1.5)
        lo, hi = np.quantile(x, [0.001, 0.999])
        _extend(state, p, lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    # Bands outside the widest level, ..., inside the narrowest: clear, then darker inwards.
    fills = [to_rgba(color, 0.0)] + [to_rgba(color, 0.45 * (k + 1) / len(levels)) for k in range(len(levels))]
    for i, pi in enumerate(params):
        for j, pj in enumerate(params[:i]):
            if pi in s and pj in s:
                _corner.hist2d(s[pj], s[pi], ax=axes[i, j], bins=bins, range=[rng[pj], rng[pi]],
                               levels=levels, smooth=smooth, color=color, plot_datapoints=False,
                               plot_density=False, fill_contours=True, no_fill_contours=True,
                               contourf_kwargs={"colors": fills})

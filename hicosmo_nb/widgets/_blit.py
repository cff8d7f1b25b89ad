"""Blitting and frozen axis limits for the dashboards' Agg canvases (internal to :mod:`._base`).

:class:`Blitter`
    The artists a slider changes are *animated*: matplotlib's full draw skips them, so the
    Agg buffer after a full draw is the static background (axes, ticks, labels, data points,
    error bars, legends). A ``draw_event`` callback copies that background and then draws the
    animated artists on top, whoever asked for the draw (the dashboard, or ipympl's browser
    frontend; ``savefig`` draws them in their place itself). A slider move then restores the
    background and draws only the animated artists (:meth:`Blitter.blit`): the Agg buffer ends
    up equal to a full draw.

:class:`ViewLimits`
    Axis limits are set from the data *and* the animated artists (error bars and model curves
    included, with the axes' margins) on a full redraw, and kept while sliders move, so that
    the background stays valid. They change only when an animated artist leaves the view (the
    view then grows to hold it) or when everything shrinks below a quarter of the view in x or y
    (the view is then fitted again); either costs one full draw.

Examples
--------
>>> from matplotlib.figure import Figure
>>> from matplotlib.backends.backend_agg import FigureCanvasAgg
>>> fig = Figure(); ax = fig.subplots(); canvas = FigureCanvasAgg(fig)
>>> (line,) = ax.plot([0, 1], [0, 1]); blitter = Blitter(fig, [line])
>>> canvas.draw(); blitter.valid
True
>>> line.set_ydata([1, 0]); blitter.blit()  # the background, then the line only
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

__all__ = ["Blitter", "ViewLimits", "SHRINK"]

SHRINK = 0.25  # re-fit the view when the artists span less than this fraction of it (x or y)


def _flatten(artists: Iterable) -> list[Artist]:
    """Artists, with containers (e.g. ``errorbar``'s) replaced by their parts."""
    out = []
    for a in artists:
        out.extend(a.get_children() if not isinstance(a, Artist) else [a])
    return out


class Blitter:
    """Draw ``animated`` artists of ``figure`` over a background cached at each full draw."""

    def __init__(self, figure: Figure, animated: Sequence = ()):
        self.figure = figure
        self.canvas = figure.canvas  # the Agg canvas (FigureCanvasAgg or ipympl's WebAgg Canvas)
        self.artists: list[Artist] = []
        self._background = None
        self._size = None
        figure.canvas.mpl_connect("draw_event", self._on_draw)
        self.add(*animated)

    def add(self, *artists) -> None:
        """Mark ``artists`` (or containers of them) animated: drawn by :meth:`blit` only."""
        for a in _flatten(artists):
            a.set_animated(True)
            self.artists.append(a)
        self.artists.sort(key=lambda a: a.get_zorder())  # stable: equal zorders keep their order

    @property
    def valid(self) -> bool:
        """Whether a background of the figure's current size is cached."""
        return self._background is not None and self._size == tuple(self.figure.bbox.size)

    def _on_draw(self, event) -> None:
        if not self.artists or event.canvas.is_saving():  # savefig draws animated artists itself
            return
        if event.canvas is self.canvas and event.renderer is getattr(self.canvas, "renderer", None):
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._size = tuple(self.figure.bbox.size)
        for a in self.artists:
            a.draw(event.renderer)

    def blit(self) -> None:
        """Restore the background and draw the animated artists into the Agg buffer."""
        if not self.valid:
            raise RuntimeError("Blitter.blit needs a background: draw the figure first")
        self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for a in self.artists:
            a.draw(renderer)


def _data_points(artist: Artist, ax) -> tuple[np.ndarray, np.ndarray]:
    """x and y data values of a line or collection (only the coordinates given in data units)."""
    if not artist.get_visible():
        return np.empty(0), np.empty(0)
    if isinstance(artist, Line2D):
        xy = np.asarray(artist.get_xydata(), dtype=float).reshape(-1, 2)
        in_x, in_y = artist.get_transform().contains_branch_seperately(ax.transData)
    elif isinstance(artist, Collection):
        paths = artist.get_paths()
        xy = (np.concatenate([p.vertices for p in paths]) if paths else np.empty((0, 2))).astype(float)
        in_x, in_y = artist.get_transform().contains_branch_seperately(ax.transData)
        off = np.asarray(artist.get_offsets(), dtype=float).reshape(-1, 2)
        if len(off) and artist.get_offset_transform().contains_branch(ax.transData):
            xy = np.concatenate([xy if in_x and in_y else np.empty((0, 2)), off])
            in_x = in_y = True
    else:
        return np.empty(0), np.empty(0)
    return (xy[:, 0] if in_x else np.empty(0)), (xy[:, 1] if in_y else np.empty(0))


def _scaled_range(axis, values: np.ndarray) -> tuple[float, float] | None:
    """(min, max) of ``values`` in the axis's scaled space (log10 on a log axis), None if empty."""
    v = values[np.isfinite(values)]
    if axis.get_scale() == "log":
        v = v[v > 0]
    if not v.size:
        return None
    s = axis.get_transform().transform(np.array([v.min(), v.max()]))
    return float(min(s)), float(max(s))


def _union(a, b):
    return b if a is None else a if b is None else (min(a[0], b[0]), max(a[1], b[1]))


def _extent(ax, artists) -> list:
    """Per axis (x, y): the scaled (min, max) of ``artists``' data, or None."""
    xs, ys = zip(*[_data_points(a, ax) for a in artists]) if artists else ((), ())
    return [_scaled_range(axis, np.concatenate(vals) if vals else np.empty(0))
            for axis, vals in ((ax.xaxis, xs), (ax.yaxis, ys))]


class ViewLimits:
    """Axis limits of ``figure`` kept fixed while only the ``animated`` artists change (module doc)."""

    def __init__(self, figure: Figure, animated: Sequence[Artist]):
        self.figure = figure
        self.animated = list(animated)
        self._static: dict = {}

    def _moving(self, ax) -> list:
        return _extent(ax, [a for a in self.animated if a.axes is ax])

    def fit(self, force: bool) -> bool:
        """Set the limits: all axes if ``force``, else those whose animated artists left the view
        or shrank below :data:`SHRINK` of it. Returns whether any limit changed."""
        changed = False
        for ax in self.figure.axes:
            auto = (ax.get_autoscalex_on(), ax.get_autoscaley_on())
            if not any(auto):
                continue
            if force or ax not in self._static:
                static = [a for a in (*ax.lines, *ax.collections) if not a.get_animated()]
                self._static[ax] = _extent(ax, static)
            moving = self._moving(ax)
            if not force and all(m is None for m in moving):
                continue
            target = [_union(s, m) for s, m in zip(self._static[ax], moving)]
            view = [_scaled_range(axis, np.asarray(lim, dtype=float))
                    for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim()))]
            new = self._new_view(force, target, moving, view, ax.margins())
            for axis, on, lim, set_lim in zip((ax.xaxis, ax.yaxis), auto, new, (ax.set_xlim, ax.set_ylim)):
                if on and lim is not None:
                    set_lim(*axis.get_transform().inverted().transform(np.array(lim)), auto=None)
                    changed = True
        return changed

    @staticmethod
    def _new_view(force, target, moving, view, margins) -> list:
        """Per axis: the new scaled (lo, hi), or None to keep the view."""
        padded = []
        for t, m in zip(target, margins):
            if t is None:
                padded.append(None)
                continue
            lo, hi = t
            if hi - lo <= 1e-12 * max(abs(lo), abs(hi)):  # one point (or a flat line): widen by 5%
                d = 0.05 * abs(lo) or 0.05
                lo, hi = lo - d, hi + d
            padded.append((lo - m * (hi - lo), hi + m * (hi - lo)))
        if force:
            return padded
        left = any(mv is not None and v is not None
                   and (mv[0] < v[0] - 1e-9 * (v[1] - v[0]) or mv[1] > v[1] + 1e-9 * (v[1] - v[0]))
                   for mv, v in zip(moving, view))
        if left:  # grow: keep what is shown, add what left it
            return [_union(v, p) if p is not None else None for v, p in zip(view, padded)]
        shrunk = any(t is not None and v is not None and (t[1] - t[0]) < SHRINK * (v[1] - v[0])
                     for t, v in zip(target, view))
        return padded if shrunk else [None, None]

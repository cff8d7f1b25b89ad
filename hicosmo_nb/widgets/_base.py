"""The dashboard base class: one figure, in-place redraws, coalesced updates, a message area.

Canvas modes
    ``"ipympl"``: the figure is an ipympl canvas widget; updates change artists in place and call
    ``draw_idle`` (no flicker). ``"png"``: where ipympl is missing (e.g. Colab without its custom
    widget manager) the figure is rendered to PNG and swapped into an ``ipywidgets.Image`` in one
    step. ``mode="auto"`` picks ipympl when it can be imported (and not in Colab, whose stock
    frontend cannot show it); ``$HICOSMO_NB_WIDGET_MODE`` overrides. The active mode is
    ``dashboard.mode`` and is shown in the dashboard's footer.

Coalescing
    Control changes only mark the dashboard dirty. Inside a running event loop (a Jupyter or
    Voila kernel) the update is scheduled with ``call_soon``: a burst of slider events queued
    before it runs produces one computation, with the latest values. Without an event loop (plain
    Python, tests) the update runs at once. :meth:`Dashboard.set` changes several controls and
    updates once; inside ``with dashboard.batched():`` control changes do not update, and leaving
    the outermost block updates once.

Cheap redraws (blitting)
    A subclass declares the artists a slider changes (model curves, moving points, ellipses,
    markers) with ``animated=`` in :meth:`Dashboard._setup`. A full draw renders everything else
    (axes, ticks, labels, data points, error bars, legends) and caches that background
    (:class:`~hicosmo_nb.widgets._blit.Blitter`); a slider move restores it and draws only the
    animated artists, then pushes the Agg buffer: ``canvas.blit`` in ipympl mode (ipympl sends
    the changed pixels at once, no browser round trip) or one PNG in png mode; both encoded by
    :func:`~hicosmo_nb.widgets._frames.png_bytes` (fast, unfiltered). A full
    draw (and a new background) happens on a structural change (a dropdown or checkbox, or
    ``set`` of one), on ``redraw(full=True)``, when the canvas size changed, and when the view must
    change. Axis limits are set from the data and the current curves (error bars included, with
    margins) at each full draw and frozen while sliders move; they change only when an animated
    artist leaves the view (which grows to hold it) or everything shrinks below a quarter of it
    (:class:`~hicosmo_nb.widgets._blit.ViewLimits`). Structural controls that change only
    curves and legends, not the axes (``keep_view=`` in :meth:`Dashboard._setup`: the
    combination explorer's dataset tick boxes), get a full draw that keeps the view, as a slider
    does: a contour that shrinks is seen shrinking in the same axes. Dashboards without animated
    artists (the sampler) draw the whole figure each time (``draw_idle`` in ipympl mode).
    The layout is computed once (constrained layout on the first draw, and again after a
    structural change or a change of the view: new tick labels), then frozen
    (``set_layout_engine("none")``, legends placed by "best" pinned where they landed, titles
    pinned, which skips matplotlib's per-draw check of their overlap with tick labels). The
    layout's own draw is the frame: pinning changes no pixel, so the figure is not drawn twice.

Only APIs present in both ipywidgets 7.7 (Colab) and 8 are used: ``observe(handler,
names="value")``, ``Layout``, ``HTML``, ``Image``, ``VBox``/``HBox``, ``FloatSlider``,
``Dropdown``, ``Button.on_click``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import math
import os
import sys
from typing import Any, Iterator, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from ..parameters import unknown_name_error
from ._blit import Blitter, ViewLimits
from ._frames import ipympl_canvas, png_bytes

__all__ = ["Dashboard", "canvas_mode", "MODES"]

MODES = ("ipympl", "png")


def canvas_mode(mode: str = "auto") -> str:
    """Resolve ``"auto"`` to ``"ipympl"`` or ``"png"`` (see the module docstring).

    Raises
    ------
    ValueError
        If ``mode`` is not "auto", "ipympl" or "png", or "ipympl" is asked for but not installed.
    """
    mode = os.environ.get("HICOSMO_NB_WIDGET_MODE", mode) if mode == "auto" else mode
    if mode not in ("auto",) + MODES:
        raise ValueError(f"mode must be 'auto', 'ipympl' or 'png', got {mode!r}")
    try:
        import ipympl  # noqa: F401
        have = True
    except ImportError:
        have = False
    if mode == "ipympl" and not have:
        raise ValueError("mode='ipympl' needs the ipympl package (pip install ipympl); use mode='png'")
    if mode == "auto":
        return "ipympl" if have and "google.colab" not in sys.modules else "png"
    return mode


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:  # ipykernel (and so Voila) runs comm handlers inside its running asyncio loop
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _out_of_range(name: str, control, value) -> str:
    """"" if ``value`` fits ``control`` (its min/max, a log slider's base**min/max), else why not."""
    lo, hi = getattr(control, "min", None), getattr(control, "max", None)
    if lo is None or hi is None or isinstance(value, (tuple, list)):
        return ""
    if isinstance(control, widgets.FloatLogSlider):
        lo, hi = control.base ** lo, control.base ** hi
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if lo <= x <= hi:  # False for NaN
        return ""
    return f"{name}={value!r} is outside the range of the {name} control, [{lo:g}, {hi:g}]; nothing changed"


class Dashboard(widgets.VBox):
    """Base of every dashboard: a VBox holding controls, one figure and a readout.

    Programmatic handle (same on every dashboard)
        ``controls``: name -> control widget; ``state``: dict of current values and readouts;
        ``figure``: the matplotlib Figure; ``mode``: "ipympl" or "png"; ``message``: the text of
        the message area ("" when all is well); ``set(**values)``: change controls, update once;
        ``updates``: number of computations done so far.

    ``full_draws`` and ``blits`` count the two kinds of redraw (module docstring).

    Subclasses build ``self.controls`` and the figure's artists, then implement ``_compute``
    (library calls; may raise ``ValueError`` with a user-facing message) and ``_draw`` (set
    artist data in place), and may implement ``_restyle`` (texts and legends, called before
    ``_draw`` when a full redraw is due). A ``ValueError`` keeps the previous state and curves and
    shows the message; any other exception is shown as a one-line message too (never a traceback).
    """

    def _setup(self, figure: Figure, controls: dict[str, widgets.Widget], panel: widgets.Widget,
               mode: str = "auto", title: str = "", animated: Sequence = (), keep_view: Sequence[str] = ()) -> None:
        self.mode = canvas_mode(mode)
        self.figure = figure
        self.controls = dict(controls)
        self.updates = 0
        self.message = ""
        self._values: dict[str, Any] = {}
        self._pending = False
        self._batch = False
        # only a constrained-layout figure is laid out once and frozen; others keep their own layout
        self._layout_dirty = isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine)
        self._frozen = False  # True once _relayout has laid the figure out and frozen it
        self._best_legends: list = []
        self._full_pending = True  # the next redraw draws the whole figure (and a new background)
        self._restyle_pending = False  # ... the same, keeping the view unless the animated artists need a new one
        # structural controls that change only curves and legends, not the axes: see _mark
        self._keep_view = {id(controls[n]) for n in keep_view}
        self.full_draws = self.blits = 0
        self.readout = widgets.HTML(value="")
        self.message_area = widgets.HTML(value="")
        self.footer = widgets.HTML(value=f"<small>canvas mode: <b>{self.mode}</b></small>")
        if self.mode == "ipympl":
            self.canvas = ipympl_canvas(figure)
        else:
            FigureCanvasAgg(figure)  # one Agg canvas kept by the figure: its renderer is reused
            self.canvas = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self._blitter = Blitter(figure, animated)
        self._view = ViewLimits(figure, self._blitter.artists)
        for control in self.controls.values():
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
        header = [widgets.HTML(value=f"<b>{html.escape(title)}</b>")] if title else []
        self.children = tuple(header + [panel, self.canvas, self.message_area, self.readout, self.footer])

    # ------------------------------------------------------------------------- state
    @property
    def state(self) -> dict:
        """Current control values and the last good readout (a copy)."""
        return {"controls": {k: getattr(c, "value", None) for k, c in self.controls.items()},
                **{k: v for k, v in self._values.items()}, "message": self.message, "mode": self.mode}

    def set(self, **values) -> "Dashboard":
        """Set several controls (by name) and update once; returns the dashboard.

        A value outside a control's range (or not a number for a numeric control) changes
        nothing: the message area names the control, the value and the range, and the last good
        state stays. Unknown names raise ``ValueError`` (with the closest control name).
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise unknown_name_error("control", unknown, self.controls)
        for k, v in values.items():
            problem = _out_of_range(k, self.controls[k], v)
            if problem:
                self._show_message(problem)
                return self
        with self.batched():
            for k, v in values.items():
                self._mark(self.controls[k])
                self.controls[k].value = v
        return self

    @contextlib.contextmanager
    def batched(self) -> Iterator["Dashboard"]:
        """Change controls without updating; leaving the outermost block updates once.

        Blocks nest: only the outermost one updates. When the block raises, the batch state is
        restored and the exception propagates without an update (the last good state stays).

        Examples
        --------
        >>> from hicosmo_nb.widgets import autodiff_explorer
        >>> d = autodiff_explorer("exp", mode="png")  # doctest: +SKIP
        >>> with d.batched():  # doctest: +SKIP
        ...     d.controls["x"].value = 0.5
        ...     d.controls["log10_h"].value = -8.0
        """
        outermost = not self._batch
        self._batch = True
        try:
            yield self
        finally:
            self._batch = not outermost
        if outermost:
            self.update()

    # ------------------------------------------------------------------------ updates
    def _mark(self, control) -> None:
        """Record the redraw a change of ``control`` needs: a slider, a blit; a structural control,
        a full draw with the view fitted again and a new layout; a structural control named in
        ``keep_view`` (a dataset tick box: new curves and legend, the same axes), a full draw
        that keeps the view and the layout unless the animated artists leave the view or shrink
        below a quarter of it, as a slider move does."""
        if not _structural(control):
            return
        if id(control) in self._keep_view:
            self._restyle_pending = True
        else:
            self._full_pending = True
            self._layout_dirty |= self._frozen

    def _on_change(self, change) -> None:
        self._mark(change["owner"])
        if self._batch:
            return
        loop = _running_loop()
        if loop is None:
            self.update()
        elif not self._pending:
            self._pending = True
            loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._pending = False
        self.update()

    def update(self) -> None:
        """Compute from the current control values and redraw (messages instead of tracebacks)."""
        self.updates += 1
        try:
            values = self._compute()
        except ValueError as exc:
            self._show_message(str(exc))
            return
        except Exception as exc:  # a dashboard never shows a traceback
            self._show_message(f"{type(exc).__name__}: {exc}")
            return
        self._values = values
        self._show_message("")
        if self._full_pending or self._restyle_pending:
            self._restyle(values)
        self._draw(values)
        self.redraw()

    def redraw(self, full: bool = False) -> None:
        """Push the figure to the screen: a blit of the animated artists over the cached
        background, or (``full``, after a structural change, when the view must change) a full
        draw; then ``blit``/``draw_idle`` (ipympl) or one PNG swap."""
        blitter = self._blitter
        full = full or self._full_pending or not blitter.artists
        if blitter.artists and self._view.fit(force=full):
            full = True
            self._layout_dirty |= self._frozen  # new limits, new tick labels: lay out once more
        full = full or self._restyle_pending
        laid_out = self._layout_dirty
        if laid_out:
            self._relayout()  # its draw, with the final layout, is this frame (and the background)
        self._full_pending = self._restyle_pending = False
        if full or not blitter.valid:
            self.full_draws += 1
            if self.mode == "ipympl" and not blitter.artists:
                if not laid_out:
                    self.canvas.draw_idle()  # the browser asks for the frame
                return
            if not laid_out:
                self.figure.canvas.draw()  # draw_event caches the background; ipympl: frame ready
        else:
            self.blits += 1
            blitter.blit()
            if self.mode == "ipympl":
                self.canvas.blit(self.figure.bbox)  # ipympl: frame ready, sent when asked
                return
        if self.mode == "png":
            self._push_png()

    def _push_png(self) -> None:
        """Encode the Agg buffer as PNG (:func:`png_bytes`) into the Image widget."""
        self.canvas.value = png_bytes(np.asarray(self.figure.canvas.buffer_rgba()))

    def _relayout(self) -> None:
        """Lay the figure out (constrained layout, legends at "best") once, then freeze it."""
        fig = self.figure
        if not self._best_legends:  # the first time: remember which legends go where "best" is
            self._best_legends = [ax.get_legend() for ax in fig.axes
                                  if ax.get_legend() is not None and ax.get_legend()._loc in (0, "best")]
        for leg in self._best_legends:
            leg.set_loc("best")
        fig.set_layout_engine("constrained")
        fig.canvas.draw()
        for leg in self._best_legends:  # pin where "best" put it (in axes fractions)
            ax = leg.axes
            leg.set_loc(tuple(ax.transAxes.inverted().transform(leg.get_window_extent().p0)))
        for ax in fig.axes:  # pin titles where they landed: no tick-label overlap check per draw
            if ax.get_title():
                ax.set_title(ax.get_title(), y=ax.title.get_position()[1])
        fig.set_layout_engine("none")
        self._layout_dirty, self._frozen = False, True

    def _show_message(self, text: str) -> None:
        self.message = text
        self.message_area.value = (f'<span style="color:#b00020">&#9888; {html.escape(text)}</span>'
                                   if text else "")

    # ---------------------------------------------------------------------- subclass API
    def _compute(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw(self, values: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _restyle(self, values: dict) -> None:
        """Texts and legends that change only with structural controls (default: none)."""


def _structural(control) -> bool:
    """Whether a change of ``control`` may change the figure's texts (labels, titles): not a slider."""
    return not isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider, widgets.FloatRangeSlider,
                                    widgets.IntSlider, widgets.FloatText))


def slider(name: str, value: float, lo: float, hi: float, step: float, fmt: str = ".3f",
           description: str | None = None, label_px: int = 80) -> widgets.FloatSlider:
    """A continuous-update FloatSlider with the parameter name as description (``label_px`` wide)."""
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description or name,
                               readout_format=fmt, continuous_update=True,
                               style={"description_width": f"{label_px}px"},
                               layout=widgets.Layout(width=f"{250 + label_px}px"))


def new_figure(width: float, height: float, ncols: int) -> tuple[Figure, list]:
    """A Figure (not registered with pyplot, so nothing is displayed twice) and its axes row."""
    fig = Figure(figsize=(width, height), dpi=80, layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, list(axes) if ncols > 1 else [axes]


def readout_table(rows: list[tuple[str, str]]) -> str:
    """An HTML table of (label, value) rows for the readout area."""
    body = "".join(f"<tr><td style='padding-right:12px'>{html.escape(a)}</td><td><code>{html.escape(b)}</code></td></tr>"
                   for a, b in rows)
    return f"<table>{body}</table>"


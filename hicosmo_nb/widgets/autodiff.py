"""``autodiff_explorer()``: JAX derivatives against finite differences, and the cost of gradients.

Numbers come from :mod:`hicosmo_nb.derivatives` (:func:`~hicosmo_nb.derivatives.derivative_study`,
one compiled call per function; :func:`~hicosmo_nb.derivatives.gradient_cost`, measured live).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import derivatives
from ..plots.style import palette
from ._base import Dashboard, new_figure, readout_table, slider

__all__ = ["autodiff_explorer", "AutodiffExplorer", "STEPS"]

STEPS = np.logspace(-15, -1, 57)  # the h grid of the error plot


class AutodiffExplorer(Dashboard):
    """The autodiff explorer (see :func:`autodiff_explorer`)."""

    def __init__(self, function: str = "sin", *, mode: str = "auto"):
        if function not in derivatives.FUNCTIONS:
            raise ValueError(f"function must be one of {list(derivatives.FUNCTIONS)}, got {function!r}")
        super().__init__()
        fn = derivatives.FUNCTIONS[function]
        c = {"function": widgets.Dropdown(options=list(derivatives.FUNCTIONS), value=function,
                                          description="function"),
             "x": slider("x", fn.x0, fn.lo, fn.hi, (fn.hi - fn.lo) / 200, ".3f"),
             "log10_h": slider("log10_h", -6.0, -15.0, -1.0, 0.25, ".2f", "log10 h")}
        self.cost_button = widgets.Button(description="measure gradient cost",
                                          layout=widgets.Layout(width="190px"))
        self.cost_button.on_click(lambda _: self.measure_cost())
        self.cost = None
        fig, axes = new_figure(12.5, 3.9, 3)
        self._axes = axes
        cf, cfwd, ccen, cad = palette(4)
        ax_f, ax_e, ax_c = axes
        (self._f_line,) = ax_f.plot([], [], color=cf, label="f(x)")
        (self._tangent,) = ax_f.plot([], [], "--", color=cad, label="tangent from jax.grad")
        (self._pt,) = ax_f.plot([], [], "o", color="k")
        (self._e_fwd,) = ax_e.loglog([], [], color=cfwd, label="one-sided FD")
        (self._e_cen,) = ax_e.loglog([], [], color=ccen, label="central FD")
        (self._e_ad,) = ax_e.loglog([], [], color=cad, label="autodiff")
        self._h_mark = ax_e.axvline(1e-6, color="0.5", lw=0.8)
        ax_e.set(xlabel="step h", ylabel="relative error", title="round-off (left) vs truncation (right)")
        (self._c_ad,) = ax_c.loglog([], [], "o-", color=cad, label="gradient by autodiff")
        (self._c_fd,) = ax_c.loglog([], [], "s-", color=cfwd, label="gradient by FD (n+1 calls)")
        ax_c.set(xlabel="number of parameters n", ylabel="seconds per gradient",
                 title="Rosenbrock: cost of a full gradient")
        for ax in axes:
            ax.legend(frameon=False, fontsize="small")
        ax_f.set_xlabel("x")
        panel = widgets.HBox([widgets.VBox([c["function"], c["x"], c["log10_h"]]), self.cost_button])
        moving = [self._tangent, self._pt, self._e_fwd, self._e_cen, self._e_ad, self._h_mark]
        self._setup(fig, c, panel, mode, "Autodiff explorer", animated=moving)
        c["function"].observe(self._on_function, names="value")
        self.update()

    def _on_function(self, change) -> None:
        fn = derivatives.FUNCTIONS[change["new"]]
        x = self.controls["x"]
        with self.batched():  # widen first so that the new value always fits
            x.min, x.max = min(x.min, fn.lo), max(x.max, fn.hi)
            x.value, x.min, x.max, x.step = fn.x0, fn.lo, fn.hi, (fn.hi - fn.lo) / 200

    def _compute(self) -> dict:
        c = self.controls
        name, x = c["function"].value, float(c["x"].value)
        h = 10.0 ** float(c["log10_h"].value)
        steps = np.append(STEPS, h)  # one array shape for every call: one compilation
        study = derivatives.derivative_study(name, x, steps)
        fn = derivatives.FUNCTIONS[name]
        grid = np.linspace(fn.lo, fn.hi, 41)
        curve = np.array([derivatives.derivative_study(name, g, steps).value for g in grid]) \
            if (name, fn.lo, fn.hi) != getattr(self, "_curve_key", None) else self._curve
        self._curve_key, self._curve = (name, fn.lo, fn.hi), curve
        if not np.isfinite(study.value) or not np.isfinite(study.autodiff):
            raise ValueError(f"f or its derivative is not finite at x = {x:g} (e.g. an unphysical Omega_m)")
        return {"function": name, "x": x, "h": h, "study": study, "grid": grid, "curve": curve}

    def _restyle(self, v: dict) -> None:
        self._axes[0].set_title(derivatives.FUNCTIONS[v["function"]].label)

    def _draw(self, v: dict) -> None:
        s, x = v["study"], v["x"]
        self._f_line.set_data(v["grid"], v["curve"])
        half = 0.15 * (v["grid"][-1] - v["grid"][0])
        self._tangent.set_data([x - half, x + half], [s.value - half * s.autodiff, s.value + half * s.autodiff])
        self._pt.set_data([x], [s.value])
        floor = 1e-17  # show exact zeros on the log axis
        self._e_fwd.set_data(STEPS, np.maximum(s.forward_err[:-1], floor))
        self._e_cen.set_data(STEPS, np.maximum(s.central_err[:-1], floor))
        self._e_ad.set_data(STEPS[[0, -1]], [max(s.autodiff_err, floor)] * 2)
        self._h_mark.set_xdata([v["h"], v["h"]])
        self.readout.value = readout_table([
            ("f(x)", f"{s.value:.12g}"), ("f'(x) by jax.grad", f"{s.autodiff:.15g}"),
            (f"reference ({s.reference_kind})", f"{s.reference:.15g}"),
            (f"one-sided FD, h = {v['h']:.2g}", f"{s.forward[-1]:.15g} (rel. error {s.forward_err[-1]:.2e})"),
            (f"central FD, h = {v['h']:.2g}", f"{s.central[-1]:.15g} (rel. error {s.central_err[-1]:.2e})"),
            ("autodiff rel. error", f"{s.autodiff_err:.2e}")])

    def measure_cost(self, ns=(2, 8, 32, 128, 512)) -> dict:
        """Measure :func:`hicosmo_nb.derivatives.gradient_cost` now and plot it; returns it."""
        self.cost = derivatives.gradient_cost(ns)
        self._c_ad.set_data(self.cost["n"], self.cost["autodiff_s"])
        self._c_fd.set_data(self.cost["n"], self.cost["fd_s"])
        self._values = {**self._values, "cost": self.cost}
        self.redraw(full=True)  # the cost lines are static: a new background, limits fitted again
        return self.cost


def autodiff_explorer(function: str = "sin", *, mode: str = "auto") -> AutodiffExplorer:
    """Exact JAX derivatives vs one-sided and central finite differences, and gradient cost.

    Panels: ``f`` with the autodiff tangent at ``x``; relative error against the step ``h`` on a
    log-log plot (round-off on the left, truncation on the right, autodiff flat near machine
    precision); seconds per full gradient of the n-D Rosenbrock function by autodiff and by
    finite differences, measured live ("measure gradient cost").

    Returns
    -------
    AutodiffExplorer
        ``controls`` (function, x, log10_h), ``state`` (``study``: a
        :class:`~hicosmo_nb.derivatives.DerivativeStudy`), ``figure``, ``set(...)``,
        ``measure_cost()``.

    Examples
    --------
    >>> from hicosmo_nb.widgets import autodiff_explorer
    >>> d = autodiff_explorer("exp", mode="png")  # doctest: +SKIP
    >>> d.set(x=0.0).state["study"].autodiff  # doctest: +SKIP
    1.0
    """
    return AutodiffExplorer(function, mode=mode)

"""``fisher_explorer()``: survey presets and their knobs -> Fisher ellipses, errors and the DETF FoM.

The numbers come from :class:`hicosmo_nb.fisher.forecast.Forecaster` (Jacobians computed once per
preset; each knob change is a few NumPy products), :func:`hicosmo_nb.plots.dashboard_panels.fisher_panel`
(ellipse vertices, 1-D Gaussians, errors, FoM) and, for the real-data overlay,
:func:`hicosmo_nb.fisher.fisher_observed` at :func:`hicosmo_nb.likelihoods.readout.best_fit`.
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import likelihoods
from ..fisher import BAO_PRESETS, REAL_DATASETS, SN_PRESETS, fisher_observed
from ..fisher.forecast import (FORECAST_DEFAULT_FIXED, FORECAST_FIDUCIAL, FORECAST_PARAMS, ForecastSettings,
                               Forecaster)
from ..likelihoods.readout import best_fit
from ..parameters import MARGINALIZED_OFFSETS
from ..plots.dashboard_panels import fisher_panel
from ..plots.style import labels_for, palette
from ._base import Dashboard, new_figure, readout_table, slider

__all__ = ["fisher_explorer", "FisherExplorer"]

NONE = "none"


class FisherExplorer(Dashboard):
    """The Fisher explorer (see :func:`fisher_explorer`)."""

    def __init__(self, sn: str = "Pantheon+-like", bao: str = "DESI DR2-like", *, mode: str = "auto"):
        super().__init__()
        self.forecaster = Forecaster(list(SN_PRESETS.values()), list(BAO_PRESETS.values()))
        self._real_cache: dict = {}
        c = {"sn": widgets.Dropdown(options=[NONE, *SN_PRESETS], value=sn, description="SN survey"),
             "bao": widgets.Dropdown(options=[NONE, *BAO_PRESETS], value=bao, description="BAO survey"),
             "n_sn": widgets.FloatLogSlider(value=1.0, base=10, min=1.5, max=6.0, step=0.05,
                                            description="N SNe", readout_format=".3g"),
             "sigma_int": slider("sigma_int", 0.0, 0.0, 0.4, 0.005, ".3f", "σ/SN (0=preset)", label_px=110),
             "sys_override": widgets.Checkbox(value=False, description="override sys floor", indent=False),
             "sigma_sys": slider("sigma_sys", 0.0, 0.0, 0.05, 0.001, ".3f", "σ_sys floor"),
             "sn_z": widgets.FloatRangeSlider(value=(0.0, 2.5), min=0.0, max=2.5, step=0.05, description="SN z"),
             "bao_z": widgets.FloatRangeSlider(value=(0.0, 2.5), min=0.0, max=2.5, step=0.05,
                                               description="BAO z"),
             "bao_scale": widgets.FloatLogSlider(value=1.0, base=10, min=-0.6, max=0.6, step=0.02,
                                                 description="BAO err ×"),
             "x": widgets.Dropdown(options=list(FORECAST_PARAMS), value="w0", description="x"),
             "y": widgets.Dropdown(options=list(FORECAST_PARAMS), value="wa", description="y"),
             "real": widgets.Checkbox(value=False, description="overlay real data", indent=False)}
        rows = []
        for p in FORECAST_PARAMS:
            c[f"status_{p}"] = widgets.Dropdown(options=["free", "fixed"], value="fixed" if p in FORECAST_DEFAULT_FIXED
                                                else "free", description=p, layout=widgets.Layout(width="190px"))
            c[f"prior_{p}"] = widgets.FloatText(value=0.0, description="prior σ", layout=widgets.Layout(width="170px"))
            rows.append(widgets.HBox([c[f"status_{p}"], c[f"prior_{p}"]]))
        fig, axes = new_figure(12.0, 3.9, 3)
        self._axes = axes
        self._build_artists()
        survey_box = widgets.VBox([c["sn"], c["n_sn"], c["sigma_int"], c["sys_override"], c["sigma_sys"],
                                   c["sn_z"], c["bao"], c["bao_scale"], c["bao_z"]])
        param_box = widgets.VBox([widgets.HTML("<small>free (marginalized unless plotted) or fixed; "
                                               "prior σ = 0: no prior</small>"), *rows,
                                  widgets.HBox([c["x"], c["y"]]), c["real"]])
        moving = [*self._ell, *self._ell_real, self._fid, *self._g, *self._g_real]
        self._setup(fig, c, widgets.HBox([survey_box, param_box]), mode, "Fisher explorer", animated=moving)
        c["sn"].observe(self._on_preset, names="value")
        self._on_preset({"new": sn})

    def _build_artists(self):
        ax2, axx, axy = self._axes
        c_fc, c_real = palette(2)
        self._ell = [ax2.plot([], [], color=c_fc, lw=lw, label=lab)[0]
                     for lw, lab in ((1.8, "forecast 68.3% (Δχ²=2.30)"), (1.0, "forecast 95.4% (Δχ²=6.18)"))]
        self._ell_real = [ax2.plot([], [], color=c_real, lw=lw, ls="--", label=lab)[0]
                          for lw, lab in ((1.8, "real data 68.3%"), (1.0, "real data 95.4%"))]
        (self._fid,) = ax2.plot([], [], "+", color="k", ms=10, label="fiducial")
        self._g = [axx.plot([], [], color=c_fc)[0], axy.plot([], [], color=c_fc)[0]]
        self._g_real = [axx.plot([], [], color=c_real, ls="--")[0], axy.plot([], [], color=c_real, ls="--")[0]]
        for ax in (axx, axy):
            ax.set_ylabel("relative probability")
        for ax in self._axes:  # narrow panels: at most ~5 x tick labels, which then never overlap
            ax.locator_params(axis="x", nbins=5)

    def _on_preset(self, change) -> None:
        name = change["new"]
        if name in SN_PRESETS:
            self.set(n_sn=float(SN_PRESETS[name].n.sum()))

    # ------------------------------------------------------------------------ compute
    @property
    def settings(self) -> ForecastSettings:
        """The :class:`ForecastSettings` the controls describe."""
        c = self.controls
        return ForecastSettings(
            sn=None if c["sn"].value == NONE else c["sn"].value,
            bao=None if c["bao"].value == NONE else c["bao"].value,
            n_sn=c["n_sn"].value, sigma_int=c["sigma_int"].value or None,
            sigma_sys=c["sigma_sys"].value if c["sys_override"].value else None,
            sn_z=tuple(c["sn_z"].value), bao_z=tuple(c["bao_z"].value), bao_scale=c["bao_scale"].value,
            priors=self._priors(),
            fixed=tuple(p for p in FORECAST_PARAMS if c[f"status_{p}"].value == "fixed"))

    def _priors(self) -> dict[str, float]:
        """The prior sigmas > 0; a negative or NaN one is refused (not dropped)."""
        out = {}
        for p in FORECAST_PARAMS:
            v = self.controls[f"prior_{p}"].value
            if not v >= 0:
                raise ValueError(f"prior σ of {p} is {v}: it must be a number >= 0 (0: no prior)")
            if v > 0:
                out[p] = v
        return out

    def _compute(self) -> dict:
        c, s = self.controls, self.settings
        x, y = c["x"].value, c["y"].value
        for p in (x, y):
            if p in s.fixed:
                raise ValueError(f"{p} is fixed: free it to plot it")
        F = self.forecaster.fisher(s)
        try:
            panel = fisher_panel(F, x, y)
        except ValueError as exc:
            raise ValueError(f"the forecast cannot constrain every free parameter ({exc}); fix one "
                             "or add a prior (H0 and M are degenerate for SNe alone)") from None
        out = {"fisher": F, "panel": panel, "errors": panel.errors, "fom": panel.fom, "settings": s,
               "real": None, "real_note": ""}
        if c["real"].value:
            out["real"], out["real_note"] = self._real_panel(s, x, y)
        return out

    def _real_panel(self, s: ForecastSettings, x: str, y: str):
        datasets = []
        for preset in (s.sn, s.bao):
            for name in REAL_DATASETS.get(preset, ()):
                try:
                    datasets.append((name, likelihoods.get(name)))
                    break
                except (FileNotFoundError, ValueError, OSError):
                    continue
        if not datasets:
            return None, "no real dataset matches the chosen presets"
        free = tuple(p for p in FORECAST_PARAMS if p not in s.fixed and p not in MARGINALIZED_OFFSETS)
        key = (tuple(n for n, _ in datasets), free, tuple(sorted(s.priors.items())))
        if key not in self._real_cache:
            lk = likelihoods.combine(*[lk for _, lk in datasets])
            start = {k: v for k, v in FORECAST_FIDUCIAL.items() if k not in MARGINALIZED_OFFSETS}
            try:
                best = best_fit(lk, start, free)["best"]
                F = fisher_observed(lk, best, free, name="real: " + lk.name)
                F = F.add_prior({k: v for k, v in s.priors.items() if k in free}) if s.priors else F
                self._real_cache[key] = (F, lk.name)
            except ValueError as exc:
                self._real_cache[key] = (None, f"real-data Fisher not available: {str(exc)[:160]}")
        F, note = self._real_cache[key]
        if F is None:
            return None, note
        if x not in F.names or y not in F.names:
            return None, f"the real data ({note}) do not vary {x} and {y}"
        try:
            panel = fisher_panel(F, x, y)
        except ValueError as exc:
            return None, f"real-data Fisher of {note} is singular: {str(exc)[:160]}"
        return panel, f"real data: {note} (observed Fisher at its best fit)"

    def _restyle(self, v: dict) -> None:
        """Axis labels of the chosen pair; the legend lists the real-data curves only when overlaid."""
        lx, ly = labels_for([self.controls["x"].value, self.controls["y"].value])
        ax2, axx, axy = self._axes
        ax2.set(xlabel=lx, ylabel=ly)
        axx.set_xlabel(lx)
        axy.set_xlabel(ly)
        handles = self._ell + (self._ell_real if self.controls["real"].value else []) + [self._fid]
        ax2.legend(handles=handles, frameon=False, fontsize="small", loc="upper right")

    def _draw(self, v: dict) -> None:
        panel, real = v["panel"], v["real"]
        for ln, verts in zip(self._ell, panel.ellipses):
            ln.set_data(verts[:, 0], verts[:, 1])
        for ln, (gx, gy) in zip(self._g, panel.gaussians):
            ln.set_data(gx, gy)
        self._fid.set_data([panel.center[0]], [panel.center[1]])
        for ln in self._ell_real + self._g_real:
            ln.set_data([], [])
        if real is not None:
            for ln, verts in zip(self._ell_real, real.ellipses):
                ln.set_data(verts[:, 0], verts[:, 1])
            for ln, (gx, gy) in zip(self._g_real, real.gaussians):
                ln.set_data(gx, gy)
        rows = [(f"σ({p}) marginalized", f"{e:.4g}") for p, e in panel.errors.items()]
        rows.append(("DETF FoM (w0, wa)", "n/a (w0 and wa must both be free)" if v["fom"] is None
                     else f"{v['fom']:.2f}"))
        if real is not None:
            pair = (self.controls["x"].value, self.controls["y"].value)
            rows += [(f"real data σ({p})", f"{real.errors[p]:.4g}") for p in pair]
        if v["real_note"]:
            rows.append(("overlay", v["real_note"]))
        self.readout.value = readout_table(rows)


def fisher_explorer(sn: str = "Pantheon+-like", bao: str = "DESI DR2-like", *,
                    mode: str = "auto") -> FisherExplorer:
    """Fisher forecasts for SN and BAO survey presets, with their knobs.

    Presets: :data:`hicosmo_nb.fisher.SN_PRESETS` (Pantheon+-like, Roman-like, LSST-like) and
    :data:`~hicosmo_nb.fisher.BAO_PRESETS` (DESI DR2-like). Knobs: number of SNe, error per SN,
    systematic floor, redshift ranges, BAO error scale, Gaussian priors, and each parameter free
    (marginalized unless plotted) or fixed. Panels: 68.3%/95.4% ellipses (Delta chi^2 =
    2.30/6.18) of the chosen pair, their 1-D Gaussians; readout: marginalized errors and the DETF
    figure of merit. "overlay real data" adds the observed Fisher matrix of the matching real
    data set at its best fit (and its legend entries, shown only then).

    Knob moves redraw only the contours over a cached background (see :mod:`hicosmo_nb.widgets`),
    so the axis limits stay put while the contours change: when they grow out of the view, the
    view grows; when they shrink below a quarter of it (e.g. many more SNe), it is fitted to them
    again. Either costs one full redraw.

    Returns
    -------
    FisherExplorer
        ``controls``, ``state`` (``fisher``, ``errors``, ``fom``, ``settings``), ``figure``, ``set(...)``.

    Examples
    --------
    >>> # skipped in doctests: builds the dashboard and compiles its forecast (tests/test_widgets.py runs it)
    >>> from hicosmo_nb.widgets import fisher_explorer
    >>> d = fisher_explorer(mode="png")  # doctest: +SKIP
    >>> d.set(n_sn=5000).state["fom"]  # doctest: +SKIP
    """
    for name, value, valid in (("sn", sn, SN_PRESETS), ("bao", bao, BAO_PRESETS)):
        if value != NONE and value not in valid:
            raise ValueError(f"{name} must be 'none' or one of {list(valid)}, got {value!r}")
    return FisherExplorer(sn, bao, mode=mode)

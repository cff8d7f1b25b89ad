"""``cosmology_explorer()``: sliders for a model's parameters against SN, DESI BAO and H(z) data.

All numbers come from the library: :class:`hicosmo_nb.plots.dashboard_panels.CosmologyPanels`
(one compiled call returns every curve and every chi^2, the chi^2 being the likelihoods' own,
:func:`hicosmo_nb.likelihoods.readout.chi2_of`), :func:`~hicosmo_nb.likelihoods.readout.best_fit`
for the "best fit" button and :func:`~hicosmo_nb.likelihoods.readout.unphysical_reason` for
messages.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import data as _data
from .. import likelihoods
from ..likelihoods.readout import best_fit, unphysical_reason
from ..parameters import COSMOLOGY_DEFAULTS, MODELS
from ..plots.dashboard_panels import PANEL_ALWAYS_VARIED, PANEL_PARAMS, CosmologyPanels, bao_display_points
from ..plots.style import palette
from ._base import Dashboard, new_figure, readout_table, slider

__all__ = ["cosmology_explorer", "CosmologyExplorer", "SN_SETS"]

SN_SETS = {"Union3 (embedded)": "union3", "Pantheon+": "pantheon_plus", "DES-SN5YR": "desy5"}
_LOADERS = {"union3": lambda: _data.load_union3(), "pantheon_plus": lambda: _data.load_pantheon_plus(),
            "desy5": lambda: _data.load_desy5()}
_RANGES = {"H0": (50.0, 90.0, 0.1, ".1f"), "Omega_m": (0.05, 0.6, 0.005, ".3f"),
           "Omega_b": (0.02, 0.08, 0.001, ".4f"), "Omega_k": (-0.5, 0.5, 0.01, ".2f"),
           "w0": (-2.0, 0.0, 0.01, ".2f"), "wa": (-3.0, 2.0, 0.05, ".2f"), "m_nu": (0.0, 1.0, 0.01, ".2f")}


class CosmologyExplorer(Dashboard):
    """The cosmology explorer (see :func:`cosmology_explorer`)."""

    def __init__(self, model: str = "LCDM", sn: str = "union3", *, mode: str = "auto"):
        if model not in MODELS:
            raise ValueError(f"model must be one of {list(MODELS)}, got {model!r}")
        if sn not in SN_SETS.values():
            raise ValueError(f"sn must be one of {list(SN_SETS.values())}, got {sn!r}")
        super().__init__()
        self._bao_data, self._cc_data = _data.load_desi_bao("dr2"), _data.load_cc()
        self._bao_lk, self._cc_lk = likelihoods.get("desi_dr2_bao"), likelihoods.get("cc")
        self._panels: dict[str, CosmologyPanels] = {}
        self._combined: dict = {}
        self._sn_key = None
        self._good = None
        controls = {"model": widgets.Dropdown(options=list(MODELS), value=model, description="model"),
                    "sn": widgets.Dropdown(options=list(SN_SETS.items()), value=sn, description="SN set")}
        for name in PANEL_PARAMS:
            lo, hi, step, fmt = _RANGES[name]
            controls[name] = slider(name, COSMOLOGY_DEFAULTS[name], lo, hi, step, fmt)
        for probe in ("use_sn", "use_bao", "use_cc"):
            controls[probe] = widgets.Checkbox(value=True, description=probe[4:].upper() + " in fit",
                                               indent=False, layout=widgets.Layout(width="110px"))
        self.best_fit_button = widgets.Button(description="best fit", button_style="primary")
        self.best_fit_button.on_click(lambda _: self.fit())
        fig, axes = new_figure(13.0, 3.9, 3)
        self._axes = axes
        self._build_artists()
        sliders = widgets.VBox([controls[k] for k in PANEL_PARAMS])
        side = widgets.VBox([controls["model"], controls["sn"],
                             widgets.HBox([controls["use_sn"], controls["use_bao"], controls["use_cc"]]),
                             self.best_fit_button])
        moving = [self._sn_points, self._mu_line, *self._bao_lines.values(), self._hz_line]
        self._setup(fig, controls, widgets.HBox([sliders, side]), mode, "Cosmology explorer", animated=moving)
        controls["sn"].observe(self._on_sn, names="value")
        controls["model"].observe(self._on_model, names="value")
        self._switch_sn(sn)
        self._enable_for_model()
        self.update()

    # --------------------------------------------------------------------------- setup
    def _build_artists(self):
        ax_sn, ax_bao, ax_hz = self._axes
        c_data, c_model = palette(2)
        self._sn_points = ax_sn.errorbar([], [], [], fmt="o", ms=3, color=c_data, label="SN (offset fitted)")
        (self._mu_line,) = ax_sn.plot([], [], color=c_model, label="model")
        ax_sn.set(xscale="log", xlabel="$z$", ylabel=r"$\mu$ [mag]", title="Hubble diagram")
        self._bao_lines = {}
        points = bao_display_points(self._bao_data)
        for kind, style, marker in (("DM", "--", "s"), ("DH", ":", "^"), ("DV", "-", "o")):
            ax_bao.errorbar(*points[kind], fmt=marker, mfc="white", color=c_data, label=f"DESI DR2 {kind}")
            (self._bao_lines[kind],) = ax_bao.plot([], [], style, color=c_model)
        ax_bao.set(xlabel="$z$", ylabel=r"$D/(r_d z^{2/3})$, $zD_H/(r_d z^{2/3})$", title="DESI DR2 BAO")
        cc = self._cc_data
        ax_hz.errorbar(cc.z, cc.H, np.sqrt(np.diag(cc.cov)), fmt="o", ms=3, mfc="white", color=c_data,
                       label="32 chronometers")
        (self._hz_line,) = ax_hz.plot([], [], color=c_model, label="model")
        ax_hz.set(xlabel="$z$", ylabel=r"$H(z)$ [km/s/Mpc]", title="Cosmic chronometers")
        for ax in self._axes:
            ax.legend(frameon=False, fontsize="small")

    def _switch_sn(self, key: str) -> None:
        if key not in self._panels:
            try:
                sn_data = _LOADERS[key]()
            except (FileNotFoundError, ValueError, OSError) as exc:
                raise ValueError(f"{key} is not available here: {str(exc).splitlines()[0]}") from None
            lks = {key: likelihoods.get(key), "desi_dr2_bao": self._bao_lk, "cc": self._cc_lk}
            self._panels[key] = CosmologyPanels(sn_data, self._bao_data, self._cc_data, lks)
        self._sn_key = key

    def _on_sn(self, change) -> None:
        try:
            self._switch_sn(change["new"])
        except ValueError as exc:
            self.controls["sn"].value = change["old"]  # back to the data that works
            self._show_message(str(exc))

    def _on_model(self, change) -> None:
        self._enable_for_model()

    def _enable_for_model(self) -> None:
        """Sliders of parameters the model does not vary are disabled and reset to the default."""
        free = MODELS[self.controls["model"].value]
        with self.batched():
            for name in PANEL_PARAMS:
                on = name in free or name in PANEL_ALWAYS_VARIED
                if not on:
                    self.controls[name].value = COSMOLOGY_DEFAULTS[name]
                self.controls[name].disabled = not on

    # ------------------------------------------------------------------------ compute
    @property
    def params(self) -> dict:
        """The current parameter values (all of :data:`PANEL_PARAMS`)."""
        return {k: float(self.controls[k].value) for k in PANEL_PARAMS}

    @property
    def panels(self) -> CosmologyPanels:
        """The library object computing the current panels."""
        return self._panels[self._sn_key]

    def _compute(self) -> dict:
        p = self.params
        v = self.panels.evaluate(p)
        if not v.ok:
            raise ValueError(f"unphysical: {unphysical_reason(p) or 'a likelihood is -inf here'}; "
                             "showing the last good curves")
        used = [name for name, on in zip(self.panels.names, self._probes_on()) if on]
        total = float(sum(v.chi2[n] for n in used))
        return {"params": p, "chi2": dict(v.chi2), "chi2_total": total, "probes": used, "panels": v}

    def _probes_on(self) -> list[bool]:
        return [self.controls["use_sn"].value, self.controls["use_bao"].value, self.controls["use_cc"].value]

    def _draw(self, values: dict) -> None:
        v, panels = values["panels"], self.panels
        line, caps, (bars,) = self._sn_points
        sig = np.sqrt(np.diag(panels.sn.cov))
        line.set_data(panels.sn.z, v.sn_points)
        z, m = panels.sn.z, v.sn_points
        bars.set_segments(np.stack([np.stack([z, m - sig], -1), np.stack([z, m + sig], -1)], 1))
        self._mu_line.set_data(panels.z_sn, v.mu)
        for kind, ln in self._bao_lines.items():
            ln.set_data(panels.z_bao, v.bao[kind])
        self._hz_line.set_data(panels.z_hz, v.hz)
        n = {name: lk_n for name, lk_n in zip(panels.names, (panels.sn.n, self._bao_data.values.size,
                                                               self._cc_data.z.size))}
        rows = [(f"chi2 {name} ({n[name]} points){'' if name in values['probes'] else ' [not in total]'}",
                 f"{values['chi2'][name]:.3f}") for name in panels.names]
        rows.append(("chi2 total (" + " + ".join(values["probes"]) + ")", f"{values['chi2_total']:.3f}"))
        self.readout.value = readout_table(rows)

    # ------------------------------------------------------------------------ actions
    def fit(self) -> dict | None:
        """Move the sliders to the maximum-likelihood point of the selected data (the model's
        parameters free; ``Omega_b`` and ``m_nu`` kept). Returns :func:`best_fit`'s dict."""
        used = [name for name, on in zip(self.panels.names, self._probes_on()) if on]
        if not used:
            self._show_message("select at least one data set for the best fit")
            return None
        key = (self._sn_key, tuple(used))
        if key not in self._combined:  # one likelihood object per selection: its solver compiles once
            self._combined[key] = likelihoods.combine(*[lk for n, lk in self._likelihoods().items() if n in used])
        free = list(MODELS[self.controls["model"].value])
        try:
            res = best_fit(self._combined[key], self.params, free,
                           bounds={k: (self.controls[k].min, self.controls[k].max) for k in free})
        except ValueError as exc:
            self._show_message(str(exc))
            return None
        self.set(**{k: res["best"][k] for k in free})
        return res

    def _likelihoods(self) -> dict:
        key = self._sn_key
        if not hasattr(self, "_sn_lks"):
            self._sn_lks = {}
        if key not in self._sn_lks:
            self._sn_lks[key] = likelihoods.get(key)
        return {key: self._sn_lks[key], "desi_dr2_bao": self._bao_lk, "cc": self._cc_lk}


def cosmology_explorer(model: str = "LCDM", sn: str = "union3", *, mode: str = "auto") -> CosmologyExplorer:
    """Sliders for a cosmological model against SN, DESI DR2 BAO and cosmic-chronometer data.

    Panels: Hubble diagram (SN points shifted by the best-fit magnitude offset, as the
    offset-marginalized likelihood implies), DESI DR2 ``D_M/r_d``, ``D_H/r_d``, ``D_V/r_d``
    (scaled by ``z^{-2/3}``; ``r_d`` computed from ``Omega_b``, ``H0``, ``m_nu``) and ``H(z)``
    against the 32 chronometers. The readout gives each data set's chi^2 (equal to the library
    likelihoods') and the total of the selected ones. "best fit" moves the sliders to the
    maximum likelihood of the selected data. Unphysical values show a message and keep the last
    good curves. Axis limits hold the data with their error bars and the curves; they stay put
    while sliders move (only the curves and SN points are redrawn) and grow when a curve leaves
    them.

    Parameters
    ----------
    model : str
        One of :data:`hicosmo_nb.parameters.MODELS` (LCDM, kLCDM, wCDM, kwCDM, w0waCDM, kw0waCDM).
    sn : {"union3", "pantheon_plus", "desy5"}
        SN set (Union3 is embedded; the others need their files in the data directory).
    mode : {"auto", "ipympl", "png"}
        Canvas mode (see :mod:`hicosmo_nb.widgets`).

    Returns
    -------
    CosmologyExplorer
        A displayable widget; ``controls``, ``state``, ``figure``, ``set(...)``, ``fit()``.

    Examples
    --------
    >>> from hicosmo_nb.widgets import cosmology_explorer
    >>> d = cosmology_explorer(mode="png")  # doctest: +SKIP
    >>> d.set(H0=70.0, Omega_m=0.30).state["chi2_total"]  # doctest: +SKIP
    """
    return CosmologyExplorer(model, sn, mode=mode)

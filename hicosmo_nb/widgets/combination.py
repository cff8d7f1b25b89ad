"""``combination_explorer()``: tick datasets, pick a model, overlay the Laplace ellipses of combinations.

The fits come from :class:`hicosmo_nb.compare.CombinationFits` (maximum likelihood, posterior
mode and Laplace covariance per combination, cached; one compiled program per dataset, shared
by the models), the significances from its :meth:`~hicosmo_nb.compare.CombinationFits.compare`
(Delta chi^2 of the model against LCDM, DESI's sigma), the ellipses from
:func:`hicosmo_nb.plots.ellipse_vertices`.
"Run NUTS" hands the current combination's :class:`~hicosmo_nb.inference.Problem` to the live
sampler dashboard (:class:`~hicosmo_nb.widgets.SamplerDashboard`, shown below on first use).
"""

from __future__ import annotations

from typing import Sequence

import ipywidgets as widgets
import numpy as np

from ..compare import ENTRIES, CombinationFits
from ..parameters import BASELINE_MODEL, MODELS
from ..plots.ellipses import ellipse_vertices
from ..plots.style import SIGMA_LEVELS, labels_for, palette
from ._base import Dashboard, new_figure, readout_table

__all__ = ["CombinationExplorer", "combination_explorer"]

MAX_COMBINATIONS = 6  # the current combination plus up to five pinned ones
_PAIRS = {"LCDM": ("Omega_m", "H0"), "wCDM": ("Omega_m", "w0"), "w0waCDM": ("w0", "wa")}
_AXES = ("H0", "Omega_m", "Omega_b", "hrd", "w0", "wa")


class CombinationExplorer(Dashboard):
    """The combination explorer (see :func:`combination_explorer`)."""

    def __init__(self, datasets: Sequence[str] = ("desi", "cmb"), model: str = "w0waCDM", *,
                 fits: CombinationFits | None = None, neutrino_hierarchy: str = "one", mode: str = "auto"):
        super().__init__()
        self.fits = fits if fits is not None else CombinationFits(neutrino_hierarchy=neutrino_hierarchy)
        self.pinned: list[tuple[str, ...]] = []
        self.sampler = None
        c = {}
        for e, (label, _, _) in ENTRIES.items():
            c[f"use_{e}"] = widgets.Checkbox(value=e in datasets and e in self.fits.available, description=label,
                                             indent=False, disabled=e not in self.fits.available,
                                             layout=widgets.Layout(width="170px"))
        x, y = _PAIRS.get(model, ("Omega_m", "H0"))
        c["model"] = widgets.Dropdown(options=[m for m in MODELS if m in _PAIRS], value=model, description="model")
        c["x"] = widgets.Dropdown(options=list(_AXES), value=x, description="x")
        c["y"] = widgets.Dropdown(options=list(_AXES), value=y, description="y")
        self.buttons = {"pin": widgets.Button(description="Pin combination", layout=widgets.Layout(width="140px")),
                        "clear": widgets.Button(description="Clear pinned", layout=widgets.Layout(width="120px")),
                        "nuts": widgets.Button(description="Run NUTS", layout=widgets.Layout(width="110px"))}
        self.buttons["pin"].on_click(lambda _b: self.pin())
        self.buttons["clear"].on_click(lambda _b: self.clear())
        self.buttons["nuts"].on_click(lambda _b: self.run_nuts())
        fig, (ax,) = new_figure(6.4, 4.6, 1)
        self._ax = ax
        colors = palette(MAX_COMBINATIONS)
        self._lines = [[ax.plot([], [], color=colors[i], lw=lw)[0] for lw in (2.0, 1.0)]
                       for i in range(MAX_COMBINATIONS)]
        self._marks = [ax.plot([], [], "+", color=colors[i], ms=9)[0] for i in range(MAX_COMBINATIONS)]
        notes = ", ".join(f"{ENTRIES[e][0]} ({r[:60]})" for e, r in self.fits.unavailable.items())
        ticks = widgets.VBox([c[f"use_{e}"] for e in ENTRIES] +
                             ([widgets.HTML(f"<small>not available: {notes}</small>")] if notes else []))
        panel = widgets.HBox([ticks, widgets.VBox([c["model"], c["x"], c["y"],
                                                   widgets.HBox(list(self.buttons.values()))])])
        self.nuts_area = widgets.VBox()
        self._setup(fig, c, panel, mode, "Dataset combinations: Laplace ellipses and significance",
                    animated=[ln for pair in self._lines for ln in pair] + self._marks,
                    keep_view=[f"use_{e}" for e in ENTRIES])
        self.children = tuple(self.children) + (self.nuts_area,)
        c["model"].observe(self._on_model, names="value")
        self.update()

    # ------------------------------------------------------------------ handle
    @property
    def selection(self) -> tuple[str, ...]:
        """The ticked entries (keys of :data:`hicosmo_nb.compare.ENTRIES`)."""
        return tuple(e for e in ENTRIES if self.controls[f"use_{e}"].value)

    def pin(self) -> bool:
        """Keep the current combination on the canvas (at most five pinned); True if pinned."""
        try:
            sel = self.fits.check(self.selection, self.controls["model"].value)
        except ValueError as exc:
            self._show_message(str(exc))
            return False
        if sel not in self.pinned:
            if len(self.pinned) >= MAX_COMBINATIONS - 1:
                self._show_message(f"at most {MAX_COMBINATIONS - 1} pinned combinations: Clear pinned first")
                return False
            self.pinned.append(sel)
        self._full_pending = True
        self.update()
        return True

    def clear(self) -> None:
        """Remove the pinned combinations."""
        self.pinned.clear()
        self._full_pending = True
        self.update()

    def run_nuts(self, **settings):
        """Start the live sampler dashboard on the current combination and model.

        ``settings`` (``num_chains``, ``num_warmup``, ``num_samples``, ``seed``) go to
        :func:`~hicosmo_nb.widgets.sampler_dashboard`. Returns the SamplerDashboard, or None
        (with a message) for a bad combination.
        """
        from .sampler import sampler_dashboard

        model = self.controls["model"].value
        try:
            problem = self.fits.problem(self.selection, model)
        except ValueError as exc:
            self._show_message(str(exc))
            return None
        if self.sampler is None:
            self.sampler = sampler_dashboard(model, [], mode=self.mode, **settings)
            self.nuts_area.children = (self.sampler,)
        else:
            for k, v in settings.items():
                self.sampler.controls[k].value = v
        self.sampler.controls["model"].value = model
        self.sampler.controls["neutrino_hierarchy"].value = self.fits.neutrino_hierarchy
        self.sampler.start(problem=problem)
        return self.sampler

    # ------------------------------------------------------------------ compute and draw
    def _on_model(self, change) -> None:
        x, y = _PAIRS[change["new"]]
        self.set(x=x, y=y)

    def _combos(self) -> list[tuple[str, ...]]:
        model = self.controls["model"].value
        current = self.fits.check(self.selection, model)
        return [current] + [p for p in self.pinned if p != current]

    def _compute(self) -> dict:
        c = self.controls
        model, x, y = c["model"].value, c["x"].value, c["y"].value
        if x == y:
            raise ValueError("pick two different parameters for x and y")
        rows = []
        for sel in self._combos():
            fit = self.fits.fit(sel, model)
            sig = None
            if model != BASELINE_MODEL:
                sig = self.fits.compare(sel, (BASELINE_MODEL, model))[model]
            drawn = x in fit.free and y in fit.free
            ellipses, center = [], None
            if drawn:
                i, j = fit.free.index(x), fit.free.index(y)
                mean = [fit.mode[x], fit.mode[y]]
                cov = fit.cov[np.ix_([i, j], [i, j])]
                try:
                    ellipses = [ellipse_vertices(mean, cov, lev) for lev in SIGMA_LEVELS]
                    center = mean
                except ValueError:
                    drawn = False
            rows.append({"selection": sel, "fit": fit, "row": sig, "ellipses": ellipses, "center": center,
                         "drawn": drawn})
        return {"combinations": rows, "model": model, "x": x, "y": y}

    def _restyle(self, v: dict) -> None:
        lx, ly = labels_for([v["x"], v["y"]])
        self._ax.set(xlabel=lx, ylabel=ly)
        handles = [self._lines[i][0] for i, r in enumerate(v["combinations"]) if r["drawn"]]
        labels = [r["fit"].name for r in v["combinations"] if r["drawn"]]
        for i, r in enumerate(v["combinations"]):
            self._lines[i][0].set_label(r["fit"].name)
        legend = self._ax.get_legend()
        if legend is not None:
            legend.remove()
        if handles:
            self._ax.legend(handles, labels, frameon=False, fontsize="small", loc="upper right")

    def _draw(self, v: dict) -> None:
        for pair, mark in zip(self._lines, self._marks):
            for ln in pair:
                ln.set_data([], [])
            mark.set_data([], [])
        table = []
        for i, r in enumerate(v["combinations"]):
            if r["drawn"]:
                for ln, verts in zip(self._lines[i], r["ellipses"]):
                    ln.set_data(verts[:, 0], verts[:, 1])
                self._marks[i].set_data([r["center"][0]], [r["center"][1]])
            f = r["fit"]
            errs = ", ".join(f"{p} {f.mode[p]:.4g} ± {f.sigma[p]:.2g}" for p in f.free)
            sig = r["row"]
            sig_text = "" if sig is None else (f"; Δχ² = {sig.delta_chi2:.2f} vs ΛCDM → "
                                              f"{'n/a' if sig.sigma is None else f'{sig.sigma:.2f}σ'}, "
                                              f"ln B (Laplace) = {sig.ln_bayes_factor:.2f}")
            note = "" if r["drawn"] else f" (does not vary {v['x']} and {v['y']})"
            table.append((("▶ " if i == 0 else "") + f.name + note, f"χ² = {f.chi2:.2f}{sig_text}; {errs}"))
        self.readout.value = readout_table(table)


def combination_explorer(datasets: Sequence[str] = ("desi", "cmb"), model: str = "w0waCDM", *,
                         fits: CombinationFits | None = None, neutrino_hierarchy: str = "one",
                         mode: str = "auto") -> CombinationExplorer:
    """Overlay the Laplace ellipses of dataset combinations, with each one's significance.

    Tick datasets (DESI DR2 BAO, BBN, theta_*, the compressed CMB prior, the SN sets whose
    files are present) and pick a model; the current combination and the pinned ones ("Pin
    combination") are drawn as 68.3%/95.4% ellipses of their Laplace posteriors on the chosen
    pair of parameters, and the readout gives each one's chi^2, its Delta chi^2 against LCDM
    with DESI's two-sided Gaussian sigma, the Laplace ln Bayes factor and the marginalized errors.
    A fit is computed once per combination and model (the first use of a dataset compiles its
    likelihood, for every model at once; later fits only optimize); toggling back to a fitted
    combination only redraws.
    Ticking datasets keeps the axes as they are, so a contour that shrinks is seen shrinking;
    they grow when a contour leaves them and are fitted again when all contours shrink below a
    quarter of them, or when the model or the pair of parameters changes.
    "Run NUTS" starts the live sampler dashboard on the current combination.

    Parameters
    ----------
    datasets : sequence of str
        Initially ticked keys of :data:`hicosmo_nb.compare.ENTRIES`.
    model : {"LCDM", "wCDM", "w0waCDM"}
    fits : CombinationFits, optional
        A cache to share (e.g. with a notebook that already fitted the combinations).
    neutrino_hierarchy : str
        Static setting of the datasets (a key of :data:`~hicosmo_nb.parameters.NEUTRINO_HIERARCHIES`),
        used when ``fits`` is not given.
    mode : {"auto", "ipympl", "png"}

    Returns
    -------
    CombinationExplorer
        ``controls``, ``state`` (``combinations``: per combination its ModelFit and comparison
        row), ``figure``, ``set(...)``, ``pin()``, ``clear()``, ``run_nuts()``.

    Examples
    --------
    >>> from hicosmo_nb.widgets import combination_explorer
    >>> d = combination_explorer(("desi", "cmb"), "w0waCDM", mode="png")  # doctest: +SKIP
    >>> d.set(use_union3=True).state["combinations"][0]["row"].sigma > 2  # doctest: +SKIP
    True
    """
    if model not in _PAIRS:
        raise ValueError(f"model must be one of {list(_PAIRS)}, got {model!r}")
    bad = [d for d in datasets if d not in ENTRIES]
    if bad:
        raise ValueError(f"unknown dataset entr{'y' if len(bad) == 1 else 'ies'} {bad}; valid: {list(ENTRIES)}")
    return CombinationExplorer(datasets, model, fits=fits, neutrino_hierarchy=neutrino_hierarchy, mode=mode)

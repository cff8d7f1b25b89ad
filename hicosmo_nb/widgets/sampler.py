"""The live sampler dashboard: start, watch, stop, resume and save a multi-chain NUTS run.

:func:`sampler_dashboard` returns a :class:`SamplerDashboard` (an ipywidgets ``VBox``). Pick a
model, datasets, free and fixed parameters (the names of :func:`hicosmo_nb.facade.build_problem`),
chains, warmup, draws and seed; **Start** builds the problem at once (bad names become
messages) and, in a background thread so that the kernel stays responsive, starts its
:class:`~hicosmo_nb.inference.Run` with the facade's choices (:func:`hicosmo_nb.start_problem`,
the second half of :func:`hicosmo_nb.start_fit`: same key, same NUTS settings as
:func:`hicosmo_nb.fit`) and advances it chunk by chunk. After each
chunk the per-chain progress bars, the trace lines, the running R-hat / bulk and tail ESS
(:meth:`Result.diagnostics <hicosmo_nb.inference.Result.diagnostics>`, i.e. ArviZ, on the draws
so far) and the divergence counts are updated in place. **Stop** ends the run at the next chunk
boundary and leaves a valid, savable result; **Resume** continues the same run, giving bitwise the
draws of an uninterrupted one. At the end the corner plot (:func:`hicosmo_nb.plots.corner_plot`,
with the observed Fisher ellipses at the posterior mean when asked), the ArviZ summary table and
the PRNG key names appear; **Save** writes netCDF (:meth:`Result.save
<hicosmo_nb.inference.Result.save>`). Bad names, no valid starting point and the like are shown
as messages; no exception escapes a button.

Programmatic handle
    ``controls`` (name -> widget), ``state`` (a dict: phase, iteration, draws and divergences per
    chain, running diagnostics, messages, key names), ``figure`` (the matplotlib Figure),
    ``run`` and ``result``; ``start()``, ``stop()``, ``resume()``, ``wait(timeout)`` and
    ``save(path)`` do what the buttons do; ``on_update(callback)`` calls ``callback(dashboard)``
    after every chunk's update (in the run's thread).

Examples
--------
>>> from hicosmo_nb.widgets import sampler_dashboard
>>> dash = sampler_dashboard("LCDM", ["cc"], num_chains=2, num_warmup=100, num_samples=100)
>>> dash.controls["free"].value = "H0, Omega_mm"
>>> dash.start()          # a bad name: a message, no exception, no run
False
>>> "Omega_mm" in dash.message
True
"""

from __future__ import annotations

import os
import pathlib
import threading
import time
import warnings
from typing import Any, Callable, Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..facade import build_problem, start_problem
from ..fisher import fisher_observed
from ..inference import Problem, RunSettings, compute_diagnostics
from ..likelihoods import DATASETS
from ..parameters import MODELS, unknown_name_error
from ..plots import to_datatree
from ._base import Dashboard
from ._sampler_controls import make_controls, parse_fixed, parse_names
from ._sampler_view import TraceView, diagnostics_html, keys_html, messages_html, summary_html

__all__ = ["SamplerDashboard", "sampler_dashboard"]

MIN_REDRAW_S = 0.25  # at most ~4 figure redraws per second; the last one is always drawn
_MIN_DIAG_DRAWS = 4  # draws per chain before R-hat / ESS are shown


class SamplerDashboard(Dashboard):
    """A live multi-chain NUTS run driven by buttons (see the module docstring).

    Make it with :func:`sampler_dashboard`. ``settings`` (default ``RunSettings()``) gives the
    initial chains, warmup and draws of the controls and every other run setting (chain
    layout, start); the controls' values replace its three fields at each Start.
    """

    def __init__(self, model: str = "LCDM", datasets: Sequence[str] = ("desi_dr2_bao",), *,
                 free: Sequence[str] | None = None, fixed: str = "", rd_free: bool = False,
                 settings: RunSettings | None = None, seed: int = 0, fisher: bool = False,
                 path: str = "sampler_run.nc", mode: str = "auto", neutrino_hierarchy: str = "one"):
        super().__init__()
        self.settings = RunSettings.of(settings)  # ValueError for anything but a RunSettings
        c = make_controls(model=model, datasets=datasets, free=free, fixed=fixed, rd_free=rd_free,
                          settings=self.settings, seed=seed, fisher=fisher, path=path,
                          neutrino_hierarchy=neutrino_hierarchy)
        self.buttons = {name: widgets.Button(description=name.capitalize(), layout=widgets.Layout(width="90px"))
                        for name in ("start", "stop", "resume", "save")}
        for name, button in self.buttons.items():
            button.on_click(lambda _b, act=getattr(self, name): act())
        self.progress_box = widgets.VBox()
        self.diagnostics_area = widgets.HTML()
        self.summary_area = widgets.HTML()
        self.key_area = widgets.HTML()
        panel = widgets.VBox([
            widgets.HBox([c["model"], c["datasets"], widgets.VBox([c["free"], c["fixed"], c["rd_free"],
                                                                c["neutrino_hierarchy"]])]),
            widgets.HBox([c["num_chains"], c["num_warmup"], c["num_samples"], c["seed"], c["fisher"]]),
            widgets.HBox([*(self.buttons[b] for b in ("start", "stop", "resume")), c["path"], self.buttons["save"]]),
            self.progress_box,
        ])
        self._setup(Figure(figsize=(11.0, 5.0), dpi=80), c, panel, mode=mode, title="Live NUTS sampler")
        self.view = TraceView(self.figure)
        self.children = tuple(self.children[:-2]) + (self.diagnostics_area, self.summary_area, self.key_area,
                                                     *self.children[-2:])
        self.run = self.result = self.problem = None
        self.messages: list[tuple[str, str]] = []
        self.phase = "idle"
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()
        self._redraw_lock = threading.Lock()
        self._last_redraw = 0.0
        self._interval = MIN_REDRAW_S
        self._diag: dict | None = None
        self._listeners: list[Callable] = []
        self.update_s: list[float] = []  # Python-side seconds of each chunk's dashboard update
        self._bars: list[widgets.IntProgress] = []
        self._labels: list[widgets.HTML] = []
        self._buttons()
        self.diagnostics_area.value = diagnostics_html(None, (), 0)
        if model not in MODELS:
            self._fail(unknown_name_error("model", [str(model)], MODELS))
        unknown = [d for d in datasets if d not in DATASETS]
        if unknown:
            self._fail(unknown_name_error("dataset", unknown, DATASETS))
        self.redraw()

    # ------------------------------------------------------------------ handle
    @property
    def state(self) -> dict:
        """Controls, phase, progress per chain, running diagnostics, messages and key names."""
        st = self.run.status if self.run is not None else None
        return {
            "controls": {k: w.value for k, w in self.controls.items()},
            "phase": self.phase,
            "iteration": int(st.iteration) if st else 0,
            "draws": [int(x) for x in st.draws] if st else [],
            "divergences": [int(x) for x in st.divergences] if st else [],
            "diagnostics": self._diag,
            "messages": list(self.messages),
            "message": self.message,
            "key_names": [r["name"] for r in self._key_records()],
            "mode": self.mode,
        }

    @property
    def running(self) -> bool:
        """True while the background thread starts or advances the run."""
        return self._thread is not None and self._thread.is_alive()

    def on_update(self, callback: Callable[["SamplerDashboard"], None]) -> None:
        """Call ``callback(self)`` after every chunk's update (from the run's thread)."""
        self._listeners.append(callback)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the background thread ends (or ``timeout`` s); True if it has ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def start(self, problem: Problem | None = None) -> bool:
        """Build the problem from the controls (or take ``problem``, e.g. from the combination
        explorer) and start a new run in the background (:func:`hicosmo_nb.start_problem`).

        Returns True if the run was started; otherwise a message says why (bad names, ...).
        """
        if self.running:
            self._say("warning", "a run is in progress: Stop it first")
            return False
        c = {k: w.value for k, w in self.controls.items()}
        try:
            if problem is None:
                if not c["datasets"]:
                    raise ValueError("datasets: select at least one dataset")
                problem = build_problem(c["model"], list(c["datasets"]), parse_names(c["free"]),
                                        fixed=parse_fixed(c["fixed"]), rd_free=c["rd_free"],
                                        neutrino_hierarchy=c["neutrino_hierarchy"])
            n_warm, n_draw = c["num_warmup"], c["num_samples"]
            # ~20 chunks per phase: smooth bars and traces (the draws do not depend on it)
            settings = self.settings.replace(num_chains=c["num_chains"], num_warmup=n_warm, num_samples=n_draw,
                                             chunk_size=self.settings.chunk_size or max(1, max(n_warm, n_draw) // 20))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            self._fail(exc)
            return False
        self.messages.clear()
        self.problem, self.run, self.result, self._diag = problem, None, None, None
        self.summary_area.value = self.key_area.value = ""
        self._make_bars(settings.num_chains, settings.num_warmup + settings.num_samples)
        self.view.reset(problem.free, settings.num_chains, settings.num_samples)
        self.diagnostics_area.value = diagnostics_html(None, problem.free, 0)
        self.redraw()
        self._say("info", f"compiling and finding the MAP start of {', '.join(problem.free)} ...")
        self._launch(start={"seed": c["seed"], "settings": settings})
        return True

    def stop(self) -> None:
        """Stop at the next chunk boundary; the draws so far stay a valid, savable result."""
        self._halt.set()
        if self.run is not None:
            with warnings.catch_warnings():  # between two advances _halt stops the loop instead
                warnings.simplefilter("ignore")
                self.run.stop()

    def resume(self) -> bool:
        """Continue a stopped run where it stopped (bitwise as if never stopped)."""
        if self.running or self.run is None or self.run.done:
            self._say("warning", "nothing to resume: Start a run first" if self.run is None or self.run.done
                      else "the run is already going")
            return False
        self._launch(start=None)
        return True

    def save(self, path: str | None = None, *, overwrite: bool = False) -> str | None:
        """Write the current result (finished or stopped) to netCDF; returns the path or None."""
        path = self.controls["path"].value if path is None else path
        if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
            self._say("error", f"save needs a file name, got {path!r}; e.g. save('run.nc')")
            return None
        if self.result is None:
            self._say("error", "nothing to save yet: the run has no draws (it is still in warmup or not started)")
            return None
        try:
            out = str(self.result.save(pathlib.Path(path).expanduser().resolve(), overwrite=overwrite))
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return None
        self.message = ""  # a successful save clears the previous error
        self._say("info", f"saved {self.result.num_chains} chains x {self.result.num_draws} draws to {out}")
        return out

    # ------------------------------------------------------------------ background run
    def _launch(self, start: dict | None) -> None:
        """Run :meth:`_work` in the background; ``start``: start_problem's keywords for a new run."""
        self._halt.clear()
        self._thread = threading.Thread(target=self._work, args=(start,), daemon=True,
                                        name="hicosmo_nb-sampler-dashboard")
        self.phase = "starting" if start else "running"
        self._buttons(busy=True)
        self._thread.start()

    def _work(self, start: dict | None) -> None:
        try:
            if start is not None:  # compile and find the MAP start here, off the kernel's thread
                t0 = time.perf_counter()
                self.run = start_problem(self.problem, **start)
                self.run.on_chunk(self._on_chunk)
                self._say("info", f"MAP start found in {time.perf_counter() - t0:.1f} s; sampling")
            self.phase = "running"
            while not self._halt.is_set() and not self.run.done:
                self.run.advance()
                self._after_chunk()
            self._finish()
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.phase = "error" if self.run is None else "stopped"
            self._fail(exc)
        finally:
            self._buttons()

    def _on_chunk(self, chunk) -> None:
        """Light per-chunk work (in the run's thread): progress bars and trace buffers."""
        st = chunk.status
        warm = min(st.iteration, st.num_warmup)
        for i, (bar, label) in enumerate(zip(self._bars, self._labels)):
            bar.value = min(warm + int(st.draws[i]), bar.max)
            label.value = (f"{st.phase}: iteration {warm + int(st.draws[i])}/{bar.max}, step size "
                           f"{float(st.step_size[i]):.3g}, divergences {int(st.divergences[i])}")
        self.view.append(chunk.draws, chunk.start)

    def _after_chunk(self, final: bool = False) -> None:
        """Running diagnostics and the figure, coalesced: at most once per ``self._interval`` s,
        an interval of twice the last update's cost (so updates never take more than about a
        third of the run's time) but at least :data:`MIN_REDRAW_S`. ``final``: the run's full
        diagnostics are already in ``self._diag``; always redraw."""
        if final or time.monotonic() - self._last_redraw >= self._interval:
            t0 = time.perf_counter()
            draws = self.view.draws_so_far()
            if not final and draws and next(iter(draws.values())).shape[1] >= _MIN_DIAG_DRAWS:
                self._diag = compute_diagnostics(to_datatree(draws))
            title = "Diagnostics of the kept draws" if final else "Running diagnostics"
            self.diagnostics_area.value = diagnostics_html(self._diag, self.problem.free,
                                                           int(self.run.status.divergences.sum()), title)
            self.view.refresh()
            self.redraw()
            self._last_redraw = time.monotonic()
            self.update_s.append(time.perf_counter() - t0)
            self._interval = max(MIN_REDRAW_S, 2.0 * self.update_s[-1])
        for callback in list(self._listeners):
            callback(self)

    def _finish(self) -> None:
        st = self.run.status
        self.result = self.run.result() if int(st.draws.min()) > 0 else None
        if self.result is not None and self.result.num_draws >= _MIN_DIAG_DRAWS:
            self._diag = self.result.diagnostics()  # with divergences and E-BFMI
        if not self.run.done:
            self.phase = "stopped"
            self._after_chunk(final=True)
            keep = ("Save keeps the draws so far" if self.result is not None
                    else f"no draws to save yet (warmup has {st.num_warmup} iterations)")
            self._say("info", f"stopped at iteration {st.iteration} ({int(st.draws[0])} of {st.num_samples} "
                      f"draws per chain): {keep}, Resume continues the same chains")
            return
        self.phase = "done"
        self._after_chunk(final=True)
        self.summary_area.value = summary_html(self.result)
        self.key_area.value = keys_html(self._key_records(), self.result.manifest)
        fisher = None
        if self.controls["fisher"].value:
            try:
                fiducial = {**self.problem.fixed, **self.result.mean()}
                fisher = fisher_observed(self.problem.likelihood, fiducial, list(self.problem.free),
                                         name="Fisher at the posterior mean")
            except Exception as exc:  # noqa: BLE001
                self._fail(exc)
        self.view.show_corner(self.result, params=self.problem.free, fisher=fisher)
        self.redraw()
        self._say("info", f"done: {self.result.num_chains} chains x {self.result.num_draws} draws in "
                  f"{st.elapsed_s:.1f} s of sampling")

    def _key_records(self) -> list[dict]:
        """The records of the keys the run used (the facade puts them in ``run.notes``)."""
        notes = self.run.notes if self.run is not None else {}
        return list(notes.get("key_manager", {}).get("records", []))

    # ------------------------------------------------------------------ widgets
    def _on_change(self, change) -> None:
        """Control changes take effect at the next Start (nothing is computed on a change)."""

    def redraw(self) -> None:
        with self._redraw_lock:
            super().redraw()

    def _make_bars(self, num_chains: int, total: int) -> None:
        self._bars = [widgets.IntProgress(value=0, min=0, max=total, description=f"chain {i}",
                                          layout=widgets.Layout(width="320px")) for i in range(num_chains)]
        self._labels = [widgets.HTML(value="waiting for the start ...") for _ in range(num_chains)]
        self.progress_box.children = tuple(widgets.HBox([b, lab]) for b, lab in zip(self._bars, self._labels))

    def _buttons(self, busy: bool = False) -> None:
        resumable = self.run is not None and not self.run.done
        self.buttons["start"].disabled = busy
        self.buttons["stop"].disabled = not busy
        self.buttons["resume"].disabled = busy or not resumable
        self.buttons["save"].disabled = busy or self.result is None

    def _say(self, level: str, text: str) -> None:
        self.messages = (self.messages + [(level, text)])[-8:]
        if level == "error":
            self.message = text
        self.message_area.value = messages_html(self.messages)

    def _fail(self, exc: Exception) -> None:
        text = str(exc) if isinstance(exc, (ValueError, FileExistsError, FileNotFoundError)) else \
            f"{type(exc).__name__}: {exc}"
        self._say("error", text)


def sampler_dashboard(model: str = "LCDM", datasets: Sequence[str] | str = ("desi_dr2_bao",), *,
                      free: Sequence[str] | None = None, fixed: str = "", rd_free: bool = False,
                      settings: RunSettings | None = None, seed: int = 0, fisher: bool = False,
                      path: str = "sampler_run.nc", mode: str = "auto", neutrino_hierarchy: str = "one",
                      **shortcuts: Any) -> SamplerDashboard:
    """The live NUTS sampler dashboard (see the module docstring for its handle).

    Parameters
    ----------
    model, datasets, free : initial choices (names of :func:`hicosmo_nb.facade.build_problem`)
    fixed : str
        ``"name=value, ..."`` for parameters held fixed (default: registry values).
    rd_free : bool
        Datasets that take ``rd`` (the BAO ones) with ``rd="free"`` (sample ``hrd`` = h r_d
        instead of computing r_d; see :func:`hicosmo_nb.start_fit`).
    settings : RunSettings, optional
        Initial chains, warmup and draws, and the other run settings (default ``RunSettings()``).
    seed : int
        Seed of the run key, as in :func:`hicosmo_nb.fit` (the facade names the key).
    fisher : bool
        Overlay the observed Fisher ellipses at the posterior mean on the final corner plot.
    path : str
        Where Save writes the netCDF file.
    mode : {"auto", "ipympl", "png"}
        Canvas mode (see :mod:`hicosmo_nb.widgets`).
    neutrino_hierarchy : {"one", "degenerate", "normal", "inverted"}
        Initial choice of how ``m_nu`` splits into states (a static setting, never sampled).
    **shortcuts
        :class:`~hicosmo_nb.inference.RunSettings` fields one by one (``num_chains``,
        ``num_warmup``, ``num_samples``, ...), which replace those of ``settings``.

    Returns
    -------
    SamplerDashboard

    Raises
    ------
    ValueError
        An unknown run setting (the message lists them) or a bad value.
    """
    datasets = [datasets] if isinstance(datasets, str) else list(datasets)
    return SamplerDashboard(model, datasets, free=free, fixed=fixed, rd_free=rd_free,
                            settings=RunSettings.of(settings, **shortcuts), seed=seed, fisher=fisher,
                            path=path, mode=mode, neutrino_hierarchy=neutrino_hierarchy)

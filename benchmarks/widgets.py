"""Dashboard responsiveness: compute time per control change, whole Python-side update, compilations.

For each dashboard, 50 random control changes after the first compile. Printed per dashboard
and canvas mode: median compute (the library call behind one change) and median whole update
(compute + artists updated in place + the figure rendered), each as wall time and as CPU time
of this process (``time.process_time``: on a loaded shared machine wall time mostly measures the
other processes), plus the number of compilations of the compiled library function.
"png" mode: the whole update includes the redraw (a blit of the animated artists over the
cached background, or a full draw when the view must change) and the PNG encode. "ipympl" mode:
it includes the blit and the whole frame sent when the browser asks for it (its "draw" message
-> ``refresh_all`` -> PNG, :mod:`hicosmo_nb.widgets._frames`), as with a live frontend
(``syncing_data_url`` off, as after the frontend's "initialized" message). The number of full draws among the timed changes is printed, and the
cost of the PNG encode alone (png mode).
Targets on 2 cores: compute <= 2 ms (cosmology), <= 20 ms (Fisher); whole update <= 50 ms.
Combination explorer (png mode): a toggle of a dataset whose fits are cached redraws in <= 50 ms;
a new combination (its w0waCDM and LCDM fits, after its datasets' likelihoods are compiled) in <= 3 s.

Run: ``python benchmarks/widgets.py`` (``python benchmarks/widgets.py combination``: only the
combination explorer)
"""

from __future__ import annotations

import time

import numpy as np

from _common import print_load

_MODES = ("png", "ipympl")


def _measure(dash, changes):
    """Medians in ms: (compute wall, compute CPU, whole wall, whole CPU) over ``changes``."""
    rows = []
    if dash.mode == "ipympl":
        dash.canvas.syncing_data_url = False  # as with a live frontend (see the module docstring)
    for values in changes:
        dash._batch = True  # set the controls without triggering updates; the update is timed below
        for k, v in values.items():
            dash.controls[k].value = v
        dash._batch = False
        w0, c0 = time.perf_counter(), time.process_time()
        out = dash._compute()
        w1, c1 = time.perf_counter(), time.process_time()
        dash._draw(out)
        dash.redraw()
        if dash.mode == "ipympl":
            dash.canvas.handle_draw({"type": "draw"})  # the browser asks for the frame: encoded, sent
        w2, c2 = time.perf_counter(), time.process_time()
        rows.append((w1 - w0, c1 - c0, w2 - w0, c2 - c0))
    return np.median(np.asarray(rows), axis=0) * 1e3


def _png_encode_ms(dash, n=20):
    """Median CPU ms of the png mode's PNG encode alone (the figure's Agg buffer as it is)."""
    t = []
    for _ in range(n):
        c0 = time.process_time()
        dash._push_png()
        t.append(time.process_time() - c0)
    return f"; PNG encode {np.median(t) * 1e3:.1f} ms CPU ({len(dash.canvas.value) / 1e3:.0f} kB)"


def _report(name, mode, dash, changes, extra):
    full0 = dash.full_draws
    cw, cc, ww, wc = _measure(dash, changes)
    enc = _png_encode_ms(dash) if mode == "png" else ""
    print(f"{name:18s} [{mode:6s}] compute {cc:6.2f} ms CPU ({cw:6.2f} wall), whole update {wc:6.1f} ms CPU "
          f"({ww:6.1f} wall), median of {len(changes)} ({dash.full_draws - full0} full draws); {extra()}{enc}",
          flush=True)


def _sampler() -> None:
    """Live sampler: Python-side update after a chunk (ArviZ R-hat/ESS + trace lines + one PNG), coalesced."""
    from hicosmo_nb.widgets import sampler_dashboard

    dash = sampler_dashboard("LCDM", ["desi_dr2_bao", "cc"], free=["H0", "Omega_m", "hrd"], rd_free=True,
                             num_chains=4, num_warmup=300, num_samples=2000, seed=1, mode="png")
    calls = []
    dash.on_update(lambda d: calls.append(d.state["iteration"]))
    dash.start()
    dash.wait()
    u, st = np.asarray(dash.update_s) * 1e3, dash.run.status
    print(f"sampler_dashboard: {len(calls)} chunk callbacks, {len(u)} updates drawn; update median {np.median(u):.0f} ms, "
          f"max {u.max():.0f} ms; sampling {st.elapsed_s:.1f} s for {int(st.draws.sum())} draws ({dash.state['phase']})")


def _timed_set(dash, **values):
    """(wall s, CPU s) of one ``set`` (compute + draw + redraw)."""
    w0, c0 = time.perf_counter(), time.process_time()
    dash.set(**values)
    assert dash.message == "", dash.message
    return time.perf_counter() - w0, time.process_time() - c0


def _combination() -> None:
    """Combination explorer: cached toggles and new combinations (fits), after the compilations."""
    from hicosmo_nb.widgets import combination_explorer

    t0 = time.perf_counter()
    dash = combination_explorer(("desi", "cmb"), "w0waCDM", mode="png")
    dash.set(use_cmb=False, use_bbn=True)  # compiles BBN's small program; BAO's serves every model
    print(f"combination_explorer: first draw + compilations in {time.perf_counter() - t0:.0f} s "
          f"({dash.fits.compiled} likelihood programs)", flush=True)
    new = []
    for values in (dict(use_theta_star=True), dict(use_union3=True), dict(use_bbn=False, use_theta_star=False,
                                                                          use_cmb=True),
                   dict(use_cmb=False, use_theta_star=True), dict(use_theta_star=False, use_bbn=False, use_cmb=True,
                                                                 use_union3=False)):
        fitted = len(dash.fits._fits)
        new.append((*_timed_set(dash, **values), len(dash.fits._fits) - fitted))
    w, c, n = np.asarray(new).T
    print(f"combination_explorer [png   ] new combination (w0waCDM + LCDM fits, {int(n.sum())} fits): median "
          f"{np.median(w):.2f} s wall ({np.median(c):.2f} s CPU), max {w.max():.2f} s wall; "
          f"likelihood programs compiled {dash.fits.compiled}", flush=True)
    toggles = [_timed_set(dash, use_union3=bool(i % 2 == 0)) for i in range(20)]
    w, c = np.asarray(toggles).T * 1e3
    print(f"combination_explorer [png   ] toggle of a cached combination: whole update median {np.median(w):.1f} ms "
          f"wall ({np.median(c):.1f} ms CPU), max {w.max():.1f} ms wall, over {len(toggles)} toggles", flush=True)


def main() -> None:
    from hicosmo_nb import derivatives
    from hicosmo_nb.widgets import autodiff_explorer, cosmology_explorer, fisher_explorer

    print_load("before")
    rng = np.random.default_rng(0)
    cosmo_changes = [dict(H0=rng.uniform(60, 80), Omega_m=rng.uniform(0.2, 0.4), Omega_k=rng.uniform(-0.1, 0.1),
                          w0=rng.uniform(-1.3, -0.7), wa=rng.uniform(-1, 0.5)) for _ in range(50)]
    fisher_changes = [dict(n_sn=float(rng.uniform(500, 50000)), sigma_int=float(rng.uniform(0.05, 0.3)),
                           bao_scale=float(rng.uniform(0.5, 2.0))) for _ in range(50)]
    ad_changes = [dict(x=float(rng.uniform(-3, 3)), log10_h=float(rng.uniform(-12, -2))) for _ in range(50)]
    for mode in _MODES:
        cosmo = cosmology_explorer(mode=mode)
        cosmo.set(model="kw0waCDM")
        _report("cosmology_explorer", mode, cosmo, cosmo_changes,
                lambda: f"compilations {cosmo.panels.compilations()}")
        fisher = fisher_explorer(mode=mode)
        _report("fisher_explorer", mode, fisher, fisher_changes,
                lambda: f"Jacobians computed {len(fisher.forecaster._jac)} (once per preset)")
        ad = autodiff_explorer("sin", mode=mode)
        _report("autodiff_explorer", mode, ad, ad_changes, lambda: f"compilations {derivatives.compilations('sin')}")
    _sampler()
    _combination()
    print_load("after")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["combination"]:
        print_load("before")
        _combination()
        print_load("after")
    else:
        main()

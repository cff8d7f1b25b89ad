"""Dashboard responsiveness: compute time per control change, Python-side redraw, compilations.

For each dashboard (PNG mode, so the redraw includes rendering the figure, as ipympl does in the
kernel): 50 random control changes after the first compile. Printed: median compute time (the
library call behind one change), median redraw (artists updated in place + one Agg render),
whole update, and the number of compilations of the compiled library function.
Targets on 2 cores: compute <= 2 ms (cosmology), <= 20 ms (Fisher); whole update <= 50 ms.

Run: ``python benchmarks/widgets.py``
"""

from __future__ import annotations

import time

import numpy as np

from _common import print_load


def _measure(dash, changes, compute, n=50):
    comp, draw, whole = [], [], []
    for values in changes[:n]:
        dash._batch = True  # set the controls without triggering updates; the update is timed below
        for k, v in values.items():
            dash.controls[k].value = v
        dash._batch = False
        t0 = time.perf_counter()
        out = compute()
        t1 = time.perf_counter()
        dash._draw(out)
        dash.redraw()
        t2 = time.perf_counter()
        comp.append(t1 - t0)
        draw.append(t2 - t1)
        whole.append(t2 - t0)
    return np.median(comp) * 1e3, np.median(draw) * 1e3, np.median(whole) * 1e3


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


def main() -> None:
    from hicosmo_nb import derivatives
    from hicosmo_nb.widgets import autodiff_explorer, cosmology_explorer, fisher_explorer

    print_load("before")
    rng = np.random.default_rng(0)
    cosmo = cosmology_explorer(mode="png")
    cosmo.set(model="kw0waCDM")
    changes = [dict(H0=rng.uniform(60, 80), Omega_m=rng.uniform(0.2, 0.4), Omega_k=rng.uniform(-0.1, 0.1),
                    w0=rng.uniform(-1.3, -0.7), wa=rng.uniform(-1, 0.5)) for _ in range(50)]
    c, d, w = _measure(cosmo, changes, cosmo._compute)
    print(f"cosmology_explorer: compute {c:.2f} ms, redraw {d:.1f} ms, whole update {w:.1f} ms (median of 50), "
          f"compilations {cosmo.panels.compilations()}")

    fisher = fisher_explorer(mode="png")
    changes = [dict(n_sn=float(rng.uniform(500, 50000)), sigma_int=float(rng.uniform(0.05, 0.3)),
                    bao_scale=float(rng.uniform(0.5, 2.0))) for _ in range(50)]
    c, d, w = _measure(fisher, changes, fisher._compute)
    print(f"fisher_explorer: compute {c:.2f} ms, redraw {d:.1f} ms, whole update {w:.1f} ms (median of 50), "
          f"Jacobians computed {len(fisher.forecaster._jac)} (once per preset)")

    ad = autodiff_explorer("sin", mode="png")
    changes = [dict(x=float(rng.uniform(-3, 3)), log10_h=float(rng.uniform(-12, -2))) for _ in range(50)]
    c, d, w = _measure(ad, changes, ad._compute)
    print(f"autodiff_explorer: compute {c:.2f} ms, redraw {d:.1f} ms, whole update {w:.1f} ms (median of 50), "
          f"compilations {derivatives.compilations('sin')}")
    _sampler()
    print_load("after")


if __name__ == "__main__":
    main()

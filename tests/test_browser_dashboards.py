"""The dashboards as Voila apps in headless chromium: move controls, check readouts and pixels.

One Voila server (127.0.0.1, every non-loopback request aborted) serves notebooks/apps/; each
test opens one app. Screenshots go to tests/artifacts/. The cosmology test measures the median
time from a slider key press to the updated readout over 20 moves and prints it.
"""

import json
import os
import pathlib
import re
import statistics
import sys
import time

import pytest

from test_browser import (CHROMIUM, CHROMIUM_ARGS, _is_loopback, _load_dashboard, _require_chromium,
                          loopback_only, voila_server)

ROOT = pathlib.Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
pytestmark = pytest.mark.browser


@pytest.fixture  # one server per dashboard: a fresh Voila (and kernel pool) for each app
def voila_apps(tmp_path_factory):
    """Voila serving notebooks/apps on a free loopback port; yields (base URL, log path)."""
    _require_chromium()
    pytest.importorskip("voila")
    pytest.importorskip("playwright.sync_api")
    jpath = tmp_path_factory.mktemp("jupyter")
    spec = jpath / "kernels" / "python3"
    spec.mkdir(parents=True)
    env_k = {"HICOSMO_NB_FAST": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python", "env": env_k}))
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    env = {**os.environ, "JUPYTER_PATH": str(jpath), **env_k}
    with voila_server("notebooks/apps", env, log) as port:
        yield f"http://127.0.0.1:{port}/voila/render/", log


@pytest.fixture
def page_for(voila_apps, tmp_path):
    from playwright.sync_api import sync_playwright

    base, log = voila_apps
    blocked = []
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)

    route = loopback_only(blocked)

    def open_app(name, ready_text):
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.route("**/*", route)
        ready = page.locator(".widget-html").filter(has_text=ready_text)
        _load_dashboard(page, base + name, ready, tmp_path, log)
        # the first draw waits for the dashboard's compilations, slow on a loaded 2-core machine
        page.locator(".jupyter-matplotlib canvas >> visible=true").first.wait_for(timeout=240_000)
        return page

    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield open_app
    finally:
        browser.close()
        pw.stop()
        assert all(not _is_loopback(u) for u in blocked)


def _number(text, label):
    m = re.search(re.escape(label) + r"[^\n]*?\s(-?[0-9.]+(?:e[-+]?\d+)?)", text)
    assert m, (label, text)
    return float(m.group(1))


def _canvas_png(page):
    return page.locator(".jupyter-matplotlib canvas").first.screenshot()


def test_cosmology_explorer_in_voila(page_for):
    from hicosmo_nb import likelihoods

    page = page_for("cosmology_explorer.ipynb", "chi2 total")
    readout = page.locator(".widget-html").filter(has_text="chi2 total")
    slider = page.locator(".widget-slider").filter(has_text="H0")
    before_png, before = _canvas_png(page), readout.inner_text()
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    lat = []
    for _ in range(20):
        old = readout.inner_text()
        t0 = time.perf_counter()
        handle.press("ArrowRight")
        page.wait_for_function("([el, old]) => el.innerText !== old", arg=[readout.element_handle(), old],
                               timeout=30_000)
        lat.append(time.perf_counter() - t0)
    page.wait_for_timeout(500)
    def shown(name):  # the browser snaps values to the slider step: read what it shows
        box = page.locator(".widget-slider").filter(has=page.locator(".widget-label", has_text=re.compile(f"^{name}$")))
        return float(box.locator(".widget-readout").first.inner_text())

    h0 = shown("H0")
    text = readout.inner_text()
    p = {k: shown(k) for k in ("H0", "Omega_m", "Omega_b", "m_nu")}
    for name in ("union3", "desi_dr2_bao", "cc"):
        lk = likelihoods.get(name)
        assert _number(text, f"chi2 {name}") == pytest.approx(float(-2 * lk(p) - lk.metadata["chi2_offset"]),
                                                             abs=2e-3)
    assert h0 == pytest.approx(67.4 + 2.0, abs=0.051)
    page.wait_for_timeout(500)
    assert _canvas_png(page) != before_png and text != before
    page.locator("button").filter(has_text="best fit").click()
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[readout.element_handle(), text],
                           timeout=120_000)
    assert _number(readout.inner_text(), "chi2 total") < _number(text, "chi2 total")
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "cosmology_explorer.png"), full_page=True)
    print(f"cosmology explorer, Voila: median slider-to-readout latency {statistics.median(lat) * 1e3:.0f} ms "
          f"over 20 moves (min {min(lat) * 1e3:.0f}, max {max(lat) * 1e3:.0f})")


def test_fisher_explorer_in_voila(page_for):
    import math

    from hicosmo_nb.fisher import DESI_DR2_LIKE, ROMAN_LIKE
    from hicosmo_nb.fisher.forecast import ForecastSettings, Forecaster

    page = page_for("fisher_explorer.ipynb", "DETF FoM")
    readout = page.locator(".widget-html").filter(has_text="DETF FoM")
    before_png, before = _canvas_png(page), readout.inner_text()
    page.locator(".widget-dropdown").filter(has_text="SN survey").locator("select").select_option("Roman-like")
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[readout.element_handle(), before],
                           timeout=60_000)
    page.wait_for_timeout(1000)
    # the browser snaps the log slider to its step (exponent 1.5 + k 0.05), as the kernel then sees
    n_sn = 10 ** (1.5 + 0.05 * round((math.log10(ROMAN_LIKE.n.sum()) - 1.5) / 0.05))
    fom = Forecaster([ROMAN_LIKE], [DESI_DR2_LIKE]).fisher(
        ForecastSettings(sn="Roman-like", bao="DESI DR2-like", n_sn=n_sn, fixed=("Omega_b", "Omega_k"))
    ).figure_of_merit()
    assert _number(readout.inner_text(), "DETF FoM") == pytest.approx(fom, abs=0.006)
    assert _canvas_png(page) != before_png
    page.screenshot(path=str(ARTIFACTS / "fisher_explorer.png"), full_page=True)


def test_autodiff_explorer_in_voila(page_for):
    import math

    page = page_for("autodiff_explorer.ipynb", "jax.grad")
    readout = page.locator(".widget-html").filter(has_text="jax.grad")
    before_png = _canvas_png(page)
    slider = page.locator(".widget-slider").filter(has=page.locator(".widget-label", has_text=re.compile("^x$")))
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    old = readout.inner_text()
    for _ in range(5):
        handle.press("ArrowRight")
    page.wait_for_timeout(300)
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[readout.element_handle(), old], timeout=30_000)
    deadline = time.monotonic() + 60  # the last of the five presses may still be in the kernel's queue
    while True:
        x = float(slider.locator(".widget-readout").first.inner_text())
        got = _number(readout.inner_text(), "f'(x) by jax.grad")
        if abs(got - math.cos(x)) < 1e-12 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    assert got == pytest.approx(math.cos(x), abs=1e-12)
    assert x == pytest.approx(0.84, abs=1e-9)  # 0.7 snapped to the slider grid (0.69), five steps of 0.03
    page.wait_for_timeout(1000)
    assert _canvas_png(page) != before_png
    page.screenshot(path=str(ARTIFACTS / "autodiff_explorer.png"), full_page=True)


# -- live sampler (helper "sampler") ----------------------------------------------------------
SAMPLER_DRAWS = 3000  # long enough to press Stop while it samples
SAMPLER_RUN_MS = 420_000  # compile + MAP start under load on 2 shared cores
SAMPLER_STOPPED = re.compile(r"stopped at iteration (\d+) \((\d+) of (\d+) draws per chain\)")


def test_sampler_dashboard_in_voila(page_for, tmp_path):
    """Start, Stop, Resume, finish and Save a real run (LCDM, DESI DR2 BAO + CC, 2 chains) by
    clicking the buttons; the saved file holds the full run."""
    from hicosmo_nb.inference import load

    page = page_for("sampler_dashboard.ipynb", "Running diagnostics")
    page.set_viewport_size({"width": 1400, "height": 1900})  # the whole dashboard in one screenshot
    saved = tmp_path / "browser_run.nc"
    button = {n: page.get_by_role("button", name=n, exact=True) for n in ("Start", "Stop", "Resume", "Save")}
    for label, value in (("draws", str(SAMPLER_DRAWS)), ("save to", str(saved))):
        field = page.locator(".widget-text").filter(has_text=label).locator("input")
        field.fill(value)
        field.press("Enter")
    page.wait_for_timeout(500)  # let the values reach the kernel before Start
    button["Start"].click()
    page.get_by_text(re.compile(r"sampling: iteration")).first.wait_for(timeout=SAMPLER_RUN_MS)
    button["Stop"].click()
    stopped = page.get_by_text(SAMPLER_STOPPED)
    stopped.wait_for(timeout=120_000)
    stop_text = stopped.inner_text()
    page.wait_for_timeout(2000)  # the stopped run's traces reach the canvas
    page.screenshot(path=str(ARTIFACTS / "sampler_dashboard_stopped.png"), full_page=True)
    assert button["Resume"].is_enabled()
    button["Resume"].click()
    page.get_by_text(re.compile(r"done: 2 chains x \d+ draws")).wait_for(timeout=SAMPLER_RUN_MS)
    page.get_by_text("PRNG keys").wait_for(timeout=60_000)
    summary = page.locator(".widget-html").filter(has_text="ess_bulk").inner_text()
    button["Save"].click()
    page.get_by_text(re.compile(r"saved 2 chains x \d+ draws")).wait_for(timeout=60_000)
    page.wait_for_timeout(1000)  # the last figure update reaches the page
    page.screenshot(path=str(ARTIFACTS / "sampler_dashboard.png"), full_page=True)

    _, kept, total = map(int, SAMPLER_STOPPED.search(stop_text).groups())
    assert total == SAMPLER_DRAWS and 0 < kept < SAMPLER_DRAWS, stop_text  # stopped while sampling
    res = load(saved)
    assert res.num_chains == 2 and res.num_draws == SAMPLER_DRAWS
    assert {"H0", "Omega_m", "hrd"} <= set(res.names) and "r_hat" in summary
    assert (ARTIFACTS / "sampler_dashboard.png").stat().st_size > 20_000


def test_combination_explorer_in_voila(page_for):
    """Tick Union3 beside DESI + CMB: a second fit, its ellipse and its significance appear."""
    page = page_for("combination_explorer.ipynb", "χ² =")
    readout = page.locator(".widget-html").filter(has_text="χ² =")
    before_png, before = _canvas_png(page), readout.inner_text()
    assert "DESI DR2 BAO + CMB (compressed)" in before and "σ" in before
    page.locator(".widget-checkbox").filter(has_text="Union3").locator("input").click()
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[readout.element_handle(), before],
                           timeout=240_000)
    page.wait_for_timeout(1000)
    text = readout.inner_text()
    assert "DESI DR2 BAO + CMB (compressed) + Union3" in text
    m = re.search(r"Union3[^\n]*?→\s*([0-9.]+)σ", text)
    assert m and 2.0 < float(m.group(1)) < 6.0, text  # DESI DR2 + CMB + Union3: 3.8 sigma (arXiv:2503.14738)
    assert _canvas_png(page) != before_png
    page.screenshot(path=str(ARTIFACTS / "combination_explorer.png"), full_page=True)

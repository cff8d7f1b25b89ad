"""Serve notebooks/apps/sampler_dashboard.ipynb with Voila; start, stop, resume, finish and save a
real run by clicking its buttons in Debian's chromium (Playwright, headless).

Only loopback addresses are used (Voila on 127.0.0.1, every other request aborted), as in
tests/test_browser.py, whose helpers this file reuses. Screenshots go to
``$HICOSMO_NB_TEST_ARTIFACTS`` (default: the test's tmp_path).
"""

import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _is_loopback, _load_dashboard, _require_chromium

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "apps" / "sampler_dashboard.ipynb"
RUN_TIMEOUT_MS = 420_000  # compile + MAP start under load on 2 shared cores
DRAWS = 3000
STOPPED = re.compile(r"stopped at iteration (\d+) \((\d+) of (\d+) draws per chain\)")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def voila_app(tmp_path_factory):
    """Voila serving the sampler app on a free loopback port; yields (url, log path)."""
    _require_chromium()
    pytest.importorskip("voila")
    jpath = tmp_path_factory.mktemp("jupyter")
    spec_dir = jpath / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    env = {"HICOSMO_NB_FAST": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (hicosmo_nb browser test)", "language": "python", "env": env}))
    port = _free_port()
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(NOTEBOOK.relative_to(ROOT)), "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1"],
            cwd=ROOT, env={**os.environ, "JUPYTER_PATH": str(jpath), **env}, stdout=fh, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"voila exited with code {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"voila did not listen within 60 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.25)
        yield f"http://127.0.0.1:{port}/", log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _field(page, label: str):
    return page.locator(".widget-text").filter(has_text=label).locator("input")


def test_sampler_start_stop_resume_finish_save(voila_app, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    from hicosmo_nb.inference import load

    url, log = voila_app
    artifacts = pathlib.Path(os.environ.get("HICOSMO_NB_TEST_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)
    saved = tmp_path / "browser_run.nc"
    blocked: list[str] = []

    def route(r):
        if _is_loopback(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1900})
            page.route("**/*", route)
            button = {n: page.get_by_role("button", name=n, exact=True) for n in ("Start", "Stop", "Resume", "Save")}
            _load_dashboard(page, url, button["Start"], tmp_path, log)
            for label, value in (("draws", str(DRAWS)), ("save to", str(saved))):
                _field(page, label).fill(value)
                _field(page, label).press("Enter")
            page.wait_for_timeout(500)  # let the values reach the kernel before Start
            button["Start"].click()
            page.get_by_text(re.compile(r"sampling: iteration")).first.wait_for(timeout=RUN_TIMEOUT_MS)
            button["Stop"].click()
            stopped = page.get_by_text(STOPPED)
            stopped.wait_for(timeout=120_000)
            stop_text = stopped.inner_text()
            page.wait_for_timeout(2000)  # the stopped run's traces reach the canvas
            page.screenshot(path=str(artifacts / "sampler_stopped.png"), full_page=True)
            assert button["Resume"].is_enabled()
            button["Resume"].click()
            page.get_by_text(re.compile(r"done: 2 chains x \d+ draws")).wait_for(timeout=RUN_TIMEOUT_MS)
            page.get_by_text("PRNG keys").wait_for(timeout=60_000)
            summary = page.locator(".widget-html").filter(has_text="ess_bulk").inner_text()
            button["Save"].click()
            page.get_by_text(re.compile(r"saved 2 chains x \d+ draws")).wait_for(timeout=60_000)
            page.wait_for_timeout(1000)  # the last figure update reaches the page
            page.screenshot(path=str(artifacts / "sampler_done.png"), full_page=True)
            figure = page.locator(".jupyter-matplotlib canvas, .widget-image").count()
        finally:
            browser.close()

    _, kept, total = map(int, STOPPED.search(stop_text).groups())
    assert total == DRAWS and 0 < kept < DRAWS, stop_text  # stopped during sampling
    res = load(saved)
    assert res.num_chains == 2 and res.num_draws == DRAWS
    assert {"H0", "Omega_m", "hrd"} <= set(res.names) and "r_hat" in summary
    assert figure >= 1
    assert (artifacts / "sampler_done.png").stat().st_size > 20_000
    assert all(not _is_loopback(u) for u in blocked)

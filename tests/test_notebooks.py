"""Execute every notebooks/*.ipynb top to bottom, headless, in a kernel running this Python.

The kernel gets ``HICOSMO_NB_FAST=1`` (notebooks shrink sample counts; they must never skip
cells; ``HICOSMO_NB_FAST=0`` in the test's environment runs the full setting instead) and the
inline matplotlib backend, which works headless. A failure names the notebook, the cell number,
the start of its source and the error. Errors raised inside widget callbacks
(e.g. an ``ipywidgets.interact`` function) do not stop a cell, so the widget state is scanned
for error outputs too.

Binder budget: the peak resident memory of each notebook's kernel (the kernel process and its
children, sampled every 0.1 s with psutil) must stay under :data:`PEAK_RSS_LIMIT` (Binder kills
a kernel above 2 GB). Each figure is appended to ``$HICOSMO_NB_MEMORY_LOG`` when that is set
(.ci/run prints it), with the run's time split into kernel start, kernel info, cells and
shutdown, and kept as the test's ``peak_rss_mb`` property. A run that waits more than
:data:`STALL_WARN_S` outside its cells also warns, naming the phase.

Executed copies: when ``$HICOSMO_NB_EXECUTED_DIR`` is set (.ci/run sets it), each notebook that
ran cleanly is written there with its outputs, at its path below ``notebooks/`` (``apps/...``
included); the documentation build (.ci/docs) renders those copies, so no notebook is executed
twice in CI. Unset (the default), nothing is written.
"""

import asyncio
import json
import os
import pathlib
import re
import sys
import threading
import time
import warnings
from queue import Empty

import nbformat
import psutil
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from _kernel_polling import POLL_S, in_steps

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
# Longest first (CI's fast setting, 2026-12-07: 03 120-170 s, 10 85-117 s, 09 60-107 s, ...), the
# rest by name, so that two workers end together (conftest.py).
LONGEST_FIRST = ("03_joint_analysis", "10_dark_energy", "09_performance", "04_fisher_forecasts",
                 "07_emulator_lab", "02_supernovae", "08_dashboards", "00_quickstart",
                 "05_jax_fundamentals")
NOTEBOOKS = sorted(sorted(NOTEBOOK_DIR.glob("*.ipynb")) + sorted((NOTEBOOK_DIR / "apps").glob("*.ipynb")),
                   key=lambda p: LONGEST_FIRST.index(p.stem) if p.stem in LONGEST_FIRST else len(LONGEST_FIRST))
CELL_TIMEOUT = int(os.environ.get("HICOSMO_NB_CELL_TIMEOUT", "300"))
KERNEL_NAME = "hicosmo-nb-test"
# bytes; Binder (which runs the Python 3.12 / ipywidgets 8 stack of binder/) gives 1-2 GB and kills
# a kernel above 2 GB. .ci/colab_like sets HICOSMO_NB_PEAK_RSS_LIMIT to Colab's budget instead.
PEAK_RSS_LIMIT = float(os.environ.get("HICOSMO_NB_PEAK_RSS_LIMIT", "1.5e9"))
HARNESS_TIMEOUT = 30  # s; the harness's own one-line cells
STALL_WARN_S = 30.0  # s outside the cells (kernel start, kernel info, shutdown) that warrant a warning


class PeakRSS:
    """Samples the summed RSS of a process and its children in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.1):
        self.peak, self.interval = 0, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, pid: int) -> None:
        self._thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self._thread.start()

    def _run(self, pid: int) -> None:
        try:
            proc = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            total = 0
            try:
                for p in [proc, *proc.children(recursive=True)]:
                    total += p.memory_info().rss
            except psutil.Error:  # a child exited between listing and reading
                pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        return self.peak


def _poll_often(channel) -> None:
    """Make the async kernel-client ``channel.get_msg(timeout)`` wait at most :data:`POLL_S` at a
    time, however long ``timeout`` (None: forever) is (:mod:`_kernel_polling` says why: a missed
    wake-up cost 300 s, and the harness test below took 302 s)."""
    channel.get_msg = in_steps(channel.get_msg)


def _kernel_pid(client) -> int:
    provisioner = client.km.provisioner
    pid = getattr(provisioner, "pid", None) or provisioner.process.pid
    return int(pid)


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory) -> pathlib.Path:
    """A jupyter data dir holding a kernelspec for this interpreter with the test env."""
    base = tmp_path_factory.mktemp("jupyter")
    spec_dir = base / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "hicosmo_nb tests",
        "language": "python",
        "env": {
            # the fast setting unless the test run asks for the full one (HICOSMO_NB_FAST=0), e.g.
            # to measure the notebooks' peak memory as users run them
            "HICOSMO_NB_FAST": os.environ.get("HICOSMO_NB_FAST") or "1",
            # agg-based, headless, and shows figures as PNG outputs (plain Agg would hide them)
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
        },
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return base


def _first_error_cell(nb) -> tuple[int, str] | None:
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return i, f"{out.get('ename')}: {out.get('evalue')}"
    return None


def _widget_errors(nb) -> list[str]:
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    errors = []
    for model in state.get("state", {}).values():
        for out in model.get("state", {}).get("outputs", []) or []:
            if out.get("output_type") == "error":
                errors.append(f"{out.get('ename')}: {out.get('evalue')}")
    return errors


def _source_head(nb, index: int, lines: int = 6) -> str:
    src = nb.cells[index].source.splitlines()
    return "\n".join(src[:lines]) + ("\n..." if len(src) > lines else "")


def test_notebooks_exist():
    names = [p.name for p in NOTEBOOKS]
    want = {"00_quickstart.ipynb", "01_background_cosmology.ipynb", "02_supernovae.ipynb",
            "03_joint_analysis.ipynb", "04_fisher_forecasts.ipynb"}
    assert want <= set(names), sorted(want - set(names))


def test_notebooks_read_the_fast_setting_through_fast_mode():
    # issue 24: notebooks parsed HICOSMO_NB_FAST two ways; hicosmo_nb.fast_mode() is the one reader
    for path in NOTEBOOKS:
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        reads = re.findall(r"(?:environ|getenv)[^\n]*HICOSMO_NB_FAST", code)
        assert not reads, f"{path.name} reads HICOSMO_NB_FAST itself ({reads}); use fast_mode()"


PHASES = ("kernel start", "kernel info", "cells", "shutdown")


def _phase_seconds(marks: dict) -> dict:
    """Seconds of each of :data:`PHASES` from the marks ``_execute`` records (missing: None)."""
    order = ["start", "ready", "first_cell", "last_reply", "end"]
    return {phase: (marks[b] - marks[a] if a in marks and b in marks else None)
            for phase, a, b in zip(PHASES, order, order[1:])}


def _execute(nb, name: str, memory: PeakRSS | None = None, timeout: int = CELL_TIMEOUT,
             marks: dict | None = None) -> str | None:
    """Run ``nb`` in place; return a failure message naming the cell, or None if all went well.

    With ``memory``, the kernel's memory is sampled from its start to the end of the run.
    ``timeout`` (seconds) bounds each cell's wait for the kernel's reply. ``marks`` (a dict)
    receives the ``time.perf_counter()`` of the run's start, the kernel being ready, the first
    cell's start, the last cell's reply and the end (:func:`_phase_seconds`), so that a slow run
    says where it waited."""
    marks = {} if marks is None else marks
    marks["start"] = time.perf_counter()
    n_code = sum(c.cell_type == "code" and bool(c.source.strip()) for c in nb.cells)
    if n_code == 0:
        return f"{name} has no code cells"
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        allow_errors=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )

    def on_start(notebook):
        marks["ready"] = time.perf_counter()
        _poll_often(client.kc.shell_channel)
        _poll_often(client.kc.iopub_channel)
        if memory is not None:
            memory.start(_kernel_pid(client))

    def on_cell_start(cell, cell_index):
        marks["cell_start"] = time.perf_counter()
        marks.setdefault("first_cell", marks["cell_start"])

    def on_cell_executed(cell, cell_index, execute_reply):
        marks["last_reply"] = time.perf_counter()
        walls = marks.setdefault("cell_walls", {})  # cell index -> seconds from start to reply
        walls[cell_index] = marks["last_reply"] - marks["cell_start"]

    client.on_notebook_start = on_start
    client.on_cell_start = on_cell_start
    client.on_cell_executed = on_cell_executed
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        where = _first_error_cell(nb)
        if where is None:  # timeout: the first non-empty code cell that did not finish
            idx = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                        and c.source.strip() and not c.get("execution_count")), -1)
            where = (idx, f"timed out after {timeout} s")
        elif isinstance(err, CellTimeoutError):  # the error was shown, its reply never came
            where = (where[0], f"{where[1]} (and no execute reply within {timeout} s)")
        idx, msg = where
        return (f"{name}: cell {idx} failed: {msg}\n--- cell source ---\n{_source_head(nb, idx)}\n"
                f"--- details ---\n{str(err)[-3000:]}")
    finally:
        marks["end"] = time.perf_counter()
    executed = sum(c.cell_type == "code" and bool(c.get("execution_count")) for c in nb.cells)
    if executed != n_code:
        return f"{name}: only {executed} of {n_code} code cells ran"
    errors = _widget_errors(nb)
    if errors:
        return f"{name}: a widget callback raised: {'; '.join(errors)}"
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, kernel_path, monkeypatch, record_property):
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    nb = nbformat.read(path, as_version=4)
    memory, t0, marks = PeakRSS(), time.perf_counter(), {}
    try:
        failure = _execute(nb, path.name, memory, marks=marks)
    finally:
        peak = memory.stop()
    seconds = time.perf_counter() - t0
    phases = _phase_seconds(marks)
    record_property("peak_rss_mb", round(peak / 1e6))
    where = ", ".join(f"{k} {v:.0f} s" for k, v in phases.items() if v is not None)
    if marks.get("cell_walls"):
        slowest = max(marks["cell_walls"], key=marks["cell_walls"].get)
        where += f" (slowest: cell {slowest}, {marks['cell_walls'][slowest]:.0f} s)"
    if os.environ.get("HICOSMO_NB_MEMORY_LOG"):
        with open(os.environ["HICOSMO_NB_MEMORY_LOG"], "a") as log:
            log.write(f"{path.relative_to(ROOT)}: peak kernel RSS {peak / 1e6:.0f} MB, {seconds:.0f} s"
                      f" ({where}; Python {sys.version_info.major}.{sys.version_info.minor})\n")
    # a wait outside the cells warns; a slow reply inside them shows as the slowest cell above
    # (01's 300-s stall was cell 15: request to reply received, the kernel had answered at once)
    if any(k != "cells" and v is not None and v > STALL_WARN_S for k, v in phases.items()):
        warnings.warn(f"{path.name}: the run waited outside its cells: {where}", stacklevel=1)
    if failure:
        pytest.fail(failure, pytrace=False)
    if os.environ.get("HICOSMO_NB_EXECUTED_DIR"):
        out = pathlib.Path(os.environ["HICOSMO_NB_EXECUTED_DIR"]) / path.relative_to(NOTEBOOK_DIR)
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
    assert peak > 0, "the kernel's memory was never sampled"
    assert peak < PEAK_RSS_LIMIT, (f"{path.name}: kernel peak RSS {peak / 1e6:.0f} MB is above the "
                                   f"memory budget of {PEAK_RSS_LIMIT / 1e6:.0f} MB")


def test_runner_reports_the_broken_cell_and_widget_errors(kernel_path, monkeypatch):
    """The harness itself: a failing cell is named, an error inside interact is caught.

    Every cell here returns at once, so a reply is waited for HARNESS_TIMEOUT s, not the
    notebooks' 300 s (once, in CI's Colab-like job, this test took 302 s and still passed: the
    failing cell's reply was found only when the wait timed out, see :func:`_poll_often`)."""
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# t"),
        v4.new_code_cell("import os\nassert os.environ['HICOSMO_NB_FAST'] == '1'\nx = 1"),
        v4.new_code_cell("y = x + 1\nraise RuntimeError('boom ' + str(y))"),
        v4.new_code_cell("z = 3"),
    ])
    msg = _execute(nb, "broken.ipynb", timeout=HARNESS_TIMEOUT)
    assert msg is not None and "broken.ipynb: cell 2 failed: RuntimeError: boom 2" in msg
    assert "raise RuntimeError" in msg
    nb = v4.new_notebook(cells=[v4.new_code_cell(
        "import ipywidgets as w\n"
        "@w.interact(a=w.FloatSlider(value=1.0))\n"
        "def f(a):\n    raise ValueError(f'bad slider {a}')"
    )])
    msg = _execute(nb, "widget.ipynb", timeout=HARNESS_TIMEOUT)
    assert msg is not None and "widget callback raised: ValueError: bad slider 1.0" in msg
    # an error shown but no reply within the timeout: the error and the missing reply are named
    nb = v4.new_notebook(cells=[v4.new_code_cell(
        "import time\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    get_ipython().showtraceback()\n"
        "time.sleep(60)")])
    msg = _execute(nb, "silent.ipynb", timeout=2)
    assert msg is not None and "silent.ipynb: cell 0 failed: ZeroDivisionError" in msg
    assert "(and no execute reply within 2 s)" in msg


def test_a_missed_wake_up_costs_a_second_not_the_timeout():
    class MissedWakeUp:
        """A channel whose message has arrived but is found only when a poll times out."""

        def __init__(self):
            self.waits = []

        async def get_msg(self, timeout=None):
            self.waits.append(timeout)
            await asyncio.sleep(timeout)
            return {"msg_type": "execute_reply"}

    channel = MissedWakeUp()
    _poll_often(channel)
    t0 = time.monotonic()
    assert asyncio.run(channel.get_msg(timeout=300))["msg_type"] == "execute_reply"
    assert time.monotonic() - t0 < 3 * POLL_S and channel.waits == [POLL_S]

    class Silent:
        async def get_msg(self, timeout=None):
            await asyncio.sleep(timeout)
            raise Empty

    silent = Silent()
    _poll_often(silent)
    t0 = time.monotonic()
    with pytest.raises(Empty):  # a real timeout is still one, after the whole timeout
        asyncio.run(silent.get_msg(timeout=2.5))
    assert 2.4 < time.monotonic() - t0 < 4.0


def test_peak_memory_sees_an_allocation(kernel_path, monkeypatch):
    """The memory probe: a kernel that holds 400 MB is measured above that; the phase marks."""
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import time\nblock = bytearray(400_000_000)\nblock[::4096] = b'x' * len(block[::4096])\ntime.sleep(0.5)")])
    memory, marks = PeakRSS(), {}
    try:
        assert _execute(nb, "alloc.ipynb", memory, timeout=HARNESS_TIMEOUT, marks=marks) is None
    finally:
        peak = memory.stop()
    assert 400e6 < peak < PEAK_RSS_LIMIT, peak
    # the phase marks: every hook fired, in order, and the cell's 0.5 s sleep is in "cells"
    phases = _phase_seconds(marks)
    assert all(v is not None and v >= 0 for v in phases.values()), phases
    assert phases["cells"] >= 0.5 and sum(phases.values()) == pytest.approx(marks["end"] - marks["start"])

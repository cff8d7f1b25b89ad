"""Execute every notebooks/*.ipynb top to bottom, headless, in a kernel running this Python.

The kernel gets ``HICOSMO_NB_FAST=1`` (notebooks shrink sample counts; they must never skip
cells) and the inline matplotlib backend, which works headless. A failure names the notebook,
the cell number, the start of its source and the error. Errors raised inside widget callbacks
(e.g. an ``ipywidgets.interact`` function) do not stop a cell, so the widget state is scanned
for error outputs too.
"""

import json
import os
import pathlib
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = int(os.environ.get("HICOSMO_NB_CELL_TIMEOUT", "300"))
KERNEL_NAME = "hicosmo-nb-test"


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
            "HICOSMO_NB_FAST": "1",
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
    assert "01_background_cosmology.ipynb" in names, names


def _execute(nb, name: str) -> str | None:
    """Run ``nb`` in place; return a failure message naming the cell, or None if all went well."""
    n_code = sum(c.cell_type == "code" and bool(c.source.strip()) for c in nb.cells)
    if n_code == 0:
        return f"{name} has no code cells"
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as err:
        where = _first_error_cell(nb)
        if where is None:  # timeout: the first non-empty code cell that did not finish
            idx = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                        and c.source.strip() and not c.get("execution_count")), -1)
            where = (idx, f"timed out after {CELL_TIMEOUT} s")
        idx, msg = where
        return (f"{name}: cell {idx} failed: {msg}\n--- cell source ---\n{_source_head(nb, idx)}\n"
                f"--- details ---\n{str(err)[-3000:]}")
    executed = sum(c.cell_type == "code" and bool(c.get("execution_count")) for c in nb.cells)
    if executed != n_code:
        return f"{name}: only {executed} of {n_code} code cells ran"
    errors = _widget_errors(nb)
    if errors:
        return f"{name}: a widget callback raised: {'; '.join(errors)}"
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, kernel_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    nb = nbformat.read(path, as_version=4)
    failure = _execute(nb, path.name)
    if failure:
        pytest.fail(failure, pytrace=False)


def test_runner_reports_the_broken_cell_and_widget_errors(kernel_path, monkeypatch):
    """The harness itself: a failing cell is named, an error inside interact is caught."""
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# t"),
        v4.new_code_cell("import os\nassert os.environ['HICOSMO_NB_FAST'] == '1'\nx = 1"),
        v4.new_code_cell("y = x + 1\nraise RuntimeError('boom ' + str(y))"),
        v4.new_code_cell("z = 3"),
    ])
    msg = _execute(nb, "broken.ipynb")
    assert msg is not None and "broken.ipynb: cell 2 failed: RuntimeError: boom 2" in msg
    assert "raise RuntimeError" in msg
    nb = v4.new_notebook(cells=[v4.new_code_cell(
        "import ipywidgets as w\n"
        "@w.interact(a=w.FloatSlider(value=1.0))\n"
        "def f(a):\n    raise ValueError(f'bad slider {a}')"
    )])
    msg = _execute(nb, "widget.ipynb")
    assert msg is not None and "widget callback raised: ValueError: bad slider 1.0" in msg

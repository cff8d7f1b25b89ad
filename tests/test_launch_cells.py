"""The notebooks' launch cell (.ci/launch_cells.py) and the README badge table.

Every notebook starts with the same launch cell, generated from one template; outside Colab it
does nothing visible; on Colab it installs this repository with pip constrained to the runtime's
jax, jaxlib and ipywidgets, enables the custom widget manager and prints backend and versions
(checked here with a stand-in google.colab and a pip that only records its arguments;
.ci/colab_like runs the real install). Notebooks carry a purpose line, no absolute paths and
small outputs.
"""

import importlib.util
import json
import pathlib
import re
import subprocess
import sys
import textwrap

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("launch_cells", ROOT / ".ci" / "launch_cells.py")
launch_cells = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(launch_cells)
NOTEBOOKS = launch_cells.notebook_paths()
IDS = [p.relative_to(ROOT / "notebooks").as_posix() for p in NOTEBOOKS]
# quoted strings that start like an absolute path: "/x", '~/x', "C:\\x"
ABSOLUTE = re.compile(r"""["'](?:/(?!/)|~/|[A-Za-z]:\\\\)""")


def _nb(path):
    return nbformat.read(path, as_version=4)


def test_the_five_notebooks_are_there():
    names = {p.name for p in NOTEBOOKS}
    assert {"00_quickstart.ipynb", "01_background_cosmology.ipynb", "02_supernovae.ipynb",
            "03_joint_analysis.ipynb", "04_fisher_forecasts.ipynb"} <= names, sorted(names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_is_the_launch_cell(path):
    nb = _nb(path)
    i = launch_cells.first_code_cell(nb)
    assert i is not None and nb.cells[i].source == launch_cells.LAUNCH_CELL, (
        f"{path.name}: run 'python .ci/launch_cells.py' to write the launch cell")
    assert all(c.cell_type == "markdown" for c in nb.cells[:i]), "only the title may come before it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_purpose_line_no_absolute_paths_small_outputs(path):
    nb = _nb(path)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), path.name
    # a one-line purpose: a descriptive title, or a line of text under the title
    below_title = [line for line in nb.cells[0].source.splitlines()[1:] if line.strip()]
    assert "Purpose" in nb.cells[0].source or below_title or len(launch_cells.purpose(nb)) > 20
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            hits = [m.group(0) for m in ABSOLUTE.finditer(cell.source)]
            assert not hits, f"{path.name} cell {i}: absolute path {hits}"
            if path.name != "05_jax_fundamentals.ipynb":  # 05 teaches raw keys next to the key manager
                assert "PRNGKey(" not in cell.source, f"{path.name} cell {i}: take keys from KeyManager by name"
    assert path.stat().st_size < 300_000, f"{path.name}: strip the outputs ({path.stat().st_size} bytes)"


def test_launch_cell_does_nothing_outside_colab():
    code = launch_cells.LAUNCH_CELL + "\nimport sys\nassert 'jax' not in sys.modules\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""


def test_launch_cell_on_colab_keeps_the_runtime(tmp_path):
    """With a stand-in google.colab: pip gets the repository and constraints pinning the
    installed jax, jaxlib and ipywidgets; the widget manager is enabled; backend is printed."""
    colab = tmp_path / "google" / "colab"
    colab.mkdir(parents=True)
    (colab / "__init__.py").write_text("")
    (colab / "output.py").write_text("def enable_custom_widget_manager():\n    print('WIDGET-MANAGER-ON')\n")
    harness = textwrap.dedent(f"""
        import importlib.util, json, subprocess, sys
        import google.colab
        calls = []
        def fake_run(args, check=False):
            constraints = open(args[args.index("-c") + 1]).read().split()
            calls.append({{"args": args, "constraints": constraints}})
        subprocess.run = fake_run
        real_find_spec = importlib.util.find_spec
        importlib.util.find_spec = lambda name, *a: None if name == "hicosmo_nb" else real_find_spec(name, *a)
        exec(compile(open({str(tmp_path / 'cell.py')!r}).read(), "launch_cell", "exec"), {{}})
        print("CALLS=" + json.dumps(calls))
    """)
    (tmp_path / "cell.py").write_text(launch_cells.LAUNCH_CELL)
    proc = subprocess.run([sys.executable, "-c", harness], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    calls = json.loads(proc.stdout.split("CALLS=")[1])
    assert len(calls) == 1
    args, constraints = calls[0]["args"], calls[0]["constraints"]
    assert args[:4] == [sys.executable, "-m", "pip", "install"]
    assert args[-1] == f"hicosmo_nb @ git+https://github.com/{launch_cells.REPO}@{launch_cells.BRANCH}"
    from importlib.metadata import version
    for name in ("jax", "jaxlib", "ipywidgets"):
        assert f"{name}=={version(name)}" in constraints, (name, constraints)
    out = proc.stdout
    assert "WIDGET-MANAGER-ON" in out
    assert f"jax {version('jax')}, jaxlib {version('jaxlib')}, ipywidgets {version('ipywidgets')}" in out
    assert "backend cpu" in out


def test_readme_badge_table():
    """README.md holds the table .ci/launch_cells.py --badges prints, between the markers."""
    readme = (ROOT / "README.md").read_text()
    begin, end = launch_cells.BADGES_BEGIN, launch_cells.BADGES_END
    if begin not in readme and end not in readme:
        pytest.skip("README.md has no badge section yet: paste 'python .ci/launch_cells.py --badges'")
    section = readme[readme.index(begin): readme.index(end) + len(end)] + "\n"
    assert section == launch_cells.badge_table(), "run 'python .ci/launch_cells.py --badges' and paste it"
    for path in NOTEBOOKS:
        rel = path.relative_to(ROOT).as_posix()
        assert f"colab.research.google.com/github/{launch_cells.REPO}/blob/{launch_cells.BRANCH}/{rel}" in section
    assert "urlpath=voila/render/notebooks/08_dashboards.ipynb" in section
    assert "urlpath=lab" in section


def test_badge_table_lists_every_notebook():
    table = launch_cells.badge_table()
    rows = [line for line in table.splitlines() if line.startswith("| `notebooks/")]
    assert len(rows) == len(NOTEBOOKS)
    assert all("[![Open in Colab]" in r for r in rows)

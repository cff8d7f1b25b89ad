"""Write the launch cell into every notebook and print the README badge table.

    python .ci/launch_cells.py            # rewrite the first code cell of every notebook
    python .ci/launch_cells.py --check    # exit 1 if a notebook's launch cell is not the template
    python .ci/launch_cells.py --cell     # print the launch cell (.ci/colab_like runs it)
    python .ci/launch_cells.py --badges   # print the README section between the badge markers

The repository address lives here only (:data:`REPO`): the launch cell installs from it and the
badges point at it. The launch cell runs before hicosmo_nb is installed, so it cannot import it.
On Colab it installs the package with pip constrained to the runtime's own jax, jaxlib (and
their CUDA/TPU plugins) and ipywidgets, turns on Colab's custom widget manager (ipympl needs
it) and prints the backend, the device and the versions. Elsewhere it does nothing visible.
It handles notebooks/*.ipynb and notebooks/apps/*.ipynb. ``--cell`` needs only the standard
library (.ci/colab_like runs it before anything else is installed); the rest needs nbformat.
"""

from __future__ import annotations

import pathlib
import sys

REPO = "hicosmo-nb/hicosmo_nb"  # GitHub owner/name: the one place the address is written
BRANCH = "main"
ROOT = pathlib.Path(__file__).resolve().parents[1]
BADGES_BEGIN, BADGES_END = "<!-- badges -->", "<!-- /badges -->"

LAUNCH_CELL = f'''\
# Launch cell (written by .ci/launch_cells.py, the same in every notebook). On Colab it installs
# hicosmo_nb and what Colab lacks, keeping Colab's jax, jaxlib and ipywidgets; elsewhere it does nothing.
import os, sys
if "google.colab" in sys.modules:
    import importlib, importlib.metadata as md, importlib.util, subprocess, tempfile
    if importlib.util.find_spec("hicosmo_nb") is None:
        keep = [f"{{d.name}}=={{d.version}}" for d in md.distributions() if d.name.lower().replace("_", "-")
                .startswith(("jax", "libtpu", "ipywidgets", "widgetsnbextension", "jupyterlab-widgets"))]
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\\n".join(keep))
        src = os.environ.get("HICOSMO_NB_SOURCE", "git+https://github.com/{REPO}@{BRANCH}")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-c", f.name, f"hicosmo_nb @ {{src}}"],
                       check=True)
        importlib.invalidate_caches()
    from google.colab import output
    output.enable_custom_widget_manager()  # ipympl and other third-party widgets
    import jax
    print(f"jax {{md.version('jax')}}, jaxlib {{md.version('jaxlib')}}, ipywidgets {{md.version('ipywidgets')}},",
          f"hicosmo_nb {{md.version('hicosmo_nb')}}; backend {{jax.default_backend()}}:",
          f"{{jax.device_count()}} x {{jax.devices()[0].device_kind}}")
'''

def notebook_paths(root: pathlib.Path = ROOT) -> list[pathlib.Path]:
    """Every notebook the launch cell goes into, sorted: notebooks/*.ipynb, notebooks/apps/*.ipynb."""
    nbdir = root / "notebooks"
    return sorted(nbdir.glob("*.ipynb")) + sorted((nbdir / "apps").glob("*.ipynb"))


def first_code_cell(nb) -> int | None:
    """Index of the first code cell of ``nb``, or None."""
    return next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), None)


def purpose(nb) -> str:
    """The notebook's one-line purpose: the first markdown line, without the '#' marks."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            return cell.source.strip().splitlines()[0].lstrip("#").strip()
    return ""


def write_launch_cell(path: pathlib.Path) -> bool:
    """Make the first code cell of ``path`` the launch cell (insert it after the title markdown
    if the notebook has none yet). Returns True when the file changed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    i = first_code_cell(nb)
    if i is not None and nb.cells[i].source == LAUNCH_CELL:
        return False
    if i is not None and nb.cells[i].source.startswith("# Launch cell"):
        nb.cells[i].source = LAUNCH_CELL
        nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    else:
        at = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
        nb.cells.insert(at, nbformat.v4.new_code_cell(LAUNCH_CELL))
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return True


def badge_table(root: pathlib.Path = ROOT) -> str:
    """The README section between the badge markers: one row per notebook."""
    import nbformat

    colab = "https://colab.research.google.com/assets/colab-badge.svg"
    binder = "https://mybinder.org/badge_logo.svg"
    base = f"https://mybinder.org/v2/gh/{REPO}/{BRANCH}"
    lines = [BADGES_BEGIN,
             f"[![Binder (JupyterLab)]({binder})]({base}?urlpath=lab/tree/notebooks) "
             f"[![Voila dashboards](https://img.shields.io/badge/launch-Voila-orange)]"
             f"({base}?urlpath=voila/render/notebooks/08_dashboards.ipynb)",
             "",
             "| notebook | what it shows | Colab |",
             "|---|---|---|"]
    for path in notebook_paths(root):
        rel = path.relative_to(root).as_posix()
        nb = nbformat.read(path, as_version=4)
        url = f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/{rel}"
        lines.append(f"| `{rel}` | {purpose(nb)} | [![Open in Colab]({colab})]({url}) |")
    lines.append(BADGES_END)
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv == ["--cell"]:
        sys.stdout.write(LAUNCH_CELL)
        return 0
    if argv == ["--badges"]:
        sys.stdout.write(badge_table())
        return 0
    if argv == ["--check"]:
        import nbformat

        bad = [p for p in notebook_paths() if (i := first_code_cell(nb := nbformat.read(p, as_version=4))) is None
               or nb.cells[i].source != LAUNCH_CELL]
        for p in bad:
            print(f"{p.relative_to(ROOT)}: first code cell is not the launch cell", file=sys.stderr)
        return 1 if bad else 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    for path in notebook_paths():
        if write_launch_cell(path):
            print(f"wrote the launch cell into {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

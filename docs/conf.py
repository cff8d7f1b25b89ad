"""Sphinx configuration of the hicosmo_nb documentation (built by ``bash .ci/docs``).

Sphinx + MyST-NB + sphinx-book-theme, as JAX, NumPyro and BlackJAX build theirs; the API pages
come from the numpydoc docstrings (docs/apigen.py writes one page per public module). Notebooks
are never executed here (``nb_execution_mode = "off"``): .ci/docs copies in the executed copies
that tests/test_notebooks.py wrote, or the stored notebooks with a note when there are none.
The build is offline: no intersphinx, so names of other packages are not cross-referenced
(``nitpick_ignore_regex``), while every reference to hicosmo_nb must resolve (``-n -W``).
"""

from __future__ import annotations

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import apigen  # noqa: E402  (docs/apigen.py, copied beside this file)

project = "hicosmo_nb"
author = "the hicosmo_nb developers"
copyright = "2026, the hicosmo_nb developers"
release = version = "0.1.0"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]

# one page per public module, written into the source tree being built
apigen.write_pages(HERE / "api")


def _write_citations(path: pathlib.Path) -> None:
    """The data citations table, from the registry (written once, in hicosmo_nb.data)."""
    from hicosmo_nb.data import CITATIONS

    rows = "".join(f"| `{name}` | {text} |\n" for name, text in sorted(CITATIONS.items()))
    path.write_text("| data set | cite |\n|---|---|\n" + rows)


_write_citations(HERE / "_citations.md")

exclude_patterns = ["_build", "apigen.py", "**.ipynb_checkpoints", "README.md"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# notebooks: rendered as stored (the executed copies), never run by the docs build
nb_execution_mode = "off"
nb_output_stderr = "show"  # warnings and progress, as the user sees them
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]  # widget views: shown by the live notebooks

autodoc_typehints = "none"  # types are in the numpydoc Parameters sections
autodoc_member_order = "bysource"
autodoc_default_options = {"exclude-members": "__init__, __new__"}
numpydoc_show_class_members = False  # autodoc's :members: lists them once
numpydoc_validation_checks: set[str] = set()

nitpicky = True
# Offline build (no intersphinx): names of other packages and the loose types numpydoc sections
# use cannot resolve; every hicosmo_nb name must.
nitpick_ignore_regex = [
    (r"py:.*", r"(jax|jaxlib|numpy|np|jnp|numpyro|scipy|arviz|arviz_base|arviz_stats|xarray|xr|"
               r"matplotlib|ipywidgets|getdist|optax|pooch|astropy|corner|h5py|pathlib|os|typing|"
               r"collections|dataclasses|enum|threading|concurrent|warnings|datetime|builtins|json|arviz_plots)(\..*)?"),
    (r"py:.*", r"hicosmo_nb(\.\w+)*\._\w+(\..*)?"),  # private modules are not in the reference
    (r"py:.*", r"[A-Z][A-Za-z]*Dict|Mapping|Callable|Sequence|Iterable|Any|Array|ArrayLike|PRNGKey"),
]

html_theme = "sphinx_book_theme"
html_title = "hicosmo_nb"
html_static_path = ["_static"]
html_theme_options = {
    "repository_url": "https://github.com/hicosmo-nb/hicosmo_nb",
    "use_repository_button": True,
    "path_to_docs": "docs",
    "show_toc_level": 2,
}
html_last_updated_fmt = None


def _resolve_reexport(app, env, node, contnode):
    """Resolve a reference to a name by where it is exported (``hicosmo_nb.cosmology.DistanceEvaluator``,
    or ``DistanceEvaluator`` inside that module's docstrings) to the one page that describes it."""
    import importlib

    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    mod, cls = node.get("py:module"), node.get("py:class")
    candidates = [target]
    if mod:
        candidates += [f"{mod}.{cls}.{target}" if cls else None, f"{mod}.{target}"]
        parent = mod.rsplit(".", 1)[0]
        candidates.append(f"{parent}.{target}")
    domain = env.get_domain("py")
    for cand in filter(None, candidates):
        obj, parts = None, cand.split(".")
        for i in range(len(parts), 0, -1):  # longest importable module prefix, then attributes
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                continue
            try:
                for attr in parts[i:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                obj = None
            break
        if obj is None:
            continue
        owner = getattr(obj, "__module__", None)
        qual = getattr(obj, "__qualname__", None)
        names = [f"{owner}.{qual}"] if owner and qual else []
        names += [f"{m}.{parts[-1]}" for m in apigen.public_modules() if m.startswith("hicosmo_nb")
                  and getattr(importlib.import_module(m), parts[-1], None) is obj]
        for name in names:
            if name in domain.objects:
                node = node.deepcopy()
                node["reftarget"] = name
                return domain.resolve_xref(env, node.get("refdoc"), app.builder, domain.objects[name].objtype,
                                           name, node, contnode)
    return None


def setup(app):
    app.connect("missing-reference", _resolve_reexport)

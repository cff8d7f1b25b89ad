"""Write the API reference pages: one page per public module, every name of its ``__all__``.

A public module is one whose dotted path has no part starting with ``_`` (``__main__`` and
``hicosmo_nb._config`` are out). Each object is *described* once, on the page of the module
that defines it when that module is public and exports it, else on the first public module
(sorted) that exports it; every other page that exports the name links to that description.
This keeps Sphinx free of duplicate-object warnings while every public name of every public
module appears in the reference (tests/test_docs.py checks it, .ci/check_docs.py checks the
built site's ``objects.inv``).

    python docs/apigen.py OUTDIR     # what docs/conf.py runs at build time
"""

from __future__ import annotations

import importlib
import inspect
import pathlib
import pkgutil
import sys
import types

PACKAGE = "hicosmo_nb"


def public_modules(package: str = PACKAGE) -> list[str]:
    """Dotted names of the package and its public submodules, sorted."""
    pkg = importlib.import_module(package)
    names = [m.name for m in pkgutil.walk_packages(pkg.__path__, package + ".")
             if not any(part.startswith("_") for part in m.name.split("."))]
    return [package] + sorted(names)


def public_names(module: str) -> list[str]:
    """The module's ``__all__`` (a public module without one is an error: the reference would
    not know what it exports)."""
    mod = importlib.import_module(module)
    names = getattr(mod, "__all__", None)
    if names is None:
        raise ValueError(f"public module {module} has no __all__; add one listing its public names")
    return list(names)


def _kind(obj) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj) and not isinstance(obj, (dict, list, tuple)):
        return "function"
    return "data"


def homes(modules: list[str]) -> dict[tuple[str, int], str]:
    """``{(name, id(object)): module}``: where each exported object is described (the module that
    defines it when that one exports it, else the most specific public module that does)."""
    exporters: dict[tuple[str, int], list[str]] = {}
    objects: dict[tuple[str, int], object] = {}
    for m in modules:
        mod = importlib.import_module(m)
        for n in public_names(m):
            obj = getattr(mod, n)
            if _kind(obj) == "module":
                continue
            exporters.setdefault((n, id(obj)), []).append(m)
            objects[(n, id(obj))] = obj
    out = {}
    for key, mods in exporters.items():
        defined = getattr(objects[key], "__module__", None) if _kind(objects[key]) != "data" else None
        out[key] = defined if defined in mods else max(mods, key=lambda m: (m.count("."), m))
    return out


def _title(text: str) -> str:
    return f"{text}\n{'=' * len(text)}\n"


def module_page(module: str, home: dict[int, str]) -> str:
    """The reST of one module's page."""
    mod = importlib.import_module(module)
    lines = [f".. _api-{module}:\n", _title(module),
             f".. automodule:: {module}\n   :no-members:\n",
             ".. currentmodule:: " + module + "\n"]
    described, linked = [], []
    for n in public_names(module):
        obj = getattr(mod, n)
        kind = _kind(obj)
        real = getattr(obj, "__name__", n) if kind in ("class", "function") else n
        if kind == "module":
            linked.append(f"- ``{n}``: module :py:mod:`{obj.__name__}`")
        elif real != n and (real, id(obj)) in home:  # an alias, e.g. ``load_result`` of ``load``
            linked.append(f"- ``{n}``: alias of :py:obj:`{home[(real, id(obj))]}.{real}`")
        elif home[(n, id(obj))] != module:
            linked.append(f"- ``{n}``: :py:obj:`{home[(n, id(obj))]}.{n}`")
        elif kind == "data":
            described.append(f".. py:data:: {n}\n\n   A constant (``{type(obj).__name__}``); see the module "
                             f"description above.\n")
        elif kind == "class":
            described.append(f".. autoclass:: {n}\n   :members:\n   :undoc-members:\n   :show-inheritance:\n")
        else:
            described.append(f".. autofunction:: {n}\n")
    if linked:
        lines += ["Exported here, described elsewhere\n"
                  "----------------------------------\n", "\n".join(linked) + "\n"]
    if described:
        lines += ["Described on this page\n----------------------\n", *described]
    return "\n".join(lines)


def write_pages(outdir: str | pathlib.Path) -> list[pathlib.Path]:
    """Write ``outdir/<module>.rst`` for every public module and ``outdir/index.rst``."""
    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    modules = public_modules()
    home = homes(modules)
    written = []
    for m in modules:
        path = outdir / f"{m}.rst"
        path.write_text(module_page(m, home))
        written.append(path)
    index = [_title("API reference"),
             "Every public module of ``hicosmo_nb`` and every name of its ``__all__``, generated from "
             "the numpydoc docstrings. Each object is described once, on the page of the module "
             "that defines it; the packages' pages link to those descriptions.\n",
             ".. toctree::\n   :maxdepth: 1\n\n" + "\n".join(f"   {m}" for m in modules) + "\n"]
    (outdir / "index.rst").write_text("\n".join(index))
    return written + [outdir / "index.rst"]


if __name__ == "__main__":
    for p in write_pages(sys.argv[1]):
        print(p)

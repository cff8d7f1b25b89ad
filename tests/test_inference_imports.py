"""The modules of hicosmo_nb/inference import each other without cycles (issue 24).

Every import between the package's modules counts: at module level, inside functions (an
import on use is still a dependency) and under ``if TYPE_CHECKING``. The package's
``__init__`` is where the modules are assembled; no module imports it.
"""

import ast
import pathlib

import hicosmo_nb.inference

PACKAGE = pathlib.Path(hicosmo_nb.inference.__file__).parent
NAME = "hicosmo_nb.inference"


def imports_of(path: pathlib.Path, modules: set[str]) -> set[str]:
    """The package modules that ``path`` imports (relative or absolute, at any depth)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                base = node.module or ""
            elif node.level == 0 and (node.module or "").startswith(NAME):
                base = node.module[len(NAME):].lstrip(".")
            elif node.level == 2 and (node.module or "") == "inference":
                base = ""
            else:
                continue
            if base:
                out.add(base.split(".")[0])
            else:  # from . import a, b  (modules, or the package itself)
                out |= {a.name for a in node.names if a.name in modules} or {"__init__"}
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(NAME + "."):
                    out.add(a.name[len(NAME) + 1:].split(".")[0])
                elif a.name == NAME:
                    out.add("__init__")
    return out


def graph() -> dict[str, set[str]]:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    return {p.stem: imports_of(p, modules) - {p.stem} for p in sorted(PACKAGE.glob("*.py"))}


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    """One import cycle ``[a, b, ..., a]`` of the graph, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(n):
        state[n] = 1
        path.append(n)
        for m in sorted(g.get(n, ())):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        state[n] = 2
        path.pop()
        return None

    for n in sorted(g):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_cycles_and_passes_trees():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    src = "def f():\n    from .runner import x\nfrom . import kernel\nfrom .. import keys\n"
    p = PACKAGE.parent / "__cycle_probe__.py"
    try:
        p.write_text(src)
        assert imports_of(p, {"kernel", "runner"}) == {"runner", "kernel"}
    finally:
        p.unlink()


def test_inference_has_no_import_cycles():
    g = graph()
    assert len(g) > 15 and g["run"] >= {"state", "results"}  # the parse sees the imports
    cycle = find_cycle(g)
    assert cycle is None, f"import cycle in {NAME}: {' -> '.join(cycle)}"


def test_no_inference_module_imports_the_package_init():
    g = graph()
    assert [m for m, deps in g.items() if "__init__" in deps and m != "__init__"] == []

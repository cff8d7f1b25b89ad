"""Write binder/requirements.txt: the exact lock of the tested stack that Binder builds.

    python .ci/binder_lock.py        # from the environment running it (the tested .venv)

The lock is the closure of ``hicosmo_nb[notebooks]`` (pyproject.toml's dependencies and the
notebooks extra: JupyterLab, Voila, ipykernel, astropy) as installed in this environment, every
package pinned with ``==``; hicosmo_nb itself is left out (binder/postBuild installs the checkout
with ``--no-deps``). Run it in the venv whose tests passed (Python 3.12, ipywidgets 8), then
``bash .ci/binder_check`` installs the lock into a fresh venv and runs the fast notebook tests.
tests/test_setup_files.py keeps the lock's names in step with pyproject.toml.
"""

from __future__ import annotations

import importlib.metadata as md
import pathlib
import sys
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXTRAS = ("notebooks",)


def closure(reqs: list[str]) -> dict[str, str]:
    """``{canonical name: installed version}`` of ``reqs`` and everything they need here."""
    out: dict[str, str] = {}
    todo = [(Requirement(r), ()) for r in reqs]
    while todo:
        req, _ = todo.pop()
        name = canonicalize_name(req.name)
        if name in out:
            continue
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError as err:
            raise SystemExit(f"{req.name} (needed for the lock) is not installed here: {err}")
        out[name] = dist.version
        for text in dist.requires or []:
            sub = Requirement(text)
            envs = [{"extra": e} for e in req.extras] or [{"extra": ""}]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in envs):
                todo.append((sub, ()))
    return out


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in EXTRAS:
        reqs += project["optional-dependencies"][extra]
    pins = closure(reqs)
    pins.pop("hicosmo-nb", None)
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    head = (f"# Binder's exact lock (written by .ci/binder_lock.py from the tested venv, Python {py}):\n"
            "# hicosmo_nb[notebooks] and everything below it. binder/postBuild installs the package\n"
            "# with --no-deps; .ci/binder_check installs this file into a fresh venv and runs the\n"
            "# fast notebook tests. Lower bounds for users are in pyproject.toml and environment.yml.\n")
    lines = [f"{n}=={v}" for n, v in sorted(pins.items())]
    (ROOT / "binder" / "requirements.txt").write_text(head + "\n".join(lines) + "\n")
    (ROOT / "binder" / "runtime.txt").write_text(f"python-{py}\n")
    print(f"binder/requirements.txt: {len(lines)} pins; binder/runtime.txt: python-{py}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

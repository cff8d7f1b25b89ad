"""Set-up files agree with each other: pyproject.toml, environment.yml, binder/, .ci/, README.

Also runs .ci/run against a fake set-up (a stand-in python that records its arguments and exits
with a chosen code) to check exit-code handling, and .ci/setup's interpreter search.
"""

import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[1]
CI = ROOT / ".ci"
README = (ROOT / "README.md").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _req_key(text: str) -> tuple[str, str, tuple[str, ...]]:
    r = Requirement(text)
    return canonicalize_name(r.name), str(r.specifier), tuple(sorted(r.extras))


def _env(path: pathlib.Path) -> dict:
    return yaml.safe_load(path.read_text())


def _env_parts(env: dict) -> tuple[list[str], list[str]]:
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep["pip"])
        else:
            conda.append(dep)
    return conda, pip


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)


def test_binder_builds_the_lock_not_environment_yml():
    # repo2docker reads only binder/ when it exists, and ignores runtime.txt beside an environment.yml
    files = {p.name for p in (ROOT / "binder").iterdir()}
    assert "environment.yml" not in files and {"requirements.txt", "runtime.txt"} <= files, files


def test_environment_python_matches_pyproject():
    conda, _ = _env_parts(_env(ROOT / "environment.yml"))
    pythons = [d for d in conda if re.match(r"python\b", d)]
    assert len(pythons) == 1, pythons
    version = pythons[0].split("=", 1)[1].lstrip("=")
    requires = PYPROJECT["project"]["requires-python"]
    assert requires == f">={version}", (requires, version)
    assert "pip" in conda
    assert (ROOT / "binder" / "runtime.txt").read_text() == f"python-{version}\n"


# environment.yml's own tighter choice (JupyterLab 4 and Voila render ipywidgets 8; pyproject admits 7.7
# so that installing on Colab keeps Colab's ipywidgets 7.7.1).
BINDER_TIGHTER = {"ipywidgets": ">=8"}
# Colab's preinstalled versions (2026-08 runtime) that installing hicosmo_nb must keep;
# .ci/colab_like pins the same (plus notebook 6.5.7).
COLAB = {"jax": "0.7.2", "jaxlib": "0.7.2", "ipywidgets": "7.7.1", "matplotlib": "3.10.0"}


def test_environment_dependencies_match_pyproject():
    _, pip = _env_parts(_env(ROOT / "environment.yml"))
    project = PYPROJECT["project"]
    want = project["dependencies"] + project["optional-dependencies"]["notebooks"]
    got_keys = sorted(_req_key(r.split("#")[0].strip()) for r in pip)
    want_keys = sorted(set((n, BINDER_TIGHTER.get(n, spec), ex) for n, spec, ex in map(_req_key, want)))
    assert got_keys == want_keys


def _lock() -> dict[str, Requirement]:
    lines = [line for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    reqs = [Requirement(line) for line in lines]
    return {canonicalize_name(r.name): r for r in reqs}


def test_binder_lock_pins_a_tested_python_312_stack():
    lock = _lock()
    for name, req in lock.items():
        assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", f"{name}: not an exact pin"
    version = lambda n: next(iter(lock[n].specifier)).version  # noqa: E731
    assert version("jupyterlab").startswith("4.") and version("ipywidgets").startswith("8.")
    assert {"jax", "jaxlib", "numpyro", "ipympl", "voila", "ipykernel"} <= set(lock)
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.12"


def test_binder_lock_in_step_with_pyproject():
    """Every dependency and notebooks-extra package is pinned, at a version pyproject admits."""
    lock = _lock()
    project = PYPROJECT["project"]
    for text in project["dependencies"] + project["optional-dependencies"]["notebooks"]:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in lock, f"{name} is in pyproject.toml but not in binder/requirements.txt (run .ci/binder_lock.py)"
        pinned = next(iter(lock[name].specifier)).version
        assert req.specifier.contains(pinned, prereleases=True), f"{name}=={pinned} is outside pyproject's {req.specifier}"
    assert "hicosmo-nb" not in lock  # postBuild installs the checkout


def test_dependencies_admit_colab_and_have_no_upper_bounds():
    deps = {canonicalize_name(Requirement(r).name): Requirement(r).specifier
            for r in PYPROJECT["project"]["dependencies"]}
    for name, version in COLAB.items():
        assert version in deps[name], f"{name}{deps[name]} would replace Colab's {name} {version}"
    for name, spec in deps.items():
        assert all(s.operator == ">=" for s in spec), f"{name}{spec}: lower bounds only"
    colab_like = (CI / "colab_like").read_text()
    for name, version in COLAB.items():
        assert f"{name}=={version}" in colab_like, name


def test_binder_is_a_repo2docker_config():
    files = {p.name for p in (ROOT / "binder").iterdir()}
    assert {"requirements.txt", "runtime.txt", "postBuild"} <= files
    # files that would make repo2docker ignore requirements.txt
    assert not files & {"Dockerfile", "Project.toml", "install.R", "default.nix"}, files
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & stat.S_IXUSR, "binder/postBuild must be executable"
    text = post.read_text()
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text
    assert re.search(r"pip install .*--no-deps -e '\.\[notebooks\]'", text), text  # the lock stays as it is


def test_pyproject_extras_cover_the_test_tools():
    test = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["optional-dependencies"]["test"]}
    assert {"pytest", "pytest-xdist", "nbclient", "nbformat", "ipykernel", "voila", "playwright",
            "pyyaml", "astropy"} <= test
    markers = " ".join(PYPROJECT["tool"]["pytest"]["ini_options"]["markers"])
    assert "browser:" in markers and "slow:" in markers


def test_readme_starts_with_what_it_is_then_the_two_commands():
    lines = README.splitlines()
    assert lines[0].startswith("# ")
    first_block = _fenced_blocks(README)[0]
    assert first_block == ("bash", "bash .ci/launch\nbash .ci/run\n")
    # between the title and those commands: one paragraph saying what it is, nothing else
    before = README[len(lines[0]) + 1:README.index("```bash")].strip()
    assert before and "\n\n" not in before and not before.startswith(("#", "!", "<", "|", "-"))
    assert "cosmology" in before and "JAX" in before
    # then one line on each command, the figure, and the pip install line
    after = README[README.index("bash .ci/run\n```") + len("bash .ci/run\n```"):]
    assert after.lstrip().startswith("- `bash .ci/launch`") and "- `bash .ci/run`" in after
    assert after.index("](docs/_static/posterior.png)") < after.index("## Install")
    assert (ROOT / "docs" / "_static" / "posterior.png").stat().st_size < 150_000
    assert 'pip install "hicosmo_nb @ git+https://github.com/hicosmo-nb/hicosmo_nb"' in after


def test_readme_links_into_the_docs_resolve():
    links = re.findall(r"\]\((docs/[^)#]+)\)", README)
    assert len(links) >= 10, links
    for link in links:
        assert (ROOT / link).is_file(), link


def test_ci_run_calls_the_readme_test_command():
    commands = [line for lang, body in _fenced_blocks(README) if lang == "bash"
                for line in body.splitlines() if " -m pytest " in line]
    assert len(commands) == 1, commands
    args = commands[0].split(" -m pytest ", 1)[1].strip()
    run = (CI / "run").read_text()
    assert re.search(r'"\$PY" -m pytest ' + re.escape(args) + r' "\$@"', run), (args, run)
    # without path arguments pytest must collect tests/ and the package's docstring examples
    ini = PYPROJECT["tool"]["pytest"]["ini_options"]
    assert ini["testpaths"] == ["tests", "hicosmo_nb"] and "--doctest-modules" in ini["addopts"].split()


def test_readme_names_things_that_exist():
    for script in re.findall(r"benchmarks/(\w+\.py)", README):
        assert (ROOT / "benchmarks" / script).is_file(), script
    for path in re.findall(r"`((?:tests|hicosmo_nb|notebooks|\.ci|binder)/[\w./]+)`", README):
        assert (ROOT / path).exists(), path
    assert "HICOSMO_NB_DATA_DIR" in README


@pytest.mark.parametrize("name", ["setup", "run", "launch", "colab_like", "docs", "binder_check"])
def test_ci_scripts_are_valid_bash(name):
    path = CI / name
    text = path.read_text()
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(path)], check=True)


@pytest.fixture
def fake_ci(tmp_path):
    """A copy of .ci/run whose .ci/setup hands over a fake python recording its arguments, and
    a fake .ci/colab_like recording its own and exiting with $FAKE_COLAB_RC."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(CI / "run", tmp_path / ".ci" / "run")
    fake_py = tmp_path / "fakepython"
    fake_py.write_text(
        "#!/usr/bin/env bash\n"
        'echo "ARGS: $*" >> "$FAKE_LOG"\n'
        'echo "ENV: MPLBACKEND=$MPLBACKEND HICOSMO_NB_FAST=$HICOSMO_NB_FAST ADDOPTS=${PYTEST_ADDOPTS:-}" >> "$FAKE_LOG"\n'
        'echo "========= 7 passed in 1.00s ========="\n'
        'exit "$FAKE_RC"\n'
    )
    (tmp_path / ".ci" / "colab_like").write_text(
        "#!/usr/bin/env bash\n"
        'echo "COLAB ARGS: $* PREPARE_ONLY=${HICOSMO_NB_PREPARE_ONLY:-0}" >> "$FAKE_LOG"\n'
        '[ "${HICOSMO_NB_PREPARE_ONLY:-0}" = 1 ] && exit "${FAKE_PREP_RC:-0}"\n'
        'echo "==== 1 failed, 5 passed in 2.00s ===="\n'
        'exit "${FAKE_COLAB_RC:-0}"\n'
    )
    for job in ("binder_check", "docs"):  # the full run's other jobs: record they ran, and with what
        (tmp_path / ".ci" / job).write_text(
            "#!/usr/bin/env bash\n"
            f'echo "{job.upper()} ARGS: $* ADDOPTS=${{PYTEST_ADDOPTS:-}} EXECUTED=$HICOSMO_NB_EXECUTED_DIR PREPARE_ONLY=${{HICOSMO_NB_PREPARE_ONLY:-0}}" >> "$FAKE_LOG"\n'
            '[ "${HICOSMO_NB_PREPARE_ONLY:-0}" = 1 ] && exit "${FAKE_PREP_RC:-0}"\n'
            f'exit "${{FAKE_{job.upper()}_RC:-0}}"\n'
        )
    fake_py.chmod(0o755)
    (tmp_path / ".ci" / "setup").write_text(
        f"#!/usr/bin/env bash\necho 'set-up messages'\necho {fake_py}\n"
    )
    return tmp_path


@pytest.mark.parametrize("fake_rc, want_rc", [(0, 0), (1, 1), (2, 2), (5, 1)])
def test_ci_run_exit_codes_and_arguments(fake_ci, fake_rc, want_rc):
    log = fake_ci / "log.txt"
    env = {**os.environ, "FAKE_RC": str(fake_rc), "FAKE_LOG": str(log),
           "HICOSMO_NB_SKIP_CHROMIUM": "1", "MPLBACKEND": "", "HICOSMO_NB_FAST": ""}
    proc = subprocess.run(["bash", str(fake_ci / ".ci" / "run"), "-k", "some thing", "-x"],
                          env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert proc.returncode == want_rc, proc.stderr
    recorded = log.read_text()
    assert "ARGS: -m pytest -n 2 -k some thing -x" in recorded
    assert "ENV: MPLBACKEND=Agg HICOSMO_NB_FAST=1" in recorded
    assert "COLAB ARGS: -k some thing -x" in recorded  # the Colab-like job runs even after a failure
    assert "BINDER_CHECK" not in recorded and "DOCS" not in recorded  # with arguments: not those
    assert re.search(rf"main suite \(exit {fake_rc}, \d+ s\): ========= 7 passed in 1.00s", proc.stderr)
    assert re.search(r"Colab-like \(exit 0, \d+ s\): ==== 1 failed, 5 passed in 2.00s", proc.stderr)
    if fake_rc == 5:
        assert "collected no tests (exit code 5)" in proc.stderr


@pytest.mark.parametrize("colab_rc, want_rc", [(1, 1), (5, 1), (0, 0)])
def test_ci_run_fails_when_the_colab_like_job_fails(fake_ci, colab_rc, want_rc):
    env = {**os.environ, "FAKE_RC": "0", "FAKE_COLAB_RC": str(colab_rc), "FAKE_LOG": str(fake_ci / "log"),
           "HICOSMO_NB_SKIP_CHROMIUM": "1"}
    proc = subprocess.run(["bash", str(fake_ci / ".ci" / "run")], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert proc.returncode == want_rc, proc.stderr
    assert f"Colab-like (exit {colab_rc}," in proc.stderr
    env["HICOSMO_NB_SKIP_COLAB_LIKE"] = "1"
    proc = subprocess.run(["bash", str(fake_ci / ".ci" / "run")], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert proc.returncode == 0 and "Colab-like (exit skipped," in proc.stderr


@pytest.mark.parametrize("job, rc", [("binder_check", 0), ("binder_check", 1), ("docs", 2)])
def test_ci_run_full_runs_the_binder_and_docs_jobs(fake_ci, job, rc):
    """Without arguments: the main suite leaves the notebooks to the Binder-lock job, which with
    the docs build gets the executed-copies folder; either failing fails the run."""
    log = fake_ci / "log"
    env = {**os.environ, "FAKE_RC": "0", "FAKE_LOG": str(log), f"FAKE_{job.upper()}_RC": str(rc),
           "HICOSMO_NB_SKIP_CHROMIUM": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(["bash", str(fake_ci / ".ci" / "run")], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert proc.returncode == rc, proc.stderr
    recorded = log.read_text()
    executed = str(fake_ci / "docs" / "_build" / "executed")
    assert f"BINDER_CHECK ARGS:  ADDOPTS= EXECUTED={executed}" in recorded
    assert f"DOCS ARGS:  ADDOPTS= EXECUTED={executed}" in recorded
    assert "COLAB ARGS: " in recorded
    assert "ADDOPTS= --deselect tests/test_notebooks.py::test_notebook_runs" in recorded  # main suite
    env["HICOSMO_NB_SKIP_BINDER"] = env["HICOSMO_NB_SKIP_DOCS"] = "1"
    log.unlink()
    proc = subprocess.run(["bash", str(fake_ci / ".ci" / "run")], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert proc.returncode == 0 and "BINDER" not in log.read_text() and "DOCS" not in log.read_text()


@pytest.mark.parametrize("prep_rc", [0, 1])
def test_ci_run_builds_the_job_venvs_in_the_background(fake_ci, prep_rc):
    """The Binder-lock and Colab-like venvs are built (HICOSMO_NB_PREPARE_ONLY=1) beside the main
    set-up; a failed build is said and left to the job itself, which then runs as usual."""
    log = fake_ci / "log"
    env = {**os.environ, "FAKE_RC": "0", "FAKE_LOG": str(log), "FAKE_PREP_RC": str(prep_rc),
           "HICOSMO_NB_SKIP_CHROMIUM": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(["bash", str(fake_ci / ".ci" / "run")], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert proc.returncode == 0, proc.stderr
    lines = log.read_text().splitlines()
    binder = [line for line in lines if line.startswith("BINDER_CHECK ARGS:")]
    colab = [line for line in lines if line.startswith("COLAB ARGS:")]
    assert len(binder) == 2  # the build, then the job
    assert binder[0].endswith("PREPARE_ONLY=1") and binder[1].endswith("PREPARE_ONLY=0")
    assert colab == ["COLAB ARGS:  PREPARE_ONLY=1", "COLAB ARGS:  PREPARE_ONLY=0"]
    failed = [f"building {job}'s venv in the background failed" in proc.stderr
              for job in ("binder_check", "colab_like")]
    assert failed == [bool(prep_rc)] * 2


def test_ci_run_stops_when_setup_fails(tmp_path):
    (tmp_path / ".ci").mkdir()
    shutil.copy(CI / "run", tmp_path / ".ci" / "run")
    (tmp_path / ".ci" / "setup").write_text("#!/usr/bin/env bash\necho 'no python' >&2\nexit 1\n")
    proc = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True,
                          env={**os.environ, "HICOSMO_NB_SKIP_CHROMIUM": "1"}, timeout=30)
    assert proc.returncode != 0 and "no python" in proc.stderr


def test_setup_finds_this_python():
    env = {**os.environ, "HICOSMO_NB_PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(CI / "setup"), "--find-python"], env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    found = proc.stdout.strip().splitlines()[-1]
    out = subprocess.run([found, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "True"


def test_setup_explains_when_no_python_is_found(tmp_path):
    # PATH holds only dirname and a python3 that is too old: no candidate, no pyenv.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "dirname").symlink_to(shutil.which("dirname"))
    old = bindir / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")  # fails the version check like a 3.11 would
    old.chmod(0o755)
    (tmp_path / ".ci").mkdir()  # a copy: the repository's own .venv must not be found
    shutil.copy(CI / "setup", tmp_path / ".ci" / "setup")
    env = {"PATH": str(bindir), "HOME": str(tmp_path), "HICOSMO_NB_PYTHON": str(old)}
    proc = subprocess.run([shutil.which("bash"), str(tmp_path / ".ci" / "setup")], env=env,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "is not a working Python >= 3.12" in proc.stderr
    assert "ERROR: no Python >= 3.12 found" in proc.stderr and "HICOSMO_NB_PYTHON" in proc.stderr

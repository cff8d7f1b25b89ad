"""``python -m hicosmo_nb fit|continue`` / ``hicosmo-nb``: output files, overwrite refusal, errors
(before JAX is imported), continuing a saved run, Ctrl-C and resuming."""

import json
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest

from hicosmo_nb.__main__ import OUTPUTS, main
from hicosmo_nb.inference import load

# short runs: the R-hat / ESS advice is expected and not what these tests check
pytestmark = pytest.mark.filterwarnings("ignore::hicosmo_nb.inference.ConvergenceWarning")

FIT = ["fit", "LCDM", "desi_dr2_bao", "--free", "Omega_m", "hrd", "--option", "desi_dr2_bao:rd=free",
       "--prior", "Omega_m=uniform:0.1:0.6", "--chains", "2", "--warmup", "200", "--samples", "300",
       "--seed", "3", "--no-progress"]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "bao"
    code = main(FIT + ["--out", str(out)])
    return code, out


def test_fit_writes_every_output(first_run, capsys):
    code, out = first_run
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    res = load(out / "posterior.nc")
    assert res.samples["Omega_m"].shape == (2, 300)
    assert 0.26 < res.mean()["Omega_m"] < 0.34
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["priors"]["Omega_m"] == "Uniform(0.1, 0.6)"
    assert manifest["fit"]["options"] == {"desi_dr2_bao": {"rd": "free"}}
    assert (out / "corner.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    header = (out / "summary.csv").read_text().splitlines()[0]
    assert "ess_bulk" in header and "r_hat" in header
    assert "Omega_m" in (out / "summary.txt").read_text()


def test_refuses_to_overwrite_unless_told(first_run, capsys):
    _, out = first_run
    before = (out / "posterior.nc").read_bytes()
    assert main(FIT + ["--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "already holds posterior.nc" in err and "pass --overwrite" in err
    assert (out / "posterior.nc").read_bytes() == before
    argv = [a if a != "3" else "4" for a in FIT]  # --seed 4
    assert main(argv + ["--out", str(out), "--overwrite"]) == 0
    assert load(out / "posterior.nc").manifest["key_manager"]["seed"] == 4


@pytest.mark.parametrize(
    "argv, match",
    [
        (["fit", "LCMD", "cc", "--out", "x"], "unknown model 'LCMD' (did you mean 'LCDM'?)"),
        (["fit", "LCDM", "cc", "--prior", "H0=beta:1:2", "--out", "x"], "must be uniform:LO:HI"),
        (["fit", "LCDM", "cc", "--fixed", "Omega_b", "--out", "x"], "--fixed 'Omega_b' must look like NAME=VALUE"),
        (["fit", "LCDM", "cc", "--option", "rd=free", "--out", "x"], "must look like DATASET:KEY=VALUE"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(argv, match, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert match in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_module_and_entry_point_run():
    out = subprocess.run([sys.executable, "-m", "hicosmo_nb", "list"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "model    LCDM" in out.stdout and "dataset  desi_dr2_bao" in out.stdout
    script = pathlib.Path(sys.executable).with_name("hicosmo-nb")
    out = subprocess.run([str(script), "fit", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "--overwrite" in out.stdout


@pytest.mark.parametrize(
    "argv, match",
    [
        (["fit", "LCDM", "cc", "--fixed", "H0=abc", "--out", "x"], "--fixed H0='abc' must be a finite number"),
        (["fit", "LCDM", "cc", "--out", "afile"], "--out 'afile' is an existing file; give a folder"),
        (["fit", "LCDM", "cc", "--samples", "0", "--out", "x"], "--samples must be >= 1; got 0"),
        (["continue", "missing.nc", "--samples", "10"], "result file 'missing.nc' does not exist"),
    ],
)
def test_trivial_argument_errors_name_the_flag_and_do_not_import_jax(argv, match, tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "hicosmo_nb", *argv], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr[-2000:]
    errors = [ln for ln in out.stderr.splitlines() if not ln.startswith("import time:")]
    assert errors == [f"error: {match}"]
    imported = {ln.rsplit("|", 1)[-1].strip() for ln in out.stderr.splitlines() if ln.startswith("import time:")}
    assert "hicosmo_nb" in imported and "argparse" in imported  # -X importtime did report imports
    assert not {m for m in imported if m == "jax" or m.startswith("jax.")}, "JAX was imported"
    assert not (tmp_path / "x").exists()


def test_repeated_dataset_is_an_error(capsys, tmp_path):
    assert main(["fit", "LCDM", "cc", "cc", "--out", str(tmp_path / "x")]) == 2
    assert "likelihood 'cc' appears twice in combine()" in capsys.readouterr().err


@pytest.mark.slow
def test_continue_is_one_command(first_run, tmp_path, capsys):
    _, out = first_run
    before = load(out / "posterior.nc")
    copy = tmp_path / "run"
    copy.mkdir()
    (copy / "posterior.nc").write_bytes((out / "posterior.nc").read_bytes())
    assert main(["continue", str(copy / "posterior.nc"), "--samples", "100", "--no-progress"]) == 0
    assert sorted(p.name for p in copy.iterdir()) == sorted(OUTPUTS)  # checkpoint removed when done
    after = load(copy / "posterior.nc")
    assert after.num_draws == before.num_draws + 100
    assert (after.samples["Omega_m"][:, :before.num_draws] == before.samples["Omega_m"]).all()
    assert after.manifest["continued"][0]["num_samples"] == 100


@pytest.mark.slow
def test_ctrl_c_prints_one_line_and_the_same_command_resumes(tmp_path):
    out = tmp_path / "bao"
    argv = ["fit", "LCDM", "desi_dr2_bao", "--free", "Omega_m", "hrd", "--option", "desi_dr2_bao:rd=free",
            "--chains", "2", "--warmup", "100", "--samples", "6000", "--seed", "5", "--no-progress",
            "--out", str(out)]
    # a shell's background job ignores SIGINT and its children inherit that: the child restores
    # Python's handler itself, then runs `python -m hicosmo_nb ...`
    child = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
             "sys.argv = ['hicosmo-nb', *sys.argv[1:]]; runpy.run_module('hicosmo_nb', run_name='__main__')")
    proc = subprocess.Popen([sys.executable, "-c", child, *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while not (out / "checkpoint.npz").exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err[-3000:]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err[-3000:]
    assert re.fullmatch(rf"interrupted after \d+ draws; rerun the same command to resume from "
                        rf"{re.escape(str(out / 'checkpoint.npz'))}", lines[0])
    assert main(argv) == 0  # the same command resumes
    res = load(out / "posterior.nc")
    assert res.num_draws == 6000 and "resumed_at_iteration" in res.manifest["init"]


def test_continue_refuses_to_overwrite_another_run_unless_told(tmp_path, capsys):
    # issue 21 (silent wrong answer 4): `continue A/posterior.nc --out B` replaced B's run
    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    b.mkdir()
    (a / "posterior.nc").write_text("run A")
    (b / "posterior.nc").write_text("run B")
    (b / "manifest.json").write_text("{}")
    assert main(["continue", str(a / "posterior.nc"), "--samples", "10", "--out", str(b)]) == 3
    err = capsys.readouterr().err
    assert f"{b} already holds posterior.nc, manifest.json; pass --overwrite to replace them" in err
    assert (b / "posterior.nc").read_text() == "run B"


@pytest.mark.parametrize("flag, allowed", [([], False), (["--allow-overlap"], True)])
def test_allow_overlap_reaches_fit(flag, allowed, monkeypatch, tmp_path, capsys):
    # issue 21: overlapping datasets warn unless intended; the CLI can say it is intended
    import hicosmo_nb.facade as facade

    seen = {}

    def stop_before_sampling(*args, **kwargs):
        seen.update(kwargs)
        raise ValueError("stopped before sampling")

    monkeypatch.setattr(facade, "fit", stop_before_sampling)
    argv = ["fit", "LCDM", "desi_dr1_bao", "desi_dr2_bao", "--out", str(tmp_path / "x")] + flag
    assert main(argv) == 2 and "stopped before sampling" in capsys.readouterr().err
    assert seen["allow_overlap"] is allowed


def test_fit_defaults_are_the_facade_defaults(monkeypatch, tmp_path, capsys):
    # issue 24: --chains/--warmup/--samples/... defaults are fit's (RunSettings()), not numbers
    # typed again in the CLI; given flags reach fit as its keywords
    import dataclasses

    import hicosmo_nb.facade as facade
    from hicosmo_nb.inference import RunSettings

    seen = {}

    def stop_before_sampling(*args, **kwargs):
        seen.clear()
        seen.update(kwargs)
        raise ValueError("stopped before sampling")

    monkeypatch.setattr(facade, "fit", stop_before_sampling)
    fields = {f.name for f in dataclasses.fields(RunSettings)}
    out = ["--out", str(tmp_path / "x")]
    assert main(["fit", "LCDM", "cc", *out]) == 2 and "stopped before sampling" in capsys.readouterr().err
    assert RunSettings.of(seen.get("settings"), **{k: v for k, v in seen.items() if k in fields}) == RunSettings()
    assert not {"seed", "nuts", "dense_mass", "target_accept"} & set(seen)  # fit's defaults apply
    flags = ["--chains", "2", "--warmup", "0", "--samples", "5", "--seed", "7", "--chain-method", "sequential",
             "--target-accept", "0.9", "--diagonal-mass"]
    assert main(["fit", "LCDM", "cc", *flags, *out]) == 2
    assert RunSettings.of(None, **{k: v for k, v in seen.items() if k in fields}) == RunSettings(
        num_chains=2, num_warmup=0, num_samples=5, chain_method="sequential")
    assert (seen["seed"], seen["target_accept"], seen["dense_mass"]) == (7, 0.9, False)

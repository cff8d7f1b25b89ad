"""``python -m hicosmo_nb fit`` / ``hicosmo-nb``: output files, overwrite refusal, errors."""

import json
import pathlib
import subprocess
import sys

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
    assert manifest["fit"]["options"] == {"desi_dr2_bao": {"rd": "'free'"}}
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

"""The README's Python quickstart runs as written, offline, on the embedded default data."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_readme_quickstart_runs_offline(tmp_path):
    blocks = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), flags=re.S | re.M)
    assert len(blocks) == 1, "expected exactly one ```python block (the quickstart)"
    code = blocks[0]
    assert len(code.strip().splitlines()) <= 15, "the quickstart should stay short"
    script = tmp_path / "quickstart.py"
    script.write_text(code)
    # no data directory: the quickstart must work on the data embedded in the package
    env = {k: v for k, v in os.environ.items() if k != "HICOSMO_NB_DATA_DIR"}
    env.update(MPLBACKEND="Agg", CI="true")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    # D_L(z=1) for H0 = 67.4, Omega_m = 0.315 (neutrinos included), defaults elsewhere, from
    # astropy with the same physics (cosmology.to_astropy: its Om0 excludes the massive neutrino)
    pytest.importorskip("astropy")
    from hicosmo_nb.cosmology import to_astropy

    ref = to_astropy({"H0": 67.4, "Omega_m": 0.315}).luminosity_distance(1.0).value
    assert float(lines[0]) == pytest.approx(ref, rel=1e-6)  # measured 6e-8
    assert float(lines[1]) < 0  # more matter, smaller distance modulus at z = 1
    row = next(line for line in lines if line.startswith("Omega_m"))
    mean, sd = map(float, row.split()[1:3])
    # DESI DR2 BAO alone, flat LCDM: Omega_m = 0.2975 +- 0.0086 (arXiv:2503.14738, Table V)
    assert mean == pytest.approx(0.2975, abs=0.2 * 0.0086)
    assert sd == pytest.approx(0.0086, rel=0.15)

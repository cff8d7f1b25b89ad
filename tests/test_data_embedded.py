"""The tables embedded in the package equal the original files in ../shared/data, exactly."""

import json

import numpy as np
import pytest

from hicosmo_nb.data import EMBEDDED_TABLES, FILES, read_embedded
from hicosmo_nb.data._parse import read_flat_covariance, read_matrix, read_whitespace_table
from hicosmo_nb.data.paths import sha256sum


def _mean_file(path):
    rows = [ln.split() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return [float(r[0]) for r in rows], [float(r[1]) for r in rows], [r[2] for r in rows]


@pytest.mark.parametrize("folder", ["desi_dr1_bao", "desi_dr2_bao"])
def test_desi_embedded_equal_files(folder, shared_data_dir):
    table = read_embedded(f"{folder}.json")
    expected = {rel.split("/")[1] for rel in FILES if rel.startswith(folder + "/")}
    assert set(table["files"]) == expected
    for name, entry in table["files"].items():
        path = shared_data_dir / folder / name
        assert entry["sha256"] == sha256sum(path) == FILES[f"{folder}/{name}"].sha256
        if name.endswith("_mean.txt"):
            z, v, q = _mean_file(path)
            assert entry["z"] == z and entry["values"] == v and entry["quantities"] == q
        else:
            np.testing.assert_array_equal(np.array(entry["matrix"]), read_matrix(path))
    assert "arXiv" in table["citation"]


def test_cc_embedded_equals_source_csv(shared_data_dir):
    t = read_embedded("cc_moresco2023.json")
    src = shared_data_dir / "cosmic_chronometers" / "cc_moresco2023_32pts_source.csv"
    cols = read_whitespace_table(src, delimiter=",")
    assert t["sha256"] == sha256sum(src)
    for key, col in (("z", "z"), ("H", "H"), ("sigma_H", "sigma_H")):
        assert t[key] == [float(v) for v in cols[col]]
    assert t["method"] == cols["M"] and t["ref_key"] == cols["reference"]
    # The derived whitespace table carries the same numbers and the paper labels.
    rows = [ln.split() for ln in (src.parent / "cc_32.txt").read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]
    assert t["z"] == [float(r[0]) for r in rows] and t["paper"] == [r[5] for r in rows]
    assert len(t["z"]) == 32


def test_union3_embedded_equals_files(shared_data_dir):
    t = read_embedded("union3.json")
    lc = shared_data_dir / "union3" / "lcparam_full.txt"
    cm = shared_data_dir / "union3" / "mag_covmat.txt"
    cols = read_whitespace_table(lc, short_rows=1)
    entry = t["lcparam_full.txt"]
    assert entry["sha256"] == sha256sum(lc) and entry["name"] == cols["name"]
    for k in ("zcmb", "zhel", "mb", "dmb"):
        assert entry[k] == [float(v) for v in cols[k]]
    assert t["mag_covmat.txt"]["sha256"] == sha256sum(cm)
    np.testing.assert_array_equal(np.array(t["mag_covmat.txt"]["matrix"]), read_flat_covariance(cm))


def test_planck_priors_embedded_is_byte_copy(shared_data_dir):
    rel = "planck2018_distance_priors/planck2018_distance_priors_chen2019.json"
    original = json.loads((shared_data_dir / rel).read_text())
    assert read_embedded(rel.split("/")[1]) == original
    from importlib import resources

    blob = resources.files("hicosmo_nb.data").joinpath("embedded", rel.split("/")[1]).read_bytes()
    assert blob == (shared_data_dir / rel).read_bytes()


def test_every_embedded_table_is_listed_and_readable():
    for name in EMBEDDED_TABLES:
        assert isinstance(read_embedded(name), dict)
    with pytest.raises(ValueError, match="unknown embedded table 'x.json'; available: desi_dr1_bao.json"):
        read_embedded("x.json")

"""Loaders: shapes, cuts, covariance validation, error messages; parsers on synthetic files."""

import numpy as np
import pooch
import pytest

from hicosmo_nb import data
from hicosmo_nb.data import read_flat_covariance, validate_covariance


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def fail(*args, **kwargs):
        raise ConnectionError("no network in tests")

    monkeypatch.setattr(pooch, "retrieve", fail)


def _write_flat(path, mat, header=None):
    n = mat.shape[0] if header is None else header
    path.write_text(f"{n}\n" + "\n".join(repr(float(v)) for v in mat.ravel()) + "\n")
    return path


# ---------------------------------------------------------------- flat covariance parser
def test_flat_covariance_parser_roundtrip(tmp_path):
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5, 5))
    cov = a @ a.T + 5 * np.eye(5)
    got = read_flat_covariance(_write_flat(tmp_path / "c.cov", cov))
    np.testing.assert_array_equal(got, cov)


def test_flat_covariance_parser_errors(tmp_path):
    cov = np.eye(3)
    with pytest.raises(ValueError, match="expected N\\*N = 3\\*3 = 9 values .* found 8"):
        p = tmp_path / "short.cov"
        p.write_text("3\n" + "\n".join(["1"] * 8))
        read_flat_covariance(p)
    with pytest.raises(ValueError, match="first line must be the matrix size"):
        p = tmp_path / "nohead.cov"
        p.write_text("1.0 2.0\n3\n")
        read_flat_covariance(p)
    with pytest.raises(ValueError, match="covariance is 3x3 but the data table has 4 rows"):
        read_flat_covariance(_write_flat(tmp_path / "c.cov", cov), expected_n=4)
    bad = cov.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="non-finite covariance entry at row 1, column 2"):
        read_flat_covariance(_write_flat(tmp_path / "nan.cov", bad))


def test_validate_covariance_symmetrizes_and_rejects():
    cov = np.array([[2.0, 1.0], [1.0 + 1e-8, 2.0]])
    out = validate_covariance(cov, "toy")
    assert out[0, 1] == out[1, 0] == pytest.approx(1.0 + 5e-9, rel=1e-15)
    with pytest.raises(ValueError, match=r"toy: covariance is not symmetric \(max\|C - C\^T\|"):
        validate_covariance(np.array([[2.0, 1.0], [1.1, 2.0]]), "toy")
    with pytest.raises(ValueError, match="toy: covariance is not positive definite.*smallest eigenvalue -1"):
        validate_covariance(np.array([[1.0, 2.0], [2.0, 1.0]]), "toy")
    with pytest.raises(ValueError, match="must be a square 2-d array"):
        validate_covariance(np.ones((2, 3)), "toy")
    with pytest.raises(ValueError, match="data vector has 3 entries"):
        validate_covariance(np.eye(2), "toy", n=3)


# ---------------------------------------------------------------- Pantheon+
def test_pantheon_plus_diagonal_is_explicit_and_warns():
    with pytest.warns(UserWarning, match="NOT the published likelihood"):
        d = data.load_pantheon_plus(covariance="diagonal")
    assert d.n == 1590 and d.mag_kind == "m_b" and d.covariance == "diagonal"
    assert np.all(d.z > 0.01)
    assert np.count_nonzero(d.cov - np.diag(np.diag(d.cov))) == 0
    with pytest.warns(UserWarning):
        d0 = data.load_pantheon_plus(covariance="diagonal", z_min=0.0)
    assert d0.n == 1701 and int(d0.metadata["is_calibrator"].sum()) == 77


def test_pantheon_plus_missing_covariance_error():
    with pytest.raises(FileNotFoundError) as err:
        data.load_pantheon_plus()
    msg = str(err.value)
    assert "Pantheon+SH0ES_STAT+SYS.cov" in msg
    assert "abf806d966485e64afdb359c87bffc0ecc00d05eff0a31ced66f247385df0fdc" in msg
    assert "33,284,960 bytes" in msg and "github" in msg


def test_pantheon_plus_cut_applies_to_covariance(tmp_path):
    """A synthetic 1701x1701 covariance whose entries encode the row survives the zHD cut."""
    n = 1701
    rows = []
    for i in range(n):  # diagonal i + 1, nearest neighbours 0.5 (SPD); cheap to write and parse
        r = ["0"] * n
        r[i] = str(i + 1)
        if i > 0:
            r[i - 1] = "0.5"
        if i < n - 1:
            r[i + 1] = "0.5"
        rows.append("\n".join(r))
    path = tmp_path / "synthetic.cov"
    path.write_text(f"{n}\n" + "\n".join(rows) + "\n")
    with pytest.warns(UserWarning, match="not verified"):
        d = data.load_pantheon_plus(cov_path=path, verify=False)
    keep = np.flatnonzero(_zhd() > 0.01)
    assert d.n == keep.size == 1590
    np.testing.assert_array_equal(np.diag(d.cov), keep + 1.0)
    expected_off = np.where(np.diff(keep) == 1, 0.5, 0.0)
    np.testing.assert_array_equal(np.diag(d.cov, 1), expected_off)
    with pytest.raises(ValueError, match="checksum mismatch"):
        data.load_pantheon_plus(cov_path=path)


def _zhd():
    with pytest.warns(UserWarning):
        return data.load_pantheon_plus(covariance="diagonal", z_min=0.0).z


def test_pantheon_plus_bad_options(tmp_path):
    with pytest.raises(ValueError, match="covariance must be one of \\('stat\\+sys', 'diagonal'\\), got 'full'"):
        data.load_pantheon_plus(covariance="full")
    with pytest.raises(ValueError, match="z_min must be a finite number >= 0"):
        data.load_pantheon_plus(covariance="diagonal", z_min=-1.0)
    with pytest.raises(ValueError, match="covariance is 3x3 but the data table has 1701 rows"):
        with pytest.warns(UserWarning, match="not verified"):
            data.load_pantheon_plus(cov_path=_write_flat(tmp_path / "s.cov", np.eye(3)), verify=False)


# ---------------------------------------------------------------- DES-SN5YR, Union3
def test_desy5_needs_explicit_covariance(tmp_path):
    with pytest.raises(FileNotFoundError, match="(?s)covsys_000.txt.*no public checksum"):
        data.load_desy5()
    with pytest.warns(UserWarning, match="NOT the published likelihood"):
        diag = data.load_desy5(covariance="diagonal")
    assert diag.n == 1829 and diag.mag_kind == "mu"
    n = 1829
    path = tmp_path / "covsys_000.txt"
    path.write_text(f"{n}\n" + "\n".join(["0.0001"] * (n * n)) + "\n")
    with pytest.warns(UserWarning, match="no published checksum"):
        full = data.load_desy5(cov_path=path)
    np.testing.assert_array_equal(full.cov, 1e-4 + diag.cov)
    assert "desy5/covsys_000.txt" in full.files


def test_union3_embedded_equals_files():
    a, b = data.load_union3(), data.load_union3(source="files")
    assert a.n == 22 and a.mag_kind == "mu"
    for f in ("z", "z_hel", "mag", "cov"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert a.files == b.files


# ---------------------------------------------------------------- DESI, CC, Planck
@pytest.mark.parametrize("release", ["dr1", "dr2"])
def test_desi_all_equals_tracer_blocks(release):
    """The collaboration's ALL files = block-diagonal stack of the per-tracer files.

    DR1's ALL file rounds to 8 decimals and orders the Lya rows DM, DH (the Lya file: DH, DM).
    """
    all_ = data.load_desi_bao(release)
    names = [t for t in data.DESI_TRACERS[release] if t != "Lya_eboss"]
    parts = data.load_desi_bao(release, tracers=names)
    rows = list(zip(parts.z.tolist(), parts.kinds))
    perm = [rows.index(r) for r in zip(all_.z.tolist(), all_.kinds)]
    assert sorted(perm) == list(range(all_.n))
    np.testing.assert_allclose(all_.values, parts.values[perm], rtol=1e-9)
    np.testing.assert_allclose(all_.cov, parts.cov[np.ix_(perm, perm)], rtol=1e-7, atol=1e-12)
    files = data.load_desi_bao(release, source="files")
    np.testing.assert_array_equal(all_.cov, files.cov)
    np.testing.assert_array_equal(all_.values, files.values)


def test_desi_tracer_errors():
    with pytest.raises(ValueError, match="unknown DESI dr2 tracer 'LRG' \\(did you mean 'LRG[12]'\\?\\)"):
        data.load_desi_bao("dr2", tracers=["LRG"])
    with pytest.raises(ValueError, match="either 'Lya' \\(DESI only\\) or 'Lya_eboss'"):
        data.load_desi_bao("dr1", tracers=["Lya", "Lya_eboss"])
    with pytest.raises(ValueError, match="DESI release must be one of \\['dr1', 'dr2'\\], got 'dr3'"):
        data.load_desi_bao("dr3")
    with pytest.raises(ValueError, match="source must be 'embedded' or 'files', got 'web'"):
        data.load_desi_bao("dr2", source="web")
    eb = data.load_desi_bao("dr1", tracers=["Lya_eboss"])
    assert eb.values[0] == pytest.approx(8.717113608259234, rel=0, abs=0)


def test_cc_and_planck_priors():
    cc = data.load_cc()
    assert cc.n == 32 and cc.sigma[0] == 19.6 and cc.metadata["paper"][-1] == "Moresco2015"
    np.testing.assert_array_equal(cc.H, data.load_cc(source="files").H)
    app, tab = data.load_planck18_priors(), data.load_planck18_priors(table="table1")
    # The appendix inverse covariance reproduces Table I's rounded sigmas and correlations.
    np.testing.assert_allclose(np.sqrt(np.diag(app.cov)), np.sqrt(np.diag(tab.cov)), rtol=0.01)
    corr = app.cov / np.outer(np.sqrt(np.diag(app.cov)), np.sqrt(np.diag(app.cov)))
    np.testing.assert_allclose(corr, tab.cov / np.outer(*(2 * [np.sqrt(np.diag(tab.cov))])), atol=0.006)
    np.testing.assert_allclose(np.linalg.inv(app.cov), app.inv_cov, rtol=1e-10)
    with pytest.raises(ValueError, match="table must be 'appendix' or 'table1', got 'II'"):
        data.load_planck18_priors(table="II")


# ---------------------------------------------------------------- containers
def test_containers_validate():
    z = np.array([0.1, 0.2])
    with pytest.raises(ValueError, match="sn: mag has 3 entries, expected 2"):
        data.SNData(z=z, mag=np.ones(3), cov=np.eye(2))
    with pytest.raises(ValueError, match="mag_kind must be 'm_b' or 'mu', got 'flux'"):
        data.SNData(z=z, mag=np.ones(2), cov=np.eye(2), mag_kind="flux")
    with pytest.raises(ValueError, match="redshifts must be > 0"):
        data.SNData(z=np.array([0.0, 0.1]), mag=np.ones(2), cov=np.eye(2))
    with pytest.raises(ValueError, match="unknown BAO observable\\(s\\) \\['DA_over_rd'\\]"):
        data.BAOData(z=z, values=np.ones(2), kinds=("DM_over_rd", "DA_over_rd"), cov=np.eye(2))
    with pytest.raises(ValueError, match="hz: H has non-finite entries"):
        data.HzData(z=z, H=np.array([70.0, np.inf]), cov=np.eye(2))
    with pytest.raises(ValueError, match="labels must be distinct entries"):
        data.CMBPriors(labels=("R", "R"), mean=np.ones(2), cov=np.eye(2))
    d = data.HzData(z=z, H=np.array([70.0, 75.0]), cov=np.eye(2))
    with pytest.raises(ValueError, match="read-only"):
        d.H[0] = 1.0


# ---------------------------------------------------------------- more parser / option errors
def test_text_parsers_reject_malformed_files(tmp_path):
    from hicosmo_nb.data._parse import read_bao_mean, read_matrix, read_whitespace_table

    p = tmp_path / "m.txt"
    p.write_text("# z v q\n0.5 10.0\n")
    with pytest.raises(ValueError, match="line 2: expected 'z value quantity'"):
        read_bao_mean(p)
    p.write_text("0.5 10.0 DA_over_rs\n")
    with pytest.raises(ValueError, match="unknown quantity 'DA_over_rs'; allowed: DM_over_rs"):
        read_bao_mean(p)
    p.write_text("0.5 ten DM_over_rs\n")
    with pytest.raises(ValueError, match="cannot parse numbers"):
        read_bao_mean(p)
    p.write_text("# only a header\n")
    with pytest.raises(ValueError, match="no data rows"):
        read_bao_mean(p)
    p.write_text("1 2\n3 x\n")
    with pytest.raises(ValueError, match="cannot parse as a numeric matrix"):
        read_matrix(p)
    p.write_text("a b c\n1 2\n")
    with pytest.raises(ValueError, match="data line 2: expected 3 fields, got 2"):
        read_whitespace_table(p)
    p.write_text("\n")
    with pytest.raises(ValueError, match="empty file"):
        read_whitespace_table(p)
    p.write_text("0\n")
    with pytest.raises(ValueError, match="matrix size on the first line must be positive, got 0"):
        read_flat_covariance(p)
    with pytest.raises(ValueError, match="toy: covariance has non-finite entries"):
        validate_covariance(np.array([[1.0, np.nan], [np.nan, 1.0]]), "toy")


def test_loader_option_errors(tmp_path):
    with pytest.raises(ValueError, match="tracers must be a non-empty list without repeats"):
        data.load_desi_bao("dr2", tracers=[])
    with pytest.raises(ValueError, match="source must be 'embedded' or 'files', got 'zenodo'"):
        data.load_union3(source="zenodo")
    with pytest.raises(ValueError, match="source must be 'embedded' or 'files'"):
        data.load_cc(source="web")
    table = tmp_path / "table.dat"
    table.write_text("CID zHD zHEL\nsn1 0.1 0.1\n")
    with pytest.warns(UserWarning, match="not verified"):
        with pytest.raises(ValueError, match="missing column\\(s\\) \\['m_b_corr'.*is this Pantheon\\+SH0ES.dat"):
            data.load_pantheon_plus(path=table, covariance="diagonal", verify=False)


def test_more_container_errors():
    z = np.array([0.1, 0.2])
    with pytest.raises(ValueError, match="bao: 1 kinds for 2 redshifts"):
        data.BAOData(z=z, values=np.ones(2), kinds=("DM_over_rd",), cov=np.eye(2))
    with pytest.raises(ValueError, match="bao: redshifts must be > 0"):
        data.BAOData(z=-z, values=np.ones(2), kinds=("DM_over_rd",) * 2, cov=np.eye(2))
    with pytest.raises(ValueError, match="hz: redshifts must be >= 0"):
        data.HzData(z=-z, H=np.ones(2), cov=np.eye(2))
    with pytest.raises(ValueError, match="sn: z must be 1-d"):
        data.SNData(z=np.ones((2, 2)), mag=np.ones(2), cov=np.eye(2))

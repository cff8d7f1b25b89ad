"""Mock SN / BAO surveys: Fisher matrices against astropy + finite differences, presets against
the real data files they were derived from, and DESI-like errors against the published ones."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from astropy.cosmology import FlatLambdaCDM, LambdaCDM

from hicosmo_nb.fisher import (
    BAO_PRESETS,
    DESI_DR2_LIKE,
    PANTHEON_PLUS_LIKE,
    SN_PRESETS,
    BAOSurvey,
    SNSurvey,
    bao_distance_ratio,
    fisher_expected,
)

# No radiation (T_cmb = 0) so astropy's Om0 and ours mean the same thing.
FID = {"H0": 70.0, "Omega_m": 0.31, "Omega_k": 0.0, "T_cmb": 0.0, "M": -19.3}


def _astropy(om, ok=0.0, h0=70.0):
    if ok == 0.0:
        return FlatLambdaCDM(H0=h0, Om0=om, Tcmb0=0.0)
    return LambdaCDM(H0=h0, Om0=om, Ode0=1.0 - om - ok, Tcmb0=0.0)


def _fd_jacobian(fn, theta, steps):
    cols = []
    for i, h in enumerate(steps):
        up, dn = np.array(theta, float), np.array(theta, float)
        up[i] += h
        dn[i] -= h
        cols.append((fn(up) - fn(dn)) / (2 * h))
    return np.stack(cols, axis=1)


def test_sn_survey_fisher_matches_astropy_finite_differences():
    s = SNSurvey([0.05, 0.2, 0.5, 0.9, 1.4], [300, 500, 400, 200, 50], sigma_int=0.13,
                 sigma_sys=0.01, sigma_lens=0.05)
    F = s.fisher(FID, ["Omega_m", "Omega_k", "M"])

    def model(t):
        return _astropy(t[0], t[1]).distmod(s.z).value + t[2]

    J = _fd_jacobian(model, [0.31, 0.0, -19.3], [1e-5, 1e-5, 1e-3])
    err = np.sqrt((0.13**2 + (0.05 * s.z) ** 2) / s.n + 0.01**2)
    np.testing.assert_allclose(s.errors(), err, rtol=1e-14)
    np.testing.assert_allclose(F.matrix, J.T @ (J / err[:, None] ** 2), rtol=2e-5)


def test_bao_survey_fisher_matches_astropy_finite_differences():
    b = BAOSurvey([0.3, 0.7, 1.5], [np.nan, 0.01, 0.02], [np.nan, 0.015, 0.03], corr=-0.4,
                  frac_DV=[0.012, np.nan, np.nan])
    fid = {"H0": 70.0, "Omega_m": 0.31, "T_cmb": 0.0, "hrd": 100.0}
    lk = b.likelihood(fid)
    F = fisher_expected(lk, fid, ["Omega_m", "hrd"])  # what b.fisher(fid, params) does

    def model(t):
        c = _astropy(t[0])
        h = 0.7
        dm = c.comoving_transverse_distance([0.7, 1.5]).value * h / t[1]
        dh = (299792.458 / c.H([0.7, 1.5]).value) * h / t[1]
        dv = (0.3 * c.comoving_transverse_distance(0.3).value ** 2 * 299792.458 / c.H(0.3).value) ** (1 / 3)
        return np.array([dv * h / t[1], dm[0], dh[0], dm[1], dh[1]])

    v = model([0.31, 100.0])
    np.testing.assert_allclose(np.asarray(lk.data), v, rtol=1e-7)
    J = _fd_jacobian(model, [0.31, 100.0], [1e-5, 1e-3])
    sig = v * np.array([0.012, 0.01, 0.015, 0.02, 0.03])
    C = np.diag(sig**2)
    for i, j in ((1, 2), (3, 4)):
        C[i, j] = C[j, i] = -0.4 * sig[i] * sig[j]
    np.testing.assert_allclose(np.asarray(lk.cov), C, rtol=1e-12)
    np.testing.assert_allclose(F.matrix, J.T @ np.linalg.solve(C, J), rtol=2e-5)


def test_desi_dr2_like_reproduces_published_errors():
    """DESI DR2 Results II (arXiv:2503.14738) Table V, BAO alone, flat LCDM:
    Omega_m = 0.2975 +- 0.0086, h r_d = 101.54 +- 0.73 Mpc, correlation -0.92."""
    fid = {"H0": 68.5, "Omega_m": 0.2975, "hrd": 101.54}
    F = DESI_DR2_LIKE.fisher(fid, ["Omega_m", "hrd"])
    err = F.marginalized_errors()
    assert err["Omega_m"] == pytest.approx(0.0086, rel=0.10)
    assert err["hrd"] == pytest.approx(0.73, rel=0.10)
    assert F.correlation()[0, 1] == pytest.approx(-0.92, abs=0.03)


def test_desi_dr2_like_preset_matches_data_files(shared_data_dir):
    folder = shared_data_dir / "desi_dr2_bao"
    rows = [ln.split() for ln in open(folder / "desi_gaussian_bao_ALL_GCcomb_mean.txt") if not ln.startswith("#")]
    cov = np.loadtxt(folder / "desi_gaussian_bao_ALL_GCcomb_cov.txt")
    frac = np.sqrt(np.diag(cov)) / np.array([float(r[1]) for r in rows])
    by = {(r[2][:2], round(float(r[0]), 3)): (i, f) for i, (r, f) in enumerate(zip(rows, frac))}
    for k, z in enumerate(DESI_DR2_LIKE.z):
        if np.isfinite(DESI_DR2_LIKE.frac_DV[k]):
            assert DESI_DR2_LIKE.frac_DV[k] == pytest.approx(by[("DV", z)][1], abs=1e-5)
            continue
        (i, fm), (j, fh) = by[("DM", z)], by[("DH", z)]
        assert DESI_DR2_LIKE.frac_DM[k] == pytest.approx(fm, abs=1e-5)
        assert DESI_DR2_LIKE.frac_DH[k] == pytest.approx(fh, abs=1e-5)
        assert DESI_DR2_LIKE.corr[k] == pytest.approx(cov[i, j] / np.sqrt(cov[i, i] * cov[j, j]), abs=1e-3)
    assert len(DESI_DR2_LIKE.kinds) == len(rows)


@pytest.fixture(scope="module")
def pantheon(shared_data_dir):
    import csv  # noqa: F401  (the table is whitespace separated)

    table = np.genfromtxt(shared_data_dir / "pantheon_plus" / "Pantheon+SH0ES.dat", names=True,
                          dtype=None, encoding=None)
    keep = table["zHD"] > 0.01
    return table["zHD"][keep], table["m_b_corr_err_DIAG"][keep]


def test_pantheon_like_preset_matches_file(pantheon):
    z, err = pantheon
    edges = [0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.3]
    counts, _ = np.histogram(z, edges)
    np.testing.assert_array_equal(PANTHEON_PLUS_LIKE.n, counts)
    assert counts.sum() == 1590
    b = np.digitize(z, edges) - 1
    w = 1.0 / err**2
    zbar = np.array([np.sum(w[b == i] * z[b == i]) / np.sum(w[b == i]) for i in range(len(counts))])
    np.testing.assert_allclose(PANTHEON_PLUS_LIKE.z, zbar, atol=6e-5)
    per_sn = np.array([np.sqrt(counts[i] / np.sum(w[b == i])) for i in range(len(counts))])
    np.testing.assert_allclose(PANTHEON_PLUS_LIKE.sigma_int, per_sn, atol=6e-4)


def test_pantheon_like_binned_fisher_matches_unbinned_sample(pantheon):
    """The 13-bin preset gives the Fisher errors of all 1590 SNe with their diagonal errors
    (computed here with astropy and finite differences) to 2%."""
    z, err = pantheon
    J = _fd_jacobian(lambda t: _astropy(t[0]).distmod(z).value + t[1], [0.31, -19.3], [1e-5, 1e-3])
    unbinned = np.sqrt(np.diag(np.linalg.inv(J.T @ (J / err[:, None] ** 2))))
    binned = PANTHEON_PLUS_LIKE.fisher(FID, ["Omega_m", "M"]).marginalized_errors()
    assert binned["Omega_m"] == pytest.approx(unbinned[0], rel=0.02)
    assert binned["M"] == pytest.approx(unbinned[1], rel=0.02)


def test_presets_are_documented_and_usable():
    fid = {"H0": 67.36, "Omega_m": 0.3153, "w0": -1.0, "wa": 0.0, "M": -19.25}
    assert set(SN_PRESETS) == {"Pantheon+-like", "Roman-like", "LSST-like"}
    assert set(BAO_PRESETS) == {"DESI DR2-like"}
    for s in SN_PRESETS.values():
        assert "arXiv" in s.reference
        F = s.fisher(fid, ["Omega_m", "w0", "M"]).add_prior({"Omega_m": 0.01})
        assert 0 < F.marginalized_errors()["w0"] < 0.5
    roman = SN_PRESETS["Roman-like"]
    assert roman.n.sum() == 2725 + 800


def test_mock_likelihood_is_zero_at_fiducial_and_jit_safe():
    lk = PANTHEON_PLUS_LIKE.likelihood(FID)
    assert float(lk(FID)) == pytest.approx(0.0, abs=1e-12)
    assert float(lk({**FID, "Omega_m": 0.35})) < -1.0
    assert float(lk({**FID, "Omega_m": -0.5})) == -np.inf
    g = jax.grad(lambda om: lk({**FID, "Omega_m": om}))(jnp.asarray(-0.5))
    assert np.isfinite(g)
    assert lk.is_gaussian and lk.param_names == ("H0", "Omega_m", "M")
    assert lk.loglike._cache_size() == 1  # new parameter values do not recompile
    bao = DESI_DR2_LIKE.likelihood({"H0": 68.5, "Omega_m": 0.2975, "hrd": 101.54})
    assert bao.param_names == ("H0", "Omega_m", "hrd")
    assert DESI_DR2_LIKE.likelihood({"H0": 68.5, "Omega_m": 0.3, "Omega_b": 0.049}).param_names == (
        "H0", "Omega_m", "Omega_b")


def test_bao_distance_ratio_rd_options():
    p = {"H0": 70.0, "Omega_m": 0.3, "Omega_b": 0.048}
    computed = bao_distance_ratio(p, "DM", 1.0)
    rd = float(computed) and None
    dm = float(bao_distance_ratio({**p, "rd": 150.0}, "DM", 1.0))
    dm_h = float(bao_distance_ratio({**p, "hrd": 105.0}, "DM", 1.0))
    assert dm_h == pytest.approx(dm, rel=1e-12)  # hrd = 0.7 * 150
    assert rd is None
    with pytest.raises(ValueError, match="BAO kind must be one of"):
        bao_distance_ratio(p, "DA", 1.0)


def test_survey_input_errors():
    with pytest.raises(ValueError, match="redshifts > 0"):
        SNSurvey([0.0, 0.5], [10, 10])
    with pytest.raises(ValueError, match="count > 0 for each of the 2 bins"):
        SNSurvey([0.1, 0.5], [10, 0])
    with pytest.raises(ValueError, match="sigma_int must be finite and >= 0"):
        SNSurvey([0.1, 0.5], [10, 10], sigma_int=-0.1)
    with pytest.raises(ValueError, match="non-zero error"):
        SNSurvey([0.1], [10], sigma_int=0.0)
    with pytest.raises(ValueError, match="needs the absolute magnitude 'M'"):
        SNSurvey([0.1], [10]).fisher({"H0": 70.0, "Omega_m": 0.3}, ["Omega_m"])
    with pytest.raises(ValueError, match="strictly between -1 and 1"):
        BAOSurvey([0.5], [0.01], [0.02], corr=-1.0)
    with pytest.raises(ValueError, match="both given or both NaN"):
        BAOSurvey([0.5], [0.01], [np.nan])
    with pytest.raises(ValueError, match="either \\(frac_DM, frac_DH\\) or frac_DV"):
        BAOSurvey([0.5], [0.01], [0.02], frac_DV=[0.01])
    with pytest.raises(ValueError, match="frac_DM must be finite and >= 0"):
        BAOSurvey([0.5], [-0.01], [0.02])

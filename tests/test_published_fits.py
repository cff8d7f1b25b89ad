"""Reproduce published numbers: maximum likelihood + Laplace errors on the real data.

Measured here (flat LCDM): DESI DR2 Omega_m = 0.2972 +- 0.0086, h r_d = 101.55 +- 0.74,
corr -0.92, chi2 = 10.28 / 13 points; DESI DR1 0.2936 +- 0.0145, 101.95 +- 1.27, chi2 = 12.74;
Planck priors (chen2019) H0 = 67.44 +- 0.61, Omega_m = 0.3163 +- 0.0085; Union3 Omega_m =
0.356 +- 0.027; CC H0 = 68.2 +- 3.1, Omega_m = 0.319 +- 0.059; Pantheon+ diagonal errors
Omega_m = 0.350 +- 0.019 (not the published likelihood); DES-SN5YR diagonal 0.363 +- 0.011.
"""


import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb import cosmology, data
from hicosmo_nb import likelihoods as L
from hicosmo_nb.likelihoods._fit import laplace_fit

PLANCK18 = {"H0": (67.4, 0.5), "Omega_m": (0.315, 0.007)}  # Planck 2018 VI abstract
PLANCK18_BESTFIT = {"H0": 67.32, "omega_b": 0.022383, "omega_c": 0.12011}  # TT,TE,EE+lowE best fit


def _chi2(lk, loglike):
    return -2.0 * loglike - lk.metadata["chi2_offset"]


def test_desi_dr2_bao_flat_lcdm():
    """DESI DR2 Results II, Table V: Omega_m = 0.2975 +- 0.0086, h r_d = 101.54 +- 0.73 Mpc."""
    lk = L.get("desi_dr2_bao", rd="free")
    r = laplace_fit(lk, {"Omega_m": 0.3, "hrd": 100.0}, hessian="jax")
    assert r["success"]
    assert abs(r["best"]["Omega_m"] - 0.2975) < 0.1 * 0.0086
    assert abs(r["best"]["hrd"] - 101.54) < 0.1 * 0.73
    assert r["sigma"]["Omega_m"] == pytest.approx(0.0086, rel=0.05)
    assert r["sigma"]["hrd"] == pytest.approx(0.73, rel=0.05)
    assert r["corr"][0, 1] == pytest.approx(-0.92, abs=0.02)
    assert _chi2(lk, r["loglike"]) == pytest.approx(10.28, abs=0.05)


def test_desi_dr1_bao_flat_lcdm():
    """DESI 2024 VI (arXiv:2404.03002), DESI BAO alone: Omega_m = 0.295 +- 0.015, h r_d = 101.8 +- 1.3."""
    lk = L.get("desi_dr1_bao", rd="free")
    r = laplace_fit(lk, {"Omega_m": 0.3, "hrd": 100.0}, hessian="fd")
    assert abs(r["best"]["Omega_m"] - 0.295) < 0.2 * 0.015
    assert abs(r["best"]["hrd"] - 101.8) < 0.2 * 1.3
    assert r["sigma"]["Omega_m"] == pytest.approx(0.015, rel=0.1)


def test_planck18_distance_priors_flat_lcdm():
    """Priors alone, H0, omega_b, omega_c free, m_nu = 0.06 eV: within 0.5 sigma of Planck 2018."""
    lk = L.get("planck18_priors")
    r = laplace_fit(lk, {"H0": 67.0, "omega_b": 0.0224, "omega_c": 0.12}, hessian="fd")
    best = r["best"]
    om = float(cosmology.from_physical(best)["Omega_m"])
    for name, value in (("H0", best["H0"]), ("Omega_m", om)):
        mean, sigma = PLANCK18[name]
        assert abs(value - mean) < 0.5 * sigma, (name, value)
    assert r["sigma"]["H0"] == pytest.approx(0.61, rel=0.1)
    assert best["omega_b"] == pytest.approx(0.02236, abs=1e-5)
    assert _chi2(lk, r["loglike"]) < 1e-6  # 3 parameters, 3 data: an exact fit exists


def test_planck18_priors_chi2_at_planck_best_fit_vs_camb():
    """chi2 at Planck's best fit: CAMB's exact R, l_A give 13.6 (11.7 with N_eff = 3.044); the
    chen2019 convention gives 19.25 (its l_A is 1.8e-4 above CAMB's, 0.6 sigma)."""
    camb = pytest.importorskip("camb")
    prior = data.load_planck18_priors()
    p = PLANCK18_BESTFIT
    pars = camb.set_params(H0=p["H0"], ombh2=p["omega_b"], omch2=p["omega_c"], mnu=0.06,
                           num_massive_neutrinos=1, nnu=3.046, TCMB=2.7255)
    der = camb.get_background(pars).get_derived_params()
    om = (p["omega_b"] + p["omega_c"] + pars.omnuh2) / (p["H0"] / 100) ** 2
    x = np.array([np.sqrt(om) * p["H0"] * der["DAstar"] * 1000 / cosmology.C_KM_S,
                  np.pi / (der["thetastar"] / 100), p["omega_b"]])
    chi2_camb = (x - prior.mean) @ prior.inv_cov @ (x - prior.mean)
    assert 9.0 < chi2_camb < 16.0
    lk = L.get("planck18_priors")
    chi2 = _chi2(lk, float(lk(p)))
    assert chi2 == pytest.approx(19.25, abs=0.3)
    assert chi2 > chi2_camb


def test_pantheon_plus_full_covariance():
    """Brout et al. 2022: Omega_m = 0.334 +- 0.018 (flat LCDM, zHD > 0.01, STAT+SYS, M free)."""
    try:
        d = data.load_pantheon_plus(download=False)
    except FileNotFoundError as err:
        pytest.skip("Pantheon+SH0ES_STAT+SYS.cov is not available here (the published likelihood "
                    "needs it; only its address, size and sha256 are known): " + str(err).splitlines()[0])
    lk = L.sn_likelihood(d, marginalize_M=False)
    r = laplace_fit(lk, {"Omega_m": 0.3, "M": -19.4}, hessian="fd")
    assert abs(r["best"]["Omega_m"] - 0.334) < 0.2 * 0.018
    assert r["sigma"]["Omega_m"] == pytest.approx(0.018, rel=0.15)


def test_pantheon_plus_diagonal_option_runs():
    with pytest.warns(UserWarning, match="NOT the published likelihood"):
        lk = L.get("pantheon_plus", covariance="diagonal")
    r = laplace_fit(lk, {"Omega_m": 0.3}, hessian="fd")
    assert 0.30 < r["best"]["Omega_m"] < 0.40 and 0.01 < r["sigma"]["Omega_m"] < 0.03


def test_union3_flat_lcdm():
    """Rubin et al. 2023 (Union3/UNITY1.5), flat LCDM: Omega_m = 0.356 +0.028 -0.026."""
    r = laplace_fit(L.get("union3"), {"Omega_m": 0.3}, hessian="fd")
    assert abs(r["best"]["Omega_m"] - 0.356) < 0.1 * 0.027
    assert r["sigma"]["Omega_m"] == pytest.approx(0.027, rel=0.1)


def test_desy5_diagonal_and_cc_are_sensible():
    with pytest.warns(UserWarning, match="NOT the published likelihood"):
        des = L.get("desy5", covariance="diagonal")
    r = laplace_fit(des, {"Omega_m": 0.3}, hessian="fd")
    # Published (full covariance): 0.352 +- 0.017; diagonal errors only: 0.363 +- 0.011.
    assert 0.30 < r["best"]["Omega_m"] < 0.42
    cc = L.get("cc")
    r = laplace_fit(cc, {"H0": 68.0, "Omega_m": 0.3}, hessian="fd")
    assert 62 < r["best"]["H0"] < 74 and 0.2 < r["best"]["Omega_m"] < 0.45
    assert 2.0 < r["sigma"]["H0"] < 4.5
    assert 10 < _chi2(cc, r["loglike"]) < 25  # 30 degrees of freedom; CC errors are conservative


def test_fisher_consistency_desi():
    """For a Gaussian likelihood linear near the peak, J^T C^-1 J matches the Laplace covariance."""
    lk = L.get("desi_dr2_bao", rd="free")
    best = {"Omega_m": 0.2972, "hrd": 101.55}
    jac = jax.jit(jax.jacfwd(lambda v: lk.theory({"Omega_m": v[0], "hrd": v[1]})))(
        jnp.array(list(best.values())))
    fisher = np.asarray(jac.T @ jnp.linalg.solve(lk.cov, jac))
    sig = np.sqrt(np.diag(np.linalg.inv(fisher)))
    np.testing.assert_allclose(sig, [0.0086, 0.736], rtol=0.03)

"""BBN (Schöneberg 2024) and DESI DR2 compressed-CMB priors: numbers, theory theta_*, guards, registry."""

import jax
import numpy as np
import pytest

from hicosmo_nb import cosmology as cosmo
from hicosmo_nb import likelihoods as L
from hicosmo_nb.data import load_bbn_prior, load_desi_cmb_prior

PLANCK18 = {"H0": 67.36, "omega_b": 0.02237, "omega_c": 0.1200, "m_nu": 0.06}


def test_embedded_numbers_are_as_published():
    b = load_bbn_prior()
    assert b.labels == ("omega_b",) and b.mean.tolist() == [0.02218] and b.cov[0, 0] == pytest.approx(0.00055**2, rel=1e-12)
    b2 = load_bbn_prior("omega_b_neff")
    assert b2.labels == ("omega_b", "N_eff") and b2.mean.tolist() == [0.02196, 2.904]  # arXiv:2401.15054v3 Table 2: N_eff = 3.044 - 0.14
    assert b2.cov.tolist() == [[4.03112260e-07, 7.30390042e-05], [7.30390042e-05, 4.52831584e-02]]
    assert "2401.15054" in b.citation and "2401.15054" in b2.citation
    c = load_desi_cmb_prior()
    assert c.labels == ("theta_star", "omega_b", "omega_bc") and c.mean.tolist() == [0.01041, 0.02223, 0.14208]
    published = [[0.006621, 0.12444, -1.1929], [0.12444, 21.344, -94.001], [-1.1929, -94.001, 1488.4]]
    np.testing.assert_allclose(c.cov, 1e-9 * np.array(published), rtol=1e-15)
    assert "2503.14738" in c.citation


def test_bbn_likelihood_values_and_parametrizations():
    lk = L.get("bbn")
    h = 0.6736
    norm = -0.5 * np.log(2 * np.pi * 0.00055**2)
    assert float(lk({"H0": 100 * h, "Omega_b": 0.02218 / h**2})) == pytest.approx(norm, rel=1e-12)
    one_sigma = float(lk({"H0": 100 * h, "Omega_b": (0.02218 + 0.00055) / h**2}))
    assert one_sigma == pytest.approx(norm - 0.5, rel=1e-12)
    phys = L.get("bbn", parametrization="physical")
    assert phys.param_names == ("omega_b",)
    assert float(phys({"omega_b": 0.02273})) == pytest.approx(one_sigma, rel=1e-12)
    two = L.get("bbn", kind="omega_b_neff", parametrization="physical")
    assert two.param_names == ("omega_b", "N_eff")
    cov = load_bbn_prior("omega_b_neff").cov
    x = np.array([0.0222, 3.3]) - np.array([0.02196, 2.904])
    expect = -0.5 * (x @ np.linalg.solve(cov, x) + np.log(np.linalg.det(2 * np.pi * cov)))
    assert float(two({"omega_b": 0.0222, "N_eff": 3.3})) == pytest.approx(expect, rel=1e-10)


def test_theta_star_matches_camb_at_planck18():
    camb = pytest.importorskip("camb")
    pars = camb.CAMBparams()
    pars.set_cosmology(H0=67.36, ombh2=0.02237, omch2=0.12, mnu=0.06, nnu=3.046, TCMB=2.7255, num_massive_neutrinos=1)
    d = camb.get_background(pars).get_derived_params()
    p = cosmo.from_physical(PLANCK18)
    sigma = float(np.sqrt(load_desi_cmb_prior().cov[0, 0]))
    ours = float(cosmo.theta_star(p))
    ref = d["thetastar"] / 100.0
    assert abs(ours - ref) / sigma < 0.05  # measured 0.01 sigma (1e-6 relative)
    assert abs(float(cosmo.z_star(p, method="hs_camb")) - d["zstar"]) < 0.05
    # the plain Hu-Sugiyama z_* would put theta_* ~5 sigma low
    hs = float(cosmo.theta_star(p, method="hu_sugiyama1996"))
    assert 3 < (ref - hs) / sigma < 7
    # omega_bc excludes the neutrinos: CAMB's ombh2 + omch2
    lk = L.get("desi_dr2_cmb_prior", parametrization="physical")
    lk_d = L.get("desi_dr2_cmb_prior")
    a, b = float(lk(PLANCK18)), float(lk_d(p))
    assert a == pytest.approx(b, rel=1e-10)
    vec = np.asarray(lk.theory(PLANCK18))
    np.testing.assert_allclose(vec[1:], [0.02237, 0.14237], rtol=1e-12)
    chi2 = -2 * a - lk.metadata["chi2_offset"]
    assert 0 < chi2 < 10  # Planck 2018 (PR3) best fit against the PR4 compression


def test_unphysical_input_gives_minus_inf_with_finite_gradients():
    cases = [
        (L.get("bbn"), {"H0": -70.0, "Omega_b": 0.05}),
        (L.get("bbn"), {"H0": 70.0, "Omega_b": np.nan}),
        (L.get("bbn", kind="omega_b_neff", parametrization="physical"), {"omega_b": 0.022, "N_eff": -1.0}),
        (L.get("desi_dr2_cmb_prior"), {"H0": 67.0, "Omega_m": 0.03, "Omega_b": 0.05}),  # Omega_cb < Omega_b
        (L.get("desi_dr2_cmb_prior"), {"H0": 67.0, "Omega_m": 0.3, "Omega_b": -0.01}),
        (L.get("desi_dr2_cmb_prior", parametrization="physical"), {"H0": 67.0, "omega_b": 0.022, "omega_c": -0.1}),
    ]
    for lk, p in cases:
        assert float(lk(p)) == -np.inf, (lk.name, p)
        g = jax.grad(lambda q: lk(q))(p)
        assert all(np.isfinite(float(v)) for v in g.values()), (lk.name, p, g)


def test_registry_options_validated():
    with pytest.raises(ValueError, match="kind must be one of"):
        L.get("bbn", kind="neff")
    with pytest.raises(ValueError, match="parametrization must be one of"):
        L.get("desi_dr2_cmb_prior", parametrization="h")
    with pytest.raises(ValueError, match="z_star_method must be one of"):
        L.get("desi_dr2_cmb_prior", z_star_method="camb")
    with pytest.raises(ValueError, match="unknown option 'knd'"):
        L.get("bbn", knd="omega_b")

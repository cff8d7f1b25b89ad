"""Agreement with astropy (same physics settings) and CAMB (r_d, z_*, D_M(z_*), Omega_nu)."""

import numpy as np
import pytest

from hicosmo_nb import cosmology as cosmo

Z = np.array([1e-3, 0.01, 0.1, 0.5, 1.0, 2.33, 10.0, 100.0, 1100.0])


def _astropy_twin(p):
    """astropy with massive neutrinos: its Om0 is CDM + baryons, so feed our Omega_cb and Omega_de."""
    u = pytest.importorskip("astropy.units")
    from astropy.cosmology import w0waCDM

    d = cosmo.density_parameters(p)
    return w0waCDM(
        H0=p["H0"], Om0=float(d["Omega_cb"]), Ode0=float(d["Omega_de"]),
        w0=p.get("w0", -1.0), wa=p.get("wa", 0.0), Tcmb0=p.get("T_cmb", 2.7255),
        Neff=p.get("N_eff", 3.046), m_nu=[0.0, 0.0, p.get("m_nu", 0.06)] * u.eV,
    )


def _astropy_massless(p):
    """astropy as a new user sets it up for massless neutrinos: Om0 = our Omega_m, its own closure."""
    u = pytest.importorskip("astropy.units")
    from astropy.cosmology import FlatLambdaCDM, w0waCDM

    kw = dict(H0=p["H0"], Om0=p["Omega_m"], Tcmb0=p.get("T_cmb", 2.7255), Neff=3.046, m_nu=0.0 * u.eV)
    flat = FlatLambdaCDM(**kw)
    if p.get("Omega_k", 0.0) == 0.0 and "w0" not in p:
        return flat
    ode0 = 1.0 - flat.Om0 - p["Omega_k"] - flat.Ogamma0 - flat.Onu0
    return w0waCDM(Ode0=ode0, w0=p.get("w0", -1.0), wa=p.get("wa", 0.0), **kw)


@pytest.mark.parametrize("extra", [{}, {"Omega_k": 0.07}, {"Omega_k": -0.07, "w0": -0.8, "wa": -0.6}, {"T_cmb": 0.0}])
def test_astropy_massless_neutrinos_agree_to_1e9(extra):
    # Omega_m holds no radiation at m_nu = 0: astropy's Om0 is our Omega_m (issue 14)
    p = {"H0": 70.0, "Omega_m": 0.3, "m_nu": 0.0, **extra}
    a = _astropy_massless(p)
    assert float(cosmo.density_parameters(p)["Omega_cb"]) == p["Omega_m"]
    assert abs(a.Ok0 - p.get("Omega_k", 0.0)) < 1e-9
    np.testing.assert_allclose(np.asarray(cosmo.E(p, Z)), a.efunc(Z), rtol=1e-9)
    np.testing.assert_allclose(np.asarray(cosmo.H(p, Z)), a.H(Z).value, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(cosmo.luminosity_distance(p, Z)), a.luminosity_distance(Z).value, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(cosmo.lookback_time(p, Z)), a.lookback_time(Z).value, rtol=1e-9)
    np.testing.assert_allclose(float(cosmo.age(p)), a.age(0).value, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(cosmo.distance_modulus(p, Z)), a.distmod(Z).value, atol=1e-8)


def test_astropy_massive_neutrinos_agree_to_its_fitting_formula():
    # astropy uses the Komatsu et al. (2011) fit to the neutrino integral (quoted 0.1% on rho_nu);
    # we integrate exactly, so E(z) agrees to the fit's accuracy, distances better.
    for mnu in (0.06, 0.3):
        p = {"H0": 67.36, "Omega_m": 0.3153, "m_nu": mnu, "Omega_k": 0.05, "w0": -0.9, "wa": 0.2}
        a = _astropy_twin(p)
        np.testing.assert_allclose(np.asarray(cosmo.E(p, Z)), a.efunc(Z), rtol=1e-4)
        np.testing.assert_allclose(
            np.asarray(cosmo.transverse_comoving_distance(p, Z)), a.comoving_transverse_distance(Z).value, rtol=1e-5
        )


PLANCK18 = {"H0": 67.36, "ombh2": 0.02237, "omch2": 0.1200, "mnu": 0.06}


@pytest.fixture(scope="module")
def camb_cases():
    camb = pytest.importorskip("camb")
    cases = []
    for H0, ombh2, omch2, mnu in [(67.36, 0.02237, 0.1200, 0.06), (70.0, 0.0220, 0.110, 0.0), (64.0, 0.0235, 0.130, 0.3)]:
        pars = camb.CAMBparams()
        pars.set_cosmology(H0=H0, ombh2=ombh2, omch2=omch2, mnu=mnu, nnu=3.046, TCMB=2.7255, num_massive_neutrinos=1)
        res = camb.get_background(pars)
        p = cosmo.from_physical({"H0": H0, "omega_b": ombh2, "omega_c": omch2, "m_nu": mnu})
        cases.append((p, res, res.get_derived_params(), pars))
    return cases


def test_rdrag_and_dm_star_within_0p1_percent_of_camb(camb_cases):
    for p, res, d, _ in camb_cases:
        rd = float(cosmo.sound_horizon_drag(p))
        assert abs(rd / d["rdrag"] - 1) < 1e-3  # issue bound; measured 2.5e-5 to 5.3e-5
        assert abs(rd / d["rdrag"] - 1) < 1e-4  # guard against regressions
        dm = float(cosmo.transverse_comoving_distance(p, float(cosmo.z_star(p))))
        dm_camb = float(res.comoving_radial_distance(d["zstar"]))
        assert abs(dm / dm_camb - 1) < 1e-3
        assert abs(dm / dm_camb - 1) < 1e-4
        # with CAMB's own drag redshift the sound-horizon integral itself agrees to 1e-5
        assert abs(float(cosmo.sound_horizon(p, d["zdrag"])) / d["rdrag"] - 1) < 1e-5


def test_planck18_numbers(camb_cases):
    p, _, d, pars = camb_cases[0]
    assert abs(float(cosmo.sound_horizon_drag(p)) - 147.10) < 0.05
    assert abs(float(cosmo.z_drag(p)) - d["zdrag"]) < 0.2
    assert abs(float(cosmo.z_star(p)) / d["zstar"] - 1) < 2.5e-3  # Hu-Sugiyama fit: +0.18%
    assert abs(float(cosmo.z_star(p, method="aizpuru2021")) / d["zstar"] - 1) < 1.5e-3
    # Omega_m as CAMB counts it (c + b + massive nu)
    assert abs(float(p["Omega_m"]) / pars.omegam - 1) < 1e-4


def test_camb_distances_at_low_z(camb_cases):
    for p, res, _, _ in camb_cases:
        z = np.array([0.1, 0.5, 1.0, 2.33])
        np.testing.assert_allclose(np.asarray(cosmo.comoving_distance(p, z)), res.comoving_radial_distance(z), rtol=5e-5)
        np.testing.assert_allclose(np.asarray(cosmo.H(p, z)), res.hubble_parameter(z), rtol=5e-5)

"""cosmology.to_astropy: the one hicosmo_nb -> astropy mapping, checked against our functions.

astropy is an independent code; to_astropy only renames parameters and closes the budget the way
astropy does (its Om0 is CDM + baryons without neutrinos), so a convention slip shows up here.
"""

import numpy as np
import pytest

from hicosmo_nb import cosmology as cosmo

pytest.importorskip("astropy")

Z = np.array([1e-3, 0.01, 0.1, 0.5, 1.0, 2.33, 10.0, 100.0, 1100.0])
MODELS = {
    "flat LCDM": ({}, "FlatLambdaCDM"),
    "flat LCDM, no radiation": ({"T_cmb": 0.0}, "FlatLambdaCDM"),
    "curved LCDM": ({"Omega_k": 0.07}, "LambdaCDM"),
    "flat wCDM": ({"w0": -0.85}, "FlatwCDM"),
    "curved wCDM": ({"Omega_k": -0.05, "w0": -1.1}, "wCDM"),
    "flat w0waCDM": ({"w0": -0.7, "wa": -1.0}, "Flatw0waCDM"),
    "curved w0waCDM": ({"Omega_k": -0.07, "w0": -0.8, "wa": -0.6}, "w0waCDM"),
}


def _compare(p, a):
    """Largest relative difference of E, D_M, D_L, D_A, t_lb, age and absolute of mu."""
    pairs = [
        (cosmo.E(p, Z), a.efunc(Z)),
        (cosmo.transverse_comoving_distance(p, Z), a.comoving_transverse_distance(Z).value),
        (cosmo.luminosity_distance(p, Z), a.luminosity_distance(Z).value),
        (cosmo.angular_diameter_distance(p, Z), a.angular_diameter_distance(Z).value),
        (cosmo.lookback_time(p, Z), a.lookback_time(Z).value),
        (cosmo.age(p), a.age(0).value),
    ]
    rel = max(float(np.max(np.abs(np.asarray(o) / np.asarray(t) - 1.0))) for o, t in pairs)
    dmu = float(np.max(np.abs(np.asarray(cosmo.distance_modulus(p, Z)) - a.distmod(Z).value)))
    return rel, dmu


@pytest.mark.parametrize("label", MODELS)
def test_massless_neutrinos_agree_to_1e9(label):
    extra, cls = MODELS[label]
    p = {"H0": 68.0, "Omega_m": 0.31, "Omega_b": 0.049, "m_nu": 0.0, **extra}
    a = cosmo.to_astropy(p)
    assert type(a).__name__ == cls
    # a new user's setting: Om0 is our Omega_m at m_nu = 0, curvature ours exactly
    assert a.Om0 == p["Omega_m"] and abs(a.Ok0 - p.get("Omega_k", 0.0)) < 1e-12
    rel, dmu = _compare(p, a)
    assert rel < 1e-9 and dmu < 1e-8, (rel, dmu)


@pytest.mark.parametrize("mnu, bound", [(0.06, 3e-5), (0.3, 1e-4)])
@pytest.mark.parametrize("hierarchy", ["one", "normal"])
def test_massive_neutrinos_agree_to_astropys_fit(mnu, bound, hierarchy):
    # astropy's neutrino density is the Komatsu et al. (2011) fit (0.1% on rho_nu). Measured here
    # (z <= 1100): E(z) to 1.8e-5 (0.06 eV) and 7.4e-5 (0.3 eV, normal), worst at z = 100-1100 where
    # the neutrinos turn relativistic; distances and ages to 3e-6 and 8e-6; z <= 2.33 to 2e-6
    p = {"H0": 67.36, "Omega_m": 0.3153, "m_nu": mnu, "Omega_k": 0.05, "w0": -0.9, "wa": 0.2,
         "neutrino_hierarchy": hierarchy}
    a = cosmo.to_astropy(p)
    np.testing.assert_allclose(a.m_nu.value.sum(), mnu, rtol=1e-12)
    d = cosmo.density_parameters(p)
    assert a.Om0 == pytest.approx(float(d["Omega_cb"]), rel=1e-14)
    assert abs(a.Ok0 - 0.05) < 1e-12
    rel, _ = _compare(p, a)
    assert rel < bound, rel
    low = Z <= 2.33
    dm = np.asarray(cosmo.transverse_comoving_distance(p, Z)) / a.comoving_transverse_distance(Z).value
    assert np.max(np.abs(dm - 1)) < 1e-5 and np.max(np.abs(dm[low] - 1)) < 3e-6


def test_hierarchy_masses_reach_astropy():
    a = cosmo.to_astropy({"H0": 70.0, "Omega_m": 0.3, "m_nu": 0.1, "neutrino_hierarchy": "normal"})
    m = np.sort(a.m_nu.value)
    assert m[0] > 0 and m[-1] < 0.1 and np.isclose(m.sum(), 0.1)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"H0": 70.0, "Omega_m": np.array([0.3, 0.31])}, r"'Omega_m' must be a scalar, got shape \(2,\)"),
        ({"H0": 70.0, "Omega_m": 0.3, "T_cmb": 0.0, "m_nu": 0.06}, r"T_cmb = 0 with m_nu = 0.06"),
        ({"H0": 70.0, "Omegam": 0.3}, r"Omegam"),
    ],
)
def test_bad_input_is_named(params, match):
    with pytest.raises(ValueError, match=match):
        cosmo.to_astropy(params)

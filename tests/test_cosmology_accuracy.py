"""Background distances against independent references: scipy quad, analytic truths, astropy, CAMB."""

import numpy as np
import pytest
from scipy.integrate import quad

import jax
import jax.numpy as jnp

from hicosmo_nb import cosmology as cosmo
from hicosmo_nb.cosmology.densities import _log_fd_ratio
from hicosmo_nb.cosmology.neutrinos import _F0

C = cosmo.C_KM_S
GYR = 977.7922216807891  # Gyr per 1/(km/s/Mpc)

MODELS = {
    "flat LCDM": {"H0": 67.36, "Omega_m": 0.3153},
    "flat LCDM massless nu": {"H0": 67.36, "Omega_m": 0.3153, "m_nu": 0.0},
    "open LCDM": {"H0": 70.0, "Omega_m": 0.3, "Omega_k": 0.15},
    "closed LCDM": {"H0": 70.0, "Omega_m": 0.3, "Omega_k": -0.15},
    "flat wCDM": {"H0": 68.0, "Omega_m": 0.31, "w0": -0.85},
    "curved wCDM": {"H0": 68.0, "Omega_m": 0.31, "w0": -1.2, "Omega_k": -0.05},
    "flat w0waCDM": {"H0": 68.0, "Omega_m": 0.31, "w0": -0.75, "wa": -0.8},
    "curved w0waCDM heavy nu": {"H0": 66.0, "Omega_m": 0.33, "w0": -0.9, "wa": 0.4, "Omega_k": 0.08, "m_nu": 0.4},
    "no radiation": {"H0": 70.0, "Omega_m": 0.3, "T_cmb": 0.0},
}
Z = np.array([1e-3, 3e-3, 0.01, 0.05, 0.1, 0.3, 0.5, 1.0, 1.5, 2.33, 5.0, 10.0, 50.0, 200.0, 1089.9, 1100.0])


def _quad(f, a, b):
    return quad(f, a, b, epsabs=0.0, epsrel=1e-12, limit=500)[0]


def _reference(p):
    """Reference distances by scipy quad on the same E(z) (evaluated point by point)."""
    e = jax.jit(lambda z: cosmo.E(p, z))
    ef = lambda z: float(e(z))  # noqa: E731
    dh0 = C / p["H0"]
    dc = np.array([dh0 * _quad(lambda x: 1.0 / ef(x), 0.0, z) for z in Z])
    ok = p.get("Omega_k", 0.0)
    if ok > 0:
        dm = dh0 / np.sqrt(ok) * np.sinh(np.sqrt(ok) * dc / dh0)
    elif ok < 0:
        dm = dh0 / np.sqrt(-ok) * np.sin(np.sqrt(-ok) * dc / dh0)
    else:
        dm = dc
    tl = np.array([GYR / p["H0"] * _quad(lambda x: 1.0 / ((1 + x) * ef(x)), 0.0, z) for z in Z])
    # age: integrate in ln(1+z) to infinity
    t0 = GYR / p["H0"] * _quad(lambda u: 1.0 / ef(np.expm1(u)), 0.0, 30.0)
    return dc, dm, tl, t0


@pytest.mark.parametrize("name", list(MODELS))
def test_distances_match_quad_to_1e8(name):
    p = MODELS[name]
    dc_ref, dm_ref, tl_ref, t0_ref = _reference(p)
    zj = jnp.asarray(Z)
    dc = np.asarray(jax.jit(lambda z: cosmo.comoving_distance(p, z))(zj))
    dm = np.asarray(jax.jit(lambda z: cosmo.transverse_comoving_distance(p, z))(zj))
    dl = np.asarray(cosmo.luminosity_distance(p, zj))
    da = np.asarray(cosmo.angular_diameter_distance(p, zj))
    mu = np.asarray(cosmo.distance_modulus(p, zj))
    tl = np.asarray(cosmo.lookback_time(p, zj))
    assert np.max(np.abs(dc / dc_ref - 1)) < 1e-8
    assert np.max(np.abs(dm / dm_ref - 1)) < 1e-8
    assert np.max(np.abs(dl / ((1 + Z) * dm_ref) - 1)) < 1e-8
    assert np.max(np.abs(da / (dm_ref / (1 + Z)) - 1)) < 1e-8
    assert np.max(np.abs(mu - (5 * np.log10((1 + Z) * dm_ref) + 25))) < 5e-8
    assert np.max(np.abs(tl / tl_ref - 1)) < 1e-8
    assert abs(float(cosmo.age(p)) / t0_ref - 1) < 1e-8


def test_hubble_and_volume_distances():
    p = MODELS["flat w0waCDM"]
    z = jnp.asarray(Z)
    e = np.asarray(cosmo.E(p, z))
    np.testing.assert_allclose(np.asarray(cosmo.H(p, z)), p["H0"] * e, rtol=1e-14)
    np.testing.assert_allclose(np.asarray(cosmo.hubble_distance(p, z)), C / (p["H0"] * e), rtol=1e-14)
    dm = np.asarray(cosmo.transverse_comoving_distance(p, z))
    dv = (Z * dm**2 * C / (p["H0"] * e)) ** (1 / 3)
    np.testing.assert_allclose(np.asarray(cosmo.volume_averaged_distance(p, z)), dv, rtol=1e-13)


def test_analytic_universes():
    z = jnp.asarray(Z)
    dh0 = C / 70.0
    # Einstein-de Sitter: D_C = 2 D_H0 (1 - 1/sqrt(1+z)), age = 2/(3 H0)
    eds = {"H0": 70.0, "Omega_m": 1.0, "T_cmb": 0.0}
    np.testing.assert_allclose(np.asarray(cosmo.comoving_distance(eds, z)), 2 * dh0 * (1 - 1 / np.sqrt(1 + Z)), rtol=1e-12)
    np.testing.assert_allclose(float(cosmo.age(eds)), 2 / 3 * GYR / 70.0, rtol=1e-12)
    # Milne (empty, open): E = 1+z, D_M = D_H0 (z + z^2/2)/(1+z)
    milne = {"H0": 70.0, "Omega_m": 0.0, "Omega_k": 1.0, "T_cmb": 0.0}
    np.testing.assert_allclose(np.asarray(cosmo.transverse_comoving_distance(milne, z)), dh0 * (Z + Z**2 / 2) / (1 + Z), rtol=1e-11)
    # de Sitter: D_C = D_H0 z
    ds = {"H0": 70.0, "Omega_m": 0.0, "T_cmb": 0.0}
    np.testing.assert_allclose(np.asarray(cosmo.comoving_distance(ds, z)), dh0 * Z, rtol=1e-11)
    # flat LCDM age, closed form: t0 = 2/(3 H0 sqrt(OL)) asinh(sqrt(OL/Om))
    lcdm = {"H0": 70.0, "Omega_m": 0.3, "T_cmb": 0.0}
    t0 = 2 / (3 * np.sqrt(0.7)) * np.arcsinh(np.sqrt(0.7 / 0.3)) * GYR / 70.0
    np.testing.assert_allclose(float(cosmo.age(lcdm)), t0, rtol=1e-12)


def test_fermi_dirac_table_matches_quad():
    for y in [1e-4, 0.03, 0.3, 1.0, 2.7, 10.0, 357.0, 3e4, 1e6]:
        ref = _quad(lambda q: q * q * np.sqrt(q * q + y * y) / (np.exp(min(q, 700)) + 1), 0, 200)
        ours = float(jnp.exp(_log_fd_ratio(jnp.asarray(y)))) * _F0
        assert abs(ours / ref - 1) < 1e-9, y


def test_neutrino_density_nonrelativistic_limit():
    # Omega_nu h^2 -> m_nu n_nu / rho_crit: (N_eff/3) * m / 94.05 eV for T_cmb = 2.7255 K
    om = float(cosmo.omega_nu({"H0": 70.0, "Omega_m": 0.3, "m_nu": 1.0, "N_eff": 3.0}))
    zeta3 = 1.2020569031595942
    kT = 8.617333262e-5 * (4 / 11) ** (1 / 3) * 2.7255  # eV
    hbar_c = 1.973269804e-5  # eV cm
    n_nu = 3 * zeta3 / (2 * np.pi**2) * (kT / hbar_c) ** 3  # nu + nubar, one species [cm^-3]
    rho_crit_h2 = 1.87834e-29 * 2.99792458e10**2 / 1.602176634e-12  # eV / cm^3 for h = 1
    assert abs(om / (1.0 * n_nu / rho_crit_h2) - 1) < 2e-3  # residual kinetic energy of 1 eV nus


def test_user_dark_energy_plugs_in():
    p = {"H0": 68.0, "Omega_m": 0.31, "w0": -0.8, "wa": -0.5}
    cpl = lambda q, z: (1 + z) ** (3 * (1 + q["w0"] + q["wa"])) * jnp.exp(-3 * q["wa"] * z / (1 + z))  # noqa: E731
    z = jnp.asarray(Z)
    np.testing.assert_allclose(cosmo.comoving_distance(p, z, de_density=cpl), cosmo.comoving_distance(p, z), rtol=1e-12)
    e_fn = lambda q, zz: cosmo.E(p, zz)  # noqa: E731
    np.testing.assert_allclose(cosmo.luminosity_distance(p, z, efunc=e_fn), cosmo.luminosity_distance(p, z), rtol=1e-12)
    # a user parameter read by the user's function is accepted
    exp_de = lambda q, zz: jnp.exp(q["alpha"] * zz / (1 + zz))  # noqa: E731
    d = cosmo.comoving_distance({"H0": 70.0, "Omega_m": 0.3, "alpha": 0.2}, 1.0, de_density=exp_de)
    assert np.isfinite(float(d))


@pytest.mark.parametrize("name", ["flat LCDM", "curved w0waCDM heavy nu", "closed LCDM"])
def test_many_redshifts_cumulative_path_matches_quad(name):
    # > 16 redshifts take the sorted cumulative rule: unsorted, repeated, 2-D input
    p = MODELS[name]
    rng = np.random.default_rng(0)
    z = np.concatenate([Z, rng.permutation(np.geomspace(1e-3, 1100, 300)), Z[::-1]]).reshape(2, -1)
    dc = np.asarray(jax.jit(lambda zz: cosmo.comoving_distance(p, zz))(jnp.asarray(z)))
    tl = np.asarray(jax.jit(lambda zz: cosmo.lookback_time(p, zz))(jnp.asarray(z)))
    dc_ref, _, tl_ref, _ = _reference(p)
    for i, zi in enumerate(Z):  # every reference redshift appears twice
        sel = z == zi
        assert np.max(np.abs(dc[sel] / dc_ref[i] - 1)) < 1e-8
        assert np.max(np.abs(tl[sel] / tl_ref[i] - 1)) < 1e-8
    # and agrees with the direct per-redshift rule everywhere
    direct = np.array([float(cosmo.comoving_distance(p, zi)) for zi in z.ravel()[::37]])
    np.testing.assert_allclose(dc.ravel()[::37], direct, rtol=1e-10)

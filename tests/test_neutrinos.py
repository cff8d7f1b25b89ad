"""Neutrino conventions (issue 14): Omega_m at m_nu = 0, derivative at 0, hierarchies against CAMB."""

import jax
import numpy as np
import pytest

from hicosmo_nb import cosmology as cosmo
from hicosmo_nb.cosmology.neutrinos import DM2_21, DM2_31, NeutrinoHierarchy, minimum_mass_sum, neutrino_masses

ZH = np.array([0.1, 0.5, 1.0, 2.33, 10.0, 100.0, 1000.0])


@pytest.mark.parametrize("name", ["normal", "inverted"])
def test_hierarchy_masses_reproduce_sum_and_splittings(name):
    for s in (minimum_mass_sum(name) + 1e-3, 0.12, 0.3, 1.0):
        m = np.asarray(neutrino_masses(s, name))
        assert abs(m.sum() - s) < 1e-13 and np.all(m >= 0)
        assert abs(m[1] ** 2 - m[0] ** 2 - DM2_21) < 1e-13
        big = m[2] ** 2 - m[0] ** 2 if name == "normal" else m[0] ** 2 - m[2] ** 2
        assert abs(big - DM2_31) < 1e-13
    g = jax.grad(lambda s: neutrino_masses(s, name)[2])(0.2)  # d m / d sum: finite and positive
    assert np.isfinite(float(g)) and float(g) > 0


def test_bad_hierarchy_and_too_small_sum_raise():
    with pytest.raises(ValueError, match="neutrino_hierarchy must be one of"):
        cosmo.H({"H0": 70.0, "Omega_m": 0.3, "neutrino_hierarchy": "normel"}, 1.0)
    with pytest.raises(ValueError, match="below the inverted hierarchy's minimum 0.1000"):
        neutrino_masses(0.06, "inverted")


def test_hierarchy_is_static_under_jit_and_string_outside():
    p = {"H0": 67.36, "Omega_m": 0.3153, "m_nu": 0.15}
    f = jax.jit(lambda q: cosmo.luminosity_distance(q, 1.0))
    for name in ("one", "degenerate", "normal", "inverted"):
        eager = float(cosmo.luminosity_distance({**p, "neutrino_hierarchy": name}, 1.0))
        jitted = float(f({**p, "neutrino_hierarchy": NeutrinoHierarchy(name)}))
        assert abs(jitted / eager - 1) < 1e-13


def test_omega_m_holds_no_radiation_at_zero_mass():
    p = {"H0": 70.0, "Omega_m": 0.3, "m_nu": 0.0}
    d = cosmo.density_parameters(p)
    assert float(d["Omega_nu_nr"]) == 0.0 and float(d["Omega_cb"]) == 0.3
    # all three states are radiation: 3 x (7/8)(4/11)^(4/3) N_eff/3 of the photons
    assert abs(float(d["Omega_nu"] / d["Omega_gamma"]) - 7 / 8 * (4 / 11) ** (4 / 3) * 3.046) < 1e-12
    # Omega_nu,nr is linear in the mass sum, independent of the hierarchy
    nr = [float(cosmo.density_parameters({**p, "m_nu": 0.2, "neutrino_hierarchy": h})["Omega_nu_nr"])
          for h in ("one", "degenerate", "normal", "inverted")]
    np.testing.assert_allclose(nr, nr[0], rtol=1e-12)
    half = float(cosmo.density_parameters({**p, "m_nu": 0.1})["Omega_nu_nr"])
    assert abs(nr[0] / half - 2) < 1e-12


def test_derivative_in_m_nu_is_finite_and_continuous_at_zero():
    base = {"H0": 70.0, "Omega_m": 0.3, "Omega_b": 0.046}

    def obs(m):
        p = {**base, "m_nu": m}
        return (cosmo.luminosity_distance(p, 1.0) / 1e3 + cosmo.H(p, 2.0) / 100.0
                + cosmo.sound_horizon_drag(p) / 100.0)

    g, value = jax.jit(jax.grad(obs)), jax.jit(obs)  # compiled once each (op by op took 20-30 s)
    g0, g_small = float(g(0.0)), float(g(1e-7))
    assert np.isfinite(g0) and g0 != 0.0
    assert abs(g_small / g0 - 1) < 1e-3
    fd = (float(value(2e-7)) - float(value(0.0))) / 2e-7  # one-sided finite difference at the boundary
    assert abs(fd / g0 - 1) < 2e-3
    # Fisher-style Jacobian at the fiducial m_nu = 0 (all parameters at once)
    def h(v):
        return cosmo.H({"H0": v[0], "Omega_m": v[1], "m_nu": v[2]}, np.array([0.5, 1.5]))

    jac = jax.jit(jax.jacfwd(h))(np.array([70.0, 0.3, 0.0]))
    assert np.all(np.isfinite(np.asarray(jac)))


@pytest.fixture(scope="module")
def camb_hierarchies():
    camb = pytest.importorskip("camb")
    out = []
    # CAMB switches its normal hierarchy to one eigenstate below 0.0601 eV; compare above that
    for name, nmass, mnu in [("degenerate", 3, 0.06), ("degenerate", 3, 0.3), ("normal", 3, 0.1),
                             ("normal", 3, 0.3), ("inverted", 3, 0.12), ("inverted", 3, 0.3)]:
        pars = camb.CAMBparams()
        pars.set_cosmology(H0=67.36, ombh2=0.02237, omch2=0.12, mnu=mnu, nnu=3.046, TCMB=2.7255,
                           num_massive_neutrinos=nmass, neutrino_hierarchy=name)
        res = camb.get_background(pars)
        p = cosmo.from_physical({"H0": 67.36, "omega_b": 0.02237, "omega_c": 0.12, "m_nu": mnu,
                                 "neutrino_hierarchy": name})
        out.append((name, mnu, p, pars, res, res.get_derived_params()))
    return out


def test_hierarchies_match_camb(camb_hierarchies):
    for name, mnu, p, pars, res, d in camb_hierarchies:
        msg = f"{name} {mnu}"
        assert abs(float(p["Omega_m"]) / pars.omegam - 1) < 1e-4, msg
        np.testing.assert_allclose(np.asarray(cosmo.H(p, ZH)), res.hubble_parameter(ZH), rtol=5e-5, err_msg=msg)
        assert abs(float(cosmo.sound_horizon_drag(p)) / d["rdrag"] - 1) < 1e-4, msg
        dm = float(cosmo.transverse_comoving_distance(p, float(cosmo.z_star(p))))
        assert abs(dm / float(res.comoving_radial_distance(d["zstar"])) - 1) < 1e-4, msg


def test_massless_states_skipped_exactly():
    """The 'one' hierarchy's two massless states are radiation: skipping their Fermi-Dirac
    integrals (NeutrinoHierarchy.massive) leaves E^2 and the distances unchanged."""
    import numpy as np

    from hicosmo_nb.cosmology import densities, integrals
    from hicosmo_nb.cosmology.neutrinos import NeutrinoHierarchy

    assert NeutrinoHierarchy("one").massive == (2,)
    assert NeutrinoHierarchy("normal").massive == (0, 1, 2)
    a = np.geomspace(1e-4, 1.0, 200)
    for m_nu in (0.0, 0.06, 0.5):
        coef = densities.e2_coefficients({"H0": 67.0, "Omega_m": 0.31, "m_nu": m_nu})
        e_all, d_all = densities.e2_and_partials(coef, a)
        e_one, d_one = densities.e2_and_partials(coef, a, (2,))
        np.testing.assert_array_equal(np.asarray(e_one), np.asarray(e_all))
        # the massless states' y-partials were ~1e-20 (their slope at y = 0), now exactly 0; they
        # multiply a tangent that is exactly 0 (their mass is 0 whatever m_nu), so nothing changes
        np.testing.assert_allclose(np.asarray(d_one), np.asarray(d_all), rtol=1e-14, atol=1e-15)
        s_z = integrals._s_of_z(np.array([0.5, 2.0, 1100.0]))
        np.testing.assert_array_equal(
            np.asarray(integrals._comoving_builtin(coef, s_z, None, (2,))),
            np.asarray(integrals._comoving_builtin(coef, s_z, None, (0, 1, 2))))

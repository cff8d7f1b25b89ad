"""cosmology.DistanceEvaluator: distances at build-time redshifts vs scipy quad, exact gradients."""

import numpy as np
import pytest
from scipy.integrate import quad

import jax
import jax.numpy as jnp

from hicosmo_nb import cosmology as cosmo

MODELS = {
    "LCDM nu": {"H0": 67.36, "Omega_m": 0.3153, "m_nu": 0.06},
    "curved w0wa heavy nu": {"H0": 66.0, "Omega_m": 0.33, "w0": -0.9, "wa": 0.4, "Omega_k": 0.08,
                             "m_nu": 0.4},
    "closed phantom": {"H0": 70.0, "Omega_m": 0.2, "w0": -2.5, "wa": -2.0, "Omega_k": -0.1},
}
Z = np.geomspace(1e-3, 1100.0, 1000)
EV = cosmo.DistanceEvaluator(Z)


def _dc_quad(p, zs):
    e = jax.jit(lambda x: cosmo.E(p, x))

    def inv_e(x):
        return 1.0 / float(e(x))

    return np.array([cosmo.C_KM_S / p["H0"] * quad(inv_e, 0.0, z, epsabs=0, epsrel=1e-13, limit=400)[0]
                     for z in zs])


@pytest.mark.parametrize("name", list(MODELS))
def test_matches_quad_to_1e10(name):
    p = MODELS[name]
    dc = np.asarray(jax.jit(EV.comoving_distance)(p))
    idx = np.arange(0, Z.size, 111)
    ref = _dc_quad(p, Z[idx])
    assert np.max(np.abs(dc[idx] / ref - 1)) < 1e-10
    # the other quantities follow from D_C exactly as in the per-call functions
    np.testing.assert_allclose(np.asarray(EV.distance_modulus(p)),
                               np.asarray(cosmo.distance_modulus(p, Z)), rtol=1e-12)


def test_gradients_are_exact():
    names = ["H0", "Omega_m", "Omega_k", "w0", "wa", "T_cmb", "N_eff", "m_nu"]
    theta = jnp.asarray([66.0, 0.33, 0.05, -0.9, 0.3, 2.7255, 3.046, 0.2])

    def fixed(t):
        return EV.luminosity_distance(dict(zip(names, t)))

    def generic(t):
        return cosmo.luminosity_distance(dict(zip(names, t)), jnp.asarray(Z))

    jf = np.asarray(jax.jit(jax.jacfwd(fixed))(theta))
    jr = np.asarray(jax.jit(jax.jacrev(fixed))(theta))
    jg = np.asarray(jax.jit(jax.jacfwd(generic))(theta))
    scale = np.max(np.abs(jg), axis=0)
    assert np.max(np.abs(jf - jg) / scale) < 1e-10
    assert np.max(np.abs(jr - jf) / scale) < 1e-10  # reverse mode: other summation order
    # and against central differences of the values (independent of any custom JVP)
    i, h = 1, 1e-6
    e = jnp.zeros_like(theta).at[i].set(h)
    fd = (np.asarray(fixed(theta + e)) - np.asarray(fixed(theta - e))) / (2 * h)
    assert np.max(np.abs(fd - jf[:, i]) / np.max(np.abs(jf[:, i]))) < 1e-7


def test_shape_order_repeats_zero_and_no_recompile():
    z = np.array([[2.0, 0.0], [0.5, 2.0]])
    ev = cosmo.DistanceEvaluator(z)
    p = MODELS["LCDM nu"]
    out = np.asarray(ev.transverse_comoving_distance(p))
    assert out.shape == (2, 2) and out[0, 1] == 0.0 and out[0, 0] == out[1, 1]
    np.testing.assert_allclose(out, np.asarray(cosmo.transverse_comoving_distance(p, z)), rtol=1e-12)
    f = jax.jit(ev.comoving_distance)
    for om in (0.25, 0.3, 0.35):
        f({"H0": 70.0, "Omega_m": om})
    assert f._cache_size() == 1


def test_user_dark_energy_and_errors():
    cpl = lambda q, z: (1 + z) ** (3 * (1 + q["w0"] + q["wa"])) * jnp.exp(-3 * q["wa"] * z / (1 + z))  # noqa: E731
    p = {"H0": 68.0, "Omega_m": 0.31, "w0": -0.8, "wa": -0.5}
    ev = cosmo.DistanceEvaluator(Z[::10], de_density=cpl)
    np.testing.assert_allclose(np.asarray(ev.comoving_distance(p)),
                               np.asarray(EV.comoving_distance(p))[::10], rtol=1e-12)
    with pytest.raises(ValueError, match=r"finite z >= 0; got \[-0.1\]"):
        cosmo.DistanceEvaluator([0.1, -0.1])
    with pytest.raises(ValueError, match="either de_density= or efunc="):
        cosmo.DistanceEvaluator(Z, de_density=cpl, efunc=cpl)
    with pytest.raises(ValueError, match="luminosity_distance: H0 = -1.0 is unphysical"):
        EV.luminosity_distance({"H0": -1.0, "Omega_m": 0.3})


def test_model_unphysical_just_beyond_the_largest_redshift():
    # physical on [0, 2.26] (E^2 > 0 there) but E^2 < 0 from z ~ 2.3: the integrand must not be
    # evaluated beyond the largest redshift asked for (it was, once, inside a shared panel)
    p = {"Omega_m": 0.5397, "H0": 75.12, "Omega_k": 0.8108, "w0": -0.4754, "wa": 1.6646}
    z = np.linspace(0.05, 2.26, 200)
    assert bool(cosmo.validity(p, z)[0]) and not bool(cosmo.validity(p, 2.6)[0])
    ref = _dc_quad(p, z[::20])
    ev = cosmo.DistanceEvaluator(z)
    for dc in (np.asarray(jax.jit(ev.comoving_distance)(p)),
               np.asarray(jax.jit(cosmo.comoving_distance)(p, jnp.asarray(z)))):
        assert np.max(np.abs(dc[::20] / ref - 1)) < 1e-10

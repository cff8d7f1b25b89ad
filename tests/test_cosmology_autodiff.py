"""Gradients vs finite differences, jit/vmap round trips, no recompilation, errors, NaN-freedom."""

import numpy as np
import pytest

import jax
import jax.numpy as jnp

from hicosmo_nb import cosmology as cosmo
from hicosmo_nb.cosmology import densities, neutrinos

FIDUCIAL = {
    "H0": 67.5, "Omega_m": 0.31, "Omega_b": 0.049, "Omega_k": 0.02, "w0": -0.95, "wa": -0.2,
    "T_cmb": 2.7255, "N_eff": 3.046, "m_nu": 0.1,
}
NAMES = list(FIDUCIAL)
Z = jnp.asarray([0.01, 0.3, 1.0, 2.5, 1089.0])

DISTANCES = {
    "comoving": cosmo.comoving_distance,
    "transverse": cosmo.transverse_comoving_distance,
    "angular": cosmo.angular_diameter_distance,
    "luminosity": cosmo.luminosity_distance,
    "mu": cosmo.distance_modulus,
    "D_H": cosmo.hubble_distance,
    "D_V": cosmo.volume_averaged_distance,
    "lookback": cosmo.lookback_time,
    "DM/rd": cosmo.DM_over_rd,
    "DH/rd": cosmo.DH_over_rd,
    "DV/rd": cosmo.DV_over_rd,
}
SCALARS = {
    "age": cosmo.age,
    "r_d": cosmo.sound_horizon_drag,
    "R": cosmo.shift_parameter,
    "l_A": cosmo.acoustic_scale,
    "z_star": cosmo.z_star,
}


def _as_fn(f, vector_z):
    def g(theta):
        p = dict(zip(NAMES, theta))
        return f(p, Z) if vector_z else jnp.atleast_1d(f(p))

    return g


@pytest.mark.parametrize("name", list(DISTANCES) + list(SCALARS))
def test_jacobian_matches_central_differences(name):
    f = _as_fn(DISTANCES.get(name) or SCALARS[name], name in DISTANCES)
    theta = jnp.asarray([FIDUCIAL[n] for n in NAMES])
    jac = np.asarray(jax.jit(jax.jacfwd(f))(theta))
    jac_rev = np.asarray(jax.jit(jax.jacrev(f))(theta))
    np.testing.assert_allclose(jac, jac_rev, rtol=1e-10, atol=1e-12 * np.abs(jac).max())
    fj = jax.jit(f)
    for i in range(len(NAMES)):
        h = 1e-4 * max(abs(float(theta[i])), 1e-2)
        # 4th-order central difference
        e = jnp.zeros_like(theta).at[i].set(h)
        fd = (-fj(theta + 2 * e) + 8 * fj(theta + e) - 8 * fj(theta - e) + fj(theta - 2 * e)) / (12 * h)
        scale = np.abs(np.asarray(fj(theta))) / abs(float(theta[i]) if theta[i] != 0 else 1.0)
        np.testing.assert_allclose(jac[:, i], np.asarray(fd), rtol=1e-6, atol=1e-9 * scale.max() + 1e-12,
                                   err_msg=f"d {name} / d {NAMES[i]}")


def test_curvature_gradient_is_smooth_through_flat():
    f = jax.jit(lambda ok: cosmo.transverse_comoving_distance({"H0": 70.0, "Omega_m": 0.3, "Omega_k": ok}, 2.0))
    g0 = float(jax.grad(f)(0.0))
    fd = (float(f(1e-3)) - float(f(-1e-3))) / 2e-3
    assert abs(g0 / fd - 1) < 1e-5


def test_no_recompilation_when_values_change():
    traces = []

    @jax.jit
    def dl(p, z):
        traces.append(1)
        return cosmo.luminosity_distance(p, z)

    for om in (0.25, 0.3, 0.35):
        dl({"H0": jnp.float64(70.0), "Omega_m": jnp.float64(om)}, Z)
    assert len(traces) == 1


def test_vmap_over_parameters_and_redshifts():
    oms = jnp.linspace(0.2, 0.4, 7)
    batched = jax.vmap(lambda om: cosmo.comoving_distance({"H0": 70.0, "Omega_m": om}, Z))(oms)
    one = jax.jit(lambda om: cosmo.comoving_distance({"H0": 70.0, "Omega_m": om}, Z))
    loop = jnp.stack([one(om) for om in oms])
    np.testing.assert_allclose(batched, loop, rtol=1e-14)
    zgrid = jnp.linspace(0.1, 3, 12).reshape(3, 4)
    assert jax.jit(cosmo.luminosity_distance)(FIDUCIAL, zgrid).shape == (3, 4)


def test_unknown_and_missing_parameters_raise():
    with pytest.raises(ValueError, match=r"unknown cosmology parameter 'Omega_M' \(did you mean 'Omega_m'\?\); valid: .*H0"):
        cosmo.comoving_distance({"H0": 70.0, "Omega_M": 0.3}, 1.0)
    with pytest.raises(ValueError, match=r"missing required cosmology parameter\(s\) 'Omega_m'"):
        cosmo.E({"H0": 70.0}, 1.0)
    with pytest.raises(ValueError, match=r"missing .*'Omega_b'"):
        cosmo.sound_horizon_drag({"H0": 70.0, "Omega_m": 0.3})
    with pytest.raises(ValueError, match=r"unknown z_drag method 'EH'; valid: aizpuru2021, eh98"):
        cosmo.z_drag({"H0": 70.0, "Omega_m": 0.3, "Omega_b": 0.05}, method="EH")
    with pytest.raises(ValueError, match="either 'H0' or 'h'"):
        cosmo.from_physical({"H0": 70.0, "h": 0.7, "omega_b": 0.02, "omega_c": 0.1})
    with pytest.raises(ValueError, match="params must be a dict"):
        cosmo.E([70.0, 0.3], 1.0)


def test_unphysical_parameters_are_flagged_without_nan():
    ok = jax.jit(cosmo.is_physical)
    assert bool(ok(FIDUCIAL))
    bad = [
        {"H0": 70.0, "Omega_m": -0.1},
        {"H0": -70.0, "Omega_m": 0.3},
        {"H0": 70.0, "Omega_m": 0.3, "m_nu": -0.1},
        {"H0": 70.0, "Omega_m": 0.05, "Omega_k": -1.5, "T_cmb": 0.0},  # E^2 < 0 (bounce)
        {"H0": 70.0, "Omega_m": 0.3, "Omega_k": -0.9},  # closed beyond the antipode
    ]
    for p in bad:
        assert not bool(ok(p)), p
    # Omega_b is read (and checked) only by early-universe quantities
    assert bool(ok({"H0": 70.0, "Omega_m": 0.3, "Omega_b": 0.5}))
    assert not bool(cosmo.is_physical({"H0": 70.0, "Omega_m": 0.3, "Omega_b": 0.5}, early=True))


def test_random_sweep_sanitized_values_and_gradients_are_finite():
    rng = np.random.default_rng(1)
    n = 2000
    box = {"H0": (-50, 150), "Omega_m": (-0.5, 1.5), "Omega_b": (-0.1, 0.3), "Omega_k": (-1.5, 1.5),
           "w0": (-4, 2), "wa": (-4, 3), "m_nu": (-0.5, 2), "T_cmb": (0.0, 4.0), "N_eff": (0.0, 6.0)}
    theta = np.column_stack([rng.uniform(*box[k], n) for k in box])

    def f(t):
        ok, p = cosmo.sanitize(dict(zip(box, t)), early=True)
        v = jnp.sum(cosmo.distance_modulus(p, Z)) + cosmo.sound_horizon_drag(p) + cosmo.acoustic_scale(p)
        return jnp.where(ok, v, -jnp.inf), ok

    (vals, ok), grads = jax.jit(jax.vmap(jax.value_and_grad(f, has_aux=True)))(jnp.asarray(theta))
    vals, ok = np.asarray(vals), np.asarray(ok)
    assert 0.05 < ok.mean() < 0.95  # the box straddles the physical boundary
    assert np.all(np.isfinite(vals[ok])) and np.all(vals[~ok] == -np.inf)
    assert np.all(np.isfinite(np.asarray(grads)))


def test_many_redshift_jacobian_and_hessian_match_differences():
    # the built-in distance integral has a custom JVP: check it on the cumulative (> 16 z) path,
    # w.r.t. the redshifts too, and at second order (Fisher matrices use jax.hessian)
    z = jnp.asarray(np.geomspace(0.01, 3.0, 40))
    theta = jnp.asarray([FIDUCIAL[n] for n in NAMES])

    def chi2(t, zz):
        mu = cosmo.distance_modulus(dict(zip(NAMES, t)), zz)
        return jnp.sum((mu - 40.0) ** 2)

    g = jax.jit(jax.grad(chi2, argnums=(0, 1)))
    gt, gz = g(theta, z)
    hess = np.asarray(jax.jit(jax.hessian(chi2))(theta, z))
    f = jax.jit(chi2)
    for i in range(len(NAMES)):
        # m_nu at fixed Omega_m barely moves low-z distances (its NR density is in Omega_m), so
        # its derivative is ~1e-6 of the largest: a wider step keeps the difference above round-off
        h = (1e-3 if NAMES[i] == "m_nu" else 1e-5) * max(abs(float(theta[i])), 1e-2)
        e = jnp.zeros_like(theta).at[i].set(h)
        fd = (f(theta + e, z) - f(theta - e, z)) / (2 * h)
        scale = float(jnp.max(jnp.abs(gt)))
        np.testing.assert_allclose(float(gt[i]), float(fd), rtol=1e-6, atol=1e-9 * scale, err_msg=NAMES[i])
        gfd = (g(theta + e, z)[0] - g(theta - e, z)[0]) / (2 * h)
        np.testing.assert_allclose(hess[:, i], np.asarray(gfd), rtol=1e-5, atol=1e-6 * np.abs(hess).max())
    dz = 1e-6
    k = 7
    fd_z = (f(theta, z.at[k].add(dz)) - f(theta, z.at[k].add(-dz))) / (2 * dz)
    assert abs(float(gz[k]) / float(fd_z) - 1) < 1e-6


@pytest.mark.parametrize("hierarchy", neutrinos.HIERARCHIES)
def test_distance_jvp_leaves_out_exactly_the_partials_that_are_zero(hierarchy):
    # the distance integral's JVP integrates only the E^2 partials that can be nonzero; those it
    # leaves out (the y of states that cannot carry mass) must be zero at every node, whatever
    # the parameters, and those it keeps must not be
    massive = neutrinos.NeutrinoHierarchy(hierarchy).massive
    live = densities.nonzero_partials(massive)
    a = jnp.asarray(np.geomspace(1e-4, 1.0, 50))
    rng = np.random.default_rng(1)
    for m_nu in (0.12, 0.3):  # above every hierarchy's minimum sum
        coef = densities.e2_coefficients({"H0": 67.0, "Omega_m": 0.31, "m_nu": m_nu, "w0": -0.9,
                                          "wa": rng.uniform(-0.5, 0.5), "Omega_k": 0.01,
                                          "neutrino_hierarchy": hierarchy})
        _, partials = densities.e2_and_partials(coef, a, massive)
        dead = np.setdiff1d(np.arange(partials.shape[0]), live)
        assert np.all(np.asarray(partials)[dead] == 0.0)
        assert np.all(np.any(np.asarray(partials)[live] != 0.0, axis=1))
    assert len(live) == 10 - (3 - len(massive))

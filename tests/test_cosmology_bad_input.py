"""The cosmology contract for unphysical input: eager calls raise, traced calls give NaN,
likelihoods give -inf with finite gradients."""

import numpy as np
import pytest

import jax
import jax.numpy as jnp

from hicosmo_nb import cosmology as cosmo
from hicosmo_nb import likelihoods

GOOD = {"H0": 67.36, "Omega_m": 0.3153, "Omega_b": 0.0493, "Omega_k": 0.0, "w0": -1.0, "wa": 0.0,
        "T_cmb": 2.7255, "N_eff": 3.046, "m_nu": 0.06}
Z = np.array([0.1, 0.5, 1.0, 2.0])
EV = cosmo.DistanceEvaluator(Z)

# name -> f(params, z); early ones read Omega_b
LATE = {
    "E": cosmo.E, "H": cosmo.H, "comoving_distance": cosmo.comoving_distance,
    "transverse_comoving_distance": cosmo.transverse_comoving_distance,
    "angular_diameter_distance": cosmo.angular_diameter_distance,
    "luminosity_distance": cosmo.luminosity_distance, "distance_modulus": cosmo.distance_modulus,
    "hubble_distance": cosmo.hubble_distance, "volume_averaged_distance": cosmo.volume_averaged_distance,
    "lookback_time": cosmo.lookback_time, "age": cosmo.age,
    "DistanceEvaluator.luminosity_distance": lambda p, z: EV.luminosity_distance(p),
    "DistanceEvaluator.distance_modulus": lambda p, z: EV.distance_modulus(p),
}
EARLY = {
    "z_drag": lambda p, z: cosmo.z_drag(p), "z_star": lambda p, z: cosmo.z_star(p),
    "sound_horizon": cosmo.sound_horizon, "sound_horizon_drag": lambda p, z: cosmo.sound_horizon_drag(p),
    "shift_parameter": lambda p, z: cosmo.shift_parameter(p),
    "acoustic_scale": lambda p, z: cosmo.acoustic_scale(p), "DM_over_rd": cosmo.DM_over_rd,
    "DH_over_rd": cosmo.DH_over_rd, "DV_over_rd": cosmo.DV_over_rd,
}
BAD = [  # (parameter changes, name in the message, value in the message)
    ({"H0": -70.0}, "H0", "-70.0"),
    ({"Omega_m": -0.1}, "Omega_m", "-0.1"),
    ({"Omega_k": -2.0}, "Omega_k=-2.0", r"E\(z\)\^2"),
    ({"T_cmb": -1.0}, "T_cmb", "-1.0"),
    ({"m_nu": -0.1}, "m_nu", "-0.1"),
    ({"N_eff": -1.0}, "N_eff", "-1.0"),
    ({"H0": float("nan")}, "H0", "nan"),
]
EARLY_BAD = BAD + [({"Omega_b": -0.01}, "Omega_b", "-0.01"), ({"Omega_b": 0.4}, "Omega_m", "0.3153")]


def _rows(cases):
    return {k: jnp.asarray([{**GOOD, **c}[k] for c, _, _ in cases]) for k in GOOD}


@pytest.mark.parametrize("name", list(LATE) + list(EARLY))
def test_eager_raises_and_traced_gives_nan(name):
    f = {**LATE, **EARLY}[name]
    cases = EARLY_BAD if name in EARLY else BAD
    caller = name.split(".")[-1]
    for change, label, value in cases:
        with pytest.raises(ValueError, match=rf"{caller}: .*{label}.*{value}.*allowed"):
            f({**GOOD, **change}, Z)
    out = jax.jit(jax.vmap(lambda p: f(p, Z)))(_rows(cases))
    assert np.all(np.isnan(np.asarray(out)))
    good = np.asarray(f(GOOD, Z))
    assert np.all(np.isfinite(good))
    np.testing.assert_allclose(np.asarray(jax.jit(f)(GOOD, Z)), good, rtol=1e-13)
    grad = jax.jit(jax.grad(lambda h: jnp.sum(f({**GOOD, "H0": h}, Z))))
    assert np.isnan(float(grad(-70.0))) and np.isfinite(float(grad(70.0)))


@pytest.mark.parametrize("z, value", [(-0.5, "-0.5"), (-1.0, "-1.0"), (np.inf, "inf")])
def test_bad_redshifts(z, value):
    for f in (cosmo.comoving_distance, cosmo.luminosity_distance, cosmo.E, cosmo.lookback_time):
        with pytest.raises(ValueError, match=rf"z = {value} is unphysical; allowed: finite z >= 0"):
            f(GOOD, z)
        assert np.isnan(float(jax.jit(f)(GOOD, z)))
    with pytest.raises(ValueError, match="finite z >= 0"):
        cosmo.DistanceEvaluator([0.5, z])


def test_omega_b_is_checked_only_where_read():
    p = {"H0": 70.0, "Omega_m": 0.05, "Omega_b": 0.0493, "m_nu": 0.06}  # Omega_cb < Omega_b
    assert np.isfinite(float(cosmo.luminosity_distance(p, 1.0)))
    with pytest.raises(ValueError, match="sound_horizon_drag: Omega_m = 0.05 is unphysical"):
        cosmo.sound_horizon_drag(p)
    lk = likelihoods.get("union3")
    assert np.isfinite(float(lk({"Omega_m": 0.05})))
    assert np.isfinite(float(lk({"Omega_m": 0.0015})))  # CDM + baryons >= 0 is all SNe need


BOX = {"H0": (-40.0, 140.0), "Omega_m": (-0.4, 1.4), "Omega_b": (-0.05, 0.3), "Omega_k": (-1.5, 1.5),
       "w0": (-4.0, 2.0), "wa": (-4.0, 3.0), "m_nu": (-0.3, 1.5), "T_cmb": (-1.0, 4.0),
       "N_eff": (-1.0, 6.0)}


def _sweep(n, seed):
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(*BOX[k], n) for k in BOX}


def test_random_sweep_eager_and_traced_agree():
    theta = _sweep(24, 0)
    jitted = jax.jit(jax.vmap(lambda p: cosmo.luminosity_distance(p, Z)))(
        {k: jnp.asarray(v) for k, v in theta.items()})
    jitted = np.asarray(jitted)
    raised = 0
    for i in range(24):
        p = {k: float(v[i]) for k, v in theta.items()}
        ok = bool(cosmo.validity(p, Z)[0])
        try:
            eager = np.asarray(cosmo.luminosity_distance(p, Z))
        except ValueError as err:
            raised += 1
            assert not ok and "is unphysical" in str(err) or "E(z)^2" in str(err)
            assert np.all(np.isnan(jitted[i]))  # never a finite wrong value
            continue
        assert ok
        np.testing.assert_allclose(jitted[i], eager, rtol=1e-12)
    assert 0 < raised < 24


def test_random_sweep_jitted_never_finite_when_unphysical():
    theta = {k: jnp.asarray(v) for k, v in _sweep(400, 1).items()}
    cases = [(lambda p: cosmo.comoving_distance(p, Z), False, None),
             (lambda p: cosmo.age(p), False, np.inf),
             (lambda p: cosmo.sound_horizon_drag(p), True, None),
             (lambda p: EV.distance_modulus(p), False, None)]
    for f, early, z_max in cases:
        out = np.asarray(jax.jit(jax.vmap(f))(theta))
        ok = np.asarray(jax.vmap(lambda p: cosmo.validity(p, Z, early=early,
                                                          z_max=z_max)[0])(theta))
        assert 0.02 < ok.mean() < 0.98
        bad_rows = ~ok if out.ndim == 1 else ~ok[:, None] & np.ones_like(out, bool)
        assert np.all(np.isnan(out[bad_rows]))


def test_flag_skips_the_grid_only_where_positivity_is_certain():
    """is_physical (the likelihoods' guard) skips the E(z)^2 grid where every term of E^2 is >= 0
    and matter's > 0 (lax.cond); its verdict equals validity()'s full grid at every point, batched
    (the cond becomes a select) and one point at a time (the cond skips a branch). The box mixes
    closed and open universes, negative dark energy and phantom crossings."""
    rng = np.random.default_rng(7)
    box = {"H0": (40.0, 100.0), "Omega_m": (-0.05, 1.6), "Omega_b": (0.0, 0.1), "Omega_k": (-0.8, 0.8),
           "w0": (-3.0, 1.0), "wa": (-4.0, 3.0), "m_nu": (-0.1, 1.0), "N_eff": (-1.0, 5.0), "T_cmb": (0.0, 4.0)}
    theta = {k: rng.uniform(*b, 300) for k, b in box.items()}
    for z_max, early in ((2.33, False), ((2.26, 2.33, 1.97), True), (1100.0, False)):
        grid = np.asarray(jax.vmap(lambda p: cosmo.validity(
            p, z_max, z_max=z_max if isinstance(z_max, tuple) else None, early=early, turnover=True)[0])(theta))
        flag = np.asarray(jax.jit(jax.vmap(lambda p: cosmo.is_physical(p, z_max, early=early)))(theta))
        np.testing.assert_array_equal(flag, grid)
        assert 0.1 < grid.mean() < 0.9
        one = jax.jit(lambda p: cosmo.is_physical(p, z_max, early=early))
        for i in range(40):
            assert bool(one({k: v[i] for k, v in theta.items()})) == grid[i]
        assert " cond[" in str(jax.make_jaxpr(one)({k: v[0] for k, v in theta.items()}))


@pytest.mark.parametrize("name, options", [("union3", {}), ("desi_dr2_bao", {"rd": "free"}),
                                           ("desi_dr2_bao", {}), ("cc", {})])
def test_likelihoods_minus_inf_with_finite_gradients(name, options):
    lk = likelihoods.get(name, **options)
    extra = {"hrd": 99.0} if "hrd" in lk.param_names else {}
    theta = {k: jnp.asarray(v) for k, v in _sweep(64, 2).items()}
    vg = jax.jit(jax.vmap(jax.value_and_grad(lambda p: lk({**p, **extra}))))
    val, grad = vg(theta)
    val = np.asarray(val)
    assert np.any(val == -np.inf) and np.any(np.isfinite(val))
    assert np.all((val == -np.inf) | np.isfinite(val))
    assert all(np.all(np.isfinite(np.asarray(g))) for g in grad.values())


def test_array_none_and_zero_redshift_inputs_are_named():
    # issue 21: raw JAX messages ("mul got incompatible shapes", "None is not a valid value")
    with pytest.raises(ValueError, match=r"cosmology: parameter 'H0' must be a scalar, got shape \(2,\); "
                                         r"to evaluate several points use jax.vmap"):
        cosmo.H({"H0": [70.0, 71.0], "Omega_m": 0.3}, 1.0)
    with pytest.raises(ValueError, match=r"cosmology parameter 'Omega_m' is None; give a number"):
        cosmo.comoving_distance({"H0": 70.0, "Omega_m": None}, 1.0)
    with pytest.raises(ValueError, match=r"distance_modulus: z = 0.0; z must be > 0 for a distance modulus"):
        cosmo.distance_modulus(GOOD, 0.0)
    with pytest.raises(ValueError, match=r"distance_modulus: z = 0.0"):
        cosmo.distance_modulus(GOOD, np.array([0.5, 0.0]))
    assert np.isnan(float(jax.jit(cosmo.distance_modulus)(GOOD, 0.0)))
    assert np.isfinite(float(jax.jit(cosmo.distance_modulus)(GOOD, 0.5)))
    ev = cosmo.DistanceEvaluator([0.0, 0.5])  # D_M and D_L at z = 0 are fine (0), mu is not
    assert float(ev.luminosity_distance(GOOD)[0]) == 0.0
    for call in (ev.distance_modulus, jax.jit(ev.distance_modulus)):
        with pytest.raises(ValueError, match=r"DistanceEvaluator.distance_modulus: z = 0.0 among the "
                                             r"redshifts; z must be > 0"):
            call(GOOD)
    mu = cosmo.DistanceEvaluator([0.5]).distance_modulus(GOOD)
    assert float(mu[0]) == pytest.approx(float(cosmo.distance_modulus(GOOD, 0.5)), rel=1e-12)
    for rd in (0.0, -147.0, np.nan):
        with pytest.raises(ValueError, match=r"rd = .* Mpc is unphysical; allowed: finite rd > 0"):
            cosmo.DM_over_rd(GOOD, 1.0, rd=rd)
    assert np.isnan(float(jax.jit(lambda p, r: cosmo.DM_over_rd(p, 1.0, rd=r))(GOOD, -147.0)))


def test_likelihood_registry_inputs_are_named():
    with pytest.raises(ValueError, match=r"dataset name must be a str, got None; valid: "):
        likelihoods.get(None)
    with pytest.raises(ValueError, match=r"model_params \['H0'\] are standard cosmology parameters"):
        likelihoods.get("cc", model_params="H0", efunc=lambda p, z: 1.0 + z)
    lk = likelihoods.get("cc", model_params="w1", de_density=lambda p, z: (1 + z) ** (3 * p["w1"]))
    assert "w1" in lk.param_names  # one name, not 'w', '1'


def test_lower_case_omegas_are_times_h2():
    # issue 21: omega_gamma returned Omega_gamma while omega_nu is Omega_nu h^2; one convention.
    # Reference: astropy's photon density (CODATA constants of its own) times h^2.
    from astropy.cosmology import FlatLambdaCDM

    for h0 in (50.0, 67.36, 90.0):
        og = float(cosmo.omega_gamma({"H0": h0, "T_cmb": 2.7255}))
        ref = FlatLambdaCDM(H0=h0, Om0=0.3, Tcmb0=2.7255).Ogamma0 * (h0 / 100.0) ** 2
        assert og == pytest.approx(ref, rel=1e-8)
    p = {"H0": 70.0, "m_nu": 0.0, "N_eff": 3.046}
    ratio = float(cosmo.omega_nu(p) / cosmo.omega_gamma(p))  # massless: both relativistic, both x h^2
    assert ratio == pytest.approx(7 / 8 * (4 / 11) ** (4 / 3) * 3.046, rel=1e-12)
    d = cosmo.density_parameters({"H0": 70.0})
    assert float(d["Omega_gamma"]) == pytest.approx(float(cosmo.omega_gamma({})) / 0.49, rel=1e-14)

"""sinc_curvature (the curvature step D_M = D_H0 x sinc(Omega_k x^2)) against numpy's sinh/sin."""

import jax
import jax.numpy as jnp
import numpy as np

from hicosmo_nb.cosmology import sinc_curvature


def _reference(u):
    u = np.asarray(u, dtype=np.float64)
    r = np.sqrt(np.abs(u))
    with np.errstate(all="ignore"):
        ref = np.where(u > 0, np.sinh(r) / r, np.sin(r) / r)
    small = np.abs(u) < 1e-6  # the Taylor series is exact to 1e-19 there
    return np.where(small, 1.0 + u / 6.0 + u * u / 120.0, ref)


def _reference_derivative(u):
    r = np.sqrt(np.abs(u))
    if abs(u) < 1e-6:
        return 1.0 / 6.0 + u / 60.0
    f, g = (np.sinh(r), np.cosh(r)) if u > 0 else (np.sin(r), np.cos(r))
    return g / (2 * u) - f / (2 * r * u)


def test_values_match_sinh_and_sin_on_both_sides_of_every_branch_edge():
    u = np.concatenate([np.linspace(-1e3, 1e3, 20001), np.geomspace(1e-12, 1e3, 2000),
                        -np.geomspace(1e-12, 1e3, 2000),
                        [0.0, 20.0, -20.0, np.nextafter(20.0, 30.0), np.nextafter(-20.0, -30.0), 1e-4, -1e-4]])
    got, ref = np.asarray(sinc_curvature(u)), _reference(u)
    assert np.max(np.abs(got - ref)) < 1e-15 * np.maximum(1.0, np.abs(ref)).max()
    big = np.abs(ref) > 1e-3
    assert np.max(np.abs(got[big] / ref[big] - 1.0)) < 1e-13
    assert float(sinc_curvature(0.0)) == 1.0


def test_derivative_matches_the_analytic_one_and_is_finite_everywhere():
    for u in (-500.0, -30.0, -20.0, -19.9, -5.0, -1e-8, 0.0, 1e-8, 5.0, 19.9, 20.0, 30.0, 500.0):
        got = float(jax.grad(sinc_curvature)(u))
        assert abs(got - _reference_derivative(u)) <= 1e-12 * max(1.0, abs(got)), u
    grads = jax.vmap(jax.grad(sinc_curvature))(jnp.linspace(-2e3, 2e3, 4001))
    assert bool(jnp.all(jnp.isfinite(grads)))


def test_curvature_step_gives_sinh_and_cosh_or_sin_and_cos():
    from hicosmo_nb.cosmology import curvature_step

    x = np.array([0.01, 0.5, 2.0, 3.0])
    for ok in (0.3, -0.3):
        r = np.sqrt(abs(ok)) * x
        ref = (np.sinh(r), np.cosh(r)) if ok > 0 else (np.sin(r), np.cos(r))
        s, ds = curvature_step(ok, x)
        np.testing.assert_allclose(np.asarray(s), ref[0] / np.sqrt(abs(ok)), rtol=1e-13)
        np.testing.assert_allclose(np.asarray(ds), ref[1], rtol=1e-13)
    traced = jax.jit(curvature_step)(0.0, x)  # a traced zero: the full functions, the same numbers
    for got, ref in zip(traced, (x, np.ones_like(x))):
        np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-15)


def test_a_flat_model_without_omega_k_traces_no_curvature_function(monkeypatch):
    """Omega_k absent (or fixed): nothing differentiates by it, so the gradient program of the
    SN likelihood and of D_M holds no curvature function (its derivatives were 100 of the SN
    gradient's 178 compiled kernels); with Omega_k free they are traced and agree at 0."""
    import hicosmo_nb.cosmology as cosmology
    import hicosmo_nb.cosmology.integrals as integrals
    from hicosmo_nb import likelihoods
    from hicosmo_nb.data import SNData

    calls = []

    def counting(u):
        calls.append(1)
        return sinc_curvature(u)

    monkeypatch.setattr(integrals, "sinc_curvature", counting)
    monkeypatch.setattr(cosmology, "sinc_curvature", counting)
    rng = np.random.default_rng(3)
    z = np.sort(rng.uniform(0.01, 2.0, 300))
    mu = np.asarray(cosmology.distance_modulus({"H0": 70.0, "Omega_m": 0.3}, z))
    data = SNData(z=z, z_hel=z, mag=mu - 19.3 + rng.normal(0, 0.1, z.size), cov=np.diag(np.full(z.size, 0.01)),
                  name="toy", mag_kind="m_b")
    lk = likelihoods.sn_likelihood(data, marginalize_M=False, method="compressed")
    ev = cosmology.DistanceEvaluator(z)
    p = {"Omega_m": 0.31, "M": -19.3}

    def flat(q):
        return lk.loglike({**p, **q}), ev.transverse_comoving_distance({"H0": 70.0, **q})

    g_flat = jax.jit(jax.jacfwd(flat))({"Omega_m": 0.31})
    assert calls == []
    g_free = jax.jit(jax.jacfwd(flat))({"Omega_m": 0.31, "Omega_k": 0.0})
    assert calls
    for a, b in zip(g_flat, g_free):
        np.testing.assert_allclose(np.asarray(a["Omega_m"]), np.asarray(b["Omega_m"]), rtol=1e-12)

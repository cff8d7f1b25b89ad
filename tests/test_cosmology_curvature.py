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

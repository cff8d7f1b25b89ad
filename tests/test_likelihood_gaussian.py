"""The general Gaussian builder: normalization, custom JVP, key checks, vmap, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.stats import multivariate_normal

from hicosmo_nb.likelihoods import combine, gaussian, gaussian_prior, h0_prior
from hicosmo_nb.likelihoods._common import factorize, quadratic_form

X = jnp.linspace(0.0, 1.0, 6)


def _cov(scale, seed=0, n=6):
    a = np.random.default_rng(seed).normal(size=(n, n))
    return scale * (a @ a.T / n + np.eye(n))


def _line(p):
    return p["a"] * X + p["b"]


@pytest.mark.parametrize("scale", [1e-3, 1.0, 50.0])  # log det negative, ~0 and positive
@pytest.mark.parametrize("method", ["inverse", "cholesky"])
def test_matches_scipy_logpdf(scale, method):
    cov = _cov(scale)
    data = np.random.default_rng(2).normal(size=6)
    lk = gaussian(data, cov, _line, param_names=("a", "b"), method=method)
    p = {"a": 0.3, "b": -0.2}
    ref = multivariate_normal(mean=np.asarray(_line(p)), cov=cov).logpdf(data)
    assert float(lk(p)) == pytest.approx(ref, rel=1e-12, abs=1e-12)
    assert np.sign(lk.metadata["logdet_cov"]) == np.sign(np.linalg.slogdet(cov)[1])
    assert lk.is_gaussian and lk.param_names == ("a", "b")


def test_custom_jvp_gradient_equals_plain_autodiff_and_finite_differences():
    cov = _cov(0.1)
    f = factorize(cov, "t")
    q = quadratic_form(f)
    r = jnp.asarray(np.random.default_rng(3).normal(size=6))
    cinv = jnp.asarray(np.linalg.inv(cov))
    np.testing.assert_allclose(jax.grad(q)(r), jax.grad(lambda r: r @ cinv @ r)(r), rtol=1e-10)
    np.testing.assert_allclose(jax.hessian(q)(r), 2 * cinv, rtol=1e-9)
    data = np.asarray(_line({"a": 1.0, "b": 0.5})) + 0.1
    lk = gaussian(data, cov, _line, param_names=("a", "b"))
    g = jax.grad(lk.loglike)({"a": 0.7, "b": 0.2})
    h = 1e-6
    fd = (float(lk({"a": 0.7 + h, "b": 0.2})) - float(lk({"a": 0.7 - h, "b": 0.2}))) / (2 * h)
    assert float(g["a"]) == pytest.approx(fd, rel=1e-6)


def test_value_and_grad_costs_one_matvec():
    """Reverse mode reuses C^-1 r from the primal: compiled flops stay ~2 n^2, not 4 n^2."""
    n = 400
    lk = gaussian(np.zeros(n), _cov(1.0, n=n), lambda p: p["a"] * jnp.ones(n), param_names=("a",))

    def flops(fn):
        cost = jax.jit(fn).lower({"a": 0.1}).compile().cost_analysis()
        return (cost[0] if isinstance(cost, list) else cost)["flops"]

    value, both = flops(lk.loglike), flops(jax.value_and_grad(lk.loglike))
    assert value >= 2 * n * n
    assert both < 1.2 * value  # a second mat-vec would add another 2 n^2


def test_key_validation_at_trace_time():
    lk = gaussian(np.zeros(6), _cov(1.0), _line, param_names=("a", "b"), optional_names=("Omega_k",),
                  name="line")
    with pytest.raises(ValueError, match="likelihood 'line': missing required parameter\\(s\\) 'b'"):
        lk({"a": 1.0})
    with pytest.raises(ValueError, match="unknown parameter\\(s\\) 'omega_K' \\(did you mean 'Omega_k'\\?\\)"):
        lk({"a": 1.0, "b": 0.0, "omega_K": 0.1})
    with pytest.raises(ValueError, match="'A' \\(did you mean 'a'\\?\\)"):
        lk({"a": 1.0, "b": 0.0, "A": 0.1})
    with pytest.raises(ValueError, match="params must be a dict"):
        lk([1.0, 2.0])
    # Keys of other likelihoods (registered or clearly unrelated) are accepted.
    assert np.isfinite(float(lk({"a": 1.0, "b": 0.0, "hrd": 100.0, "my_nuisance": 3.0})))


def test_builder_errors():
    with pytest.raises(ValueError, match="covariance is not positive definite"):
        gaussian(np.zeros(2), [[1.0, 2.0], [2.0, 1.0]], _line, param_names=("a",), name="g")
    with pytest.raises(ValueError, match="covariance is not symmetric"):
        gaussian(np.zeros(2), [[1.0, 0.5], [0.4, 1.0]], _line, param_names=("a",), name="g")
    with pytest.raises(ValueError, match="g: covariance is 2x2 but data has 3 entries"):
        gaussian(np.zeros(3), np.eye(2), _line, param_names=("a",), name="g")
    with pytest.raises(ValueError, match="g: data has non-finite entries"):
        gaussian([0.0, np.nan], np.eye(2), _line, param_names=("a",), name="g")
    with pytest.raises(ValueError, match="method must be 'inverse' or 'cholesky', got 'lu'"):
        gaussian(np.zeros(2), np.eye(2), _line, param_names=("a",), method="lu")
    with pytest.raises(ValueError, match="theory must be a callable"):
        gaussian(np.zeros(2), np.eye(2), "line", param_names=("a",), name="g")
    with pytest.raises(ValueError, match="need finite mean and sigma > 0, got mean=73.0, sigma=-1.0"):
        gaussian_prior("H0", 73.0, -1.0)


def test_physical_flag_gives_minus_inf_with_finite_gradient():
    lk = gaussian(np.zeros(6), _cov(1.0), _line, param_names=("a", "b"),
                  physical=lambda p: p["a"] > 0)
    assert float(lk({"a": -1.0, "b": 0.0})) == -np.inf
    g = jax.grad(lk.loglike)({"a": -1.0, "b": 0.0})
    assert all(np.isfinite(float(v)) for v in g.values())


def test_vmap_equals_loop_and_no_recompile():
    lk = gaussian(np.zeros(6), _cov(1.0), _line, param_names=("a", "b"))
    a = jnp.linspace(-1, 1, 7)
    batch = jax.vmap(lk.loglike)({"a": a, "b": 0.5 * a})
    loop = [float(lk({"a": float(x), "b": 0.5 * float(x)})) for x in a]
    np.testing.assert_allclose(batch, loop, rtol=1e-13)
    before = lk.loglike._cache_size()
    for x in (0.1, 0.2, 0.3):
        lk({"a": x, "b": x})
    assert lk.loglike._cache_size() == before


def test_h0_prior_and_combination():
    sh0es = h0_prior()
    assert float(sh0es({"H0": 73.04})) == pytest.approx(-0.5 * np.log(2 * np.pi * 1.04**2), rel=1e-14)
    assert float(sh0es({"H0": 75.12})) - float(sh0es({"H0": 73.04})) == pytest.approx(-2.0, rel=1e-12)
    other = gaussian_prior("Omega_m", 0.3, 0.01)
    both = combine(sh0es, other)
    assert both.param_names == ("H0", "Omega_m")
    p = {"H0": 70.0, "Omega_m": 0.31}
    assert float(both(p)) == pytest.approx(float(sh0es(p)) + float(other(p)), rel=1e-14)


def test_nan_theory_gives_minus_inf_with_finite_gradient():
    # issue 21: a user theory that is NaN where unphysical (sqrt of a negative number) gave a
    # NaN gradient; the README promises finite ones. Reference: plain autodiff where it is finite.
    x = jnp.arange(6.0)
    lk = gaussian(np.ones(6), _cov(1.0), lambda p: jnp.sqrt(p["a"]) * x + p["b"], param_names=("a", "b"))
    assert float(lk({"a": -1.0, "b": 0.0})) == -np.inf
    g = jax.grad(lk.loglike)({"a": -1.0, "b": 0.0})
    assert all(np.isfinite(float(v)) for v in g.values())
    ref = jax.grad(lambda a, b: lk.loglike({"a": a, "b": b}), (0, 1))
    cinv = np.linalg.inv(np.asarray(_cov(1.0)))

    def direct(a, b):
        r = 1.0 - (jnp.sqrt(a) * x + b)
        return -0.5 * r @ cinv @ r

    np.testing.assert_allclose(ref(0.7, 0.2), jax.grad(direct, (0, 1))(0.7, 0.2), rtol=1e-12)
    np.testing.assert_allclose(jax.hessian(lambda v: lk.loglike({"a": v[0], "b": v[1]}))(jnp.array([0.7, 0.2])),
                               jax.hessian(lambda v: direct(v[0], v[1]))(jnp.array([0.7, 0.2])), rtol=1e-10)

"""Observed / expected Fisher matrices from Likelihood objects, derived quantities, boundaries."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb.fisher import (
    FisherMatrix,
    check_boundaries,
    derived_errors,
    derived_fisher,
    fisher_expected,
    fisher_gaussian,
    fisher_observed,
)
from hicosmo_nb.likelihoods.base import Likelihood

NAMES = ("p0", "p1", "p2")
TRUE = np.array([0.5, -1.0, 2.0])


def _linear_model(seed=0, n=40):
    """y = A theta with a dense, well-conditioned covariance."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 1.0, n)
    A = np.stack([np.ones(n), x, x**2], axis=1)
    L = rng.normal(size=(n, n)) * 0.02
    C = L @ L.T + np.diag(np.full(n, 0.05**2))
    return A, C


def _gaussian_likelihood(A, C, data, name="linear"):
    Cinv = jnp.asarray(np.linalg.inv(C))
    A_j, d_j = jnp.asarray(A), jnp.asarray(data)

    def theory(p):
        return A_j @ jnp.stack([p[n] for n in NAMES])

    def loglike(p):
        r = d_j - theory(p)
        return -0.5 * r @ Cinv @ r

    return Likelihood(jax.jit(loglike), NAMES, name, data=d_j, cov=jnp.asarray(C), theory=theory)


@pytest.fixture(scope="module")
def linear():
    A, C = _linear_model()
    data = A @ TRUE + np.random.default_rng(1).multivariate_normal(np.zeros(len(C)), C)
    return A, C, data, _gaussian_likelihood(A, C, data)


def test_linear_model_fisher_is_analytic(linear):
    A, C, data, lk = linear
    analytic = A.T @ np.linalg.solve(C, A)
    fid = dict(zip(NAMES, [0.3, 0.2, -0.7]))  # any point: the model is linear
    f_obs = fisher_observed(lk, fid)
    f_exp = fisher_expected(lk, fid)
    np.testing.assert_allclose(f_obs.matrix, analytic, rtol=1e-9)
    np.testing.assert_allclose(f_exp.matrix, analytic, rtol=1e-9)
    sig = np.sqrt(np.diag(np.linalg.inv(analytic)))
    np.testing.assert_allclose([f_obs.marginalized_errors()[n] for n in NAMES], sig, rtol=1e-8)
    assert f_obs.names == NAMES and f_obs.name == "linear"


def test_coverage_of_fisher_errors_by_simulation(linear):
    """Frequentist check: over data realizations, the truth lies inside the 68.3% (2-D) ellipse
    around the maximum-likelihood estimate in 68.3% of cases, and the 1-D interval covers 68.3%."""
    A, C, _, lk = linear
    F = fisher_expected(lk, dict(zip(NAMES, TRUE)))
    cov2 = F.marginal(["p0", "p1"]).covariance
    rng = np.random.default_rng(7)
    n = 4000
    data = A @ TRUE + rng.multivariate_normal(np.zeros(len(C)), C, size=n)
    est = np.linalg.solve(A.T @ np.linalg.solve(C, A), (np.linalg.solve(C, A)).T @ data.T).T
    d = est[:, :2] - TRUE[:2]
    chi2 = np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov2), d)
    mc_err = np.sqrt(0.683 * 0.317 / n)
    assert np.mean(chi2 <= 2.2957) == pytest.approx(0.6827, abs=3 * mc_err)
    assert np.mean(chi2 <= 6.1801) == pytest.approx(0.9545, abs=3 * np.sqrt(0.0455 * 0.9545 / n))
    inside_1d = np.abs(est[:, 2] - TRUE[2]) <= F.marginalized_errors()["p2"]
    assert np.mean(inside_1d) == pytest.approx(0.6827, abs=3 * mc_err)


def test_nonlinear_observed_equals_expected_on_noise_free_data():
    """With data = model(fiducial) the residual vanishes, so -hessian = J^T C^-1 J exactly.
    Compared with the Jacobian written out by hand."""
    x = np.linspace(0.1, 2.0, 25)
    C = np.diag(np.full(25, 0.1**2)) + 0.002
    names = ("amp", "rate")

    def theory(p):
        return p["amp"] * jnp.exp(-p["rate"] * jnp.asarray(x))

    fid = {"amp": 2.0, "rate": 0.7}
    data = np.asarray(theory(fid))
    Cinv = jnp.asarray(np.linalg.inv(C))

    def loglike(p):
        r = jnp.asarray(data) - theory(p)
        return -0.5 * r @ Cinv @ r

    lk = Likelihood(loglike, names, "exp", data=jnp.asarray(data), cov=jnp.asarray(C), theory=theory)
    J = np.stack([np.exp(-0.7 * x), -2.0 * x * np.exp(-0.7 * x)], axis=1)
    analytic = J.T @ np.linalg.solve(C, J)
    np.testing.assert_allclose(fisher_observed(lk, fid).matrix, analytic, rtol=1e-10)
    np.testing.assert_allclose(fisher_expected(lk, fid).matrix, analytic, rtol=1e-10)
    np.testing.assert_allclose(fisher_gaussian(theory, C, fid, names).matrix, analytic, rtol=1e-10)


def test_params_subset_conditions_on_the_rest(linear):
    A, C, data, lk = linear
    fid = dict(zip(NAMES, TRUE))
    full = fisher_expected(lk, fid)
    sub = fisher_expected(lk, fid, ["p2", "p0"])
    np.testing.assert_allclose(sub.matrix, full.conditional(["p2", "p0"]).matrix, rtol=1e-12)


def test_combined_likelihood_sums_leaves(linear):
    A, C, data, lk = linear
    other = _gaussian_likelihood(A, 4 * C, data, name="second")
    both = lk + other
    fid = dict(zip(NAMES, TRUE))
    analytic = 1.25 * A.T @ np.linalg.solve(C, A)
    np.testing.assert_allclose(fisher_expected(both, fid).matrix, analytic, rtol=1e-9)
    np.testing.assert_allclose(fisher_observed(both, fid).matrix, analytic, rtol=1e-9)


def test_expected_needs_gaussian_leaves(linear):
    *_, lk = linear
    prior = Likelihood(lambda p: -jnp.abs(p["p0"]), ("p0",), "laplace prior")
    with pytest.raises(ValueError, match=r"\['laplace prior'\] are not; use fisher_observed"):
        fisher_expected(lk + prior, dict(zip(NAMES, TRUE)))


def test_input_errors(linear):
    *_, lk = linear
    fid = dict(zip(NAMES, TRUE))
    with pytest.raises(ValueError, match=r"fiducial is missing \['p2'\]"):
        fisher_observed(lk, {"p0": 0.0, "p1": 0.0})
    with pytest.raises(ValueError, match=r"params \['q'\] have no fiducial value"):
        fisher_observed(lk, fid, ["p0", "q"])
    with pytest.raises(ValueError, match="expected a hicosmo_nb Likelihood, got function"):
        fisher_observed(lambda p: 0.0, fid)
    with pytest.raises(ValueError, match="params is empty"):
        fisher_observed(lk, fid, [])
    with pytest.raises(ValueError, match="fiducial value of 'p1' must be a finite scalar"):
        fisher_observed(lk, {**fid, "p1": np.nan})


def test_unphysical_fiducial_is_refused():
    lk = Likelihood(lambda p: jnp.where(p["x"] > 0, -0.5 * p["x"] ** 2, -jnp.inf), ("x",), "half")
    with pytest.raises(ValueError, match="is -inf at the fiducial.*unphysical"):
        fisher_observed(lk, {"x": -1.0})


def test_zero_information_warns():
    lk = Likelihood(lambda p: -0.5 * p["x"] ** 2 + 0.0 * p["y"], ("x", "y"), "flat in y")
    with pytest.warns(UserWarning, match=r"no information on \['y'\]"):
        fisher_observed(lk, {"x": 0.0, "y": 1.0})


# --------------------------------------------------------------------------- derived quantities
def test_derived_linear_is_exact():
    cov = np.array([[0.04, 0.01], [0.01, 0.09]])
    f = FisherMatrix.from_covariance(cov, ["a", "b"], {"a": 1.0, "b": 2.0})
    values, errors, dcov = derived_errors(f, lambda p: {"s": p["a"] + 2 * p["b"], "d": p["a"] - p["b"]})
    M = np.array([[1.0, 2.0], [1.0, -1.0]])
    np.testing.assert_allclose(dcov, M @ cov @ M.T, rtol=1e-12)
    assert values == pytest.approx({"s": 5.0, "d": -1.0})
    assert errors["s"] == pytest.approx(np.sqrt(0.04 + 4 * 0.01 + 4 * 0.09), rel=1e-12)
    g = derived_fisher(f, lambda p: {"s": p["a"] + 2 * p["b"], "d": p["a"] - p["b"]})
    np.testing.assert_allclose(np.linalg.inv(g.matrix), M @ cov @ M.T, rtol=1e-10)


def test_derived_omega_m_h2_matches_monte_carlo():
    """First-order propagation vs the spread of Omega_m h^2 over Gaussian draws (small errors,
    so the linearization is accurate)."""
    cov = np.array([[0.01**2, -0.5 * 0.01 * 0.005], [-0.5 * 0.01 * 0.005, 0.005**2]])
    f = FisherMatrix.from_covariance(cov, ["Omega_m", "h"], {"Omega_m": 0.31, "h": 0.68})
    _, err, _ = derived_errors(f, lambda p: {"omega_m": p["Omega_m"] * p["h"] ** 2})
    draws = np.random.default_rng(2).multivariate_normal([0.31, 0.68], cov, size=200_000)
    mc = np.std(draws[:, 0] * draws[:, 1] ** 2)
    assert err["omega_m"] == pytest.approx(mc, rel=0.01)


def test_derived_degenerate_set_refused():
    f = FisherMatrix(np.eye(2), ["a", "b"], {"a": 0.0, "b": 0.0})
    fn = lambda p: {"u": p["a"] + p["b"], "v": 2 * (p["a"] + p["b"]), "w": p["a"]}  # noqa: E731
    with pytest.raises(ValueError, match="degenerate \\(rank 2, from 2 parameters\\); ask for at most 2"):
        derived_fisher(f, fn)
    _, err, _ = derived_errors(f, fn)  # any number is fine here
    assert err["v"] == pytest.approx(2 * np.sqrt(2))
    with pytest.raises(ValueError, match="must return a non-empty dict"):
        derived_errors(f, lambda p: p["a"])


# ------------------------------------------------------------------------------- boundaries
def test_boundary_warning_for_massless_neutrinos():
    f = FisherMatrix([[1e4, 0.0], [0.0, 100.0]], ["Omega_m", "m_nu"], {"Omega_m": 0.3, "m_nu": 0.0})
    with pytest.warns(UserWarning, match=r"m_nu = 0 lies 0.00 sigma .*lower boundary 0.*misleads"):
        msgs = check_boundaries(f)
    assert len(msgs) == 1
    far = FisherMatrix([[1e4, 0.0], [0.0, 1e4]], ["Omega_m", "m_nu"], {"Omega_m": 0.3, "m_nu": 0.5})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_boundaries(far) == []
    with pytest.warns(UserWarning, match="upper boundary 0.6"):
        check_boundaries(far, bounds={"m_nu": (0.0, 0.6)}, nsigma=10.0)


def test_fisher_at_boundary_warns_from_compute():
    lk = Likelihood(lambda p: -0.5 * (p["m_nu"] / 0.1) ** 2, ("m_nu",), "mnu")
    with pytest.warns(UserWarning, match="m_nu = 0 lies"):
        fisher_observed(lk, {"m_nu": 0.0})


def test_more_input_errors(linear):
    A, C, data, lk = linear
    fid = dict(zip(NAMES, TRUE))
    with pytest.raises(ValueError, match="params repeat a name"):
        fisher_observed(lk, fid, ["p0", "p0"])
    with pytest.raises(ValueError, match="fiducial must be a dict"):
        fisher_observed(lk, [0.5, -1.0, 2.0])
    cusp = Likelihood(lambda p: -jnp.sqrt(p["x"]), ("x",), "cusp")  # infinite curvature at 0
    with pytest.raises(ValueError, match=r"not finite in the rows of \['x'\].*move the fiducial"):
        fisher_observed(cusp, {"x": 0.0})
    bad_cov = Likelihood(lk.loglike, NAMES, "bad", data=lk.data, cov=-jnp.eye(len(C)), theory=lk.theory)
    with pytest.raises(ValueError, match="covariance of 'bad' is not positive definite"):
        fisher_expected(bad_cov, fid)
    with pytest.raises(ValueError, match="returns 40 values but its covariance is 3x3"):
        fisher_gaussian(lk.theory, np.eye(3), fid, NAMES, name="short")


def test_derived_and_boundary_input_errors():
    f = FisherMatrix(np.eye(2), ["a", "b"], {"a": 0.0, "b": 1.0})
    with pytest.raises(ValueError, match="expected a FisherMatrix, got ndarray"):
        derived_errors(np.eye(2), lambda p: {"s": p["a"]})
    with pytest.raises(ValueError, match="finite scalars with finite derivatives"):
        derived_errors(f, lambda p: {"s": jnp.sqrt(p["a"])})
    with pytest.raises(ValueError, match="nsigma must be >= 0, got -1"):
        check_boundaries(f, nsigma=-1)
    with pytest.raises(ValueError, match=r"parameter names \(str\), got 3"):
        FisherMatrix(np.eye(2), ["a", 3], {"a": 0.0})

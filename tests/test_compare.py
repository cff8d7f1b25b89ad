"""hicosmo_nb.compare (issue 20): evidence, Delta chi^2 significance, AIC/BIC and tension, against
analytic answers computed independently here with numpy/scipy."""

import math

import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from hicosmo_nb.compare import (aic, bic, compare, gaussian_tension, maximize, nested_evidence,
                                parameter_shift, sigma_from_chi2)
from hicosmo_nb.inference import Normal, Problem, Uniform
from hicosmo_nb.likelihoods import gaussian

X = np.linspace(0.0, 1.0, 8)
Y = np.array([0.05, 0.22, 0.31, 0.52, 0.61, 0.74, 0.96, 1.02])
SIG = 0.05
COV = SIG**2 * np.eye(X.size)


@pytest.fixture(scope="module")
def line():
    xj = jnp.asarray(X)
    return gaussian(Y, COV, lambda p: p["a"] + p["b"] * xj, param_names=("a", "b"), name="line")


def test_linear_gaussian_evidence_is_analytic(line):
    # y = A theta + noise, theta ~ N(mu0, S0): Z = N(y; A mu0, C + A S0 A^T) exactly
    mu0, s0 = np.array([0.0, 1.0]), np.diag([0.5**2, 1.0**2])
    design = np.column_stack([np.ones_like(X), X])
    exact = stats.multivariate_normal(design @ mu0, COV + design @ s0 @ design.T).logpdf(Y)
    prob = Problem(line, {"a": Normal(0.0, 0.5), "b": Normal(1.0, 1.0)})
    fit = maximize(prob)
    assert fit.log_z_laplace == pytest.approx(exact, abs=1e-6)  # Laplace is exact here
    ev = nested_evidence(prob, nlive=300, seed=3)
    assert 0.0 < ev.log_z_err < 0.3
    assert abs(ev.log_z - exact) < min(3.0 * ev.log_z_err, 0.2), (ev, exact)
    assert ev.sampler.startswith("dynesty")


def test_nested_toy_models_known_delta_chi2(line):
    design = np.column_stack([np.ones_like(X), X])
    full = np.linalg.lstsq(design / SIG, Y / SIG, rcond=None)
    chi2_full = float(np.sum(((Y - design @ full[0]) / SIG) ** 2))
    chi2_flat = float(np.sum(((Y - Y.mean()) / SIG) ** 2))  # b = 0: best a is the mean (equal errors)
    priors = {"a": Uniform(-5.0, 5.0), "b": Uniform(-5.0, 5.0)}
    table = compare({"const": Problem(line, {"a": priors["a"]}, fixed={"b": 0.0}),
                     "line": Problem(line, priors)})
    assert table.reference == "const"
    row = table["line"]
    assert row.fit.best["b"] == pytest.approx(full[0][1], rel=1e-6)
    assert row.chi2 == pytest.approx(chi2_full, rel=1e-7, abs=1e-7)
    assert table["const"].chi2 == pytest.approx(chi2_flat, rel=1e-7)
    assert row.delta_chi2 == pytest.approx(chi2_flat - chi2_full, rel=1e-7)
    assert row.dof == 1 and row.sigma == pytest.approx(
        stats.norm.isf(stats.chi2.sf(chi2_flat - chi2_full, 1) / 2), rel=1e-6)
    assert row.aic == pytest.approx(2 * 2 + chi2_full + line.metadata["chi2_offset"], rel=1e-9)
    assert row.bic == pytest.approx(2 * math.log(X.size) + chi2_full + line.metadata["chi2_offset"], rel=1e-9)
    # Laplace ln B for flat priors: the likelihood Gaussian integral divided by the prior width
    assert row.ln_bayes_factor == pytest.approx(
        0.5 * (chi2_flat - chi2_full) + 0.5 * math.log(2 * math.pi) + math.log(full_sigma_b() / 10.0), rel=1e-5)
    assert "line" in str(table) and "const" in str(table)


def full_sigma_b():
    """sqrt(det Sigma_(a,b) / Sigma_a|b=0): the Laplace volume ratio of the two fits (white noise)."""
    design = np.column_stack([np.ones_like(X), X])
    cov = np.linalg.inv(design.T @ design) * SIG**2
    return math.sqrt(np.linalg.det(cov) / (SIG**2 / X.size))


@pytest.mark.parametrize("chi2, k", [(1.0, 1), (9.0, 1), (17.3, 2), (0.5, 3), (60.0, 2), (300.0, 2)])
def test_sigma_conversion_matches_scipy(chi2, k):
    p = stats.chi2.sf(chi2, k)
    ref = stats.norm.isf(p / 2) if p > 1e-300 else None
    if ref is not None:
        assert sigma_from_chi2(chi2, k) == pytest.approx(ref, rel=1e-9)
    else:
        assert math.isfinite(sigma_from_chi2(chi2, k)) and sigma_from_chi2(chi2, k) > 30
    assert sigma_from_chi2(-1.0, k) == 0.0


def test_sigma_conversion_bad_input():
    with pytest.raises(ValueError, match="dof must be a positive integer, got 0"):
        sigma_from_chi2(3.0, 0)
    with pytest.raises(ValueError, match="chi2 is NaN"):
        sigma_from_chi2(float("nan"), 1)
    assert aic(-3.0, 2) == 10.0 and bic(-3.0, 2, None) is None


def test_non_nested_pair_has_evidence_but_no_significance(line):
    only_a = Problem(line, {"a": Uniform(-5.0, 5.0)}, fixed={"b": 1.0})
    only_b = Problem(line, {"b": Uniform(-5.0, 5.0)}, fixed={"a": 0.0})
    with pytest.warns(UserWarning, match="no frequentist significance"):
        table = compare({"a": only_a, "b": only_b}, evidence="nested", nested={"nlive": 100, "seed": 1})
    row = table["b"]
    assert row.sigma is None and "not nested" in row.note
    assert row.log_z is not None and row.ln_bayes_factor_err > 0
    assert row.ln_bayes_factor == pytest.approx(row.log_z - table["a"].log_z)
    # the Laplace values are beside it and agree (both posteriors are Gaussian)
    assert row.ln_bayes_factor == pytest.approx(row.log_z_laplace - table["a"].log_z_laplace,
                                                abs=4 * row.ln_bayes_factor_err + 0.1)


def test_compare_bad_input(line):
    p = Problem(line, {"a": Uniform(-5.0, 5.0), "b": Uniform(-5.0, 5.0)})
    with pytest.raises(ValueError, match="at least two models"):
        compare({"one": p})
    with pytest.raises(ValueError, match="evidence must be one of"):
        compare({"x": p, "y": p}, evidence="harmonic")
    with pytest.raises(ValueError, match="reference 'z' is not one of"):
        compare({"x": p, "y": p}, reference="z")
    other = gaussian([1.0], [[1.0]], lambda q: q["a"][None], param_names=("a",), name="other")
    with pytest.raises(ValueError, match="same data"):
        compare({"x": p, "y": Problem(other, {"a": Uniform(-5.0, 5.0)})})
    with pytest.raises(ValueError, match="must be a Problem"):
        compare({"x": p, "y": "LCDM"})
    with pytest.raises(ValueError, match="nlive must be an integer >= 10, got 5"):
        nested_evidence(p, nlive=5)
    with pytest.raises(ValueError, match="dlogz must be a positive number, got 0"):
        nested_evidence(p, dlogz=0)


def test_starts_from_draws_and_the_fast_path(line):
    p = Problem(line, {"a": Uniform(-5.0, 5.0), "b": Uniform(-5.0, 5.0)})
    rng = np.random.default_rng(0)
    draws = {"a": rng.normal(0.1, 0.2, 500), "b": rng.normal(1.0, 0.3, 500)}
    fit = maximize(p, draws=draws, num_starts=3)
    assert fit.starts == 3 and fit.spread < 1e-6
    table = compare({"again": fit, "same": p})  # a ModelFit is re-tabulated without refitting
    assert table["same"].delta_chi2 == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("k", [1, 2])
def test_tension_measures_on_gaussians_with_known_answer(k):
    rng = np.random.default_rng(7)
    ca = np.array([[1.0, 0.3], [0.3, 0.5]])[:k, :k]
    cb = np.array([[0.5, -0.1], [-0.1, 0.8]])[:k, :k]
    shift = np.array([1.5, -1.0])[:k]
    exact_chi2 = float(shift @ np.linalg.solve(ca + cb, shift))
    exact = stats.norm.isf(stats.chi2.sf(exact_chi2, k) / 2)
    names = ["x", "y"][:k]
    a = dict(zip(names, rng.multivariate_normal(np.zeros(k), ca, 40000).T))
    b = dict(zip(names, rng.multivariate_normal(shift, cb, 40000).T))
    b["only_in_b"] = rng.normal(size=40000)
    g = gaussian_tension(a, b)
    assert g.params == tuple(names)
    assert g.sigma == pytest.approx(exact, abs=0.05)
    s = parameter_shift(a, b, num_pairs=20000, seed=1)
    assert s.sigma == pytest.approx(exact, abs=0.15), (s, exact)
    with pytest.raises(ValueError, match=r"params \['z'\] are not in both results"):
        gaussian_tension(a, b, params=["z"])


def test_maximizer_compiles_once_for_many_fits(line):
    from hicosmo_nb.compare import build_maximizer

    m = build_maximizer(Problem(line, {"a": Uniform(-5.0, 5.0), "b": Uniform(-5.0, 5.0)}))
    first = maximize(m, num_starts=2, seed=1)
    second = maximize(m, draws={"a": [0.0, 0.2], "b": [0.9, 1.1]}, num_starts=2)
    assert first.best == pytest.approx(second.best, rel=1e-6)
    # one program of the likelihood (value and gradient, with the prior's terms: the problem's,
    # which its sampler shares) served both fits, and the Laplace Hessian is differenced from it,
    # so neither the x-space likelihood nor its jax.hessian was compiled
    terms = m.problem.cached("terms", lambda: pytest.fail("the problem compiled no terms program"))
    assert terms._cache_size() == 1
    assert m.loglike_x._cache_size() == 0 and m.hessian_x._cache_size() == 0
    # ... and that Hessian is the exact one (compiled here for the comparison)
    x = np.array([first.mode["a"], first.mode["b"]])
    assert np.allclose(np.linalg.inv(-np.asarray(m.hessian_x(x))), first.cov, rtol=1e-7, atol=0)
    with pytest.raises(ValueError, match="build_maximizer needs an inference.Problem, got Likelihood"):
        build_maximizer(line)
    with pytest.raises(ValueError, match="num_starts must be a positive integer, got 0"):
        maximize(m, num_starts=0)
    with pytest.raises(ValueError, match=r"draws lack the free parameter\(s\) \['b'\]"):
        maximize(m, draws={"a": [0.1]})

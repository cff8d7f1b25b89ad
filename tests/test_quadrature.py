"""The integration rules against analytic integrals: Gauss-Legendre points and the cumulative
panel rule (integrals from any point to the top from one evaluation on fixed nodes)."""

import numpy as np
import pytest

import jax.numpy as jnp

from hicosmo_nb.cosmology.quadrature import CumulativeRule, gauss_legendre


def test_gauss_legendre_is_exact_for_polynomials_up_to_degree_2n_minus_1():
    lo, hi = np.array([0.0, -1.0]), np.array([2.0, 0.5])
    got = np.asarray(gauss_legendre(lambda x: x**15 - 3 * x**4, lo, hi, 8))
    exact = (hi**16 - lo**16) / 16 - 3 * (hi**5 - lo**5) / 5
    np.testing.assert_allclose(got, exact, rtol=1e-13)


@pytest.mark.parametrize("xp", [np, jnp], ids=["numpy", "jax"])
def test_cumulative_rule_matches_analytic_integrals_from_any_point(xp):
    rule = CumulativeRule(np.concatenate([[0.0], np.geomspace(1e-3, 0.1, 6)[:-1], np.linspace(0.1, 1, 10)]), 8)
    s = np.concatenate([[0.0, 1.0], rule.edges, np.random.default_rng(1).uniform(0, 1, 500)])
    j, wext = rule.locate(xp.asarray(s), xp)
    # degree n - 1 = 7: the panel interpolant is the polynomial itself, so exact
    poly = rule.integrate(xp.asarray(rule.nodes**7 - rule.nodes**2), j, wext)
    np.testing.assert_allclose(np.asarray(poly), (1 - s**8) / 8 - (1 - s**3) / 3, rtol=1e-12, atol=2e-14)
    # a smooth non-polynomial integrand: relative precision kept down to tiny partial panels
    got = np.asarray(rule.integrate(xp.asarray(np.exp(3 * rule.nodes)), j, wext))
    exact = (np.exp(3.0) - np.exp(3 * s)) / 3
    np.testing.assert_allclose(got, exact, rtol=1e-12, atol=1e-300)
    # several integrands at once (leading axes) give each one's integral
    stacked = np.stack([rule.nodes**7 - rule.nodes**2, np.exp(3 * rule.nodes)])[:, None]
    both = np.asarray(rule.integrate(xp.asarray(stacked), j, wext))
    assert both.shape == (2, 1, s.size)
    np.testing.assert_allclose(both[:, 0], [np.asarray(poly), got], rtol=1e-14, atol=1e-15)
    near_top = 1 - np.array([1e-12, 1e-9, 1e-6])
    jt, wt = rule.locate(xp.asarray(near_top), xp)
    top = np.asarray(rule.integrate(xp.asarray(np.exp(3 * rule.nodes)), jt, wt))
    np.testing.assert_allclose(top, np.exp(3.0) * -np.expm1(3 * (near_top - 1)) / 3, rtol=1e-9)


def test_cumulative_rule_rejects_bad_edges():
    with pytest.raises(ValueError, match="strictly increasing"):
        CumulativeRule([0.0, 0.5, 0.5, 1.0], 8)

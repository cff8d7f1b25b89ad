"""FisherMatrix algebra against hand-worked and independent numpy answers."""

import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb.fisher import FisherMatrix, combine_fishers

# Hand-worked 3x3 example. F = [[4, 2, 0], [2, 3, 1], [0, 1, 2]], det F = 12,
# F^-1 = [[5, -4, 2], [-4, 8, -4], [2, -4, 8]] / 12 (cofactors by hand).
F3 = np.array([[4.0, 2.0, 0.0], [2.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
F3_INV_BY_HAND = np.array([[5.0, -4.0, 2.0], [-4.0, 8.0, -4.0], [2.0, -4.0, 8.0]]) / 12.0
FID3 = {"a": 1.0, "b": 2.0, "c": 3.0}


@pytest.fixture
def f3():
    return FisherMatrix(F3, ["a", "b", "c"], FID3, name="hand")


def test_covariance_matches_hand_inverse(f3):
    np.testing.assert_allclose(f3.covariance, F3_INV_BY_HAND, rtol=1e-13)


def test_marginalize_vs_fix_textbook(f3):
    # Marginalize over c: Schur complement F_ab - F_ac F_cc^-1 F_ca = [[4, 2], [2, 3 - 1/2]].
    np.testing.assert_allclose(f3.marginalize("c").matrix, [[4.0, 2.0], [2.0, 2.5]], rtol=1e-14)
    # Fix c: just the block.
    np.testing.assert_allclose(f3.fix("c").matrix, [[4.0, 2.0], [2.0, 3.0]], rtol=0)
    # The invert / take block / invert back recipe gives the same marginal.
    recipe = np.linalg.inv(np.linalg.inv(F3)[:2, :2])
    np.testing.assert_allclose(f3.marginalize(["c"]).matrix, recipe, rtol=1e-13)
    # Marginalized errors of (a, b) are unchanged by marginalizing c; fixing c shrinks them.
    marg = f3.marginalize("c").marginalized_errors()
    assert marg["a"] == pytest.approx(np.sqrt(5 / 12), rel=1e-13)
    assert marg["b"] == pytest.approx(np.sqrt(8 / 12), rel=1e-13)
    fixed = f3.fix("c").marginalized_errors()  # inverse of [[4, 2], [2, 3]] = [[3, -2], [-2, 4]] / 8
    assert fixed["a"] == pytest.approx(np.sqrt(3 / 8), rel=1e-13)
    assert fixed["b"] == pytest.approx(np.sqrt(4 / 8), rel=1e-13)
    assert fixed["b"] < marg["b"]


def test_errors_marginalized_and_conditional(f3):
    marg, cond = f3.marginalized_errors(), f3.conditional_errors()
    np.testing.assert_allclose([marg[k] for k in "abc"], np.sqrt([5 / 12, 8 / 12, 8 / 12]), rtol=1e-13)
    np.testing.assert_allclose([cond[k] for k in "abc"], [0.5, 1 / np.sqrt(3), 1 / np.sqrt(2)], rtol=1e-14)
    assert all(marg[k] >= cond[k] for k in "abc")


def test_marginal_and_conditional_reorder(f3):
    m = f3.marginal(["b", "a"])
    assert m.names == ("b", "a")
    np.testing.assert_allclose(np.linalg.inv(m.matrix), F3_INV_BY_HAND[np.ix_([1, 0], [1, 0])], rtol=1e-13)
    c = f3.conditional(["c", "a"])
    np.testing.assert_array_equal(c.matrix, [[2.0, 0.0], [0.0, 4.0]])


def test_correlation(f3):
    corr = f3.correlation()
    s = np.sqrt(np.diag(F3_INV_BY_HAND))
    np.testing.assert_allclose(corr, F3_INV_BY_HAND / np.outer(s, s), rtol=1e-13)
    assert corr[0, 1] == pytest.approx(-4 / np.sqrt(5 * 8), rel=1e-13)


def test_add_prior(f3):
    g = f3.add_prior({"b": 0.5})
    expected = F3.copy()
    expected[1, 1] += 4.0
    np.testing.assert_allclose(g.matrix, expected, rtol=0)
    assert f3.matrix[1, 1] == 3.0  # original untouched


def test_prior_makes_degenerate_matrix_invertible():
    f = FisherMatrix([[1.0, 1.0], [1.0, 1.0]], ["H0", "M"], {"H0": 70.0, "M": -19.3})
    with pytest.raises(ValueError, match=r"singular.*H0.*M|singular.*M.*H0"):
        f.covariance
    g = f.add_prior({"M": 0.1})
    # F + diag(0, 100): cov = inv([[1, 1], [1, 101]]) = [[101, -1], [-1, 1]] / 100
    assert g.marginalized_errors()["H0"] == pytest.approx(np.sqrt(1.01), rel=1e-12)


def test_combine_sums_over_union():
    a = FisherMatrix([[2.0, 1.0], [1.0, 3.0]], ["x", "y"], {"x": 0.0, "y": 1.0}, name="A")
    b = FisherMatrix([[5.0, 0.5], [0.5, 7.0]], ["z", "y"], {"z": 2.0, "y": 1.0}, name="B")
    c = a + b
    assert c.names == ("x", "y", "z")
    np.testing.assert_allclose(c.matrix, [[2.0, 1.0, 0.0], [1.0, 10.0, 0.5], [0.0, 0.5, 5.0]])
    assert c.name == "A + B"
    assert combine_fishers(a, b, name="AB").name == "AB"
    assert c.fiducial == {"x": 0.0, "y": 1.0, "z": 2.0}


def test_figure_of_merit_against_numpy():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(6, 4))
    mat = a @ a.T + 4 * np.eye(6)
    names = ["Omega_m", "w0", "wa", "M", "H0", "Omega_k"]
    f = FisherMatrix(mat, names, dict(zip(names, [0.3, -1.0, 0.0, -19.3, 70.0, 0.0])))
    cov = np.linalg.inv(mat)
    expected = 1 / np.sqrt(np.linalg.det(cov[1:3, 1:3]))
    assert f.figure_of_merit() == pytest.approx(expected, rel=1e-12)
    assert f.figure_of_merit(("wa", "w0")) == pytest.approx(expected, rel=1e-12)


def test_reparametrize_roundtrip_and_explicit_jacobian():
    names = ["Omega_m", "h"]
    fid = {"Omega_m": 0.3, "h": 0.7}
    mat = np.array([[2.0e4, -3.0e3], [-3.0e3, 5.0e3]])
    f = FisherMatrix(mat, names, fid)
    new_fid = {"omega_m": 0.3 * 0.49, "h": 0.7}
    g = f.reparametrize(lambda p: {"Omega_m": p["omega_m"] / p["h"] ** 2}, new_fid)
    assert g.names == ("omega_m", "h")
    # explicit J[i, a] = d old_i / d new_a at the fiducial
    jac = np.array([[1 / 0.49, -2 * 0.147 / 0.7**3], [0.0, 1.0]])
    np.testing.assert_allclose(g.matrix, jac.T @ mat @ jac, rtol=1e-12)
    back = g.reparametrize(lambda p: {"omega_m": p["Omega_m"] * p["h"] ** 2}, fid)
    np.testing.assert_allclose(back.matrix, mat, rtol=1e-12)
    assert back.fiducial == pytest.approx(fid)


def test_reparametrize_h0_to_h_scales_errors():
    f = FisherMatrix([[0.25]], ["H0"], {"H0": 70.0})  # sigma(H0) = 2
    g = f.reparametrize(lambda p: {"H0": 100.0 * p["h"]}, {"h": 0.7})
    assert g.marginalized_errors()["h"] == pytest.approx(0.02, rel=1e-12)


def test_immutable(f3):
    with pytest.raises(ValueError, match="read-only"):
        f3.matrix[0, 0] = 1.0
    with pytest.raises(TypeError):
        f3.fiducial["a"] = 5.0
    f3.marginalize("a")
    f3.fix("b")
    f3.add_prior({"c": 1.0})
    np.testing.assert_array_equal(f3.matrix, F3)


def test_from_covariance_roundtrip(f3):
    g = FisherMatrix.from_covariance(F3_INV_BY_HAND, ["a", "b", "c"], FID3)
    np.testing.assert_allclose(g.matrix, F3, rtol=1e-12)


# ------------------------------------------------------------------------------ bad input
def test_rejects_non_symmetric():
    with pytest.raises(ValueError, match=r"not symmetric.*\(F \+ F.T\) / 2"):
        FisherMatrix([[1.0, 0.5], [0.4, 1.0]], ["a", "b"], {"a": 0, "b": 0})


def test_rejects_bad_shapes_and_names():
    with pytest.raises(ValueError, match="must be square"):
        FisherMatrix(np.ones((2, 3)), ["a", "b"], {"a": 0, "b": 0})
    with pytest.raises(ValueError, match="2 names were"):
        FisherMatrix(np.eye(3), ["a", "b"], {"a": 0, "b": 0})
    with pytest.raises(ValueError, match="unique, repeated: \\['a'\\]"):
        FisherMatrix(np.eye(2), ["a", "a"], {"a": 0})
    with pytest.raises(ValueError, match="fiducial is missing values for \\['b'\\]"):
        FisherMatrix(np.eye(2), ["a", "b"], {"a": 0})
    with pytest.raises(ValueError, match="NaN or inf entries in the rows of \\['b'\\]"):
        FisherMatrix([[1.0, 0.0], [0.0, np.nan]], ["a", "b"], {"a": 0, "b": 0})


def test_unknown_name_suggests(f3):
    with pytest.raises(ValueError, match="unknown parameter 'B' \\(did you mean 'b'\\?\\)"):
        f3.marginalize("B")
    with pytest.raises(ValueError, match="unknown parameter 'd'"):
        f3.add_prior({"d": 1.0})


def test_negative_prior_width(f3):
    with pytest.raises(ValueError, match="prior width for 'a' must be finite and > 0, got -0.1"):
        f3.add_prior({"a": -0.1})
    with pytest.raises(ValueError, match="prior width for 'a' must be finite and > 0, got 0.0"):
        f3.add_prior({"a": 0.0})


def test_unconstrained_parameter_named():
    f = FisherMatrix([[1.0, 0.0], [0.0, 0.0]], ["Omega_m", "m_nu"], {"Omega_m": 0.3, "m_nu": 0.06})
    with pytest.raises(ValueError, match=r"no information on 'm_nu'.*add_prior\(\{'m_nu': sigma\}\)"):
        f.covariance
    with pytest.raises(ValueError, match="no information on \\['m_nu'\\]"):
        f.conditional_errors()
    assert f.fix("m_nu").marginalized_errors() == {"Omega_m": 1.0}


def test_indefinite_matrix_explained():
    f = FisherMatrix([[1.0, 2.0], [2.0, 1.0]], ["a", "b"], {"a": 0, "b": 0})
    with pytest.raises(ValueError, match="not positive definite.*fisher_expected"):
        f.marginalized_errors()


def test_misc_errors(f3):
    with pytest.raises(ValueError, match="exactly 2 parameters"):
        f3.figure_of_merit(("a", "b", "c"))
    with pytest.raises(ValueError, match="cannot marginalize over every parameter"):
        f3.marginalize(["a", "b", "c"])
    with pytest.raises(ValueError, match="cannot fix every parameter"):
        f3.fix(["a", "b", "c"])
    other = FisherMatrix([[1.0]], ["a"], {"a": 1.5})
    with pytest.raises(ValueError, match="different fiducials: a = 1 in one and 1.5"):
        f3 + other
    with pytest.raises(ValueError, match="expected a FisherMatrix"):
        combine_fishers(f3, np.eye(3))
    with pytest.raises(ValueError, match="must map onto the old one"):
        f3.reparametrize(lambda p: {"a": p["a2"] / 2}, {"a2": 5.0, "b": 2.0, "c": 3.0})
    with pytest.raises(ValueError, match="did not return 'b'"):
        f3.reparametrize(lambda p: {"a": p["x"]}, {"x": 1.0})
    with pytest.raises(ValueError, match="does not match 2 names"):
        FisherMatrix.from_covariance(np.eye(3), ["a", "b"], FID3)


def test_reparametrize_with_jnp_function(f3):
    # a pure jnp function of the new parameters (log-parametrization)
    g = f3.reparametrize(lambda p: {"a": jnp.exp(p["ln_a"])}, {"ln_a": 0.0, "b": 2.0, "c": 3.0},
                         new_names=["ln_a", "b", "c"])
    np.testing.assert_allclose(g.matrix, F3, rtol=1e-14)  # d a / d ln a = a = 1

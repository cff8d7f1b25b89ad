"""Bad input to the Fisher layer: degenerate matrices, unphysical fiducials, bad bounds."""

import warnings

import numpy as np
import pytest

from hicosmo_nb.fisher import ROMAN_LIKE, FisherMatrix, check_boundaries, fisher_expected, fisher_observed
from hicosmo_nb.fisher._linalg import DEGENERATE_RTOL
from hicosmo_nb.likelihoods.gaussian import gaussian

FID = {"H0": 67.36, "Omega_m": 0.3153, "M": -19.25, "w0": -1.0, "wa": 0.0}


@pytest.fixture(scope="module")
def roman5():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary warnings of the singular matrix
        return ROMAN_LIKE.fisher(FID, ["H0", "M", "Omega_m", "w0", "wa"])


@pytest.fixture(scope="module")
def roman(roman5):
    return roman5.fix("Omega_m")  # = ROMAN_LIKE.fisher(FID, ["H0", "M", "w0", "wa"]) (a block)


def test_flat_direction_refused_with_its_name(roman):
    with pytest.raises(ValueError, match=r"'Roman-like' is singular: the combination "
                                         r"[+-]0\.71\*(M|H0) [+-]0\.71\*(H0|M) is unconstrained"):
        roman.marginalized_errors()


def test_figure_of_merit_ignores_a_decoupled_flat_direction(roman):
    # Independent references: with the flat H0-M direction removed by fixing H0, and with any
    # prior on H0 (a weak one or a tight one), the w0-wa figure of merit is the same.
    fom = roman.figure_of_merit()
    assert fom == pytest.approx(roman.fix("H0").figure_of_merit(), rel=1e-3)
    for sigma in (0.01, 1.0, 30.0):
        assert fom == pytest.approx(roman.add_prior({"H0": sigma}).figure_of_merit(), rel=1e-3)
    assert 54.0 < fom < 55.5  # 54.7 with radiation, 54.8 without (the issue's number); not 7.0


def test_exact_degeneracy_without_radiation_gives_the_issue_value():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F = ROMAN_LIKE.fisher({**FID, "T_cmb": 0.0}, ["H0", "M", "w0", "wa"])
    assert F.figure_of_merit() == pytest.approx(54.8, abs=0.05)
    assert F.figure_of_merit() == pytest.approx(F.fix("M").figure_of_merit(), rel=1e-9)


def test_sigma_h0_not_reported_for_h0_m_omega_m(roman5):
    F = roman5.fix(["w0", "wa"])
    with pytest.raises(ValueError, match=r"singular: the combination .*H0.* is unconstrained"):
        F.marginalized_errors()
    # Omega_m alone is fine, and equal to the analytic removal of the flat direction (fix H0).
    assert F.marginal(["Omega_m"]).marginalized_errors()["Omega_m"] == pytest.approx(
        F.fix("H0").marginalized_errors()["Omega_m"], rel=1e-3)


def test_near_singular_threshold_is_a_condition_number():
    eps = 0.1 * DEGENERATE_RTOL
    F = FisherMatrix([[1.0, 1.0 - eps], [1.0 - eps, 1.0]], ["a", "b"], {"a": 0.0, "b": 0.0})
    with pytest.raises(ValueError, match=r"condition number .* >= 1e\+08"):
        F.covariance
    ok = FisherMatrix([[1.0, 1.0 - 1e-6], [1.0 - 1e-6, 1.0]], ["a", "b"], {"a": 0.0, "b": 0.0})
    assert ok.marginalized_errors()["a"] == pytest.approx(np.sqrt(1.0 / (1.0 - (1.0 - 1e-6) ** 2)))


def test_flat_direction_coupled_to_kept_parameters_refused():
    # indefinite: the dropped b-c block is flat but b couples to a
    F = FisherMatrix([[1.0, 0.5, 0.0], [0.5, 1.0, 1.0], [0.0, 1.0, 1.0]], ["a", "b", "c"],
                     {"a": 0.0, "b": 0.0, "c": 0.0})
    with pytest.raises(ValueError, match=r"cannot marginalize 'Fisher' over \['b', 'c'\]: the "
                                         r"combination .* is unconstrained yet correlated"):
        F.marginal(["a"])


def test_fisher_expected_refuses_unphysical_fiducial_like_observed():
    bad = {**FID, "Omega_m": -0.1}
    msg = r"log-likelihood of 'Roman-like' is -inf at the fiducial .*unphysical"
    with pytest.raises(ValueError, match=msg):
        ROMAN_LIKE.fisher(bad, ["Omega_m", "M"])
    lk = ROMAN_LIKE.likelihood(FID)
    for fn in (fisher_expected, fisher_observed):
        with pytest.raises(ValueError, match=msg):
            fn(lk, bad, ["Omega_m", "M"])


def test_check_boundaries_fiducial_outside_bounds():
    F = FisherMatrix([[1e4]], ["Omega_m"], {"Omega_m": 0.315})
    with pytest.warns(UserWarning, match=r"fiducial Omega_m = 0.315 lies outside its allowed "
                                         r"range \[0.4, 0.6\]"):
        msgs = check_boundaries(F, bounds={"Omega_m": (0.4, 0.6)})
    assert len(msgs) == 1
    with pytest.raises(ValueError, match=r"unknown parameter in bounds 'Omega_M' \(did you mean "
                                         r"'Omega_m'\?\); valid: Omega_m"):
        check_boundaries(F, bounds={"Omega_M": (0.1, 0.6)})
    with pytest.raises(ValueError, match=r"bounds\['Omega_m'\] = \(0.6, 0.4\) is empty"):
        check_boundaries(F, bounds={"Omega_m": (0.6, 0.4)})
    with pytest.raises(ValueError, match=r"bounds\['Omega_m'\] must be a pair"):
        check_boundaries(F, bounds={"Omega_m": 0.4})
    with pytest.raises(ValueError, match="nsigma must be >= 0, got nan"):
        check_boundaries(F, nsigma=float("nan"))


def test_fisher_param_names_string_is_one_name():
    lk = gaussian([0.0], [[1.0]], lambda p: p["a"][None], param_names=("a",))
    F = fisher_observed(lk, {"a": 0.0}, "a")
    assert F.names == ("a",)


def test_check_boundaries_uses_marginal_sigma_beside_a_flat_direction():
    # H0 and M exactly degenerate, w0 independent with sigma 0.2: w0's sigma is still marginal
    J = np.array([[-5 / np.log(10) / 67.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    F = FisherMatrix(J.T @ np.diag([1e4, 25.0]) @ J, ["H0", "M", "w0"], {"H0": 67.0, "M": -19.3, "w0": -1.0})
    with pytest.warns(UserWarning) as rec:
        msgs = check_boundaries(F, bounds={"w0": (-1.1, 0.0), "H0": (66.99, 68.0)})
    assert len(rec) == 2
    assert "fiducial w0 = -1 lies 0.50 sigma (marginalized sigma = 0.2)" in msgs[1]
    assert "fiducial H0 = 67 lies 0.03 sigma (conditional (lower limit: F is singular)" in msgs[0]


def test_bao_with_h0_and_hrd_free_names_h0():
    # issue 21 (silent wrong answer 3): BAO measure hrd = h r_d; H0 enters only through the
    # radiation density (relative eigenvalue 3e-6, above DEGENERATE_RTOL), which gave
    # sigma(Omega_m) = 0.0335 instead of 0.0091 and FoM(w0, wa) = 0.38 instead of 6.3.
    from hicosmo_nb.fisher import DESI_DR2_LIKE

    fid = {"H0": 67.36, "Omega_m": 0.3153, "w0": -1.0, "wa": 0.0, "hrd": 99.08}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary warnings of the singular matrix
        three = DESI_DR2_LIKE.fisher(fid, ["H0", "hrd", "Omega_m"])
        five = DESI_DR2_LIKE.fisher(fid, ["H0", "hrd", "Omega_m", "w0", "wa"])
        no_radiation = DESI_DR2_LIKE.fisher({**fid, "T_cmb": 0.0}, ["H0", "hrd", "Omega_m"])
    msg = (r"is singular: the combination \+1\.00\*H0 \(in units of the parameters' allowed ranges\) is "
           r"unconstrained: the marginalized error of H0 would be .*times its allowed range \[20, 120\]"
           r".* BAO with hrd = h r_d free measure hrd, not H0: fix H0\.")
    with pytest.raises(ValueError, match=msg):
        three.marginalized_errors()
    with pytest.raises(ValueError, match=msg):
        five.figure_of_merit()
    # without radiation the direction is exactly flat (up to rounding): named the same way
    with pytest.raises(ValueError, match=r"singular: the combination [+-]1\.00\*H0 "):
        no_radiation.marginalized_errors()
    # references: H0 fixed, or any prior on H0, give the same sigma(Omega_m) and FoM
    sigma = three.fix("H0").marginalized_errors()["Omega_m"]
    assert sigma == pytest.approx(0.00909, rel=2e-3)
    for s in (0.5, 10.0):
        assert three.add_prior({"H0": s}).marginalized_errors()["Omega_m"] == pytest.approx(sigma, rel=1e-3)
    assert five.fix("H0").figure_of_merit() == pytest.approx(6.26, rel=2e-3)
    assert five.add_prior({"H0": 1.0}).figure_of_merit() == pytest.approx(6.26, rel=2e-3)

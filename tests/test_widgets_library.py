"""The library functions behind the dashboards, against analytic truths and the existing API."""

import numpy as np
import pytest

from hicosmo_nb import derivatives, likelihoods
from hicosmo_nb.fisher import FisherMatrix, LSST_LIKE
from hicosmo_nb.fisher.forecast import FORECAST_FIDUCIAL, ForecastSettings, Forecaster
from hicosmo_nb.likelihoods import Likelihood
from hicosmo_nb.likelihoods.readout import best_fit, chi2_of, unphysical_reason
from hicosmo_nb.plots.dashboard_panels import fisher_panel, gaussian_curve


def test_chi2_of_is_minus_two_loglike_without_normalization():
    lk = likelihoods.get("desi_dr2_bao", rd="free")
    p = {"Omega_m": 0.2975, "hrd": 101.54}
    r = np.asarray(lk.data) - np.asarray(lk.theory(p))
    direct = float(r @ np.linalg.solve(np.asarray(lk.cov), r))  # independent quadratic form
    assert float(chi2_of(lk)(p)) == pytest.approx(direct, rel=1e-10)
    assert float(chi2_of(lk)({"Omega_m": -0.3, "hrd": 101.54})) == np.inf
    with pytest.raises(ValueError, match="needs a Likelihood"):
        chi2_of(lambda p: 0.0)


def test_best_fit_finds_an_analytic_maximum_inside_bounds():
    lk = Likelihood(lambda p: -0.5 * ((p["H0"] - 71.2) / 2.0) ** 2 - 0.5 * ((p["Omega_m"] - 0.29) / 0.01) ** 2,
                    ("H0", "Omega_m"), "toy")
    res = best_fit(lk, {"H0": 60.0, "Omega_m": 0.4}, ["H0", "Omega_m"])
    assert res["success"]
    assert res["best"]["H0"] == pytest.approx(71.2, abs=1e-5)
    assert res["best"]["Omega_m"] == pytest.approx(0.29, abs=1e-7)
    assert res["chi2"] == pytest.approx(0.0, abs=1e-9)
    capped = best_fit(lk, {"H0": 60.0, "Omega_m": 0.4}, ["H0"], bounds={"H0": (50.0, 65.0)})
    assert capped["best"]["H0"] == pytest.approx(65.0, abs=1e-6) and capped["best"]["Omega_m"] == 0.4
    with pytest.raises(ValueError, match="missing from start"):
        best_fit(lk, {"H0": 60.0}, ["Omega_m"])


def test_unphysical_reasons():
    assert unphysical_reason({"H0": 70.0, "Omega_m": 0.3}) == ""
    assert "no big bang" in unphysical_reason({"H0": 70.0, "Omega_m": 0.05, "Omega_k": -0.55})
    assert "Omega_b" in unphysical_reason({"H0": 70.0, "Omega_m": 0.03, "Omega_b": 0.05})
    assert "H0 must be > 0" in unphysical_reason({"H0": -1.0, "Omega_m": 0.3})


def test_fisher_panel_matches_analytic_ellipse_and_fom():
    F = FisherMatrix([[4.0, 1.0], [1.0, 2.0]], ["w0", "wa"], {"w0": -1.0, "wa": 0.0})
    panel = fisher_panel(F, "w0", "wa")
    cov = np.linalg.inv(F.matrix)
    assert panel.fom == pytest.approx(np.sqrt(7.0), rel=1e-12)
    assert panel.errors["w0"] == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-12)
    for verts, dchi2 in zip(panel.ellipses, (2.2957489, 6.1800743)):
        r = verts - np.array([-1.0, 0.0])
        np.testing.assert_allclose(np.einsum("ni,ij,nj->n", r, F.matrix, r), dchi2, rtol=1e-6)
    x, y = gaussian_curve(0.0, 2.0)
    assert y.max() == pytest.approx(1.0) and x[0] == pytest.approx(-8.0)
    with pytest.raises(ValueError, match="two different"):
        fisher_panel(F, "w0", "w0")


def test_forecaster_equals_survey_fisher():
    fc = Forecaster([LSST_LIKE])
    free = ["Omega_m", "w0", "wa", "M"]
    fixed = tuple(p for p in FORECAST_FIDUCIAL if p not in free)
    F = fc.fisher(ForecastSettings(sn=LSST_LIKE.name, fixed=fixed, priors={"M": 0.1}))
    with pytest.warns(UserWarning, match="boundary"):  # SNe alone: wa barely constrained
        ref = LSST_LIKE.fisher(FORECAST_FIDUCIAL, free).add_prior({"M": 0.1})
    np.testing.assert_allclose(F.marginal(free).matrix, ref.matrix, rtol=1e-8)
    with pytest.raises(ValueError, match="select at least one survey"):
        fc.fisher(ForecastSettings())
    with pytest.raises(ValueError, match="no bin left"):
        fc.fisher(ForecastSettings(sn=LSST_LIKE.name, sn_z=(3.0, 4.0), fixed=fixed))


def test_derivative_study_errors_behave():
    h = np.logspace(-12, -2, 11)
    s = derivatives.derivative_study("exp", 1.0, h)
    assert s.autodiff == pytest.approx(np.e, rel=1e-15) and s.autodiff_err < 1e-15
    # truncation: one-sided ~ h/2, central ~ h^2/6 at large h
    assert s.forward_err[-1] == pytest.approx(0.5 * h[-1], rel=0.05)
    assert s.central_err[-1] == pytest.approx(h[-1] ** 2 / 6, rel=0.05)
    assert s.forward_err[0] > s.forward_err[5]  # round-off wins at tiny h
    with pytest.raises(ValueError, match="unknown function"):
        derivatives.derivative_study("cosh", 1.0, h)

"""Bad input to the plot helpers: unconstrained or unknown parameters, wrong shapes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hicosmo_nb.fisher import FisherMatrix  # noqa: E402
from hicosmo_nb.plots import corner_plot, fisher_triangle, trace_plot  # noqa: E402

FID = {"H0": 67.0, "M": -19.3, "w0": -1.0}
# H0 and M exactly degenerate (only M - 5 log10 H0 is measured), w0 independent
J = np.array([[-5 / np.log(10) / 67.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
DEGENERATE = FisherMatrix(J.T @ np.diag([1e4, 25.0]) @ J, ["H0", "M", "w0"], FID, name="SN")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_fisher_triangle_refuses_unconstrained_parameter():
    with pytest.raises(ValueError, match=r"fisher_triangle cannot draw \['H0', 'M', 'w0'\] of 'SN': "
                                         r".*singular: the combination .*H0.* is unconstrained.*An "
                                         r"unconstrained parameter has no ellipse"):
        fisher_triangle(DEGENERATE)
    with pytest.raises(ValueError, match=r"fisher_triangle cannot draw \['H0'\] of 'SN'"):
        fisher_triangle(DEGENERATE, params=["H0"])


def test_fisher_triangle_draws_the_constrained_rest():
    fig = fisher_triangle(DEGENERATE, params=["w0"])  # w0 decouples: sigma = 1/5
    line = fig.axes[0].lines[0]
    x, y = line.get_data()
    half = x[y >= np.exp(-0.5)]
    assert half.max() - (-1.0) == pytest.approx(0.2, rel=0.02)


def test_fisher_triangle_unknown_parameter_did_you_mean():
    F = FisherMatrix(np.eye(2), ["Omega_m", "w0"], {"Omega_m": 0.3, "w0": -1.0})
    with pytest.raises(ValueError, match=r"unknown parameter 'Om' \(did you mean 'Omega_m'\?\); "
                                         r"valid: Omega_m, w0"):
        fisher_triangle(F, params=["Om", "w0"])
    fig = fisher_triangle(F, params="w0")  # one string is one name
    assert fig.hicosmo_triangle["params"] == ("w0",)


def test_corner_plot_bad_inputs():
    rng = np.random.default_rng(3)
    s = {"Omega_m": rng.normal(0.3, 0.01, 400), "hrd": rng.normal(100, 1, 400)}
    with pytest.raises(ValueError, match=r"unknown parameter 'omega_m' \(did you mean 'Omega_m'\?\); "
                                         r"valid: Omega_m, hrd"):
        corner_plot(s, params=["omega_m", "hrd"])
    with pytest.raises(ValueError, match=r"every parameter of a sample set needs the same number of "
                                         r"draws, got \{'Omega_m': 400, 'hrd': 399\}"):
        corner_plot({"Omega_m": s["Omega_m"], "hrd": s["hrd"][:-1]})
    with pytest.raises(ValueError, match=r"samples\['hrd'\] must be an array of numbers, got str"):
        corner_plot({"Omega_m": s["Omega_m"], "hrd": "abc"})
    fig = corner_plot(s, params="hrd")
    assert fig.hicosmo_triangle["params"] == ("hrd",)


def test_trace_plot_bad_inputs():
    rng = np.random.default_rng(4)
    s = {"H0": rng.normal(size=(2, 50)), "Omega_m": rng.normal(size=(2, 50))}
    with pytest.raises(ValueError, match=r"unknown var_names entry \(not in the posterior\) 'Om' "
                                         r"\(did you mean 'Omega_m'\?\); valid: H0, Omega_m"):
        trace_plot(s, var_names=["Om"])
    with pytest.raises(ValueError, match=r"every parameter needs the same \(chain, draw\) shape, got "
                                         r"\{'H0': \(2, 50\), 'Omega_m': \(2, 40\)\}"):
        trace_plot({"H0": s["H0"], "Omega_m": s["Omega_m"][:, :40]})
    with pytest.raises(ValueError, match=r"samples\['H0'\] has shape \(50,\); diagnostics need "
                                         r"\(chain, draw\) arrays"):
        trace_plot({"H0": s["H0"][0]})

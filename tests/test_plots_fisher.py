"""Ellipses, Fisher triangle and corner plots: geometry checked against the analytic answer."""

import matplotlib

matplotlib.use("Agg")

import arviz as az  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402
from scipy.stats import chi2  # noqa: E402

from hicosmo_nb.fisher import FisherMatrix  # noqa: E402
from hicosmo_nb.plots import (  # noqa: E402
    OKABE_ITO,
    SIGMA_LEVELS,
    corner_plot,
    delta_chi2,
    ellipse_vertices,
    fisher_triangle,
    labels_for,
)

COV = np.array([[0.0086**2, -0.92 * 0.0086 * 0.73], [-0.92 * 0.0086 * 0.73, 0.73**2]])
MEAN = np.array([0.2975, 101.54])


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def fisher():
    return FisherMatrix.from_covariance(COV, ["Omega_m", "hrd"], dict(zip(["Omega_m", "hrd"], MEAN)),
                                        name="DESI")


def _quad(v, mean, cov):
    d = v - mean
    return np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d)


def test_delta_chi2_is_the_chi2_quantile():
    for p in (0.5, *SIGMA_LEVELS, 0.997):
        assert delta_chi2(p) == pytest.approx(chi2.ppf(p, 2), rel=1e-12)
    assert delta_chi2(SIGMA_LEVELS[0]) == pytest.approx(2.30, abs=0.01)
    assert delta_chi2(SIGMA_LEVELS[1]) == pytest.approx(6.18, abs=0.01)
    with pytest.raises(ValueError, match="strictly between 0 and 1, got 1.5"):
        delta_chi2(1.5)


def test_ellipse_vertices_are_on_the_analytic_contour():
    for level in SIGMA_LEVELS:
        v = ellipse_vertices(MEAN, COV, level)
        np.testing.assert_allclose(_quad(v, MEAN, COV), chi2.ppf(level, 2), rtol=1e-10)
        # farthest point: semi-major axis sqrt(delta_chi2 * largest eigenvalue)
        r = np.linalg.norm(v - MEAN, axis=1)
        assert r.max() == pytest.approx(np.sqrt(chi2.ppf(level, 2) * np.linalg.eigvalsh(COV)[-1]), rel=1e-3)
    with pytest.raises(ValueError, match="positive definite"):
        ellipse_vertices([0, 0], [[1.0, 2.0], [2.0, 1.0]], 0.68)
    with pytest.raises(ValueError, match="must be 2x2"):
        ellipse_vertices([0, 0], np.eye(3), 0.68)


def test_ellipse_encloses_the_stated_probability():
    rng = np.random.default_rng(11)
    n = 20000
    x = rng.multivariate_normal(MEAN, COV, size=n)
    for level in SIGMA_LEVELS:
        inside = Path(ellipse_vertices(MEAN, COV, level, n=721)).contains_points(x)
        assert inside.mean() == pytest.approx(level, abs=3 * np.sqrt(level * (1 - level) / n))


def _polygons(ax):
    return [p for p in ax.patches if isinstance(p, Polygon)]


def test_fisher_triangle_artists(fisher):
    other = FisherMatrix(np.diag([1 / 0.01**2, 1 / 1.0**2, 1 / 0.1**2]), ["Omega_m", "hrd", "w0"],
                         {"Omega_m": 0.30, "hrd": 101.0, "w0": -1.0}, name="wide")
    fig = fisher_triangle([fisher, other])
    axes = np.array(fig.axes).reshape(3, 3)
    assert fig.hicosmo_triangle["params"] == ("Omega_m", "hrd", "w0")
    assert not axes[0, 1].get_visible() and axes[1, 0].get_visible()
    # panel (hrd vs Omega_m): per matrix, two outlines and two fills at 68.3% and 95.4%
    polys = _polygons(axes[1, 0])
    assert len(polys) == 8
    outlines = [p for p in polys if not p.get_fill()]
    np.testing.assert_allclose(_quad(outlines[0].get_xy(), MEAN, COV), chi2.ppf(SIGMA_LEVELS[0], 2), rtol=1e-9)
    np.testing.assert_allclose(_quad(outlines[1].get_xy(), MEAN, COV), chi2.ppf(SIGMA_LEVELS[1], 2), rtol=1e-9)
    assert outlines[0].get_edgecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(OKABE_ITO[0]))
    # w0 panels only for the matrix that has w0
    assert len(_polygons(axes[2, 0])) == 4
    # diagonal: 1-D Gaussian, peak 1 at the fiducial, exp(-1/2) one sigma away
    line = axes[0, 0].lines[0]
    x, y = line.get_data()
    assert x[np.argmax(y)] == pytest.approx(MEAN[0], abs=1e-12) and y.max() == pytest.approx(1.0)
    assert np.interp(MEAN[0] + 0.0086, x, y) == pytest.approx(np.exp(-0.5), rel=1e-3)
    # legend names both and states the enclosed probabilities
    leg = fig.legends[0]
    assert [t.get_text() for t in leg.get_texts()] == ["DESI", "wide"]
    assert "68.3%" in leg.get_title().get_text() and "95.4%" in leg.get_title().get_text()
    assert axes[2, 0].get_xlabel() == r"$\Omega_m$" and axes[2, 0].get_ylabel() == "$w_0$"


def test_fisher_triangle_marginalizes_hidden_parameters():
    mat = np.array([[4.0, 2.0, 0.0], [2.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
    f = FisherMatrix(mat, ["a", "b", "c"], {"a": 0.0, "b": 0.0, "c": 0.0})
    fig = fisher_triangle(f, params=["a", "b"], labels={"a": "A"})
    ax = np.array(fig.axes).reshape(2, 2)[1, 0]
    poly = [p for p in _polygons(ax) if not p.get_fill()][0]
    cov_ab = np.linalg.inv(mat)[:2, :2]  # marginal over c, not the block of F
    np.testing.assert_allclose(_quad(poly.get_xy(), [0, 0], cov_ab), chi2.ppf(SIGMA_LEVELS[0], 2), rtol=1e-9)
    assert ax.get_xlabel() == "A"


def test_fisher_triangle_errors(fisher):
    with pytest.raises(ValueError, match="expected a FisherMatrix"):
        fisher_triangle([fisher, np.eye(2)])
    with pytest.raises(ValueError, match="levels must be enclosed probabilities"):
        fisher_triangle(fisher, levels=(1.0, 2.0))
    singular = FisherMatrix(np.ones((2, 2)), ["Omega_m", "hrd"], {"Omega_m": 0.3, "hrd": 100.0})
    with pytest.raises(ValueError, match="singular"):
        fisher_triangle(singular)
    with pytest.raises(ValueError, match="labels has 1 entries but there are 2"):
        labels_for(["a", "b"], ["x"])


def _samples(rng, n=8000):
    x = rng.multivariate_normal(MEAN, COV, size=(4, n // 4))
    return {"Omega_m": x[..., 0], "hrd": x[..., 1]}


def test_corner_contours_enclose_stated_probability_and_fisher_overlay(fisher):
    rng = np.random.default_rng(5)
    s = _samples(rng, 20000)
    fig = corner_plot(s, fisher=fisher, label="posterior", truths={"Omega_m": 0.2975})
    ax = np.array(fig.axes).reshape(2, 2)[1, 0]
    lines = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    assert len(lines) == 1 and len(lines[0].levels) == 2
    # The outer (low-density) contour line encloses 95.4% of the Gaussian, the inner 68.3%
    # (measured on a fresh sample). Histogram contours scatter by ~1.5% around the target.
    pts = np.random.default_rng(55).multivariate_normal(MEAN, COV, size=100_000)
    for k, level in enumerate(sorted(SIGMA_LEVELS, reverse=True)):
        paths = lines[0].get_paths()[k]
        frac = Path(paths.vertices, paths.codes).contains_points(pts).mean()
        assert frac == pytest.approx(level, abs=0.035)
    dashed = _polygons(ax)
    assert len(dashed) == 2 and all(p.get_linestyle() == "--" for p in dashed)
    np.testing.assert_allclose(_quad(dashed[0].get_xy(), MEAN, COV), chi2.ppf(SIGMA_LEVELS[0], 2), rtol=1e-9)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["posterior", "DESI (Fisher)"]
    assert "68.3%, 95.4% (2-D)" in fig.legends[0].get_title().get_text()


def test_corner_overlays_sets_with_different_parameters():
    rng = np.random.default_rng(6)
    a = _samples(rng)
    b = {"Omega_m": rng.normal(0.31, 0.01, 4000), "w0": rng.normal(-1, 0.1, 4000)}
    fig = corner_plot([a, b], label=["BAO", "SN"])
    axes = np.array(fig.axes).reshape(3, 3)
    assert fig.hicosmo_triangle["params"] == ("Omega_m", "hrd", "w0")
    n_contours = lambda ax: sum(isinstance(c, ContourSet) for c in ax.collections)  # noqa: E731
    assert n_contours(axes[1, 0]) == 2  # BAO only: fill + lines
    assert n_contours(axes[2, 0]) == 2  # SN only
    assert n_contours(axes[2, 1]) == 0  # nobody has (hrd, w0)
    # overlay a third set later on the same figure
    fig2 = corner_plot({"Omega_m": rng.normal(0.3, 0.02, 4000)}, fig=fig, label="prior")
    assert fig2 is fig
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["BAO", "SN", "prior"]
    with pytest.raises(ValueError, match=r"\['M'\] are not on it"):
        corner_plot({"M": rng.normal(size=100)}, fig=fig, params=["M"])


def test_corner_accepts_datatree_dataset_and_result_like():
    rng = np.random.default_rng(7)
    s = _samples(rng, 2000)
    dt = az.from_dict({"posterior": s})
    for obj in (dt, dt["posterior"].to_dataset(), type("R", (), {"samples": s})()):
        fig = corner_plot(obj)
        assert fig.hicosmo_triangle["params"] == ("Omega_m", "hrd")
        plt.close(fig)


def test_corner_errors():
    rng = np.random.default_rng(8)
    s = _samples(rng, 400)
    with pytest.raises(ValueError, match=r"unknown parameter 'w0'; valid: Omega_m, hrd"):
        corner_plot(s, params=["Omega_m", "w0"])
    with pytest.raises(ValueError, match="samples must be a dict"):
        corner_plot(np.zeros((10, 2)))
    with pytest.raises(ValueError, match=">= 10 finite values"):
        corner_plot({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 4.0]})
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        corner_plot(s, levels=(0.0,))
    with pytest.raises(ValueError, match="expected a FisherMatrix"):
        corner_plot(s, fisher=COV)


def test_png_smoke(tmp_path, fisher):
    rng = np.random.default_rng(9)
    figs = {
        "triangle": fisher_triangle(fisher),
        "corner": corner_plot(_samples(rng, 4000), fisher=fisher),
    }
    for name, fig in figs.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path, dpi=60)
        img = matplotlib.image.imread(path)
        assert img.ndim == 3 and img.shape[0] > 100
        assert np.std(img[..., :3]) > 0.01  # not blank


def test_triangle_and_corner_layout_errors(fisher):
    from hicosmo_nb.plots import triangle_axes

    with pytest.raises(ValueError, match="params is empty"):
        triangle_axes([])
    fig, _ = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="fig has 3 axes; a triangle of 2 parameters needs 4"):
        fisher_triangle(fisher, fig=fig)
    with pytest.raises(ValueError, match="needs at least one FisherMatrix"):
        fisher_triangle([])
    other = FisherMatrix(np.eye(2), ["Omega_m", "hrd"], {"Omega_m": 0.3, "hrd": 100.0})
    with pytest.raises(ValueError, match="2 Fisher matrices but only 1 colors"):
        fisher_triangle([fisher, other], colors=["k"])
    rng = np.random.default_rng(1)
    s = _samples(rng, 400)
    with pytest.raises(ValueError, match="sample set 1 has none of the params"):
        corner_plot([s, {"w0": rng.normal(size=400)}], params=["Omega_m", "hrd"])
    with pytest.raises(ValueError, match="need as many colors and labels"):
        corner_plot([s, s], color=["k"])
    with pytest.raises(ValueError, match="unknown parameter 'Omega_m'; valid: w0"):
        fisher_triangle(FisherMatrix(np.eye(1), ["w0"], {"w0": -1.0}), params=["Omega_m"])

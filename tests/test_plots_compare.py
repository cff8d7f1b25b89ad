"""plots.compare_posteriors (issue 20): overlaid contours enclose the stated probability, missing
parameters are skipped per result, the legend comes from the manifests."""

import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.path import Path

from hicosmo_nb.inference import Result
from hicosmo_nb.plots import compare_posteriors


def _result(rng, mean, cov, names, dataset):
    x = rng.multivariate_normal(mean, cov, size=(2, 20000))
    return Result.from_arrays({n: x[..., i] for i, n in enumerate(names)},
                              manifest={"likelihood": {"name": dataset}})


@pytest.fixture(scope="module")
def figure():
    rng = np.random.default_rng(3)
    a = _result(rng, [-0.7, -1.0], [[0.01, -0.02], [-0.02, 0.09]], ["w0", "wa"], "desi_dr2_bao + union3")
    b = _result(rng, [-0.9, 0.3], [[0.004, 0.0], [0.0, 0.0025]], ["w0", "Omega_m"], "desi_dr2_bao + desy5")
    return compare_posteriors([a, b]), a, b


def test_legend_and_grid_from_manifests(figure):
    fig, _, _ = figure
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["desi_dr2_bao + union3", "desi_dr2_bao + desy5"]
    assert list(fig.hicosmo_triangle["params"]) == ["w0", "wa", "Omega_m"]
    axes = fig.hicosmo_triangle["axes"]
    # (wa, w0) only from a, (Omega_m, w0) only from b, (Omega_m, wa) from neither
    n_sets = [sum(isinstance(c, ContourSet) and not c.filled for c in axes[i, j].collections)
              for i, j in ((1, 0), (2, 0), (2, 1))]
    assert n_sets == [1, 1, 0]
    assert len(axes[0, 0].patches) == 2  # both results have w0: two histograms


def test_contours_enclose_68_and_95_percent(figure):
    fig, a, _ = figure
    ax = fig.hicosmo_triangle["axes"][1, 0]
    lines = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled][0]
    s = a.samples
    pts = np.column_stack([s["w0"].ravel(), s["wa"].ravel()])
    # levels ascend in density: the outer (95.4%) contour first, then the inner (68.3%)
    inside = []
    for path in lines.get_paths():
        polys = path.to_polygons()
        inside.append(np.mean(np.any([Path(p).contains_points(pts) for p in polys], axis=0)))
    assert len(inside) == 2 and inside == pytest.approx([0.954, 0.683], abs=0.03), inside


def test_labels_override_and_errors(figure):
    _, a, b = figure
    fig = compare_posteriors([a, b], params=["w0"], labels=["A", "B"])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["A", "B"]
    with pytest.raises(ValueError, match="labels has 1 names for 2 results"):
        compare_posteriors([a, b], labels=["A"])
    with pytest.raises(ValueError, match="w_0"):
        compare_posteriors([a, b], params=["w_0"])

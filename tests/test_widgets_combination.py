"""combination_explorer and the CombinationFits cache behind it (issue 20, section 4).

The cache is checked against an independent path (``build_problem`` + ``compare.maximize``, which
compiles its own objective) and against DESI DR2's BAO-alone LCDM Omega_m; the dashboard like the
other four: programmatic handle, cached toggles, bad states as messages, Run NUTS handing the
combination to the live sampler dashboard.
"""

import io

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from hicosmo_nb.compare import CombinationFits, maximize  # noqa: E402
from hicosmo_nb.compare.fit import build_maximizer  # noqa: E402
from hicosmo_nb.inference import build_problem  # noqa: E402
from hicosmo_nb.widgets import combination_explorer  # noqa: E402
from PIL import Image  # noqa: E402

# uncalibrated BAO (h r_d free) + Union3: cheap to compile, and one structure for both combinations
ENTRY_SET = ("desi", "theta_star", "cmb", "union3")


@pytest.fixture(scope="module")
def fits():
    return CombinationFits(entries=ENTRY_SET)


def test_cache_matches_an_independent_fit_and_compiles_once(fits):
    a = fits.fit(("desi",), "LCDM")
    b = fits.fit(("desi", "union3"), "LCDM")
    # one program per dataset: uncalibrated BAO and Union3
    assert fits.compiled == 2 and a.free == b.free == ("Omega_m", "hrd")
    # H0 enters h r_d-calibrated BAO only through the radiation density: held at its default
    ref = maximize(build_problem("LCDM", ["desi_dr2_bao", "union3"], ["Omega_m", "hrd"],
                                 options={"desi_dr2_bao": {"rd": "free"}}))
    assert b.chi2 == pytest.approx(ref.chi2, abs=1e-5)
    for p in b.free:
        assert b.mode[p] == pytest.approx(ref.mode[p], rel=1e-5)
        assert b.sigma[p] == pytest.approx(ref.sigma[p], rel=1e-3)
    # DESI DR2 BAO alone, flat LCDM: Omega_m = 0.2975 +- 0.0086 (arXiv:2503.14738, Sec. V)
    assert abs(a.mode["Omega_m"] - 0.2975) < 0.2 * 0.0086
    assert a.sigma["Omega_m"] == pytest.approx(0.0086, rel=0.1)
    assert fits.is_cached(("union3", "desi"), "LCDM")


def test_another_model_reuses_the_datasets_programs(fits):
    # w0 is an input of the programs LCDM compiled (held at -1 there): wCDM compiles no likelihood
    fits.fit(("desi", "union3"), "LCDM")
    before = fits.compiled
    c = fits.fit(("desi", "union3"), "wCDM")
    assert fits.compiled == before and c.free == ("Omega_m", "w0", "hrd")
    ref = maximize(build_problem("wCDM", ["desi_dr2_bao", "union3"], ["Omega_m", "w0", "hrd"],
                                 options={"desi_dr2_bao": {"rd": "free"}}))
    assert c.chi2 == pytest.approx(ref.chi2, abs=1e-5)
    for p in c.free:
        assert c.mode[p] == pytest.approx(ref.mode[p], rel=1e-5)
        assert c.sigma[p] == pytest.approx(ref.sigma[p], rel=1e-3)


def test_the_laplace_hessian_from_compiled_gradients_is_the_exact_one(fits):
    # the fits difference their compiled gradients instead of compiling jax.hessian per fit
    b = fits.fit(("desi", "union3"), "LCDM")
    exact = build_maximizer(fits.problem(("desi", "union3"), "LCDM"))
    x = np.array([b.mode[p] for p in b.free])
    cov = np.linalg.inv(-np.asarray(exact.hessian_x(x)))
    assert np.allclose(b.cov, cov, rtol=1e-6, atol=0)


def test_bad_combinations_name_the_problem(fits):
    with pytest.raises(ValueError, match="pick one of"):
        fits.check(("desi", "theta_star", "cmb"), "LCDM")
    with pytest.raises(ValueError, match="dataset entry"):
        fits.check(("desi", "planck"), "LCDM")
    with pytest.raises(ValueError, match="tick at least one"):
        fits.check((), "LCDM")
    with pytest.raises(ValueError, match="model"):
        fits.check(("desi",), "LCDMM")


def test_dashboard_overlays_cached_combinations_and_keeps_bad_states(fits):
    d = combination_explorer(("desi",), "LCDM", fits=fits, mode="png")
    assert d.message == "" and [r["selection"] for r in d.state["combinations"]] == [("desi",)]
    # LCDM default pair is (Omega_m, H0): BAO alone does not vary H0, so nothing is drawn
    assert not d.state["combinations"][0]["drawn"]
    d.set(y="hrd")
    row = d.state["combinations"][0]
    assert row["drawn"] and row["center"][0] == pytest.approx(row["fit"].mode["Omega_m"])
    assert d.pin() and d.pinned == [("desi",)]
    d.set(use_union3=True)
    assert [r["selection"] for r in d.state["combinations"]] == [("desi", "union3"), ("desi",)]
    n_fits = len(fits._fits)  # (counted here: other tests of this worker may have fitted it before)
    ax = d.figure.axes[0]
    view, full, layouts = (ax.get_xlim(), ax.get_ylim()), d.full_draws, []
    relayout = d._relayout
    d._relayout = lambda: (layouts.append(1), relayout())
    d.set(use_union3=False)
    d.set(use_union3=True)
    assert len(fits._fits) == n_fits  # toggles of fitted combinations reuse the cached fits
    # a tick box keeps the view (the DESI + Union3 ellipse lies inside the pinned DESI one): one draw
    # each, no new layout, and the ellipses stay inside the axes
    assert (ax.get_xlim(), ax.get_ylim()) == view and d.full_draws == full + 2 and not layouts
    for r in d.state["combinations"]:
        for e in r["ellipses"]:
            assert view[0][0] < e[:, 0].min() and e[:, 0].max() < view[0][1]
            assert view[1][0] < e[:, 1].min() and e[:, 1].max() < view[1][1]
    # the PNG sent after a toggle is the figure as it draws again
    frame = np.asarray(d.figure.canvas.buffer_rgba()).copy()
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(d.canvas.value)).convert("RGBA")), frame)
    d.figure.canvas.draw()
    np.testing.assert_array_equal(np.asarray(d.figure.canvas.buffer_rgba()), frame)
    # ellipse vertices are the Laplace 68.3% contour: (x - m)^T C^-1 (x - m) = 2.30
    r = d.state["combinations"][0]
    f = r["fit"]
    ij = [f.free.index("Omega_m"), f.free.index("hrd")]
    c = f.cov[np.ix_(ij, ij)]
    dx = r["ellipses"][0] - np.asarray(r["center"])
    assert np.allclose(np.einsum("ni,ij,nj->n", dx, np.linalg.inv(c), dx), 2.2957, atol=1e-3)
    good = d.state["combinations"]
    d.set(use_theta_star=True, use_cmb=True)
    assert "pick one of" in d.message and d.state["combinations"] == good
    d.set(use_theta_star=False, use_cmb=False, x="Omega_m", y="Omega_m")
    assert "different parameters" in d.message
    d.set(y="hrd")
    assert d.message == ""


@pytest.mark.slow
def test_run_nuts_hands_the_combination_to_the_sampler(fits):
    d = combination_explorer(("desi", "union3"), "LCDM", fits=fits, mode="png")
    s = d.run_nuts(num_chains=1, num_warmup=30, num_samples=30)
    assert s is not None and s.wait(timeout=600)
    assert s.result is not None and tuple(s.problem.free) == ("Omega_m", "hrd")
    assert s.result.samples["Omega_m"].shape == (1, 30)

"""Dashboards driven from Python: readouts equal the library, curves equal the cosmology functions."""

import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from hicosmo_nb import cosmology, likelihoods  # noqa: E402
from hicosmo_nb.fisher import BAOSurvey, DESI_DR2_LIKE, PANTHEON_PLUS_LIKE, SNSurvey, combine_fishers  # noqa: E402
from hicosmo_nb.widgets import autodiff_explorer, canvas_mode, cosmology_explorer, fisher_explorer  # noqa: E402


def test_import_hicosmo_nb_does_not_import_ipywidgets():
    code = ("import sys, hicosmo_nb, hicosmo_nb.plots, hicosmo_nb.fisher, hicosmo_nb.likelihoods; "
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_canvas_mode_choices(monkeypatch):
    monkeypatch.delenv("HICOSMO_NB_WIDGET_MODE", raising=False)
    assert canvas_mode("png") == "png"
    assert canvas_mode("auto") == "ipympl"  # installed here
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert canvas_mode("auto") == "png"  # Colab's stock frontend has no ipympl
    with pytest.raises(ValueError, match="mode must be"):
        canvas_mode("svg")


@pytest.fixture(scope="module")
def cosmo():
    return cosmology_explorer(mode="png")


def _chi2(name, p):
    lk = likelihoods.get(name)
    return float(-2 * lk(p) - lk.metadata["chi2_offset"])


def test_cosmology_readout_equals_likelihoods_and_curves_equal_cosmology(cosmo):
    cosmo.set(model="w0waCDM")
    cosmo.set(H0=70.3, Omega_m=0.31, w0=-0.9, wa=-0.4, Omega_b=0.05)
    st = cosmo.state
    p = {k: st["controls"][k] for k in ("H0", "Omega_m", "Omega_b", "Omega_k", "w0", "wa", "m_nu")}
    assert p["w0"] == pytest.approx(-0.9) and p["Omega_k"] == 0.0
    for name in ("union3", "desi_dr2_bao", "cc"):
        assert st["chi2"][name] == pytest.approx(_chi2(name, p), rel=1e-9, abs=1e-9)
    assert st["chi2_total"] == pytest.approx(sum(st["chi2"].values()), rel=1e-12)
    panels = cosmo.panels
    mu = cosmo._mu_line.get_ydata()
    np.testing.assert_allclose(mu, cosmology.distance_modulus(p, panels.z_sn), rtol=1e-12)
    np.testing.assert_allclose(cosmo._hz_line.get_ydata(), cosmology.H(p, panels.z_hz), rtol=1e-12)
    z = panels.z_bao
    dm = cosmology.transverse_comoving_distance(p, z) / cosmology.sound_horizon_drag(p) / z ** (2 / 3)
    np.testing.assert_allclose(cosmo._bao_lines["DM"].get_ydata(), dm, rtol=1e-10)
    assert cosmo.canvas.value[:8] == b"\x89PNG\r\n\x1a\n"
    cosmo.set(use_cc=False)
    assert cosmo.state["chi2_total"] == pytest.approx(st["chi2"]["union3"] + st["chi2"]["desi_dr2_bao"])
    cosmo.set(use_cc=True)


def test_cosmology_unphysical_keeps_state_and_compiles_once(cosmo):
    cosmo.set(model="kLCDM")
    cosmo.set(H0=68.0, Omega_m=0.3, Omega_k=0.0)
    good, curve = cosmo.state["chi2_total"], cosmo._mu_line.get_ydata().copy()
    cosmo.set(Omega_m=0.05, Omega_k=-0.5)  # closed, Lambda dominated: no big bang
    assert "no big bang" in cosmo.message
    assert cosmo.state["chi2_total"] == good
    np.testing.assert_array_equal(cosmo._mu_line.get_ydata(), curve)
    assert "no big bang" in cosmo.message_area.value
    cosmo.set(Omega_m=0.3, Omega_k=0.0)
    assert cosmo.message == ""
    rng = np.random.default_rng(1)
    for _ in range(50):
        cosmo.set(H0=rng.uniform(60, 80), Omega_m=rng.uniform(0.2, 0.4), Omega_k=rng.uniform(-0.1, 0.1),
                  m_nu=rng.uniform(0, 0.3))
    assert cosmo.panels.compilations() == 1


def test_cosmology_best_fit_moves_sliders_to_the_maximum(cosmo):
    cosmo.set(model="LCDM")
    cosmo.set(H0=64.0, Omega_m=0.36, Omega_b=0.0493)
    before = cosmo.state["chi2_total"]
    res = cosmo.fit()
    assert res["success"]
    after = cosmo.state["chi2_total"]
    assert after == pytest.approx(res["chi2"], rel=1e-9) and after < before - 1
    best = cosmo.params
    for k, d in (("H0", 0.3), ("Omega_m", 0.005)):  # a maximum: both neighbours are worse
        for s in (-1, 1):
            cosmo.set(**{k: best[k] + s * d})
            assert cosmo.state["chi2_total"] > after
    cosmo.set(H0=best["H0"], Omega_m=best["Omega_m"])


def test_cosmology_missing_sn_file_is_a_message(cosmo):
    cosmo.controls["sn"].value = "desy5"  # its systematic covariance is not shipped nor downloaded
    assert cosmo.controls["sn"].value == "union3"
    assert "desy5 is not available" in cosmo.message


@pytest.fixture(scope="module")
def fisher():
    return fisher_explorer(mode="png")


def test_fisher_errors_and_fom_equal_fisher_matrix(fisher):
    fisher.set(sn="Pantheon+-like", bao="DESI DR2-like", n_sn=3000.0, sigma_int=0.15, sn_z=(0.0, 1.3),
               bao_z=(0.4, 2.5), bao_scale=0.8, prior_H0=2.0, status_Omega_k="fixed", status_Omega_b="fixed")
    st = fisher.state
    keep = PANTHEON_PLUS_LIKE.z <= 1.3
    n = PANTHEON_PLUS_LIKE.n * 3000.0 / PANTHEON_PLUS_LIKE.n.sum()
    sn = SNSurvey(PANTHEON_PLUS_LIKE.z[keep], n[keep], sigma_int=0.15)
    d = DESI_DR2_LIKE
    k = d.z >= 0.4
    bao = BAOSurvey(d.z[k], d.frac_DM[k] * 0.8, d.frac_DH[k] * 0.8, corr=d.corr[k], frac_DV=d.frac_DV[k] * 0.8)
    fid = dict(fisher.forecaster.fiducial)
    free = ["H0", "Omega_m", "w0", "wa", "M"]
    ref = combine_fishers(sn.fisher(fid, free), bao.fisher(fid, free)).add_prior({"H0": 2.0})
    for p, e in ref.marginalized_errors().items():
        assert st["errors"][p] == pytest.approx(e, rel=1e-6)
    assert st["fom"] == pytest.approx(ref.figure_of_merit(), rel=1e-6)
    ell = fisher._ell[0].get_xydata()
    cov = ref.covariance[np.ix_([2, 3], [2, 3])]
    r = ell - np.array([-1.0, 0.0])
    np.testing.assert_allclose(np.einsum("ni,ij,nj->n", r, np.linalg.inv(cov), r), 2.2957489, rtol=1e-5)


def test_fisher_degenerate_choice_is_a_message(fisher):
    fisher.set(bao="DESI DR2-like", prior_H0=0.0)
    good = fisher.state["fom"]
    fisher.set(bao="none")  # SNe alone: H0 and M degenerate
    assert "degenerate" in fisher.message and fisher.state["fom"] == good
    fisher.set(status_H0="fixed")
    assert fisher.message == "" and fisher.state["fom"] > 0
    fisher.set(status_w0="fixed")
    assert fisher.message == "w0 is fixed: free it to plot it"
    fisher.set(status_w0="free", status_H0="free", bao="DESI DR2-like")
    assert fisher.message == ""


def test_autodiff_explorer_matches_exact_derivatives_and_compiles_once():
    d = autodiff_explorer("x^3 - 2x", mode="png")
    d.set(x=0.8, log10_h=-5.0)
    s = d.state["study"]
    assert s.autodiff == pytest.approx(3 * 0.8**2 - 2, rel=1e-15) and s.reference_kind == "exact"
    assert s.central[-1] == pytest.approx(3 * 0.8**2 - 2, rel=1e-8)
    assert s.forward_err[0] > 1e-3 and s.central_err[40] < 1e-8  # round-off at h = 1e-15
    rng = np.random.default_rng(0)
    for _ in range(50):
        d.set(x=rng.uniform(-2, 2), log10_h=rng.uniform(-12, -2))
    from hicosmo_nb import derivatives
    assert derivatives.compilations("x^3 - 2x") == 1
    d.set(function="D_L(z=1) vs Omega_m")
    s = d.state["study"]
    assert s.reference_kind == "Richardson" and s.autodiff_err < 1e-8
    cost = d.measure_cost((2, 64))
    assert cost["fd_s"][-1] > cost["autodiff_s"][-1]


def test_set_out_of_range_is_a_message_and_keeps_the_state(cosmo, fisher):
    # issue 21: set(H0=-5) moved the slider to its minimum without a word
    cosmo.set(model="w0waCDM")
    cosmo.set(H0=68.0, Omega_m=0.3, w0=-1.0)
    good = cosmo.state
    for kw, rng in ((dict(H0=-5), r"\[\d+, \d+\]"), (dict(Omega_m=2), r"\[0\.\d+, 0\.\d+\]"),
                    (dict(w0=0.5), r"\[-\d+, -?\d+\]"), (dict(H0=float("nan")), r"\[")):
        (name, value), = kw.items()
        cosmo.set(**kw)
        assert re.search(rf"^{name}={re.escape(repr(value))} is outside the range of the {name} control, "
                         + rng, cosmo.message), cosmo.message
        assert cosmo.state["controls"] == good["controls"] and cosmo.state["chi2_total"] == good["chi2_total"]
    cosmo.set(H0=69.0, Omega_m=2)  # one bad value: nothing of the call changes
    assert cosmo.state["controls"]["H0"] == 68.0
    cosmo.set(H0=68.5)
    assert cosmo.message == ""
    with pytest.raises(ValueError, match=r"unknown control 'h' \(did you mean 'H0'\?\)"):
        cosmo.set(h=0.7)
    fisher.set(bao="DESI DR2-like")
    before = fisher.state["controls"]["n_sn"]
    fisher.set(n_sn=-5)
    assert fisher.message == "n_sn=-5 is outside the range of the n_sn control, [31.6228, 1e+06]; nothing changed"
    assert fisher.state["controls"]["n_sn"] == before


def test_fisher_negative_or_nan_prior_is_refused(fisher):
    fisher.set(bao="DESI DR2-like", prior_H0=0.0)
    good = fisher.state["fom"]
    for bad in (-2.0, float("nan")):
        fisher.set(prior_H0=bad)
        assert fisher.message == f"prior σ of H0 is {bad}: it must be a number >= 0 (0: no prior)"
        assert fisher.state["fom"] == good
    fisher.set(prior_H0=0.0)
    assert fisher.message == ""

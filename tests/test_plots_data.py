"""Data-vs-model plots and ArviZ diagnostics: artists, model curves vs astropy, PNG smoke tests."""

import matplotlib

matplotlib.use("Agg")

import arviz as az  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from astropy.cosmology import FlatLambdaCDM  # noqa: E402

from hicosmo_nb.data import load_cc, load_desi_bao, load_union3  # noqa: E402
from hicosmo_nb.plots import bao_plot, hubble_diagram, hz_plot, rank_plot, trace_plot  # noqa: E402

NO_RAD = {"H0": 70.0, "Omega_m": 0.3, "T_cmb": 0.0}  # astropy's Om0 means the same without radiation
ASTROPY = FlatLambdaCDM(H0=70.0, Om0=0.3, Tcmb0=0.0)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_hubble_diagram_model_curve_and_residuals():
    z = np.array([0.02, 0.1, 0.4, 0.8, 1.3])
    mu = ASTROPY.distmod(z).value + np.array([0.05, -0.02, 0.03, 0.0, -0.04])
    fig = hubble_diagram(z, mu, 0.1, model=NO_RAD)
    top, bottom = fig.axes
    x, y = top.lines[-1].get_data()
    np.testing.assert_allclose(y, ASTROPY.distmod(x).value, atol=1e-6)
    res = bottom.containers[0].lines[0].get_ydata()
    np.testing.assert_allclose(res, [0.05, -0.02, 0.03, 0.0, -0.04], atol=1e-6)
    assert top.get_xscale() == "log" and bottom.get_xlabel() == "$z$"


def test_hubble_diagram_fit_offset_with_covariance():
    z = np.array([0.1, 0.3, 0.6])
    cov = np.array([[0.01, 0.002, 0.0], [0.002, 0.02, 0.001], [0.0, 0.001, 0.04]])
    offset = np.array([0.3, 0.1, -0.2])
    mag = ASTROPY.distmod(z).value + offset
    fig = hubble_diagram(z, mag, cov=cov, model={"LCDM": NO_RAD}, fit_offset=True)
    w = np.linalg.inv(cov)
    gls = np.sum(w @ offset) / np.sum(w)  # generalized-least-squares mean
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"LCDM {gls:+.3f} mag" in texts
    np.testing.assert_allclose(fig.axes[1].containers[0].lines[0].get_ydata(), offset - gls, atol=1e-6)


def test_hubble_diagram_accepts_sndata():
    fig = hubble_diagram(load_union3(), model={"H0": 70.0, "Omega_m": 0.35}, fit_offset=True)
    assert len(fig.axes[0].containers[0].lines[0].get_xdata()) == 22


def test_bao_plot_against_desi_dr2():
    bao = load_desi_bao("dr2")
    params = {"H0": 68.5, "Omega_m": 0.2975, "hrd": 101.54, "T_cmb": 0.0}
    fig = bao_plot(bao, model=params)
    top, bottom = fig.axes
    assert len(top.containers) == 3  # DV, DM, DH data series
    # pulls (data - model) / sigma against an independent astropy model with r_d = hrd / h
    c = FlatLambdaCDM(H0=68.5, Om0=0.2975, Tcmb0=0.0)
    rd = 101.54 / 0.685
    sig = np.sqrt(np.diag(bao.cov))
    markers = {"o": "DV", "s": "DM", "^": "DH"}
    pulls = {(markers[ln.get_marker()], round(float(x), 3)): y
             for ln in bottom.lines if ln.get_marker() in markers for x, y in zip(*ln.get_data())}
    assert len(pulls) == bao.n
    for zi, v, k, s in zip(bao.z, bao.values, bao.kinds, sig):
        dm = c.comoving_transverse_distance(zi).value
        dh = 299792.458 / c.H(zi).value
        model = {"DM": dm, "DH": dh, "DV": (zi * dm**2 * dh) ** (1 / 3)}[k[:2]] / rd
        assert pulls[(k[:2], round(float(zi), 3))] == pytest.approx((v - model) / s, abs=1e-4)
    assert "pull" in bottom.get_ylabel()


def test_bao_plot_plain_arrays_and_several_models():
    z = [0.5, 0.5, 1.0]
    fig = bao_plot(z, [13.5, 22.0, 22.0], [0.2, 0.4, 0.3], ["DM_over_rs", "DH_over_rs", "DV"],
                   model={"a": {"H0": 68.0, "Omega_m": 0.3, "hrd": 100.0},
                          "b": lambda kind, zz: np.full_like(np.asarray(zz, float), 20.0)},
                   residuals=False)
    ax = fig.axes[0]
    assert len(ax.containers) == 3 and len(fig.axes) == 1
    with pytest.raises(ValueError, match="unknown BAO quantity 'DA'"):
        bao_plot(z, [1, 2, 3], 0.1, ["DM", "DH", "DA"])


def test_hz_plot_with_cosmic_chronometers():
    cc = load_cc()
    fig = hz_plot(cc, model=NO_RAD, residuals=True)
    top, bottom = fig.axes
    x, y = top.lines[-1].get_data()
    np.testing.assert_allclose(y, ASTROPY.H(x).value, rtol=1e-9)
    res = bottom.containers[0].lines[0].get_ydata()
    np.testing.assert_allclose(res, cc.H - ASTROPY.H(cc.z).value, rtol=1e-7, atol=1e-7)


def test_data_plot_errors():
    with pytest.raises(ValueError, match="give err"):
        hz_plot([0.1], [70.0])
    with pytest.raises(ValueError, match="errors must be finite and > 0"):
        hz_plot([0.1], [70.0], [-1.0])
    with pytest.raises(ValueError, match="cov must be 2x2"):
        hubble_diagram([0.1, 0.2], [38.0, 40.0], cov=np.eye(3))
    with pytest.raises(ValueError, match="mag has shape"):
        hubble_diagram([0.1, 0.2], [38.0], 0.1)
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="ax= draws a single panel"):
        hubble_diagram([0.1], [38.0], 0.1, ax=ax)
    with pytest.raises(ValueError, match="fig must be empty"):
        hubble_diagram([0.1], [38.0], 0.1, fig=fig)
    with pytest.raises(ValueError, match="model must be a parameter dict"):
        hz_plot([0.1], [70.0], [5.0], model=3)
    out = hz_plot([0.1], [70.0], [5.0], ax=ax)  # single panel into a given axes
    assert out is fig


def _chains(seed=0):
    rng = np.random.default_rng(seed)
    return {"Omega_m": rng.normal(0.3, 0.01, (4, 200)), "hrd": rng.normal(100, 1, (4, 200))}


def test_trace_and_rank_plots():
    s = _chains()
    fig = trace_plot(s)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 4
    assert len(trace_plot(az.from_dict({"posterior": s}), var_names=["hrd"]).axes) == 2
    fig = rank_plot(s, figsize=(6, 3))
    assert len(fig.axes) == 2 and tuple(fig.get_size_inches()) == pytest.approx((6, 3))
    with pytest.raises(ValueError, match=r"unknown var_names entry \(not in the posterior\) 'w0'"):
        rank_plot(s, var_names=["w0"])
    with pytest.raises(ValueError, match=r"need \(chain, draw\) arrays"):
        trace_plot({"x": np.zeros(10)})
    with pytest.raises(ValueError, match="samples must be an ArviZ DataTree"):
        trace_plot([1, 2, 3])


def test_png_smoke(tmp_path):
    cc = load_cc()
    figs = {
        "hubble": hubble_diagram(load_union3(), model=NO_RAD, fit_offset=True),
        "bao": bao_plot(load_desi_bao("dr2"), model={"H0": 68.5, "Omega_m": 0.2975, "hrd": 101.54}),
        "hz": hz_plot(cc, model=NO_RAD),
        "trace": trace_plot(_chains(1)),
        "rank": rank_plot(_chains(2)),
    }
    for name, fig in figs.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path, dpi=50)
        img = matplotlib.image.imread(path)
        assert img.ndim == 3 and np.std(img[..., :3]) > 0.01, name


def test_figures_draw_on_the_ipympl_canvas():
    """The plots create figures through pyplot, so ``%matplotlib widget`` (ipympl) gets them."""
    import subprocess
    import sys

    code = (
        "import matplotlib; matplotlib.use('module://ipympl.backend_nbagg')\n"
        "import numpy as np\n"
        "from hicosmo_nb.fisher import FisherMatrix\n"
        "from hicosmo_nb.plots import corner_plot, hz_plot\n"
        "F = FisherMatrix([[2e4, 1e2], [1e2, 2.0]], ['Omega_m', 'hrd'], {'Omega_m': 0.3, 'hrd': 100.0})\n"
        "r = np.random.default_rng(0)\n"
        "fig = corner_plot({'Omega_m': r.normal(0.3, 0.01, 500), 'hrd': r.normal(100, 1, 500)}, fisher=F)\n"
        "fig.canvas.draw()\n"
        "fig2 = hz_plot([0.1, 0.5], [70.0, 90.0], [5.0, 6.0])\n"
        "fig2.canvas.draw()\n"
        "print(type(fig.canvas).__module__, type(fig2.canvas).__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["ipympl.backend_nbagg", "ipympl.backend_nbagg"]


def test_bao_plot_shape_errors():
    with pytest.raises(ValueError, match="z, values and kinds must have the same length \\(2\\)"):
        bao_plot([0.5, 1.0], [13.0, 22.0], 0.1, ["DM"])
    with pytest.raises(ValueError, match="H has shape"):
        hz_plot([0.1, 0.2], [70.0], 1.0)

"""Blitted dashboard frames against full draws; frozen limits that still hold data and curves.

A slider move restores the cached background and draws only the animated artists
(:mod:`hicosmo_nb.widgets._blit`). The frame must then be *identical* to a full
``figure.canvas.draw()`` of the same state (0 differing pixels: the background bytes are
restored exactly and the same artists are drawn by the same renderer in the same order, so any
difference means a stale background, e.g. limits or labels changed without a full draw). And it
must differ from matplotlib's own drawing order (animated artists drawn among the static ones)
only where the animated artists are drawn, since only their stacking order differs.
"""

import io

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
from PIL import Image  # noqa: E402

from hicosmo_nb import cosmology  # noqa: E402
from hicosmo_nb.widgets import cosmology_explorer, fisher_explorer  # noqa: E402


def _frame(dash) -> np.ndarray:
    return np.asarray(dash.figure.canvas.buffer_rgba()).copy()


def _full_draw(dash, animated_shown=True, natural_order=False) -> np.ndarray:
    """A full draw: the dashboard's own (animated on top), matplotlib's order, or background only."""
    arts = list(dash._blitter.artists)
    own = animated_shown and not natural_order
    for a in arts:
        a.set_animated(not natural_order)
        a.set_visible(animated_shown)
    if not own:
        dash._blitter.artists.clear()  # no drawing on top in the draw_event callback
    try:
        dash.figure.canvas.draw()
        return _frame(dash)
    finally:
        dash._blitter.artists[:] = arts
        for a in arts:
            a.set_animated(True)
            a.set_visible(True)
        dash.figure.canvas.draw()  # the dashboard's background again


def _pixels_off(dash) -> int:
    """Pixels of the frame on screen that differ from a full draw of the same state."""
    frame = _frame(dash)
    return int((_full_draw(dash) != frame).any(-1).sum())


def _check_blitted_frame(dash, moves):
    full0, blits0 = dash.full_draws, dash.blits
    for m in moves:
        dash.set(**m)
        assert dash.message == ""
    assert dash.blits - blits0 >= len(moves) // 2, (dash.blits - blits0, dash.full_draws - full0)
    frame = _frame(dash)
    # the PNG sent to the browser is this frame (decoded by Pillow, an independent reader)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(dash.canvas.value)).convert("RGBA")), frame)
    own = _full_draw(dash)
    assert int((own != frame).any(-1).sum()) == 0
    background = _full_draw(dash, animated_shown=False)
    natural = _full_draw(dash, natural_order=True)
    drawn = (frame != background).any(-1) | (natural != background).any(-1)
    assert drawn.sum() > 2000  # the curves are there
    assert not ((natural != frame).any(-1) & ~drawn).any()  # stacking order only differs where they are


@pytest.fixture(scope="module")
def cosmo():
    return cosmology_explorer(mode="png")


def test_cosmology_blitted_frames_equal_full_draws(cosmo):
    d = cosmo
    d.set(model="kw0waCDM")
    rng = np.random.default_rng(3)
    _check_blitted_frame(d, [dict(H0=rng.uniform(62, 75), Omega_m=rng.uniform(0.25, 0.35),
                                  Omega_k=rng.uniform(-0.05, 0.05), w0=rng.uniform(-1.2, -0.8),
                                  wa=rng.uniform(-0.5, 0.3)) for _ in range(8)])


def test_fisher_blitted_frames_equal_full_draws_and_legend_follows_overlay():
    d = fisher_explorer(mode="png")
    rng = np.random.default_rng(4)
    _check_blitted_frame(d, [dict(n_sn=float(rng.uniform(1000, 3000)), sigma_int=float(rng.uniform(0.1, 0.15)),
                                  bao_scale=float(rng.uniform(0.8, 1.2))) for _ in range(8)])
    legend = [t.get_text() for t in d._axes[0].get_legend().get_texts()]
    assert legend and not any("real data" in t for t in legend)  # overlay off: no real-data entries
    d.set(x="Omega_m", y="w0")  # structural: new labels in a new background
    d.set(n_sn=2500.0)
    assert d._axes[0].get_xlabel() == r"$\Omega_m$" and d.blits > 0
    assert _pixels_off(d) == 0
    buf = io.BytesIO()
    d.figure.savefig(buf, format="png")  # matplotlib's own drawing order, every artist once
    np.testing.assert_array_equal(_decode(buf.getvalue()), _full_draw(d, natural_order=True))
    blits = d.blits
    d.set(n_sn=2700.0)  # the background survives the savefig
    assert d.blits == blits + 1 and _pixels_off(d) == 0


def test_structural_change_recaptures_background_and_limits_hold_data_and_curves(cosmo):
    d = cosmo
    d.set(model="LCDM")
    d.set(H0=68.0, Omega_m=0.31)
    ax_sn, ax_bao, ax_hz = d._axes
    before, full = ax_hz.get_ylim(), d.full_draws
    d.set(H0=86.0, Omega_m=0.55)  # the H(z) curve leaves the data's view: the view grows (a full draw) ...
    assert d.full_draws == full + 1 and ax_hz.get_ylim()[1] > before[1]
    assert _pixels_off(d) == 0
    d.set(H0=68.0, Omega_m=0.31)  # ... and stays grown when the curve comes back
    grown = ax_hz.get_ylim()
    full = d.full_draws
    d.set(model="wCDM")  # structural: limits fitted again, a new layout and background, in one draw
    assert d.full_draws > full and ax_hz.get_ylim()[1] < grown[1] - 50
    frame = _frame(d)  # the layout's own draw is the frame sent: equal to drawing the laid-out figure again
    np.testing.assert_array_equal(_decode(d.canvas.value), frame)
    assert _pixels_off(d) == 0
    blits = d.blits
    d.set(w0=-0.8)  # a slider: blitted over the new background
    assert d.blits == blits + 1
    assert _pixels_off(d) == 0
    p = d.params
    assert p["w0"] == pytest.approx(-0.8)
    np.testing.assert_allclose(d._mu_line.get_ydata(), cosmology.distance_modulus(p, d.panels.z_sn), rtol=1e-12)
    np.testing.assert_allclose(d._hz_line.get_ydata(), cosmology.H(p, d.panels.z_hz), rtol=1e-12)
    # error bars inside the view (not clipped), model curves too
    cc = d._cc_data
    sig = np.sqrt(np.diag(cc.cov))
    lo, hi = ax_hz.get_ylim()
    assert lo < (cc.H - sig).min() and (cc.H + sig).max() < hi
    assert lo < d._hz_line.get_ydata().min() and d._hz_line.get_ydata().max() < hi
    for ax in d._axes:
        for ln in ax.get_lines():
            x, y = ln.get_xdata(), ln.get_ydata()
            if len(x):
                assert ax.get_xlim()[0] <= np.min(x) and np.max(x) <= ax.get_xlim()[1], ln
                assert ax.get_ylim()[0] <= np.min(y) and np.max(y) <= ax.get_ylim()[1], ln


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_ipympl_slider_moves_are_blits_sent_as_whole_frames_when_asked():
    """ipympl mode: each move is a blit; the frame goes when the browser asks for one (its
    "draw" message), whole and equal to a full draw, however many moves came in between (a
    frame the browser drops leaves nothing stale: diff frames did, as ghost curves)."""
    pytest.importorskip("ipympl")
    d = fisher_explorer(mode="ipympl")
    sent = []
    d.canvas.send_binary = sent.append  # what ipympl would send to the frontend
    blits = d.blits
    for n in (2000.0, 2100.0):
        d.set(n_sn=n)
    assert sent == []  # nothing pushed: the frontend has not asked
    d.canvas.handle_draw({"type": "draw"})
    d.set(n_sn=2300.0)
    d.canvas.handle_draw({"type": "draw"})
    assert d.blits == blits + 3 and len(sent) == 2 and d.canvas._image_mode == "full"
    np.testing.assert_array_equal(_decode(sent[-1]), _frame(d))
    assert not np.array_equal(_decode(sent[0]), _decode(sent[-1]))  # the moves changed the figure
    assert _pixels_off(d) == 0

"""The dashboard base on a toy dashboard (no JAX): batched updates, and the ipympl canvas fence.

``Dashboard.batched()`` coalesces control changes into one update (nested blocks: the outermost
updates; an exception restores the state and does not update). The fast ipympl canvas relies on
private ipympl/matplotlib state (``_frames.PRIVATE_NAMES``) checked for ipympl 0.9 to 0.10: with
the installed ipympl it is used; when a name is missing or the version is outside the range the
plain ipympl canvas is used, with one warning, and the dashboard still draws and blits.
"""

import warnings

import pytest

widgets = pytest.importorskip("ipywidgets")

from hicosmo_nb.widgets import _frames  # noqa: E402
from hicosmo_nb.widgets._base import Dashboard, new_figure, slider  # noqa: E402


class Toy(Dashboard):
    """Two sliders, one animated line ``(0, 0) -> (1, a + b)``."""

    def __init__(self, mode: str = "png"):
        super().__init__()
        fig, (ax,) = new_figure(3.0, 2.0, 1)
        (self.line,) = ax.plot([0.0, 1.0], [0.0, 0.0])
        controls = {"a": slider("a", 0.0, -1.0, 1.0, 0.1), "b": slider("b", 0.0, -1.0, 1.0, 0.1)}
        self._setup(fig, controls, widgets.VBox(list(controls.values())), mode, "toy", animated=[self.line])
        self.update()

    def _compute(self) -> dict:
        return {"sum": self.controls["a"].value + self.controls["b"].value}

    def _draw(self, values: dict) -> None:
        self.line.set_data([0.0, 1.0], [0.0, values["sum"]])


def test_a_control_change_updates_at_once_and_set_updates_once():
    d = Toy()
    n = d.updates
    d.controls["a"].value = 0.5
    assert d.updates == n + 1 and d.state["sum"] == 0.5
    d.set(a=0.1, b=0.2)
    assert d.updates == n + 2 and d.state["sum"] == pytest.approx(0.3)


def test_batched_updates_once_on_leaving_the_outermost_block():
    d = Toy()
    n = d.updates
    with d.batched() as same:
        assert same is d
        d.controls["a"].value = 0.3
        with d.batched():
            d.controls["b"].value = 0.4
            d.set(a=0.5)  # set inside a batch: no update of its own
        assert d.updates == n  # the inner block does not update
        d.controls["b"].value = 0.1
        assert d.updates == n
    assert d.updates == n + 1 and d.state["sum"] == pytest.approx(0.6)
    d.controls["a"].value = 0.0  # outside a batch again: at once
    assert d.updates == n + 2 and d.state["sum"] == pytest.approx(0.1)


def test_batched_restores_the_state_when_the_block_raises():
    d = Toy()
    n = d.updates
    with pytest.raises(RuntimeError, match="boom"):
        with d.batched():
            d.controls["a"].value = 0.7
            raise RuntimeError("boom")
    assert d.updates == n  # no update for a block that failed
    d.controls["b"].value = 0.1  # not batched any more
    assert d.updates == n + 1 and d.state["sum"] == pytest.approx(0.8)
    with d.batched():  # an inner block that raises leaves the outer one batched
        with pytest.raises(KeyError):
            with d.batched():
                raise KeyError("x")
        d.controls["a"].value = 0.0
        assert d.updates == n + 1
    assert d.updates == n + 2 and d.state["sum"] == pytest.approx(0.1)


def _fallback_warnings(caught) -> list:
    return [w for w in caught if "ipympl's own canvas" in str(w.message)]


def _draws_and_blits(d: Toy) -> None:
    """A slider move blits and a structural redraw draws, on whichever canvas ``d`` has."""
    d.set(a=0.5)  # the view grows to hold the line: a full draw
    blits = d.blits
    d.set(a=0.4)  # inside the view: a blit
    assert d.message == "" and d.blits == blits + 1 and d.state["sum"] == pytest.approx(0.4)
    full = d.full_draws
    d.redraw(full=True)
    assert d.full_draws == full + 1


def test_fast_canvas_with_the_installed_ipympl():
    pytest.importorskip("ipympl")
    assert _frames.fast_canvas_problem() == ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = Toy(mode="ipympl")
    assert _fallback_warnings(caught) == []
    assert isinstance(d.canvas, _frames._canvas_class()) and d.figure.canvas is d.canvas
    _draws_and_blits(d)


@pytest.mark.parametrize("break_it, reason", ids=["a name missing", "a newer ipympl", "an older ipympl"], argvalues=[
    (lambda mp, ipympl, nbagg: mp.delattr(nbagg.Canvas, "_force_full"), "Canvas has no _force_full"),
    (lambda mp, ipympl, nbagg: mp.setattr(ipympl, "__version__", "0.11.0"),
     r"ipympl 0\.11\.0 is outside the versions .* \(>= 0\.9, < 0\.11\)"),
    (lambda mp, ipympl, nbagg: mp.setattr(ipympl, "__version__", "0.8.2"), r"ipympl 0\.8\.2 is outside"),
])
def test_plain_ipympl_canvas_and_one_warning_when_the_fence_fails(monkeypatch, break_it, reason):
    ipympl = pytest.importorskip("ipympl")
    from ipympl import backend_nbagg

    break_it(monkeypatch, ipympl, backend_nbagg)
    _frames._warn_fallback.cache_clear()
    assert _frames.fast_canvas_problem() != ""
    with pytest.warns(UserWarning, match=reason) as caught:
        d = Toy(mode="ipympl")
    fallback = _fallback_warnings(caught)  # (ipywidgets 7 adds deprecation warnings of its own)
    assert len(fallback) == 1
    assert fallback[0].filename == __file__  # the user's line, not the package's
    assert type(d.canvas) is backend_nbagg.Canvas and d.figure.canvas is d.canvas
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        Toy(mode="ipympl")
    assert _fallback_warnings(again) == []  # once
    _draws_and_blits(d)

"""The dashboard base on a toy dashboard (no JAX): batched updates.

``Dashboard.batched()`` coalesces control changes into one update (nested blocks: the outermost
updates; an exception restores the state and does not update).
"""

import pytest

widgets = pytest.importorskip("ipywidgets")

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

"""The sampler dashboard's view: one figure (live traces left, corner plot right) and HTML tables.

Internal to :mod:`hicosmo_nb.widgets.sampler`. Nothing here computes a statistic: the traces
are the run's draws as they arrive (:class:`~hicosmo_nb.inference.Chunk`), the tables format
what :meth:`Result.diagnostics <hicosmo_nb.inference.Result.diagnostics>` and
:meth:`Result.summary <hicosmo_nb.inference.Result.summary>` return, and the corner plot is
:func:`hicosmo_nb.plots.corner_plot` drawn onto the right half of the same figure.
"""

from __future__ import annotations

import html
from typing import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..inference.state import CHAIN_KEYS_NAME
from ..plots import corner_plot, labels_for, palette

__all__ = ["TraceView", "diagnostics_html", "summary_html", "keys_html", "messages_html"]


class TraceView:
    """Trace lines per (parameter, chain) on the left of ``fig``; the corner plot on the right.

    The lines are created once per run (:meth:`reset`) and then only get new data
    (:meth:`append`, :meth:`refresh`): nothing is re-plotted while the run goes on.
    """

    def __init__(self, fig: Figure):
        self.fig = fig
        self.names: tuple[str, ...] = ()
        self.lines: dict[str, list] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.filled = 0
        self.left = self.right = None
        self.reset((), 0, 0)

    def reset(self, names: Sequence[str], num_chains: int, num_samples: int) -> None:
        """Empty trace axes for ``names`` x ``num_chains`` chains of ``num_samples`` draws."""
        self.fig.clear()
        self.left, self.right = self.fig.subfigures(1, 2, width_ratios=[1.0, 1.0])
        self.names, self.filled = tuple(names), 0
        self.buffers = {n: np.full((num_chains, num_samples), np.nan) for n in names}
        self.lines = {}
        if not names:
            self.left.text(0.5, 0.5, "traces appear here when the run samples", ha="center", va="center")
        else:
            axes = self.left.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
            self.left.subplots_adjust(left=0.14, right=0.97, bottom=0.12, top=0.96, hspace=0.08)
            labels = labels_for(names, None)
            colors = palette(num_chains, 0)
            for ax, name, label in zip(axes, names, labels):
                self.lines[name] = [ax.plot([], [], color=c, linewidth=0.8, label=f"chain {i}")[0]
                                    for i, c in enumerate(colors)]
                ax.set_ylabel(label)
                ax.set_xlim(0, max(num_samples, 1))
            axes[-1].set_xlabel("draw (after warmup)")
            if num_chains <= 8:
                axes[0].legend(loc="upper right", fontsize="x-small", ncol=min(num_chains, 4))
        self.right.text(0.5, 0.5, "corner plot when the run ends", ha="center", va="center")

    def append(self, draws: Mapping[str, np.ndarray], start: int) -> None:
        """Copy new draws ``name -> (chains, k)`` to index ``start`` of the trace buffers."""
        for name, x in draws.items():
            if name in self.buffers and x.shape[1]:
                self.buffers[name][:, start:start + x.shape[1]] = x
                self.filled = max(self.filled, start + x.shape[1])

    def draws_so_far(self) -> dict[str, np.ndarray]:
        """``name -> (chains, draws so far)`` views of the trace buffers."""
        return {n: b[:, :self.filled] for n, b in self.buffers.items()}

    def refresh(self) -> None:
        """Give the trace lines the draws so far and rescale their y axes."""
        n = self.filled
        x = np.arange(n)
        for name, lines in self.lines.items():
            for c, line in enumerate(lines):
                line.set_data(x, self.buffers[name][c, :n])
            ax = lines[0].axes
            ax.relim()
            ax.autoscale_view(scalex=False)

    def show_corner(self, result, *, params: Sequence[str], fisher=None) -> None:
        """Draw the corner plot of ``result`` (with ``fisher`` ellipses) on the right half."""
        self.right.clear()
        corner_plot(result, params=list(params), fisher=fisher, fig=self.right, label="NUTS draws")


def _fmt(x: float, digits: int) -> str:
    return "&ndash;" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th style='padding:0 8px'>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='padding:0 8px;text-align:right'>{c}</td>" for c in r)
                   + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def diagnostics_html(diag: Mapping | None, names: Sequence[str], divergences: int,
                     title: str = "Running diagnostics") -> str:
    """Running R-hat, bulk/tail ESS per parameter and the divergence count, as an HTML table."""
    diag = diag or {}
    rows = [[html.escape(n), _fmt(diag.get("rhat", {}).get(n), 3), _fmt(diag.get("ess_bulk", {}).get(n), 0),
             _fmt(diag.get("ess_tail", {}).get(n), 0)] for n in names]
    note = "" if diag else " (R-hat and ESS need draws: they appear once the run samples)"
    return (f"<b>{html.escape(title)}</b>{note}<br>{_table(['parameter', 'R-hat', 'bulk ESS', 'tail ESS'], rows)}"
            f"divergent transitions after warmup: <b>{int(divergences)}</b>")


def summary_html(result) -> str:
    """:meth:`Result.summary` (ArviZ) as an HTML table."""
    table = result.summary(round_to="none")  # ArviZ's "auto" rounding can print a 68% interval as 100, 100
    return "<b>Summary</b>" + table.to_html(float_format=lambda v: f"{v:.5g}")


def keys_html(records: Sequence[Mapping], manifest: Mapping) -> str:
    """The PRNG key names (and hex values) the run used, from the KeyManager and the manifest."""
    items = [f"<code>{html.escape(r['name'])}</code> (seed {r['seed']}, key {r['key_hex']})" for r in records]
    chain = manifest.get("chain_keys") or []
    text = "<b>PRNG keys</b>: " + ", ".join(items)
    if chain:
        text += f"; per-chain keys (from <code>{CHAIN_KEYS_NAME}</code>): {', '.join(map(html.escape, map(str, chain)))}"
    return text


def messages_html(messages: Sequence[tuple[str, str]]) -> str:
    """Messages ``(level, text)`` as coloured HTML lines (newest last)."""
    colors = {"error": "#b00020", "warning": "#8a5a00", "info": "#1a4d8f"}
    return "".join(f"<div style='color:{colors.get(level, 'black')}'>{html.escape(text)}</div>"
                   for level, text in messages)

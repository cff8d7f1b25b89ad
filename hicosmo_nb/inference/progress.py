"""Progress bars for sampling: per chain in notebooks, quiet in CI and tests.

``progress=None`` (the default everywhere) means *auto*: on in a Jupyter kernel or an
interactive terminal, off when the ``CI`` environment variable is set, under pytest, or when
output goes to a file. Bars come from ``tqdm.auto`` (ipywidgets in notebooks, text elsewhere).
Up to 8 chains get one bar each (with their divergence count and step size); more chains share
one bar. Bars advance once per chunk of iterations: a :class:`ChainProgress` is a callback for
:meth:`hicosmo_nb.inference.Run.on_chunk`, not code inside the sampling loop.

Examples
--------
>>> progress_enabled(False)
False
>>> progress_enabled(True)
True
"""

from __future__ import annotations

import os
import sys

import numpy as np

__all__ = ["progress_enabled", "ChainProgress"]

_MAX_BARS = 8


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def progress_enabled(progress: bool | None) -> bool:
    """Resolve ``progress`` (True, False or None = auto, see the module docstring)."""
    if progress is not None:
        if not isinstance(progress, bool):
            raise ValueError(f"progress must be True, False or None (auto); got {progress!r}")
        return progress
    if os.environ.get("CI") or "PYTEST_CURRENT_TEST" in os.environ:
        return False
    return _in_notebook() or sys.stderr.isatty()


class ChainProgress:
    """Per-chain (or one shared) tqdm bars; a no-op when disabled."""

    def __init__(self, enabled: bool, num_chains: int, total: int, initial: int = 0):
        self.bars = []
        self.at = initial
        if not enabled:
            return
        from tqdm.auto import tqdm

        if num_chains <= _MAX_BARS:
            self.bars = [tqdm(total=total, initial=initial, desc=f"chain {c}", position=c,
                              leave=True, dynamic_ncols=True) for c in range(num_chains)]
        else:
            self.bars = [tqdm(total=total, initial=initial, desc=f"{num_chains} chains",
                              leave=True, dynamic_ncols=True)]

    def update(self, n: int, phase: str, divergences: np.ndarray, step_size: np.ndarray) -> None:
        """Advance ``n`` iterations; show phase, divergences and step size per chain."""
        if not self.bars:
            return
        if len(self.bars) == 1 and len(divergences) > 1:
            self.bars[0].set_postfix_str(f"{phase}, divergences {int(np.sum(divergences))}", refresh=False)
            self.bars[0].update(n)
            return
        for bar, div, eps in zip(self.bars, divergences, step_size):
            bar.set_postfix_str(f"{phase}, div {int(div)}, step {float(eps):.3g}", refresh=False)
            bar.update(n)

    def __call__(self, chunk) -> None:
        """``Run.on_chunk`` callback: advance to ``chunk.status``."""
        st = chunk.status
        self.update(st.iteration - self.at, st.phase, st.divergences, st.step_size)
        self.at = st.iteration

    def close(self) -> None:
        for bar in self.bars:
            bar.close()

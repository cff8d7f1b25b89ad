"""Colours, labels and the probability levels shared by every hicosmo_nb plot.

Colours are the Okabe & Ito (2008) palette, distinguishable under the common forms of colour
blindness (https://jfly.uni-koeln.de/color/). Labels come from the parameter registry
(:func:`hicosmo_nb.parameters.latex_label`), so a parameter is written the same way everywhere.

Contour levels are *probabilities enclosed in 2-D*: 68.3% and 95.4%, i.e. ``delta chi^2 = 2.30``
and ``6.18`` for a Gaussian. These are the levels whose 1-D projections are the familiar
1- and 2-sigma intervals; corner's default "sigma" levels (39.3%, 86.5%) are not.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..parameters import latex_label

__all__ = ["OKABE_ITO", "SIGMA_LEVELS", "palette", "labels_for", "level_label"]

# Okabe-Ito, reordered so the first colours are the most distinct on white.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: weak on white)
)

# 2-D probability inside the 1- and 2-sigma contours of a Gaussian: erf(k / sqrt 2).
SIGMA_LEVELS: tuple[float, float] = (0.6826894921370859, 0.9544997361036416)


def palette(n: int, start: int = 0) -> list[str]:
    """``n`` colours from :data:`OKABE_ITO`, cycling, beginning at index ``start``."""
    return [OKABE_ITO[(start + i) % len(OKABE_ITO)] for i in range(n)]


def labels_for(params: Sequence[str], labels: Mapping[str, str] | Sequence[str] | None = None) -> list[str]:
    """Axis labels of ``params``: from ``labels`` (dict or list) or the parameter registry.

    Examples
    --------
    >>> labels_for(["Omega_m", "hrd"])
    ['$\\\\Omega_m$', '$h\\\\,r_d$']
    """
    if labels is None:
        return [latex_label(p) for p in params]
    if isinstance(labels, Mapping):
        return [labels.get(p, latex_label(p)) for p in params]
    labels = list(labels)
    if len(labels) != len(params):
        raise ValueError(f"labels has {len(labels)} entries but there are {len(params)} params {list(params)}")
    return labels


def level_label(levels: Sequence[float]) -> str:
    """Legend title naming the enclosed 2-D probabilities, e.g. ``'contours: 68.3%, 95.4% (2-D)'``."""
    return "contours: " + ", ".join(f"{100 * lv:.1f}%" for lv in levels) + " (2-D)"


def check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    """Validate contour probabilities: each strictly between 0 and 1."""
    levels = tuple(float(lv) for lv in np.atleast_1d(levels))
    if not levels or not all(0.0 < lv < 1.0 for lv in levels):
        raise ValueError(
            f"levels must be enclosed probabilities strictly between 0 and 1 (e.g. 0.683, 0.954), "
            f"got {levels}"
        )
    return tuple(sorted(levels))

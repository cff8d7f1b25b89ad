"""The sampler dashboard's controls and the parsing of its two free-text fields.

Internal to :mod:`hicosmo_nb.widgets.sampler`. Only widgets present in ipywidgets 7.7 and 8
(``Dropdown``, ``SelectMultiple``, ``Checkbox``, ``Text``, ``BoundedIntText``) are used.

Examples
--------
>>> parse_names(" H0, Omega_m ;hrd"), parse_names("")
(['H0', 'Omega_m', 'hrd'], None)
>>> parse_fixed("Omega_b=0.049, m_nu = 0.06")
{'Omega_b': 0.049, 'm_nu': 0.06}
"""

from __future__ import annotations

from typing import Sequence

import ipywidgets as widgets

from ..inference import RunSettings
from ..likelihoods import DATASETS
from ..parameters import MODELS, NEUTRINO_HIERARCHIES

__all__ = ["make_controls", "parse_names", "parse_fixed"]


def parse_names(text: str) -> list[str] | None:
    """Names separated by commas or semicolons; None for an empty field (the facade's default)."""
    names = [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
    return names or None


def parse_fixed(text: str) -> dict[str, float]:
    """``"name=value, ..."`` -> dict.

    Raises
    ------
    ValueError
        For an item that is not ``name=value`` with a number as value.
    """
    out = {}
    for item in parse_names(text) or []:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"fixed: {item!r} is not name=value (e.g. Omega_b=0.049)") from None
    return out


def _small(w: widgets.Widget) -> widgets.Widget:
    w.style = {"description_width": "70px"}
    w.layout = widgets.Layout(width="170px")
    return w


def make_controls(*, model: str, datasets: Sequence[str], free: Sequence[str] | None, fixed: str,
                  rd_free: bool, settings: RunSettings, seed: int, fisher: bool, path: str,
                  neutrino_hierarchy: str = "one") -> dict[str, widgets.Widget]:
    """The dashboard's controls by name (unknown model/dataset names are left out here; the
    dashboard reports them as messages); chains, warmup and draws start at ``settings``'."""
    return {
        "model": widgets.Dropdown(options=list(MODELS), value=model if model in MODELS else "LCDM",
                                  description="model"),
        "datasets": widgets.SelectMultiple(options=list(DATASETS), rows=len(DATASETS), description="datasets",
                                           value=tuple(d for d in datasets if d in DATASETS)),
        "neutrino_hierarchy": widgets.Dropdown(options=list(NEUTRINO_HIERARCHIES), description="ν states",
                                               value=neutrino_hierarchy if neutrino_hierarchy in NEUTRINO_HIERARCHIES
                                               else "one"),
        "rd_free": widgets.Checkbox(value=rd_free, description="BAO: fit h r_d (rd='free')", indent=False),
        "free": widgets.Text(value=", ".join(free or ()), description="free",
                             placeholder="default: the model's and datasets' parameters"),
        "fixed": widgets.Text(value=fixed, description="fixed", placeholder="e.g. Omega_b=0.049"),
        **{name: _small(widgets.BoundedIntText(value=getattr(settings, name), min=lo, max=hi, description=text))
           for name, lo, hi, text in (("num_chains", 1, 64, "chains"), ("num_warmup", 1, 10**6, "warmup"),
                                      ("num_samples", 10, 10**7, "draws"))},
        "seed": _small(widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="seed")),
        "fisher": widgets.Checkbox(value=fisher, description="Fisher ellipses on the corner plot", indent=False),
        "path": widgets.Text(value=path, description="save to"),
    }

"""Plots: Fisher triangles, corner plots with forecast overlays, data vs model, MCMC diagnostics.

Every function takes data first, options keyword-only, draws onto ``fig=``/``ax=`` when given and
returns the matplotlib Figure, so it works with the inline backend and with ipympl
(``%matplotlib widget``). Colours are colour-blind safe (Okabe-Ito); contours enclose 68.3% and
95.4% of the 2-D probability and say so in the legend.

Examples
--------
>>> from hicosmo_nb.fisher import FisherMatrix
>>> from hicosmo_nb.plots import fisher_triangle
>>> F = FisherMatrix([[2.0, 1.0], [1.0, 2.0]], ["Omega_m", "hrd"], {"Omega_m": 0.3, "hrd": 100.0})
>>> fig = fisher_triangle(F)
"""

from .. import _config  # noqa: F401  (float64)
from .compare import compare_posteriors
from .corner import corner_plot, samples_dict
from .data import bao_display_scale, bao_kind, bao_plot, hubble_diagram, hz_plot
from .diagnostics import rank_plot, to_datatree, trace_plot
from .ellipses import delta_chi2, draw_ellipse, draw_gaussian, ellipse_vertices
from .style import OKABE_ITO, SIGMA_LEVELS, labels_for, palette
from .triangle import fisher_triangle, triangle_axes

__all__ = [
    "compare_posteriors",
    "corner_plot",
    "samples_dict",
    "fisher_triangle",
    "triangle_axes",
    "hubble_diagram",
    "bao_plot",
    "bao_kind",
    "bao_display_scale",
    "hz_plot",
    "trace_plot",
    "rank_plot",
    "to_datatree",
    "delta_chi2",
    "ellipse_vertices",
    "draw_ellipse",
    "draw_gaussian",
    "OKABE_ITO",
    "SIGMA_LEVELS",
    "palette",
    "labels_for",
]

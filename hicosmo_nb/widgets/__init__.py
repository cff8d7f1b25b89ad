"""Dashboards: ipywidgets views that wire controls to the library (no physics in here).

Each dashboard is one call returning a displayable widget (an ``ipywidgets.VBox`` subclass) with
the same programmatic handle: ``controls`` (name -> widget), ``state`` (current values and
readouts), ``figure`` (the matplotlib Figure), ``mode`` ("ipympl" or "png"), ``message``
(the message area's text) and ``set(**values)`` (change controls, update once).

- :func:`cosmology_explorer`: a model's parameters against SN, DESI DR2 BAO and H(z) data.
- :func:`fisher_explorer`: survey presets and their knobs -> Fisher ellipses, errors, FoM.
- :func:`autodiff_explorer`: JAX derivatives vs finite differences, and the cost of gradients.
- :func:`combination_explorer`: Laplace ellipses and significances of dataset combinations.
- The live sampler dashboard (on :class:`hicosmo_nb.inference.Run`) will sit beside these in
  ``sampler.py``, built on the same :class:`Dashboard` base.

A slider move redraws only the artists it changes (curves, moving points, ellipses) over the
rest of the figure cached at the last full draw (blitting), with the axis limits kept; dropdowns,
checkboxes and curves leaving the view cause one full draw (details in :class:`Dashboard`'s
module, ``hicosmo_nb/widgets/_base.py``).

Importing :mod:`hicosmo_nb` never imports ipywidgets; only this subpackage does.

Examples
--------
>>> from hicosmo_nb.widgets import canvas_mode
>>> canvas_mode("png")
'png'
"""

from .. import _config  # noqa: F401
from ._base import MODES, Dashboard, canvas_mode
from .autodiff import AutodiffExplorer, autodiff_explorer
from .combination import CombinationExplorer, combination_explorer
from .cosmology import CosmologyExplorer, cosmology_explorer
from .fisher import FisherExplorer, fisher_explorer
from .sampler import SamplerDashboard, sampler_dashboard

__all__ = ["Dashboard", "canvas_mode", "MODES", "cosmology_explorer", "CosmologyExplorer",
           "fisher_explorer", "FisherExplorer", "autodiff_explorer", "AutodiffExplorer"]
__all__ += ["sampler_dashboard", "SamplerDashboard", "combination_explorer", "CombinationExplorer"]

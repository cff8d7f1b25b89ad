"""Model comparison and posterior tension, on top of :mod:`hicosmo_nb.inference`.

- :func:`compare`: best-fit chi^2 of each model from a real maximization (several starts),
  Delta chi^2 and its significance as DESI quotes it, AIC, BIC, Laplace ``ln Z`` and, with
  ``evidence="nested"``, dynesty's ``ln Z`` with its error, and Bayes factors.
- :func:`maximize` / :func:`build_maximizer`: one model's best fit, mode and Laplace evidence
  (compile once, refit cheaply: the fast path for notebooks and dashboards).
- :class:`CombinationFits`: cached best fits of many dataset combinations, one compiled program
  per dataset whatever the model (the DESI DR2 table and the combination explorer).
- :func:`nested_evidence`: dynesty nested sampling of a Problem.
- :func:`sigma_from_chi2`, :func:`aic`, :func:`bic`: the conversions.
- :func:`gaussian_tension`, :func:`parameter_shift`: tension between two results.

Examples
--------
>>> from hicosmo_nb.compare import sigma_from_chi2
>>> round(sigma_from_chi2(4.0, 1), 6)
2.0
"""

from .. import _config  # noqa: F401  (float64)
from .combinations import EARLY, ENTRIES, EXCLUSIVE, CombinationFits, Program, Structure
from .evidence import Evidence, nested_evidence
from .fit import Maximizer, ModelFit, build_maximizer, maximize
from .stats import aic, bic, p_value, sigma_from_chi2
from .table import EVIDENCE_METHODS, Comparison, ModelRow, compare
from .tension import Tension, gaussian_tension, parameter_shift, shared_draws

__all__ = [
    "compare", "Comparison", "ModelRow", "EVIDENCE_METHODS",
    "maximize", "build_maximizer", "Maximizer", "ModelFit",
    "nested_evidence", "Evidence",
    "sigma_from_chi2", "p_value", "aic", "bic",
    "gaussian_tension", "parameter_shift", "Tension", "shared_draws",
    "CombinationFits", "Program", "Structure", "ENTRIES", "EARLY", "EXCLUSIVE",
]

"""Fisher forecasts: Fisher matrices from likelihoods by autodiff, their algebra, mock surveys.

Examples
--------
>>> from hicosmo_nb.fisher import FisherMatrix
>>> F = FisherMatrix([[2.0, 1.0], [1.0, 2.0]], ["a", "b"], {"a": 0.0, "b": 0.0})
>>> F.marginalize("b").matrix
array([[1.5]])
>>> F.fix("b").matrix
array([[2.]])
"""

from .. import _config  # noqa: F401  (float64)
from .compute import fisher_expected, fisher_gaussian, fisher_observed
from .derived import check_boundaries, derived_errors, derived_fisher
from .matrix import FisherMatrix, combine_fishers
from .surveys import (
    BAO_PRESETS,
    DESI_DR2_LIKE,
    LSST_LIKE,
    PANTHEON_PLUS_LIKE,
    REAL_DATASETS,
    ROMAN_LIKE,
    SN_PRESETS,
    BAOSurvey,
    SNSurvey,
    bao_distance_ratio,
)

__all__ = [
    "FisherMatrix",
    "combine_fishers",
    "fisher_observed",
    "fisher_expected",
    "fisher_gaussian",
    "derived_errors",
    "derived_fisher",
    "check_boundaries",
    "SNSurvey",
    "BAOSurvey",
    "bao_distance_ratio",
    "PANTHEON_PLUS_LIKE",
    "ROMAN_LIKE",
    "LSST_LIKE",
    "DESI_DR2_LIKE",
    "SN_PRESETS",
    "BAO_PRESETS",
    "REAL_DATASETS",
]

"""Survey forecasts that re-use their derivatives: change the errors, not the Jacobian.

A Gaussian survey's expected Fisher matrix is ``J^T C^-1 J``: the Jacobian ``J`` of the data
vector depends only on the redshift bins and the fiducial cosmology, the covariance ``C`` on
the error settings (SNe per bin, scatter per SN, systematic floor, BAO error scale) and the
redshift cut only selects rows. :class:`Forecaster` computes ``J`` once per survey preset
(one compilation) and then builds the Fisher matrix for any :class:`ForecastSettings` with a
few small NumPy products, fast enough to follow a slider. The result equals
:meth:`SNSurvey.fisher <hicosmo_nb.fisher.SNSurvey.fisher>` / :meth:`BAOSurvey.fisher` of the
equivalent survey (tests check this), plus Gaussian priors and fixed parameters.

Examples
--------
>>> from hicosmo_nb.fisher import DESI_DR2_LIKE, PANTHEON_PLUS_LIKE
>>> from hicosmo_nb.fisher.forecast import ForecastSettings, Forecaster
>>> fc = Forecaster([PANTHEON_PLUS_LIKE], [DESI_DR2_LIKE])
>>> F = fc.fisher(ForecastSettings(sn="Pantheon+-like", bao="DESI DR2-like", fixed=("H0", "Omega_k", "Omega_b")))
>>> sorted(F.names)
['M', 'Omega_m', 'w0', 'wa']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from ..parameters import COSMOLOGY_DEFAULTS, PARAMETERS
from .matrix import FisherMatrix, combine_fishers
from .surveys import BAOSurvey, SNSurvey

__all__ = ["FORECAST_PARAMS", "FORECAST_FIDUCIAL", "FORECAST_DEFAULT_FIXED", "ForecastSettings", "Forecaster"]

FORECAST_PARAMS = ("H0", "Omega_m", "Omega_b", "Omega_k", "w0", "wa", "M")
FORECAST_FIDUCIAL = {**{k: COSMOLOGY_DEFAULTS[k] for k in FORECAST_PARAMS[:-1]}, "M": PARAMETERS["M"].default}
# The FORECAST_PARAMS a forecast holds fixed unless told otherwise: Omega_b (late-time SN and BAO
# data see it only through the sound horizon; fixing it stands in for a BBN or CMB prior) and
# Omega_k (flat models).
FORECAST_DEFAULT_FIXED = ("Omega_b", "Omega_k")


@dataclass(frozen=True)
class ForecastSettings:
    """The knobs of a forecast (``None`` keeps a preset's own value).

    Parameters
    ----------
    sn, bao : str or None
        Names of the SN / BAO presets to use (keys of the :class:`Forecaster`'s surveys), or None.
    n_sn : float, optional
        Total number of SNe (the preset's counts rescaled in proportion).
    sigma_int : float, optional
        Scatter per SN [mag] (replaces the preset's).
    sigma_sys : float, optional
        Systematic floor per bin [mag] (replaces the preset's).
    sn_z, bao_z : (float, float), optional
        Redshift range of the SN / BAO bins kept.
    bao_scale : float
        Multiplies every BAO fractional error.
    priors : dict
        ``name -> sigma`` Gaussian priors.
    fixed : tuple of str
        Parameters held at the fiducial; the others are varied (and marginalized when not shown).
    """

    sn: str | None = None
    bao: str | None = None
    n_sn: float | None = None
    sigma_int: float | None = None
    sigma_sys: float | None = None
    sn_z: tuple[float, float] | None = None
    bao_z: tuple[float, float] | None = None
    bao_scale: float = 1.0
    priors: Mapping[str, float] = field(default_factory=dict)
    fixed: tuple[str, ...] = ()


def _jacobian(theory, fiducial: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    theta0 = jnp.asarray([fiducial[k] for k in FORECAST_PARAMS])

    def f(theta):
        return theory({k: theta[i] for i, k in enumerate(FORECAST_PARAMS)})

    values, jac = jax.jit(lambda t: (f(t), jax.jacfwd(f)(t)))(theta0)
    return np.asarray(values), np.asarray(jac)


class Forecaster:
    """Jacobians of SN and BAO survey presets at a fiducial point, for fast Fisher forecasts.

    Parameters
    ----------
    sn_surveys, bao_surveys : sequence of SNSurvey / BAOSurvey
        Presets, addressed by their ``name`` in :class:`ForecastSettings`.
    fiducial : dict, optional
        Values of :data:`FORECAST_PARAMS` (default :data:`FORECAST_FIDUCIAL`).
    """

    def __init__(self, sn_surveys: Sequence[SNSurvey] = (), bao_surveys: Sequence[BAOSurvey] = (),
                 fiducial: Mapping[str, float] | None = None):
        self.fiducial = {**FORECAST_FIDUCIAL, **(fiducial or {})}
        self.sn = {s.name: s for s in sn_surveys}
        self.bao = {b.name: b for b in bao_surveys}
        self._jac: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # computed on first use

    def _derivatives(self, survey) -> tuple[np.ndarray, np.ndarray]:
        if survey.name not in self._jac:
            self._jac[survey.name] = _jacobian(survey.theory, self.fiducial)
        return self._jac[survey.name]

    def _lookup(self, table: dict, name: str, what: str):
        if name not in table:
            raise ValueError(f"unknown {what} preset {name!r}; available: {sorted(table)}")
        return table[name]

    def sn_survey(self, s: ForecastSettings) -> tuple[SNSurvey, np.ndarray]:
        """The SN survey these settings describe and the mask of its bins that are kept."""
        base = self._lookup(self.sn, s.sn, "SN")
        changes = {}
        if s.n_sn is not None:
            changes["n"] = base.n * (float(s.n_sn) / float(base.n.sum()))
        if s.sigma_int is not None:
            changes["sigma_int"] = float(s.sigma_int)
        if s.sigma_sys is not None:
            changes["sigma_sys"] = float(s.sigma_sys)
        keep = _in_range(base.z, s.sn_z)
        return (dataclasses.replace(base, **changes) if changes else base), keep

    def bao_survey(self, s: ForecastSettings) -> tuple[BAOSurvey, np.ndarray]:
        """The BAO survey these settings describe and the mask of its data entries kept."""
        base = self._lookup(self.bao, s.bao, "BAO")
        if not float(s.bao_scale) > 0:
            raise ValueError(f"bao_scale must be > 0, got {s.bao_scale}")
        survey = dataclasses.replace(base, frac_DM=base.frac_DM * s.bao_scale,
                                     frac_DH=base.frac_DH * s.bao_scale, frac_DV=base.frac_DV * s.bao_scale)
        keep = _in_range(np.array([z for _, z in base.kinds]), s.bao_z)
        return survey, keep

    def fisher(self, settings: ForecastSettings) -> FisherMatrix:
        """The expected Fisher matrix of the chosen surveys, priors added, fixed ones removed.

        Raises
        ------
        ValueError
            Nothing selected, no bin left in a redshift range, an unknown preset or parameter.
        """
        parts = []
        if settings.sn is not None:
            survey, keep = self.sn_survey(settings)
            _, jac = self._derivatives(self.sn[settings.sn])
            parts.append(_gaussian_fisher(jac[keep], np.diag(survey.errors()[keep] ** 2), survey.name,
                                          self.fiducial))
        if settings.bao is not None:
            survey, keep = self.bao_survey(settings)
            values, jac = self._derivatives(self.bao[settings.bao])
            cov = survey._covariance(values)[np.ix_(keep, keep)]
            parts.append(_gaussian_fisher(jac[keep], cov, survey.name, self.fiducial))
        if not parts:
            raise ValueError("select at least one survey (an SN or a BAO preset)")
        F = combine_fishers(*parts) if len(parts) > 1 else parts[0]
        unknown = sorted((set(settings.fixed) | set(settings.priors)) - set(FORECAST_PARAMS))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; forecast parameters: {FORECAST_PARAMS}")
        if settings.priors:
            F = F.add_prior(dict(settings.priors))
        return F.fix(list(settings.fixed)) if settings.fixed else F


def _gaussian_fisher(jac: np.ndarray, cov: np.ndarray, name: str, fiducial: Mapping) -> FisherMatrix:
    if jac.shape[0] == 0:
        raise ValueError(f"{name}: no bin left in the chosen redshift range")
    matrix = jac.T @ np.linalg.solve(cov, jac)
    return FisherMatrix(0.5 * (matrix + matrix.T), FORECAST_PARAMS, fiducial, name)


def _in_range(z: np.ndarray, zrange: tuple[float, float] | None) -> np.ndarray:
    if zrange is None:
        return np.ones(z.shape, dtype=bool)
    lo, hi = map(float, zrange)
    if not lo <= hi:
        raise ValueError(f"redshift range must be (low, high) with low <= high, got {zrange}")
    return (z >= lo) & (z <= hi)

"""Mock SN and BAO surveys built from a fiducial cosmology, and a few documented presets.

A survey description (:class:`SNSurvey`, :class:`BAOSurvey`) is turned into a mock Gaussian
:class:`~hicosmo_nb.likelihoods.base.Likelihood` whose data vector is the fiducial model
(``survey.likelihood(fiducial)``), so the same Fisher code, samplers and plots work on it;
``survey.fisher(fiducial, params)`` is the expected Fisher matrix of that likelihood.

SN model: ``m(z) = mu(z) + M`` per redshift bin, with per-bin error
``sigma^2 = (sigma_int^2 + (sigma_lens z)^2) / N + sigma_sys^2`` (statistical scatter averaged
over the ``N`` SNe of the bin, plus an irreducible floor; bins independent).

BAO model: ``D_M/r_d``, ``D_H/r_d`` (correlation ``corr`` within a bin) or ``D_V/r_d`` per bin,
errors given as fractions of the fiducial values. ``r_d`` is ``hrd / h`` when the parameters
contain ``hrd``, ``rd`` when they contain ``rd``, and otherwise computed from the cosmology
(needs ``Omega_b``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401  (float64)
from .. import cosmology
from ..likelihoods.base import Likelihood
from ..parameters import check_scalar_params
from .compute import fisher_expected
from .matrix import FisherMatrix

__all__ = ["SNSurvey", "BAOSurvey", "bao_distance_ratio", "PANTHEON_PLUS_LIKE", "ROMAN_LIKE", "LSST_LIKE",
           "DESI_DR2_LIKE", "SN_PRESETS", "BAO_PRESETS", "REAL_DATASETS"]


def _array(x, n, what, *, allow_nan=False, signed=False) -> np.ndarray:
    """A scalar (same for every bin) or exactly one value per bin; never a silent broadcast."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number or {n} numbers, got {x!r}") from None
    if arr.shape not in ((), (n,)):
        raise ValueError(f"{what} has shape {arr.shape} but z has {n} bins: give one value, or "
                         f"exactly {n} (one per bin)")
    arr = np.broadcast_to(arr, (n,)).copy()
    ok = np.isnan(arr) if allow_nan else np.zeros(n, bool)
    if signed:
        arr.setflags(write=False)
        return arr
    if np.any(~ok & ~(np.isfinite(arr) & (arr >= 0))):
        raise ValueError(f"{what} must be finite and >= 0, got {np.asarray(x)}")
    arr.setflags(write=False)
    return arr


def _redshifts(z) -> np.ndarray:
    z = np.atleast_1d(np.asarray(z, dtype=np.float64))
    if z.ndim != 1 or z.size == 0 or not np.all(np.isfinite(z) & (z > 0)):
        raise ValueError(f"z must be a non-empty 1-D array of redshifts > 0, got {z}")
    z.setflags(write=False)
    return z


def _as_jnp(params: Mapping) -> dict:
    return {k: jnp.asarray(v, dtype=jnp.float64) for k, v in params.items()}


def _gaussian(theory, data, cov, names, name, zmax, metadata) -> Likelihood:
    chol = jnp.linalg.cholesky(jnp.asarray(cov))
    data = jnp.asarray(data)

    @jax.jit
    def loglike(params):
        check_scalar_params(params, params.keys(), f"likelihood {name!r}")  # trace time
        cosmo, _ = cosmology.split_params(params)
        ok, safe = cosmology.sanitize(cosmo, zmax)  # theory on a physical point: finite gradients
        r = jax.scipy.linalg.solve_triangular(chol, theory({**params, **safe}) - data, lower=True)
        return jnp.where(ok, -0.5 * jnp.sum(r**2), -jnp.inf)

    return Likelihood(loglike, tuple(names), name, data=data, cov=jnp.asarray(cov),
                      theory=theory, metadata=metadata)


_BAO_FUNCS = {"DM": cosmology.DM_over_rd, "DH": cosmology.DH_over_rd, "DV": cosmology.DV_over_rd}


def bao_distance_ratio(params: Mapping, kind: str, z) -> jax.Array:
    """``D_M/r_d``, ``D_H/r_d`` or ``D_V/r_d`` (``kind`` = "DM", "DH", "DV") at ``z``.

    ``r_d`` is ``hrd / h`` if ``params`` has ``hrd``, ``rd`` if it has ``rd``, else computed.

    Examples
    --------
    >>> p = {"H0": 67.36, "Omega_m": 0.3153, "hrd": 99.08}
    >>> round(float(bao_distance_ratio(p, "DM", 0.51)), 2)
    13.5
    """
    if kind not in _BAO_FUNCS:
        raise ValueError(f"BAO kind must be one of {sorted(_BAO_FUNCS)}, got {kind!r}")
    cosmo, rest = cosmology.split_params(params)
    rd = None
    if "hrd" in rest:
        rd = rest["hrd"] / (jnp.asarray(cosmo["H0"]) / 100.0)
    elif "rd" in rest:
        rd = rest["rd"]
    return _BAO_FUNCS[kind](cosmo, z, rd=rd)


@dataclass(frozen=True, eq=False)
class SNSurvey:
    """A binned SN Ia survey: counts per redshift bin and magnitude errors.

    Parameters
    ----------
    z : array_like
        Redshift of each bin (e.g. the mean redshift of its SNe).
    n : array_like
        Number of SNe in each bin (> 0).
    sigma_int : float or array_like
        Per-SN scatter in mag (intrinsic plus measurement), default 0.12.
    sigma_sys : float or array_like
        Systematic floor per bin in mag, not averaged down by N (default 0).
    sigma_lens : float
        Lensing scatter per SN is ``sigma_lens * z`` mag (default 0).
    name, reference : str
        Label, and where the numbers come from.

    Examples
    --------
    >>> s = SNSurvey([0.1, 0.5], [100, 400], sigma_int=0.1)
    >>> s.errors().round(4).tolist()
    [0.01, 0.005]
    """

    z: np.ndarray
    n: np.ndarray
    sigma_int: float | np.ndarray = 0.12
    sigma_sys: float | np.ndarray = 0.0
    sigma_lens: float = 0.0
    name: str = "SN survey"
    reference: str = ""

    def __post_init__(self):
        z = _redshifts(self.z)
        n = _array(self.n, z.size, "n (SNe per bin)")
        if np.asarray(self.n).shape not in ((), z.shape) or np.any(n <= 0):
            raise ValueError(f"n must give a count > 0 for each of the {z.size} bins, got {self.n}")
        object.__setattr__(self, "z", z)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "sigma_int", _array(self.sigma_int, z.size, "sigma_int"))
        object.__setattr__(self, "sigma_sys", _array(self.sigma_sys, z.size, "sigma_sys"))
        _array(self.sigma_lens, 1, "sigma_lens")
        if not np.all(self.errors() > 0):
            raise ValueError("every bin needs a non-zero error: set sigma_int or sigma_sys > 0")

    def errors(self) -> np.ndarray:
        """1-sigma magnitude error of each bin."""
        stat = (self.sigma_int**2 + (self.sigma_lens * self.z) ** 2) / self.n
        return np.sqrt(stat + self.sigma_sys**2)

    def theory(self, params: Mapping) -> jax.Array:
        """Apparent magnitudes ``mu(z) + M`` of the bins."""
        cosmo, rest = cosmology.split_params(params)
        if "M" not in rest:
            raise ValueError(f"SN survey {self.name!r} needs the absolute magnitude 'M' in params")
        return cosmology.distance_modulus(cosmo, jnp.asarray(self.z)) + rest["M"]

    def likelihood(self, fiducial: Mapping[str, float]) -> Likelihood:
        """Mock Gaussian likelihood with data equal to the fiducial model."""
        theory = jax.jit(self.theory)
        data = theory(_as_jnp(fiducial))
        return _gaussian(theory, data, np.diag(self.errors() ** 2), ("H0", "Omega_m", "M"),
                         self.name, float(self.z.max()), {"survey": self.name, "reference": self.reference})

    def fisher(self, fiducial: Mapping[str, float], params: Sequence[str]) -> FisherMatrix:
        """Expected Fisher matrix of ``params`` (the others fixed at ``fiducial``).

        ``H0`` and ``M`` are exactly degenerate for SNe alone: vary at most one of them.
        """
        return fisher_expected(self.likelihood(fiducial), fiducial, params, name=self.name)


@dataclass(frozen=True, eq=False)
class BAOSurvey:
    """A BAO survey: fractional errors on ``D_M/r_d`` and ``D_H/r_d`` (or ``D_V/r_d``) per bin.

    Parameters
    ----------
    z : array_like
        Effective redshift of each bin.
    frac_DM, frac_DH : array_like
        Fractional 1-sigma errors; NaN where the bin has no anisotropic measurement.
    corr : float or array_like
        Correlation coefficient of ``D_M`` and ``D_H`` within a bin (default 0).
    frac_DV : array_like, optional
        Fractional error on ``D_V/r_d``, used in bins where ``frac_DM``/``frac_DH`` are NaN.
    name, reference : str

    Examples
    --------
    >>> b = BAOSurvey([0.5, 1.0], [0.01, 0.01], [0.02, 0.02], corr=-0.4)
    >>> b.kinds
    (('DM', 0.5), ('DH', 0.5), ('DM', 1.0), ('DH', 1.0))
    """

    z: np.ndarray
    frac_DM: np.ndarray
    frac_DH: np.ndarray
    corr: float | np.ndarray = 0.0
    frac_DV: np.ndarray | None = None
    name: str = "BAO survey"
    reference: str = ""

    def __post_init__(self):
        z = _redshifts(self.z)
        dm = _array(self.frac_DM, z.size, "frac_DM", allow_nan=True)
        dh = _array(self.frac_DH, z.size, "frac_DH", allow_nan=True)
        dv = _array(np.nan if self.frac_DV is None else self.frac_DV, z.size, "frac_DV", allow_nan=True)
        corr = _array(self.corr, z.size, "corr", signed=True)
        if not np.all(np.abs(corr) < 1):
            raise ValueError(f"corr must lie strictly between -1 and 1, got {self.corr}")
        aniso = np.isfinite(dm) & np.isfinite(dh)
        if np.any(np.isfinite(dm) != np.isfinite(dh)):
            raise ValueError("frac_DM and frac_DH must be both given or both NaN in each bin")
        if np.any(aniso & np.isfinite(dv)) or np.any(~aniso & ~np.isfinite(dv)):
            raise ValueError("each bin needs either (frac_DM, frac_DH) or frac_DV, not both")
        if np.any(dm[aniso] <= 0) or np.any(dh[aniso] <= 0) or np.any(dv[~aniso] <= 0):
            raise ValueError("fractional errors must be > 0")
        for k, v in (("z", z), ("frac_DM", dm), ("frac_DH", dh), ("frac_DV", dv), ("corr", corr)):
            v.setflags(write=False)
            object.__setattr__(self, k, v)

    @property
    def kinds(self) -> tuple[tuple[str, float], ...]:
        """``(quantity, z)`` of each entry of the data vector, in order."""
        out = []
        for i, z in enumerate(self.z.tolist()):
            out += [("DM", z), ("DH", z)] if np.isfinite(self.frac_DM[i]) else [("DV", z)]
        return tuple(out)

    def theory(self, params: Mapping) -> jax.Array:
        """The data vector of distance ratios, in the order of :attr:`kinds`."""
        out = []
        for kind in ("DM", "DH", "DV"):  # one vectorized call per quantity, then reorder
            zs = [z for k, z in self.kinds if k == kind]
            if zs:
                out.append(bao_distance_ratio(params, kind, jnp.asarray(zs)))
        order = [k for kind in ("DM", "DH", "DV") for k, (q, _) in enumerate(self.kinds) if q == kind]
        return jnp.concatenate(out)[np.argsort(order)]

    def covariance(self, fiducial: Mapping[str, float]) -> np.ndarray:
        """Covariance of the data vector at ``fiducial`` (block diagonal over bins)."""
        return self._covariance(np.asarray(jax.jit(self.theory)(_as_jnp(fiducial))))

    def _covariance(self, values: np.ndarray) -> np.ndarray:
        pos, blocks = 0, []
        for i in range(self.z.size):
            if np.isfinite(self.frac_DM[i]):
                s = values[pos:pos + 2] * np.array([self.frac_DM[i], self.frac_DH[i]])
                r = np.array([[1.0, self.corr[i]], [self.corr[i], 1.0]])
                blocks.append((pos, np.outer(s, s) * r))
                pos += 2
            else:
                blocks.append((pos, np.array([[(values[pos] * self.frac_DV[i]) ** 2]])))
                pos += 1
        cov = np.zeros((pos, pos))
        for start, b in blocks:
            cov[start:start + len(b), start:start + len(b)] = b
        return cov

    def likelihood(self, fiducial: Mapping[str, float]) -> Likelihood:
        """Mock Gaussian likelihood with data equal to the fiducial model."""
        fid = _as_jnp(fiducial)
        extra = tuple(n for n in ("hrd", "rd") if n in fiducial)[:1]
        names = ("H0", "Omega_m") + (extra or ("Omega_b",))  # computed r_d needs Omega_b
        theory = jax.jit(self.theory)
        data = theory(fid)
        return _gaussian(theory, data, self._covariance(np.asarray(data)), names, self.name,
                         float(self.z.max()), {"survey": self.name, "reference": self.reference})

    def fisher(self, fiducial: Mapping[str, float], params: Sequence[str]) -> FisherMatrix:
        """Expected Fisher matrix of ``params`` (the others fixed at ``fiducial``)."""
        return fisher_expected(self.likelihood(fiducial), fiducial, params, name=self.name)


# ----------------------------------------------------------------------------------- presets
PANTHEON_PLUS_LIKE = SNSurvey(
    z=[0.0154, 0.0249, 0.0378, 0.0665, 0.1576, 0.2470, 0.3401, 0.4429, 0.5453, 0.6920, 0.9027,
       1.2276, 1.7713],
    n=[154, 203, 177, 96, 207, 259, 186, 98, 81, 99, 5, 18, 7],
    sigma_int=[0.270, 0.214, 0.190, 0.185, 0.176, 0.195, 0.189, 0.196, 0.223, 0.242, 0.245,
               0.312, 0.305],
    name="Pantheon+-like",
    reference=(
        "The 1590 rows of Pantheon+SH0ES.dat with zHD > 0.01 (Scolnic et al. 2022, "
        "arXiv:2112.03863) binned with edges 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, ..., 0.6, 0.8, 1.0, "
        "1.5, 2.3: counts, inverse-variance-weighted mean zHD and per-SN error "
        "sqrt(N / sum(1 / err^2)) of m_b_corr_err_DIAG in each bin. Diagonal errors only: "
        "reproduces the unbinned diagonal Fisher matrix of the file to 1%, not the released "
        "STAT+SYS covariance."
    ),
)

ROMAN_LIKE = SNSurvey(
    z=[0.05] + [round(0.15 + 0.1 * i, 2) for i in range(16)],
    n=[800, 69, 208, 402, 223, 327] + [136] * 11,
    sigma_int=float(np.hypot(0.08, 0.09)),
    sigma_lens=0.07,
    sigma_sys=[0.02 * (1 + z) / 1.8 for z in [0.05] + [0.15 + 0.1 * i for i in range(16)]],
    name="Roman-like",
    reference=(
        "WFIRST SDT report (Spergel et al. 2015, arXiv:1503.03757, Sec. 2.4) as used by Hounsell "
        "et al. 2018 (arXiv:1702.01747): 2725 SNe Ia in Delta z = 0.1 bins over 0.1 < z < 1.7 "
        "plus 800 ground-based SNe at z < 0.1; per SN sigma_meas = 0.08, sigma_int = 0.09, "
        "sigma_lens = 0.07 z mag; systematic floor 0.02 (1 + z) / 1.8 mag per bin."
    ),
)

_LSST_Z = np.round(np.arange(0.05, 1.0, 0.1), 2)
_LSST_W = _LSST_Z**2 * np.exp(-((_LSST_Z / 0.45) ** 2))
LSST_LIKE = SNSurvey(
    z=_LSST_Z,
    n=np.round(1.0e5 * _LSST_W / _LSST_W.sum()),
    sigma_int=0.12,
    sigma_lens=0.055,
    sigma_sys=0.01,
    name="LSST-like",
    reference=(
        "Illustrative, not an official forecast: 1e5 photometrically classified SNe Ia with host "
        "redshifts over 0 < z < 1, the order of magnitude expected from ten years of Rubin LSST "
        "(LSST Science Book, arXiv:0912.0201, ch. 11; LSST DESC SRD, arXiv:1809.01669); "
        "dN/dz ~ z^2 exp(-(z/0.45)^2); sigma = 0.12 mag per SN, lensing 0.055 z, 0.01 mag floor "
        "per Delta z = 0.1 bin."
    ),
)

_NAN = float("nan")
DESI_DR2_LIKE = BAOSurvey(
    z=[0.295, 0.510, 0.706, 0.934, 1.321, 1.484, 2.330],
    frac_DM=[_NAN, 0.01239, 0.01037, 0.00750, 0.01176, 0.02502, 0.01364],
    frac_DH=[_NAN, 0.01962, 0.01716, 0.01140, 0.01584, 0.04042, 0.01171],
    corr=[0.0, -0.452, -0.395, -0.347, -0.398, -0.494, -0.431],
    frac_DV=[0.00958] + [_NAN] * 6,
    name="DESI DR2-like",
    reference=(
        "Effective redshifts, fractional errors sqrt(C_ii)/value and D_M-D_H correlations of the "
        "DESI DR2 Gaussian BAO likelihood (desi_gaussian_bao_ALL_GCcomb, DESI Collaboration 2025, "
        "arXiv:2503.14738, Table IV), rounded."
    ),
)

SN_PRESETS: dict[str, SNSurvey] = {s.name: s for s in (PANTHEON_PLUS_LIKE, ROMAN_LIKE, LSST_LIKE)}
BAO_PRESETS: dict[str, BAOSurvey] = {DESI_DR2_LIKE.name: DESI_DR2_LIKE}

# Preset name -> the released data sets (names for :func:`hicosmo_nb.likelihoods.get`) whose
# survey it mimics, in order of preference: a real-data comparison uses the first one available
# (Union3 is embedded; Pantheon+ needs its files). Presets without real data are absent.
REAL_DATASETS: dict[str, tuple[str, ...]] = {PANTHEON_PLUS_LIKE.name: ("pantheon_plus", "union3"),
                                             DESI_DR2_LIKE.name: ("desi_dr2_bao",)}

"""Small frozen containers for loaded datasets (numpy arrays + provenance).

Every container validates itself when built (shapes, finite values, covariance symmetric and
positive definite), so a user can also build one from their own arrays and hand it to a
likelihood builder.

Examples
--------
>>> import numpy as np
>>> d = HzData(z=np.array([0.1, 0.5]), H=np.array([70.0, 90.0]), cov=np.diag([25.0, 36.0]))
>>> d.n
2
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._parse import validate_covariance

__all__ = ["SNData", "BAOData", "HzData", "CMBPriors", "BAO_OBSERVABLES"]

BAO_OBSERVABLES = ("DM_over_rd", "DH_over_rd", "DV_over_rd")


def _vector(name: str, what: str, x, n: int | None = None) -> np.ndarray:
    a = np.array(x, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"{name}: {what} must be 1-d, got shape {a.shape}")
    if n is not None and a.size != n:
        raise ValueError(f"{name}: {what} has {a.size} entries, expected {n}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: {what} has non-finite entries")
    a.setflags(write=False)
    return a


def _set(obj, **kw):
    for k, v in kw.items():
        object.__setattr__(obj, k, v)


def _cov(name, cov, n):
    c = validate_covariance(cov, name, n=n)
    c.setflags(write=False)
    return c


@dataclass(frozen=True, eq=False)
class SNData:
    """A supernova Hubble diagram.

    Attributes
    ----------
    z : array (N,)
        Cosmological (CMB-frame, peculiar-velocity corrected) redshift.
    mag : array (N,)
        ``mag_kind="m_b"``: standardized apparent magnitude (model ``mu + M``);
        ``mag_kind="mu"``: distance modulus with an arbitrary offset (model ``mu + dM``).
    cov : array (N, N)
        Covariance of ``mag`` [mag^2].
    z_hel : array (N,), optional
        Heliocentric redshift for the ``(1 + z_hel)`` factor of ``d_L``; defaults to ``z``.
    """

    z: np.ndarray
    mag: np.ndarray
    cov: np.ndarray
    z_hel: np.ndarray | None = None
    mag_kind: str = "m_b"
    name: str = "sn"
    covariance: str = "user"
    citation: str = ""
    files: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        z = _vector(self.name, "z", self.z)
        if self.mag_kind not in ("m_b", "mu"):
            raise ValueError(f"{self.name}: mag_kind must be 'm_b' or 'mu', got {self.mag_kind!r}")
        if np.any(z <= 0):
            raise ValueError(f"{self.name}: redshifts must be > 0, min is {z.min()}")
        z_hel = z if self.z_hel is None else _vector(self.name, "z_hel", self.z_hel, z.size)
        _set(self, z=z, z_hel=z_hel, mag=_vector(self.name, "mag", self.mag, z.size),
             cov=_cov(self.name, self.cov, z.size))

    @property
    def n(self) -> int:
        """Number of data points."""
        return self.z.size


@dataclass(frozen=True, eq=False)
class BAOData:
    """BAO distance ratios ``D_M/r_d``, ``D_H/r_d`` (``D_H = c/H``) and ``D_V/r_d``.

    Attributes
    ----------
    z, values : array (N,)
    kinds : tuple of str
        One of ``"DM_over_rd"``, ``"DH_over_rd"``, ``"DV_over_rd"`` per row.
    cov : array (N, N)
    tracers : tuple of str
        Tracer labels included (for provenance).
    """

    z: np.ndarray
    values: np.ndarray
    kinds: tuple
    cov: np.ndarray
    name: str = "bao"
    tracers: tuple = ()
    citation: str = ""
    files: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        z = _vector(self.name, "z", self.z)
        kinds = tuple(self.kinds)
        if len(kinds) != z.size:
            raise ValueError(f"{self.name}: {len(kinds)} kinds for {z.size} redshifts")
        bad = sorted(set(kinds) - set(BAO_OBSERVABLES))
        if bad:
            raise ValueError(f"{self.name}: unknown BAO observable(s) {bad}; allowed: "
                             f"{', '.join(BAO_OBSERVABLES)}")
        if np.any(z <= 0):
            raise ValueError(f"{self.name}: redshifts must be > 0, min is {z.min()}")
        _set(self, z=z, kinds=kinds, values=_vector(self.name, "values", self.values, z.size),
             cov=_cov(self.name, self.cov, z.size), tracers=tuple(self.tracers))

    @property
    def n(self) -> int:
        """Number of data points."""
        return self.z.size


@dataclass(frozen=True, eq=False)
class HzData:
    """Expansion-rate measurements ``H(z)`` [km/s/Mpc] with their covariance."""

    z: np.ndarray
    H: np.ndarray
    cov: np.ndarray
    name: str = "hz"
    citation: str = ""
    files: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        z = _vector(self.name, "z", self.z)
        if np.any(z < 0):
            raise ValueError(f"{self.name}: redshifts must be >= 0, min is {z.min()}")
        _set(self, z=z, H=_vector(self.name, "H", self.H, z.size), cov=_cov(self.name, self.cov, z.size))

    @property
    def sigma(self) -> np.ndarray:
        """Diagonal 1-sigma errors."""
        return np.sqrt(np.diag(self.cov))

    @property
    def n(self) -> int:
        """Number of data points."""
        return self.z.size


@dataclass(frozen=True, eq=False)
class CMBPriors:
    """Compressed CMB distance priors: means and covariance of ``(R, l_A, omega_b)``.

    ``inv_cov`` keeps the inverse covariance exactly as published when that is what the paper
    gives (Chen et al. 2019 Appendix A); ``cov`` is its inverse.
    """

    labels: tuple
    mean: np.ndarray
    cov: np.ndarray
    inv_cov: np.ndarray | None = None
    name: str = "cmb_priors"
    citation: str = ""
    files: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        labels = tuple(self.labels)
        allowed = ("R", "l_A", "omega_b")
        if set(labels) - set(allowed) or len(set(labels)) != len(labels):
            raise ValueError(f"{self.name}: labels must be distinct entries of {allowed}, got {labels}")
        mean = _vector(self.name, "mean", self.mean, len(labels))
        inv = None
        if self.inv_cov is not None:
            inv = _cov(self.name + " (inverse covariance)", self.inv_cov, len(labels))
        _set(self, labels=labels, mean=mean, cov=_cov(self.name, self.cov, len(labels)), inv_cov=inv)

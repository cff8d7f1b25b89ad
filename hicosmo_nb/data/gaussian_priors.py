"""Published Gaussian priors embedded in the package: BBN (Schöneberg 2024) and DESI DR2's CMB prior.

- ``load_bbn_prior("omega_b")``: ``omega_b = 0.02218 +- 0.00055`` (Schöneberg 2024,
  arXiv:2401.15054; the BBN prior of DESI DR2). ``load_bbn_prior("omega_b_neff")``: the joint
  ``(omega_b, N_eff)`` Gaussian of the same paper (v3, Table 2: ``omega_b = 0.02196``,
  ``N_eff = 3.044 + Delta N_eff`` with ``Delta N_eff = -0.14``, so mean ``(0.02196, 2.904)``;
  the covariance is the paper's released ``covmats.txt``).
- ``load_desi_cmb_prior()``: DESI DR2 Results II (arXiv:2503.14738) Appendix A, a Gaussian in
  ``(theta_*, omega_b, omega_bc)`` compressed from Planck PR4; ``theta_* = r_s(z_*)/D_M(z_*)``
  (CAMB's ``thetastar``, in radians) and ``omega_bc`` excludes neutrinos.

The numbers are stored as published (JSON in ``hicosmo_nb/data/embedded/``) and pinned by
``tests/test_priors_bbn_cmb.py``; there is no original file to download.

Examples
--------
>>> from hicosmo_nb.data import load_bbn_prior
>>> p = load_bbn_prior()
>>> p.labels, float(p.mean[0]), round(float(p.cov[0, 0]) ** 0.5, 5)
(('omega_b',), 0.02218, 0.00055)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._embedded import read_embedded

__all__ = ["GaussianPriorData", "BBN_PRIORS", "load_bbn_prior", "load_desi_cmb_prior"]

BBN_PRIORS = ("omega_b", "omega_b_neff")


@dataclass(frozen=True)
class GaussianPriorData:
    """A published multivariate Gaussian: ``labels``, ``mean`` (n,), ``cov`` (n, n), provenance."""

    labels: tuple
    mean: np.ndarray
    cov: np.ndarray
    name: str
    citation: str
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.labels)
        mean = np.asarray(self.mean, dtype=float)
        cov = np.asarray(self.cov, dtype=float)
        if mean.shape != (n,) or cov.shape != (n, n):
            raise ValueError(f"{self.name}: mean must have shape ({n},) and cov ({n}, {n}), got "
                             f"{mean.shape} and {cov.shape}")
        if not (np.all(np.isfinite(cov)) and np.allclose(cov, cov.T) and np.all(np.linalg.eigvalsh(cov) > 0)):
            raise ValueError(f"{self.name}: covariance must be finite, symmetric and positive definite")
        object.__setattr__(self, "labels", tuple(self.labels))
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "cov", cov)

    def marginal(self, labels) -> "GaussianPriorData":
        """The Gaussian marginal on ``labels`` (a subset, in the given order): the sub-block.

        Raises
        ------
        ValueError
            Empty, repeated or unknown labels (the message lists the valid ones).

        Examples
        --------
        >>> p = load_desi_cmb_prior().marginal(("theta_star",))
        >>> p.labels, float(p.mean[0])
        (('theta_star',), 0.01041)
        """
        labels = (labels,) if isinstance(labels, str) else tuple(labels)
        bad = [lab for lab in labels if lab not in self.labels]
        if not labels or bad or len(set(labels)) != len(labels):
            raise ValueError(f"{self.name}: labels must be a non-empty subset of {self.labels} without "
                             f"repeats, got {labels!r}" + (f" (unknown: {bad})" if bad else ""))
        idx = [self.labels.index(lab) for lab in labels]
        return GaussianPriorData(labels=labels, mean=self.mean[idx], cov=self.cov[np.ix_(idx, idx)],
                                 name=self.name if labels == self.labels else f"{self.name}[{','.join(labels)}]",
                                 citation=self.citation, metadata={**self.metadata, "marginal_of": self.labels})


def load_bbn_prior(kind: str = "omega_b") -> GaussianPriorData:
    """Schöneberg (2024) BBN prior: ``"omega_b"`` (1-d) or ``"omega_b_neff"`` (2-d with ``N_eff``).

    Raises
    ------
    ValueError
        Unknown ``kind``.
    """
    if kind not in BBN_PRIORS:
        raise ValueError(f"kind must be one of {BBN_PRIORS}, got {kind!r}")
    table = read_embedded("bbn_schoneberg2024.json")
    block = table[kind]
    return GaussianPriorData(labels=block["labels"], mean=block["mean"], cov=block["cov"],
                             name="bbn" if kind == "omega_b" else "bbn_neff", citation=table["citation"],
                             metadata={"comment": block["comment"], "file": "bbn_schoneberg2024.json"})


def load_desi_cmb_prior() -> GaussianPriorData:
    """DESI DR2 (arXiv:2503.14738, App. A) Gaussian CMB prior on ``(theta_star, omega_b, omega_bc)``.

    Examples
    --------
    >>> d = load_desi_cmb_prior()
    >>> d.labels
    ('theta_star', 'omega_b', 'omega_bc')
    """
    table = read_embedded("desi_dr2_cmb_prior.json")
    cov = table["cov_scale"] * np.asarray(table["cov_over_scale"], dtype=float)
    return GaussianPriorData(labels=table["labels"], mean=table["mean"], cov=cov, name="desi_dr2_cmb_prior",
                             citation=table["citation"],
                             metadata={"definitions": table["definitions"], "file": "desi_dr2_cmb_prior.json"})

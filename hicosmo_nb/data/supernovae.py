"""Loaders for supernova Hubble diagrams: Pantheon+, Union3 and DES-SN5YR.

The published likelihoods use full covariances. When a covariance file is unavailable the
loaders raise an error naming the file, its public address, size and sha256; diagonal errors are
only used when asked for by name (``covariance="diagonal"``), with a warning that this is not the
published likelihood.

Examples
--------
>>> # skipped in doctests: the Pantheon+ files come from the data folder or the network
>>> import warnings
>>> from hicosmo_nb.data import load_pantheon_plus
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     d = load_pantheon_plus(covariance="diagonal")  # doctest: +SKIP
>>> d.n  # doctest: +SKIP
1590
"""

from __future__ import annotations

import os

import numpy as np

from .._warnings import warn
from ._embedded import read_embedded
from ._parse import read_flat_covariance, read_whitespace_table, validate_covariance
from .containers import SNData
from .paths import fetch
from .registry import CITATIONS

__all__ = ["load_pantheon_plus", "load_union3", "load_desy5"]

PathLike = str | os.PathLike
_COVARIANCES = ("stat+sys", "diagonal")


def _check_covariance_option(covariance: str) -> None:
    if covariance not in _COVARIANCES:
        raise ValueError(f"covariance must be one of {_COVARIANCES}, got {covariance!r}")


def _warn_diagonal(name: str, column: str) -> None:
    warn(f"{name}: using diagonal errors ({column}) by request (covariance='diagonal'); "
         "this ignores the correlated systematics and is NOT the published likelihood. "
         "Use covariance='stat+sys' with the covariance file for published results.")


def load_pantheon_plus(*, covariance: str = "stat+sys", z_min: float = 0.01,
                       path: PathLike | None = None, cov_path: PathLike | None = None,
                       data_dir: PathLike | None = None, verify: bool = True,
                       download: bool = True) -> SNData:
    """Pantheon+ (Scolnic et al. 2022; Brout et al. 2022): standardized magnitudes ``m_b_corr``.

    Parameters
    ----------
    covariance : {"stat+sys", "diagonal"}
        ``"stat+sys"`` (default): the released ``Pantheon+SH0ES_STAT+SYS.cov`` (1701 x 1701,
        first line N then N*N values; checked symmetric to 1e-6 relative, symmetrized, Cholesky).
        ``"diagonal"``: ``m_b_corr_err_DIAG**2`` on the diagonal, with a warning.
    z_min : float
        Keep rows with ``zHD > z_min`` in the table AND the covariance (Brout et al.: 0.01,
        leaving 1590 of 1701 rows). ``z_min=0`` keeps all rows.
    path, cov_path : path-like, optional
        Explicit table / covariance files.
    data_dir : path-like, optional
        Data directory (layout ``pantheon_plus/<file>``), tried before the setting.
    verify : bool
        Check sha256 checksums against the registry.
    download : bool
        Allow the checksum-verified download cache as last resort.

    Returns
    -------
    SNData
        ``z = zHD``, ``z_hel = zHEL``, ``mag = m_b_corr`` (model ``mu(z) + M``), ``mag_kind="m_b"``.

    Raises
    ------
    FileNotFoundError
        When the covariance (or table) is not available: says which file, its address, size,
        sha256 and where to put it.
    ValueError
        Bad option, checksum mismatch, malformed or non-positive-definite covariance.
    """
    _check_covariance_option(covariance)
    if isinstance(z_min, bool) or not isinstance(z_min, (int, float, np.number)) or not (
            np.isfinite(z_min) and z_min >= 0):
        raise ValueError(f"z_min must be a finite number >= 0, got {z_min!r}")
    table_rel = "pantheon_plus/Pantheon+SH0ES.dat"
    tpath, tsha = fetch(table_rel, path=path, data_dir=data_dir, verify=verify, download=download)
    cols = read_whitespace_table(tpath)
    need = ("zHD", "zHEL", "m_b_corr", "m_b_corr_err_DIAG", "CID", "IS_CALIBRATOR")
    missing = [c for c in need if c not in cols]
    if missing:
        raise ValueError(f"{tpath}: missing column(s) {missing}; is this Pantheon+SH0ES.dat?")
    z, z_hel, mag, err = (np.array(cols[c], dtype=float)
                          for c in ("zHD", "zHEL", "m_b_corr", "m_b_corr_err_DIAG"))
    n_all = z.size
    keep = z > z_min
    if not keep.any():
        raise ValueError(f"z_min = {z_min!r} leaves no rows of {tpath}: its largest zHD is "
                         f"{z.max():.4g}; choose a smaller z_min (the standard cut is 0.01)")
    files = {table_rel: tsha}
    if covariance == "stat+sys":
        cov_rel = "pantheon_plus/Pantheon+SH0ES_STAT+SYS.cov"
        cpath, csha = fetch(cov_rel, path=cov_path, data_dir=data_dir, verify=verify, download=download)
        cov = read_flat_covariance(cpath, expected_n=n_all)
        cov = validate_covariance(cov, f"Pantheon+ covariance {cpath}")
        files[cov_rel] = csha
    else:
        _warn_diagonal("Pantheon+", "m_b_corr_err_DIAG")
        cov = np.diag(err**2)
    cov = cov[np.ix_(keep, keep)]
    cid = np.array(cols["CID"])[keep]
    return SNData(z=z[keep], z_hel=z_hel[keep], mag=mag[keep], cov=cov, mag_kind="m_b",
                  name="pantheon_plus", covariance=covariance, citation=CITATIONS["pantheon_plus"],
                  files=files, metadata={"z_min": float(z_min), "n_table": n_all, "cid": tuple(cid),
                                         "is_calibrator": np.array(cols["IS_CALIBRATOR"], int)[keep]})


def load_union3(*, source: str = "embedded", data_dir: PathLike | None = None,
                verify: bool = True) -> SNData:
    """Union3 (Rubin et al. 2023): 22 compressed magnitude nodes with their full covariance.

    The node magnitudes carry an arbitrary offset (model ``mu(z) + dM``): marginalize it or fit
    ``dM``. ``source="embedded"`` (default, offline) or ``"files"``.

    Examples
    --------
    >>> d = load_union3()
    >>> d.n, d.mag_kind
    (22, 'mu')
    """
    if source not in ("embedded", "files"):
        raise ValueError(f"source must be 'embedded' or 'files', got {source!r}")
    lc_rel, cov_rel = "union3/lcparam_full.txt", "union3/mag_covmat.txt"
    if source == "embedded":
        t = read_embedded("union3.json")
        lc, cm = t["lcparam_full.txt"], t["mag_covmat.txt"]
        z, z_hel, mag, dmb = (np.array(lc[k]) for k in ("zcmb", "zhel", "mb", "dmb"))
        cov, files = np.array(cm["matrix"]), {lc_rel: lc["sha256"], cov_rel: cm["sha256"]}
    else:
        lpath, lsha = fetch(lc_rel, data_dir=data_dir, verify=verify)
        cpath, csha = fetch(cov_rel, data_dir=data_dir, verify=verify)
        cols = read_whitespace_table(lpath, short_rows=1)
        z, z_hel, mag, dmb = (np.array(cols[k], dtype=float) for k in ("zcmb", "zhel", "mb", "dmb"))
        cov, files = read_flat_covariance(cpath, expected_n=z.size), {lc_rel: lsha, cov_rel: csha}
    cov = validate_covariance(cov, "Union3 mag_covmat") + np.diag(dmb**2)
    return SNData(z=z, z_hel=z_hel, mag=mag, cov=cov, mag_kind="mu", name="union3",
                  covariance="stat+sys", citation=CITATIONS["union3"], files=files,
                  metadata={"source": source})


def load_desy5(*, covariance: str = "stat+sys", path: PathLike | None = None,
               cov_path: PathLike | None = None, data_dir: PathLike | None = None,
               verify: bool = True, download: bool = True) -> SNData:
    """DES-SN5YR Hubble diagram (DES Collaboration 2024): 1829 distance moduli ``MU``.

    Parameters
    ----------
    covariance : {"stat+sys", "diagonal"}
        ``"stat+sys"`` (default): ``covsys_000.txt`` (first line N then N*N values) plus
        ``MUERR_FINAL**2`` on the diagonal, as in the DES/Cobaya likelihood. No public manifest
        pins that file's sha256, so it is never downloaded: give it as ``cov_path=`` or put it at
        ``<data dir>/desy5/covsys_000.txt`` (its checksum is recorded, with a warning that it
        could not be verified). ``"diagonal"``: ``MUERR_FINAL**2`` only, with a warning.

    Returns
    -------
    SNData
        ``z = zHD``, ``z_hel = zHEL``, ``mag = MU`` with an arbitrary offset (``mag_kind="mu"``).

    Raises
    ------
    FileNotFoundError
        ``"stat+sys"`` without the systematic covariance file.
    """
    _check_covariance_option(covariance)
    table_rel = "desy5/DES-SN5YR_HD.csv"
    tpath, tsha = fetch(table_rel, path=path, data_dir=data_dir, verify=verify, download=download)
    cols = read_whitespace_table(tpath, delimiter=",")
    z, z_hel, mu, err = (np.array(cols[c], dtype=float) for c in ("zHD", "zHEL", "MU", "MUERR_FINAL"))
    files = {table_rel: tsha}
    if covariance == "stat+sys":
        cov_rel = "desy5/covsys_000.txt"
        cpath, csha = fetch(cov_rel, path=cov_path, data_dir=data_dir, verify=verify)
        warn(f"DES-SN5YR: {cpath} has no published checksum to verify against; its sha256 "
             f"is {csha} (recorded in SNData.files)")
        # The systematic part alone may be only semi-definite; SNData validates the total.
        cov = read_flat_covariance(cpath, expected_n=z.size) + np.diag(err**2)
        files[cov_rel] = csha
    else:
        _warn_diagonal("DES-SN5YR", "MUERR_FINAL")
        cov = np.diag(err**2)
    return SNData(z=z, z_hel=z_hel, mag=mu, cov=cov, mag_kind="mu", name="desy5",
                  covariance=covariance, citation=CITATIONS["desy5"], files=files,
                  metadata={"cid": tuple(cols["CID"])})

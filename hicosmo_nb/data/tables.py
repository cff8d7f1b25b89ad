"""Loaders for the small published tables: DESI BAO, cosmic chronometers, Planck distance priors.

Each loader reads either the copy embedded in the package (``source="embedded"``, the offline
default) or the original files (``source="files"``: explicit data directory, the
``HICOSMO_NB_DATA_DIR`` setting, or a checksum-verified download). Both give identical numbers
(tested).

Examples
--------
>>> from hicosmo_nb.data import load_desi_bao
>>> d = load_desi_bao("dr2")
>>> d.n, d.kinds[0]
(13, 'DV_over_rd')
"""

from __future__ import annotations

import difflib
import json
import os

import numpy as np

from ._embedded import read_embedded
from ._parse import BAO_KINDS, read_bao_mean, read_matrix, read_whitespace_table
from .containers import BAOData, CMBPriors, HzData
from .paths import fetch
from .registry import CITATIONS, FILES

__all__ = ["DESI_TRACERS", "load_desi_bao", "load_cc", "load_planck18_priors"]

PathLike = str | os.PathLike

# Tracer label -> file stem (between the release prefix and _mean.txt / _cov.txt), in z order.
DESI_TRACERS = {
    "dr1": {"BGS": "BGS_BRIGHT-21.5_GCcomb_z0.1-0.4", "LRG1": "LRG_GCcomb_z0.4-0.6",
            "LRG2": "LRG_GCcomb_z0.6-0.8", "LRG3+ELG1": "LRG+ELG_LOPnotqso_GCcomb_z0.8-1.1",
            "ELG2": "ELG_LOPnotqso_GCcomb_z1.1-1.6", "QSO": "QSO_GCcomb_z0.8-2.1",
            "Lya": "Lya_GCcomb", "Lya_eboss": "Lya_GCcomb"},
    "dr2": {"BGS": "BGS_BRIGHT-21.35_GCcomb", "LRG1": "LRG_GCcomb_z0.4-0.6",
            "LRG2": "LRG_GCcomb_z0.6-0.8", "LRG3+ELG1": "LRG+ELG_LOPnotqso_GCcomb",
            "ELG2": "ELG_LOPnotqso_GCcomb_z1.1-1.6", "QSO": "QSO_GCcomb", "Lya": "Lya_GCcomb"},
}
_FOLDER = {"dr1": "desi_dr1_bao", "dr2": "desi_dr2_bao"}
_PREFIX = {"dr1": "desi_2024_gaussian_bao_", "dr2": "desi_gaussian_bao_"}


def _check_source(source: str) -> None:
    if source not in ("embedded", "files"):
        raise ValueError(f"source must be 'embedded' or 'files', got {source!r}")


def _desi_stem_files(release: str, tracer: str) -> tuple[str, str]:
    prefix = "desi_2024_eboss_gaussian_bao_" if tracer == "Lya_eboss" else _PREFIX[release]
    stem = "ALL_GCcomb" if tracer == "ALL" else DESI_TRACERS[release][tracer]
    return f"{_FOLDER[release]}/{prefix}{stem}_mean.txt", f"{_FOLDER[release]}/{prefix}{stem}_cov.txt"


def _desi_block(release, tracer, source, data_dir, verify):
    mean_rel, cov_rel = _desi_stem_files(release, tracer)
    if source == "embedded":
        files = read_embedded(f"{_FOLDER[release]}.json")["files"]
        m, c = files[mean_rel.split("/")[1]], files[cov_rel.split("/")[1]]
        z, values = np.array(m["z"]), np.array(m["values"])
        kinds = tuple(BAO_KINDS[q] for q in m["quantities"])
        return z, values, kinds, np.array(c["matrix"]), {mean_rel: m["sha256"], cov_rel: c["sha256"]}
    mpath, msha = fetch(mean_rel, data_dir=data_dir, verify=verify)
    cpath, csha = fetch(cov_rel, data_dir=data_dir, verify=verify)
    z, values, kinds = read_bao_mean(mpath)
    cov = read_matrix(cpath)
    if cov.shape != (z.size, z.size):
        raise ValueError(f"{cpath}: covariance shape {cov.shape} does not match the {z.size} rows of "
                         f"{mpath}")
    return z, values, kinds, cov, {mean_rel: msha, cov_rel: csha}


def load_desi_bao(release: str = "dr2", *, tracers=None, source: str = "embedded",
                  data_dir: PathLike | None = None, verify: bool = True) -> BAOData:
    """DESI BAO measurements (Gaussian likelihood: means and covariance).

    Parameters
    ----------
    release : {"dr2", "dr1"}
        DESI DR2 (2025, arXiv:2503.14738) or DR1 (2024, arXiv:2404.03002).
    tracers : sequence of str, optional
        Subset of :data:`DESI_TRACERS` (``BGS, LRG1, LRG2, LRG3+ELG1, ELG2, QSO, Lya``; DR1 also
        ``Lya_eboss``, the DESI+eBOSS Lya combination, exclusive with ``Lya``). None (default)
        reads the collaboration's ``ALL`` files. Tracers are independent (block-diagonal
        covariance).
    source : {"embedded", "files"}
        Package copy (offline) or the original files located via :func:`~hicosmo_nb.data.fetch`.
    data_dir : path-like, optional
        Data directory for ``source="files"``.
    verify : bool
        Check file checksums (``source="files"``).

    Returns
    -------
    BAOData
        Rows ``z``, ``values``, ``kinds`` (``DM_over_rd``, ``DH_over_rd``, ``DV_over_rd``).

    Raises
    ------
    ValueError
        Unknown release or tracer, both Lya variants, bad ``source``.

    Examples
    --------
    >>> load_desi_bao("dr1", tracers=["BGS", "QSO"]).kinds
    ('DV_over_rd', 'DV_over_rd')
    """
    _check_source(source)
    if release not in DESI_TRACERS:
        raise ValueError(f"DESI release must be one of {sorted(DESI_TRACERS)}, got {release!r}")
    valid = DESI_TRACERS[release]
    if tracers is None:
        blocks = [_desi_block(release, "ALL", source, data_dir, verify)]
        names = tuple(t for t in valid if t != "Lya_eboss")
    else:
        if isinstance(tracers, str):
            tracers = [tracers]
        bad = [t for t in tracers if t not in valid]
        if bad:
            near = {t: difflib.get_close_matches(t, list(valid), n=1, cutoff=0.5) for t in bad}
            hints = [f"{t!r}" + (f" (did you mean {near[t][0]!r}?)" if near[t] else "") for t in bad]
            raise ValueError(f"unknown DESI {release} tracer {', '.join(hints)}; valid: {', '.join(valid)}")
        if "Lya" in tracers and "Lya_eboss" in tracers:
            raise ValueError("tracers: use either 'Lya' (DESI only) or 'Lya_eboss' (DESI+eBOSS), not both")
        if not tracers or len(set(tracers)) != len(tracers):
            raise ValueError(f"tracers must be a non-empty list without repeats, got {list(tracers)}")
        names = tuple(t for t in valid if t in tracers)
        blocks = [_desi_block(release, t, source, data_dir, verify) for t in names]
    z = np.concatenate([b[0] for b in blocks])
    values = np.concatenate([b[1] for b in blocks])
    kinds = tuple(k for b in blocks for k in b[2])
    cov = np.zeros((z.size, z.size))
    i = 0
    for b in blocks:
        n = b[0].size
        cov[i:i + n, i:i + n] = b[3]
        i += n
    files = {k: v for b in blocks for k, v in b[4].items()}
    return BAOData(z=z, values=values, kinds=kinds, cov=cov, name=f"desi_{release}_bao",
                   tracers=names, citation=CITATIONS[_FOLDER[release]], files=files,
                   metadata={"source": source, "release": release})


def load_cc(*, source: str = "embedded", data_dir: PathLike | None = None,
            verify: bool = True) -> HzData:
    """The 32 cosmic-chronometer ``H(z)`` points of the Moresco (2023) compilation.

    Errors are the tabulated diagonal ones (stat + syst); the CC systematic covariance of
    Moresco et al. (2020) is not included.

    Examples
    --------
    >>> d = load_cc()
    >>> d.n, float(d.z.min()), float(d.z.max())
    (32, 0.07, 1.965)
    """
    _check_source(source)
    rel = "cosmic_chronometers/cc_moresco2023_32pts_source.csv"
    if source == "embedded":
        t = read_embedded("cc_moresco2023.json")
        z, H, s, sha = np.array(t["z"]), np.array(t["H"]), np.array(t["sigma_H"]), t["sha256"]
        meta = {"method": tuple(t["method"]), "paper": tuple(t["paper"])}
    else:
        path, sha = fetch(rel, data_dir=data_dir, verify=verify)
        cols = read_whitespace_table(path, delimiter=",")
        z, H, s = (np.array(cols[c], dtype=float) for c in ("z", "H", "sigma_H"))
        meta = {"method": tuple(cols["M"])}
    if np.any(s <= 0):
        raise ValueError(f"cosmic chronometers: sigma_H must be > 0, got min {s.min()}")
    return HzData(z=z, H=H, cov=np.diag(s**2), name="cc", citation=CITATIONS["cc"],
                  files={rel: sha}, metadata={"source": source, **meta})


def load_planck18_priors(*, table: str = "appendix", source: str = "embedded",
                         data_dir: PathLike | None = None, verify: bool = True) -> CMBPriors:
    """Planck 2018 compressed distance priors ``(R, l_A, omega_b)`` of Chen, Huang & Wang (2019).

    Parameters
    ----------
    table : {"appendix", "table1"}
        ``"appendix"`` (default): the higher-precision means and the inverse covariance the
        authors use in their own likelihood (Appendix A). ``"table1"``: the rounded means,
        sigmas and correlations of Table I (base LCDM, TT,TE,EE+lowE), ``n_s`` dropped.
    source : {"embedded", "files"}

    Examples
    --------
    >>> p = load_planck18_priors()
    >>> p.labels, float(p.mean[1])
    (('R', 'l_A', 'omega_b'), 301.4707)
    """
    _check_source(source)
    if table not in ("appendix", "table1"):
        raise ValueError(f"table must be 'appendix' or 'table1', got {table!r}")
    rel = "planck2018_distance_priors/planck2018_distance_priors_chen2019.json"
    if source == "embedded":
        raw = read_embedded(rel.split("/")[1])
        sha = FILES[rel].sha256
    else:
        path, sha = fetch(rel, data_dir=data_dir, verify=verify)
        raw = json.loads(path.read_text())
    if table == "appendix":
        app = raw["appendix_cosmomc_likelihood"]
        inv = np.array(app["inverse_covariance"])
        mean, cov = np.array(app["mean"]), np.linalg.inv(inv)
        cov = 0.5 * (cov + cov.T)
    else:
        t = raw["table_flat_LCDM"]
        sig, corr = np.array(t["sigma"][:3]), np.array(t["correlation"])[:3, :3]
        mean, cov, inv = np.array(t["mean"][:3]), corr * np.outer(sig, sig), None
    return CMBPriors(labels=("R", "l_A", "omega_b"), mean=mean, cov=cov, inv_cov=inv,
                     name="planck18_priors", citation=CITATIONS["planck18_priors"], files={rel: sha},
                     metadata={"source": source, "table": table})

"""Parsers and validators for the text formats of the public data files (numpy only)."""

from __future__ import annotations

import os
import pathlib

import numpy as np

__all__ = ["read_flat_covariance", "validate_covariance", "cholesky_checked", "read_bao_mean", "read_matrix",
           "read_whitespace_table", "BAO_KINDS"]

# Quantity labels of the DESI mean files -> hicosmo_nb observable names.
BAO_KINDS = {"DM_over_rs": "DM_over_rd", "DH_over_rs": "DH_over_rd", "DV_over_rs": "DV_over_rd"}


def read_flat_covariance(path: str | os.PathLike, *, expected_n: int | None = None) -> np.ndarray:
    """Read a covariance stored as ``N`` on the first line, then ``N*N`` values (row-major).

    This is the format of Pantheon+ ``*.cov``, Union3 ``mag_covmat.txt`` and DES-SN5YR
    ``covsys_000.txt``. The matrix is returned as read (no symmetrization).

    Raises
    ------
    ValueError
        If the header is not a positive integer, the count of values is not ``N*N``, a value is
        not finite, or ``N`` differs from ``expected_n``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "c.cov"
    >>> _ = f.write_text("2\\n1.0\\n0.5\\n0.5\\n2.0\\n")
    >>> read_flat_covariance(f).tolist()
    [[1.0, 0.5], [0.5, 2.0]]
    """
    path = pathlib.Path(path)
    with open(path) as fh:
        head = fh.readline().strip()
        try:
            n = int(head)
        except ValueError:
            raise ValueError(f"{path}: first line must be the matrix size N (an integer), "
                             f"got {head[:40]!r}") from None
        if n <= 0:
            raise ValueError(f"{path}: matrix size on the first line must be positive, got {n}")
        values = np.array(fh.read().split(), dtype=float)
    if values.size != n * n:
        raise ValueError(f"{path}: expected N*N = {n}*{n} = {n * n} values after the header, "
                         f"found {values.size} (truncated or corrupt file)")
    if expected_n is not None and n != expected_n:
        raise ValueError(f"{path}: covariance is {n}x{n} but the data table has {expected_n} rows")
    if not np.all(np.isfinite(values)):
        bad = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"{path}: non-finite covariance entry at row {bad // n}, column {bad % n}")
    return values.reshape(n, n)


def validate_covariance(cov: np.ndarray, name: str, *, n: int | None = None,
                        sym_rtol: float = 1e-6) -> np.ndarray:
    """Check a covariance (square, finite, symmetric, positive definite); return (C + C^T)/2.

    See ``cholesky_checked``, which also returns the Cholesky factor.

    Examples
    --------
    >>> validate_covariance(np.array([[2.0, 1.0], [1.0, 2.0]]), "toy").tolist()
    [[2.0, 1.0], [1.0, 2.0]]
    """
    return cholesky_checked(cov, name, n=n, sym_rtol=sym_rtol)[0]


def cholesky_checked(cov: np.ndarray, name: str, *, n: int | None = None,
                     sym_rtol: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """Check a covariance (square, finite, symmetric, positive definite).

    Returns ``((C + C^T)/2, L)`` with ``L`` its lower Cholesky factor.

    Parameters
    ----------
    cov : array (N, N)
    name : str
        Dataset or file name used in error messages.
    n : int, optional
        Required size (length of the data vector).
    sym_rtol : float
        Largest allowed ``max|C - C^T| / max|C|`` (release files are symmetric to ~1e-7 after
        decimal rounding).

    Raises
    ------
    ValueError
        Naming the dataset and what is wrong.

    """
    cov = np.asarray(cov, dtype=float)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError(f"{name}: covariance must be a square 2-d array, got shape {cov.shape}")
    if n is not None and cov.shape[0] != n:
        raise ValueError(f"{name}: covariance is {cov.shape[0]}x{cov.shape[1]} but the data vector "
                         f"has {n} entries")
    if not np.all(np.isfinite(cov)):
        raise ValueError(f"{name}: covariance has non-finite entries")
    scale = np.max(np.abs(cov))
    asym = np.max(np.abs(cov - cov.T)) / scale if scale > 0 else 0.0
    if asym > sym_rtol:
        raise ValueError(f"{name}: covariance is not symmetric (max|C - C^T| / max|C| = {asym:.3g} "
                         f"> {sym_rtol:g})")
    cov = 0.5 * (cov + cov.T)
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        eig = np.linalg.eigvalsh(cov)[0]
        raise ValueError(f"{name}: covariance is not positive definite (Cholesky failed; smallest "
                         f"eigenvalue {eig:.3g})") from None
    return cov, chol


def read_matrix(path: str | os.PathLike) -> np.ndarray:
    """Read a whitespace-separated matrix (``#`` comments allowed) as a 2-d float array."""
    try:
        m = np.loadtxt(path, dtype=float, comments="#", ndmin=2)
    except ValueError as err:
        raise ValueError(f"{path}: cannot parse as a numeric matrix ({err})") from None
    return m


def read_bao_mean(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Read a DESI ``*_mean.txt`` file: rows ``z value quantity``; returns ``(z, values, kinds)``.

    Quantities are renamed ``DM_over_rs -> DM_over_rd`` (likewise DH, DV).

    Raises
    ------
    ValueError
        If a row does not have three fields, a number does not parse, or a quantity is unknown.
    """
    z, values, kinds = [], [], []
    for i, line in enumerate(pathlib.Path(path).read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3:
            raise ValueError(f"{path}, line {i}: expected 'z value quantity', got {line!r}")
        if parts[2] not in BAO_KINDS:
            raise ValueError(f"{path}, line {i}: unknown quantity {parts[2]!r}; allowed: "
                             f"{', '.join(BAO_KINDS)}")
        try:
            z.append(float(parts[0]))
            values.append(float(parts[1]))
        except ValueError:
            raise ValueError(f"{path}, line {i}: cannot parse numbers in {line!r}") from None
        kinds.append(BAO_KINDS[parts[2]])
    if not z:
        raise ValueError(f"{path}: no data rows")
    return np.array(z), np.array(values), tuple(kinds)


def read_whitespace_table(path: str | os.PathLike, *, delimiter: str | None = None,
                          comment: str | None = None, short_rows: int = 0) -> dict[str, list[str]]:
    """Read a table with a header row into ``{column: [strings]}``; every row must be complete.

    ``comment`` lines (e.g. ``"#"``) are skipped, except that a leading ``#`` on the header line
    is dropped (cosmomc ``lcparam`` files start with ``#name zcmb ...``). ``short_rows`` allows
    rows with up to that many trailing fields fewer than the header (those columns are then
    dropped): the Union3 ``lcparam_full.txt`` header names 19 columns, its rows have 18.
    """
    rows = []
    for line in pathlib.Path(path).read_text().splitlines():
        if not line.strip():
            continue
        if comment and line.startswith(comment) and rows:
            continue
        rows.append(line)
    if not rows:
        raise ValueError(f"{path}: empty file")
    header = rows[0].lstrip("#").split(delimiter)
    header = [h.strip() for h in header]
    cols: dict[str, list[str]] = {h: [] for h in header}
    for i, line in enumerate(rows[1:], start=2):
        parts = [p.strip() for p in line.split(delimiter)]
        if not len(header) - short_rows <= len(parts) <= len(header):
            raise ValueError(f"{path}, data line {i}: expected {len(header)} fields, got {len(parts)}")
        if len(parts) < len(header):
            for h in header[len(parts):]:
                cols.pop(h, None)
            header = header[:len(parts)]
        for h, v in zip(header, parts):
            cols[h].append(v)
    return cols

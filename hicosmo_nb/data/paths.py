"""Where data files are found: explicit path, data directory, or a checksum-verified download.

Lookup order for a registered file (:data:`hicosmo_nb.data.registry.FILES`):

1. an explicit ``path=`` (an error if it does not exist: no silent substitution);
2. ``<data_dir>/<relpath>`` for the ``data_dir=`` argument;
3. ``<setting>/<relpath>`` for the data directory setting: the environment variable
   ``HICOSMO_NB_DATA_DIR``, which :func:`set_data_dir` sets;
4. the download cache ``pooch.os_cache("hicosmo_nb")``, filled by :func:`pooch.retrieve` from the
   file's public address and verified against its sha256.

Whatever the source, the file's sha256 is checked against the registry before it is used.
The layout inside a data directory is ``<dataset folder>/<original file name>``, e.g.
``pantheon_plus/Pantheon+SH0ES.dat``.

Examples
--------
>>> from hicosmo_nb.data import paths
>>> paths.ENV_VAR
'HICOSMO_NB_DATA_DIR'
"""

from __future__ import annotations

import hashlib
import logging
import os
import pathlib

import pooch

from .._warnings import warn
from .registry import FILES, FileSpec

__all__ = ["ENV_VAR", "set_data_dir", "get_data_dir", "cache_dir", "sha256sum", "fetch",
           "missing_file_message"]

ENV_VAR = "HICOSMO_NB_DATA_DIR"


def set_data_dir(path: str | os.PathLike | None) -> None:
    """Set the data directory setting (the ``HICOSMO_NB_DATA_DIR`` environment variable).

    Parameters
    ----------
    path : path-like or None
        An existing directory; None removes the setting.

    Raises
    ------
    ValueError
        If ``path`` is not an existing directory.

    Examples
    --------
    >>> import tempfile
    >>> from hicosmo_nb.data import set_data_dir, get_data_dir
    >>> old = get_data_dir()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     set_data_dir(d)
    ...     get_data_dir() == pathlib.Path(d)
    True
    >>> set_data_dir(old)
    """
    if path is None:
        os.environ.pop(ENV_VAR, None)
        return
    p = pathlib.Path(path).expanduser()
    if not p.is_dir():
        raise ValueError(f"set_data_dir: {str(path)!r} is not an existing directory")
    os.environ[ENV_VAR] = str(p)


def get_data_dir() -> pathlib.Path | None:
    """The data directory setting (``HICOSMO_NB_DATA_DIR``), or None when unset or empty.

    Raises
    ------
    ValueError
        If the variable names something that is not an existing directory (the rule of
        :func:`set_data_dir`, applied to a value set outside Python).
    """
    value = os.environ.get(ENV_VAR, "")
    if not value:
        return None
    p = pathlib.Path(value).expanduser()
    if not p.is_dir():
        raise ValueError(
            f"${ENV_VAR} = {value!r} is not an existing directory; point it at the folder that "
            f"holds the data (<dataset folder>/<file>), or unset it"
        )
    return p


def cache_dir() -> pathlib.Path:
    """The download cache, ``pooch.os_cache("hicosmo_nb")``."""
    return pathlib.Path(pooch.os_cache("hicosmo_nb"))


def sha256sum(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def missing_file_message(spec: FileSpec, reason: str) -> str:
    """Explain which file is missing, why, and how to get it."""
    lines = [f"data file {spec.relpath!r} is not available: {reason}."]
    if spec.url:
        lines.append(f"  public address: {spec.url}")
    if spec.size:
        lines.append(f"  size: {spec.size:,} bytes")
    if spec.sha256:
        lines.append(f"  sha256: {spec.sha256}")
    else:
        lines.append("  no public checksum pins this file, so hicosmo_nb will not download it: "
                     "download it yourself and pass its path explicitly")
    lines.append(f"  put it at <data dir>/{spec.relpath} and point hicosmo_nb at the data dir "
                 f"(data_dir= argument, hicosmo_nb.data.set_data_dir(...) or ${ENV_VAR}), "
                 "or pass the file's path explicitly")
    lines.append(f"  cite: {spec.citation}")
    return "\n".join(lines)


def _verify(spec: FileSpec, path: pathlib.Path, verify: bool) -> tuple[pathlib.Path, str]:
    actual = sha256sum(path)
    if spec.sha256 is None or not verify:
        if spec.sha256 is not None:
            warn(f"checksum of {path} not verified (verify=False); results may not "
                 "correspond to the published data")
        return path, actual
    if actual != spec.sha256:
        raise ValueError(
            f"checksum mismatch for data file {spec.relpath!r} read from {path}: expected sha256 "
            f"{spec.sha256}, got {actual} (size {path.stat().st_size:,} bytes, expected "
            f"{spec.size:,}). The file is corrupt or a different version; "
            f"re-download it from {spec.url or 'its source (see the registry)'}."
        )
    return path, actual


def _quiet(record: logging.LogRecord) -> bool:
    """Logging filter: warnings and errors only."""
    return record.levelno >= logging.WARNING


def fetch(relpath: str, *, path: str | os.PathLike | None = None,
          data_dir: str | os.PathLike | None = None, download: bool = True,
          verify: bool = True) -> tuple[pathlib.Path, str]:
    """Locate a registered data file and verify it; returns ``(path, sha256)``.

    Parameters
    ----------
    relpath : str
        Registry key, e.g. ``"desi_dr2_bao/desi_gaussian_bao_ALL_GCcomb_mean.txt"``.
    path : path-like, optional
        Explicit file to read (must exist).
    data_dir : path-like, optional
        Data directory tried before the setting.
    download : bool
        Try the pooch download cache as the last step (quietly: no progress lines; a failed
        download raises, naming the address).
    verify : bool
        Check the sha256 against the registry (default). ``False`` warns instead.

    Raises
    ------
    ValueError
        If ``relpath`` is not registered or the checksum does not match.
    FileNotFoundError
        If the file is found nowhere; the message gives its address, size and sha256.

    Examples
    --------
    >>> # skipped in doctests: downloads from the network when the file is not cached
    >>> p, sha = fetch("desi_dr2_bao/desi_gaussian_bao_ALL_GCcomb_mean.txt")  # doctest: +SKIP
    """
    spec = FILES.get(relpath)
    if spec is None:
        raise ValueError(f"unknown data file {relpath!r}; registered files: {', '.join(sorted(FILES))}")
    if path is not None:
        p = pathlib.Path(path).expanduser()
        if not p.is_file():
            raise FileNotFoundError(missing_file_message(spec, f"the explicit path {str(path)!r} "
                                                               "does not exist"))
        return _verify(spec, p, verify)
    tried = []
    for base in (data_dir, ENV_VAR):
        base = get_data_dir() if base is ENV_VAR else base  # checked only when reached
        if base is None:
            continue
        candidate = pathlib.Path(base).expanduser() / relpath
        if candidate.is_file():
            return _verify(spec, candidate, verify)
        tried.append(str(candidate))
    where = f"not found at {', '.join(tried)}" if tried else "no data directory is set"
    if not download:
        raise FileNotFoundError(missing_file_message(spec, where + "; downloads disabled (download=False)"))
    if not (spec.url and spec.sha256):
        raise FileNotFoundError(missing_file_message(spec, where))
    folder, name = relpath.rsplit("/", 1)
    # pooch's "Downloading data from ..." line would land in dashboards. A filter, not setLevel:
    # pooch's logger sits outside logging's hierarchy, so its level cache is never cleared.
    logger = pooch.get_logger()
    logger.addFilter(_quiet)
    try:
        got = pooch.retrieve(spec.url, known_hash=f"sha256:{spec.sha256}", fname=name,
                             path=cache_dir() / folder, progressbar=False)
    except (OSError, ValueError) as err:  # network errors subclass OSError; bad hash: ValueError
        raise FileNotFoundError(missing_file_message(
            spec, f"{where}; download to {cache_dir() / folder} failed "
                  f"({type(err).__name__}: {err})")) from err
    finally:
        logger.removeFilter(_quiet)
    return _verify(spec, pathlib.Path(got), verify)

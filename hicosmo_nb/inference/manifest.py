"""Run manifests: what produced a result (versions, data checksums, keys, settings, timings).

A manifest is a plain JSON-serializable dict, stored in the result's DataTree attributes
(``attrs["hicosmo_nb_manifest"]`` as JSON text) so it travels with the netCDF file.

Examples
--------
>>> m = package_versions()
>>> {"python", "jax", "numpyro", "arviz", "hicosmo_nb"} <= set(m)
True
>>> find_checksums({"files": {"a.txt": "ab" * 32}, "n": 3})
{'files.a.txt': 'abababababababababababababababababababababababababababababababab'}
"""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import sys
from typing import Any, Mapping

import jax
import numpy as np

__all__ = ["package_versions", "find_checksums", "key_hex", "build_manifest"]

_PACKAGES = ("hicosmo_nb", "jax", "jaxlib", "numpyro", "arviz", "arviz-base", "arviz-stats",
             "numpy", "xarray", "h5netcdf", "scipy")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a result depends on (``"not installed"`` if absent)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return dict(sorted(out.items()))


def _is_sha256(v) -> bool:
    return isinstance(v, str) and len(v) == 64 and all(c in "0123456789abcdefABCDEF" for c in v)


def find_checksums(meta: Any, prefix: str = "") -> dict[str, str]:
    """Every sha256 digest (64 hex characters) in nested likelihood metadata, by dotted path.

    Likelihoods record their files as ``metadata["files"] = {path: sha256}``; any other place
    a digest appears is found too.
    """
    out: dict[str, str] = {}
    if isinstance(meta, Mapping):
        for k, v in meta.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if _is_sha256(v):
                out[path] = v.lower()
            else:
                out.update(find_checksums(v, path))
    elif isinstance(meta, (list, tuple)):
        for i, v in enumerate(meta):
            out.update(find_checksums(v, f"{prefix}[{i}]"))
    return out


def key_hex(key) -> str:
    """A raw uint32 key (any shape) as hex words, e.g. ``'00000000 0000002a'``."""
    return " ".join(f"{int(w):08x}" for w in np.asarray(key, dtype=np.uint32).ravel())


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.generic, np.ndarray)) or hasattr(x, "dtype"):
        return np.asarray(x).tolist()
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)


def build_manifest(
    *,
    problem,
    settings: Mapping,
    key,
    chain_keys,
    plan,
    init_info: Mapping,
    timings: Mapping,
    extra: Mapping | None = None,
) -> dict[str, Any]:
    """The manifest dict of one run (see the module docstring)."""
    likelihood, priors, fixed = problem.likelihood, problem.priors, problem.fixed
    meta = {"name": likelihood.name, "param_names": list(likelihood.param_names),
            "metadata": _jsonable(likelihood.metadata)}
    m = {
        "format": "hicosmo_nb.manifest/1",
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "platform": {"system": platform.platform(), "python": sys.version.split()[0],
                     "jax_backend": jax.default_backend(),
                     "devices": [str(d) for d in plan.devices]},
        "likelihood": meta,
        "data_checksums": find_checksums(likelihood.metadata),
        "priors": {k: str(v) for k, v in priors.items()},
        "fixed": {k: float(v) for k, v in fixed.items()},
        "key": key_hex(key),
        "chain_keys": [key_hex(k) for k in np.asarray(chain_keys)],
        "settings": _jsonable(settings),
        "chain_layout": {"method": plan.method, "batches": [list(b) for b in plan.batches],
                         "num_devices": len(plan.devices), "threads": plan.threads},
        "init": _jsonable(init_info),
        "timings_s": _jsonable(timings),
    }
    if extra:
        m.update(_jsonable(extra))
    return m

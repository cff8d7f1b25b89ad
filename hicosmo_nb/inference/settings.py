"""Validation and bookkeeping of :func:`~hicosmo_nb.inference.run_nuts` arguments.

Keys, counts, fixed values, the reuse of a prebuilt sampler, the chunk length and the run
*fingerprint* (the JSON summary of everything that determines the draws, stored in checkpoints
and results so a resume or a continuation can check it is the same problem).

Examples
--------
>>> import jax
>>> as_key(jax.random.PRNGKey(3)).tolist()
[0, 3]
>>> chunk_length(None, 500, 1000, periodic=True)
100
"""

from __future__ import annotations

import json
import math

import jax
import numpy as np

from .. import _config  # noqa: F401  (float64)
from ..keys import name_hash
from .kernel import Sampler
from .manifest import find_checksums, key_hex

__all__ = ["as_key", "sub_key", "count", "check_fixed", "check_sampler", "fingerprint", "chunk_length"]


def as_key(key) -> np.ndarray:
    """A raw ``uint32`` key of shape ``(2,)`` from a JAX key (raw or typed).

    Raises
    ------
    ValueError
        If ``key`` is not a JAX PRNG key.
    """
    if isinstance(key, jax.Array) and jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        key = jax.random.key_data(key)
    arr = np.asarray(key) if isinstance(key, (jax.Array, np.ndarray)) else None
    if arr is None or arr.shape != (2,) or arr.dtype != np.uint32:
        raise ValueError(
            f"key must be a JAX PRNG key such as jax.random.PRNGKey(0) or "
            f"hicosmo_nb.keys.KeyManager(0).key('nuts'); got {key!r}"
        )
    return arr


def sub_key(key, name: str) -> jax.Array:
    return jax.random.fold_in(jax.numpy.asarray(key), np.uint32(name_hash(name)))


def count(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return int(value)


def check_fixed(fixed) -> dict[str, float]:
    fixed = dict(fixed or {})
    for k, v in fixed.items():
        try:
            ok = math.isfinite(float(v))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"fixed value {k}={v!r} must be a finite number")
    return {k: float(v) for k, v in fixed.items()}


def check_sampler(sampler, likelihood, priors, fixed, settings) -> None:
    if not isinstance(sampler, Sampler):
        raise ValueError(f"sampler must come from build_sampler(); got {type(sampler).__name__}")
    diff = []
    if sampler.likelihood is not likelihood:
        diff.append(f"likelihood {sampler.likelihood.name!r} (another object)")
    if list(sampler.priors.items()) != list(priors.items()):
        diff.append(f"priors {sampler.priors}")
    if sampler.fixed != fixed:
        diff.append(f"fixed {sampler.fixed}")
    diff += [f"{k}={sampler.settings[k]!r}" for k, v in settings.items() if sampler.settings[k] != v]
    if diff:
        raise ValueError(f"the sampler was built for a different problem: {'; '.join(diff)}; build "
                         "a new one or pass the same arguments")


def fingerprint(likelihood, priors, fixed, key, num_chains, settings, init, jitter) -> dict:
    fp = {
        "likelihood": likelihood.name, "param_names": list(likelihood.param_names),
        "data_checksums": find_checksums(likelihood.metadata),
        "priors": {k: repr(v) for k, v in priors.items()}, "fixed": fixed, "key": key_hex(key),
        "num_chains": num_chains, "init": repr(init), "init_jitter": jitter, **settings,
    }
    return json.loads(json.dumps(fp, sort_keys=True))


def chunk_length(chunk_size, num_warmup, num_samples, periodic: bool) -> int:
    longest = max(num_warmup, num_samples)
    if chunk_size is not None:
        return count("chunk_size", chunk_size, 1)
    return max(1, math.ceil(longest / 10)) if periodic else longest

"""Typed settings of a sampling run and their validation.

:class:`RunSettings` (how many chains, iterations and draws, their layout and start; the
run defaults are typed here and nowhere else), :class:`NutsSettings` (the kernel's own
settings), :class:`Fingerprint` (everything that
determines the draws, stored in checkpoints and results so that a resume or a continuation can
check it is the same problem), and the small checks of keys, counts and fixed values.

Examples
--------
>>> import jax
>>> as_key(jax.random.PRNGKey(3)).tolist()
[0, 3]
>>> chunk_length(None, 500, 1000), chunk_length("phase", 500, 1000)
(100, 1000)
>>> NutsSettings(dense_mass=True).max_tree_depth
10
>>> RunSettings(num_chains=2).replace(num_samples=300)
RunSettings(num_chains=2, num_warmup=500, num_samples=300, chain_method='auto', chain_batch_size=None, chunk_size=None, init='map', init_jitter=0.5)
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from .. import _config  # noqa: F401  (float64)
from .devices import check_chain_method, positive_int
from .manifest import find_checksums

__all__ = ["RunSettings", "NutsSettings", "Fingerprint", "as_key", "count", "check_fixed", "chunk_length"]


@dataclass(frozen=True)
class RunSettings:
    """How a run samples: chains, iterations, their layout on the hardware, and the start.

    Parameters
    ----------
    num_chains, num_warmup, num_samples : int
        Chains, warmup iterations (adaptation; not kept) and kept draws per chain.
    chain_method : {"auto", "vectorized", "parallel", "sequential", "concurrent", "distributed"}
        Chain layout (:mod:`hicosmo_nb.inference.devices`); ``"distributed"`` spans all
        processes (:mod:`hicosmo_nb.inference.distributed`).
    chain_batch_size : int, optional
        Chains per batch (bounds memory; ``concurrent``: chains per thread, default 1).
    chunk_size : int, None or "phase"
        Iterations per compiled chunk: None a tenth of the longer phase, ``"phase"`` the whole
        phase. Does not change the draws.
    init : "map" or dict
        MAP (BFGS) plus ``init_jitter`` Laplace sigmas of per-chain jitter, or given values
        (scalars plus jitter, or arrays ``(num_chains,)`` exactly).
    init_jitter : float

    Raises
    ------
    ValueError
        A count below its minimum, an unknown ``chain_method``, a bad ``chunk_size`` or a
        negative ``init_jitter``.
    """

    num_chains: int = 4
    num_warmup: int = 500
    num_samples: int = 1000
    chain_method: str = "auto"
    chain_batch_size: int | None = None
    chunk_size: int | str | None = None
    init: Any = "map"
    init_jitter: float = 0.5

    def __post_init__(self):
        for name, minimum in (("num_chains", 1), ("num_warmup", 0), ("num_samples", 1)):
            object.__setattr__(self, name, count(name, getattr(self, name), minimum))
        check_chain_method(self.chain_method)
        if self.chain_batch_size is not None:
            object.__setattr__(self, "chain_batch_size", positive_int("chain_batch_size", self.chain_batch_size))
        if self.chunk_size is not None and self.chunk_size != "phase":
            object.__setattr__(self, "chunk_size", count("chunk_size", self.chunk_size, 1))
        j = self.init_jitter
        if isinstance(j, bool) or not isinstance(j, (int, float)) or not 0.0 <= float(j) < math.inf:
            raise ValueError(f"init_jitter must be a finite number >= 0; got {j!r}")
        object.__setattr__(self, "init_jitter", float(j))

    def replace(self, **changes) -> "RunSettings":
        """A copy with ``changes`` (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def of(cls, settings: "RunSettings | None" = None, **changes) -> "RunSettings":
        """``settings`` (default ``RunSettings()``) with the keyword shortcuts ``changes``.

        Raises
        ------
        ValueError
            A name that is not a field (the message lists the fields), or a bad value.
        """
        base = cls() if settings is None else settings
        if not isinstance(base, cls):
            raise ValueError(f"settings must be a RunSettings; got {type(base).__name__}")
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"unknown run setting(s) {', '.join(map(repr, unknown))}; the settings are "
                             f"{', '.join(f.name for f in dataclasses.fields(cls))}")
        return dataclasses.replace(base, **changes) if changes else base


@dataclass(frozen=True)
class NutsSettings:
    """NUTS settings: mass matrix form, target acceptance and maximum tree depth.

    Raises
    ------
    ValueError
        ``dense_mass`` not a bool, ``target_accept`` outside (0, 1), ``max_tree_depth`` < 1.
    """

    dense_mass: bool = False
    target_accept: float = 0.8
    max_tree_depth: int = 10

    def __post_init__(self):
        if not isinstance(self.dense_mass, (bool, np.bool_)):
            raise ValueError(f"dense_mass must be True or False; got {self.dense_mass!r}")
        ta = self.target_accept
        if isinstance(ta, bool) or not isinstance(ta, (int, float)) or not 0.0 < float(ta) < 1.0:
            raise ValueError(f"target_accept must be in (0, 1); got {ta!r}")
        object.__setattr__(self, "dense_mass", bool(self.dense_mass))
        object.__setattr__(self, "target_accept", float(ta))
        object.__setattr__(self, "max_tree_depth", count("max_tree_depth", self.max_tree_depth, 1))

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Fingerprint:
    """What determines a run's draws; two runs with equal fingerprints give the same draws.

    ``problem`` holds the likelihood name, parameter names, data checksums, priors and fixed
    values; ``key`` the run key's two uint32 words.
    """

    problem: dict
    key: tuple[int, int]
    num_chains: int
    num_warmup: int
    num_samples: int
    nuts: dict
    init: str
    init_jitter: float
    continued: tuple = ()  # ((from_iteration, num_samples), ...) for continuations

    @classmethod
    def of(cls, problem, key, *, num_chains, num_warmup, num_samples, nuts: NutsSettings, init,
           init_jitter) -> "Fingerprint":
        lk = problem.likelihood
        desc = {"likelihood": lk.name, "param_names": list(lk.param_names),
                "data_checksums": find_checksums(lk.metadata),
                "priors": {k: repr(v) for k, v in problem.priors.items()}, "fixed": dict(problem.fixed)}
        return cls(json.loads(json.dumps(desc, sort_keys=True)), tuple(int(w) for w in as_key(key)),
                   num_chains, num_warmup, num_samples, nuts.as_dict(), repr(init), float(init_jitter))

    def to_json(self) -> dict:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_json(cls, d: dict) -> "Fingerprint":
        """Read :meth:`to_json` output.

        Raises
        ------
        ValueError
            If ``d`` is not such a dict (e.g. written by an older hicosmo_nb).
        """
        names = {f.name for f in dataclasses.fields(cls)}
        if not isinstance(d, dict) or not {"problem", "key", "nuts"} <= set(d) or set(d) - names:
            raise ValueError("the stored run fingerprint is not in this version's format (written by "
                             "an older hicosmo_nb?); run the sampler again instead of continuing")
        d = dict(d, key=tuple(d["key"]), continued=tuple(tuple(c) for c in d.get("continued", ())))
        return cls(**d)

    def diff(self, other: "Fingerprint", *, ignore: tuple[str, ...] = ()) -> list[str]:
        """Differences ``'field: here X, there Y'`` (problem entries one by one)."""
        a, b = dataclasses.asdict(self), dataclasses.asdict(other)
        out = []
        for k in a:
            if k in ignore or a[k] == b[k]:
                continue
            if k == "problem":
                out += [f"{p}: checkpoint has {a[k].get(p)!r}, this call has {b[k].get(p)!r}"
                        for p in sorted(set(a[k]) | set(b[k])) if a[k].get(p) != b[k].get(p)]
            else:
                out.append(f"{k}: checkpoint has {a[k]!r}, this call has {b[k]!r}")
        return out


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


def count(name: str, value, minimum: int) -> int:
    """``value`` as an int >= ``minimum``, or a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
    return int(value)


def check_fixed(fixed) -> dict[str, float]:
    """``{name: float}`` from a mapping of finite numbers, or a ValueError naming the bad one."""
    fixed = dict(fixed or {})
    for k, v in fixed.items():
        try:
            ok = math.isfinite(float(v))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"fixed value {k}={v!r} must be a finite number")
    return {k: float(v) for k, v in fixed.items()}


def chunk_length(chunk_size, num_warmup, num_samples) -> int:
    """Iterations per compiled chunk: ``chunk_size`` (an int), a tenth of the longer phase
    (None), or the whole longer phase (``"phase"``: fewest host round trips, for runs that
    nobody watches or checkpoints)."""
    longest = max(num_warmup, num_samples, 1)
    if chunk_size is None:
        return max(1, math.ceil(longest / 10))
    return longest if chunk_size == "phase" else count("chunk_size", chunk_size, 1)


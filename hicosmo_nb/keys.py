"""Named, reproducible PRNG keys: one seed, one key per name.

JAX randomness is explicit: every random function takes a key. In a notebook, keys made by
hand-splitting a global key depend on the order the cells ran. Here a key is a pure function of
``(seed, name)`` instead::

    key = fold_in(PRNGKey(seed), sha256(name)[:4])

so re-running a cell, or running cells in another order, gives the same key for the same name.
**Names are the unit of randomness**: asking for the same name twice returns the *same* key (the
repeat is counted in :attr:`KeyManager.records`); ask for ``f"{name}/{i}"`` when you want a fresh
one. Keys are raw ``uint32`` arrays of shape ``(2,)`` (the ``threefry2x32`` implementation, JAX's
default), which NumPyro, BlackJAX and ``jax.random`` all accept.

:class:`KeyManager` hands out such keys and records what it issued, so a run manifest can say
which keys a result used (:meth:`KeyManager.manifest`) and a later session can restore the
manager from JSON (:meth:`KeyManager.from_json`).

Examples
--------
>>> from hicosmo_nb.keys import KeyManager, derive_key
>>> km = KeyManager(42)
>>> k = km.key("nuts")
>>> k.shape, str(k.dtype)
((2,), 'uint32')
>>> bool((k == derive_key(42, "nuts")).all())
True
>>> km.split("chains", 4).shape
(4, 2)
"""

from __future__ import annotations

import hashlib
import json
import numbers
from typing import Any

import jax
import numpy as np

from . import _config  # noqa: F401

__all__ = ["derive_key", "fold_in", "name_hash", "KeyManager", "MAX_SEED"]

MAX_SEED = 2**63  # seeds must satisfy 0 <= seed < MAX_SEED
_IMPL = "threefry2x32"
_FORMAT = "hicosmo_nb.keys/1"
_NAME_HASH = "sha256(utf-8 name)[:4], big-endian uint32, jax.random.fold_in"


def _check_seed(seed: Any) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"seed must be a non-negative int below 2**63; got {seed!r} of type "
            f"{type(seed).__name__} (bools and floats are not allowed)"
        )
    seed = int(seed)
    if not 0 <= seed < MAX_SEED:
        raise ValueError(f"seed must be a non-negative int below 2**63; got {seed}")
    return seed


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"key name must be a non-empty str; got {name!r}")
    return name


def name_hash(name: str) -> int:
    """Stable 32-bit hash of ``name``: the first 4 bytes of its UTF-8 sha256, big-endian.

    Unlike Python's ``hash()``, it is the same in every process and on every machine.

    Examples
    --------
    >>> name_hash("nuts") == int.from_bytes(hashlib.sha256(b"nuts").digest()[:4], "big")
    True
    """
    return int.from_bytes(hashlib.sha256(_check_name(name).encode("utf-8")).digest()[:4], "big")


def fold_in(key, name: str) -> jax.Array:
    """The sub-key of ``key`` for ``name``: ``jax.random.fold_in(key, name_hash(name))``.

    The one place a name is folded into a key: :func:`derive_key` and the samplers' sub-keys
    (``"nuts/init"``, ``"nuts/chains"``, ...) all call it.

    Examples
    --------
    >>> k = jax.random.PRNGKey(0)
    >>> bool((fold_in(k, "a") == jax.random.fold_in(k, name_hash("a"))).all())
    True
    """
    return jax.random.fold_in(jax.numpy.asarray(key), np.uint32(name_hash(name)))


def derive_key(seed: int, name: str) -> jax.Array:
    """The key for ``name`` under ``seed``: ``fold_in(PRNGKey(seed), name_hash(name))``.

    Parameters
    ----------
    seed : int
        Non-negative integer below ``2**63`` (bools and floats are rejected).
    name : str
        Non-empty name of the random quantity, e.g. ``"nuts"`` or ``"init/jitter"``.

    Returns
    -------
    jax.Array
        Raw ``uint32`` key of shape ``(2,)`` (threefry2x32).

    Raises
    ------
    ValueError
        If ``seed`` or ``name`` is not allowed.

    Examples
    --------
    >>> import jax
    >>> x = jax.random.normal(derive_key(0, "noise"), (3,))
    >>> bool((x == jax.random.normal(derive_key(0, "noise"), (3,))).all())
    True
    """
    seed = _check_seed(seed)
    return fold_in(jax.random.PRNGKey(seed, impl=_IMPL), name)


def _hex(key: jax.Array) -> str:
    return "".join(f"{int(w):08x}" for w in np.asarray(key, dtype=np.uint32).ravel())


class KeyManager:
    """Hands out named keys derived from one seed and records what it issued.

    Parameters
    ----------
    seed : int
        Non-negative integer below ``2**63``.

    Notes
    -----
    ``km.key(name)`` (or ``km[name]``) is :func:`derive_key` ``(seed, name)``;
    ``km.split(name, n)`` is ``jax.random.split(km.key(name), n)``, e.g. one key per chain.
    Asking for the same name again gives the same key and increments its ``count``. Do not use
    ``km.key(name)`` and ``km.split(name, n)`` for two different purposes: they share one name.

    The manager holds no JAX state beyond its seed and its records, so it is safe to keep in a
    notebook; pass the keys (not the manager) into jitted code.

    Examples
    --------
    >>> km = KeyManager(7)
    >>> _ = km.key("init"); _ = km.key("init"); _ = km.split("nuts", 4)
    >>> [(r["name"], r["n"], r["count"]) for r in km.records]
    [('init', None, 2), ('nuts', 4, 1)]
    >>> km2 = KeyManager.from_json(km.to_json())
    >>> bool((km2.split("nuts", 4) == km.split("nuts", 4)).all())
    True
    """

    def __init__(self, seed: int) -> None:
        self._seed = _check_seed(seed)
        # (name, n) -> record; n is None for km.key(name). Insertion order = order of first issue.
        self._records: dict[tuple[str, int | None], dict[str, Any]] = {}

    @property
    def seed(self) -> int:
        """The seed every key is derived from."""
        return self._seed

    def _record(self, name: str, n: int | None, key: jax.Array) -> None:
        rec = self._records.get((name, n))
        if rec is None:
            self._records[(name, n)] = {
                "seed": self._seed, "name": name, "n": n, "key_hex": _hex(key), "count": 1,
            }
        else:
            rec["count"] += 1

    def key(self, name: str) -> jax.Array:
        """The ``(2,)`` uint32 key for ``name`` (the same on every call)."""
        key = derive_key(self._seed, name)
        self._record(name, None, key)
        return key

    __getitem__ = key

    def split(self, name: str, n: int) -> jax.Array:
        """``n`` keys for ``name``, shape ``(n, 2)``: ``jax.random.split(derive_key(seed, name), n)``.

        Raises
        ------
        ValueError
            If ``n`` is not a positive int.
        """
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n (number of keys) must be a positive int; got {n!r}")
        n = int(n)
        key = derive_key(self._seed, name)
        self._record(name, n, key)
        return jax.random.split(key, n)

    @property
    def records(self) -> list[dict[str, Any]]:
        """What was issued, in order: dicts with ``seed, name, n, key_hex, count`` (copies).

        ``n`` is None for :meth:`key` and the number of keys for :meth:`split`; ``key_hex`` is
        the name's key as 16 hex digits (split keys are ``jax.random.split`` of it); ``count``
        is how many times that (name, n) was asked for.
        """
        return [dict(r) for r in self._records.values()]

    @property
    def counts(self) -> dict[str, int]:
        """How many times each name was asked for, over :meth:`key` and :meth:`split`."""
        out: dict[str, int] = {}
        for (name, _), rec in self._records.items():
            out[name] = out.get(name, 0) + rec["count"]
        return out

    def manifest(self) -> dict[str, Any]:
        """A plain, JSON-serializable dict for run manifests (seed, scheme and records)."""
        return {
            "format": _FORMAT,
            "seed": self._seed,
            "prng_impl": _IMPL,
            "name_hash": _NAME_HASH,
            "jax_version": jax.__version__,
            "records": self.records,
        }

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`manifest` as a JSON string (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.manifest(), **kwargs)

    @classmethod
    def from_json(cls, text: str) -> "KeyManager":
        """Restore a manager (seed and records) written by :meth:`to_json`.

        Every recorded ``key_hex`` is re-derived and checked, so a restored manager is known to
        reproduce the original keys.

        Raises
        ------
        ValueError
            If ``text`` is not such JSON, or a recorded key does not match its re-derivation
            (e.g. written by a JAX with another PRNG).
        """
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError) as err:
            raise ValueError(f"KeyManager.from_json needs a JSON string from to_json(): {err}") from err
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"not a KeyManager JSON: format is {got!r}, expected {_FORMAT!r}")
        km = cls(data.get("seed"))
        for rec in data.get("records", []):
            missing = {"name", "n", "key_hex", "count"} - set(rec)
            if missing:
                raise ValueError(f"key record {rec!r} lacks field(s) {sorted(missing)}")
            name, n = _check_name(rec["name"]), rec["n"]
            if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
                raise ValueError(f"record {name!r} has n={n!r}; expected null or a positive int")
            if rec.get("seed", km.seed) != km.seed:
                raise ValueError(f"record {name!r} has seed {rec['seed']}, manager has {km.seed}")
            expected = _hex(derive_key(km.seed, name))
            if rec["key_hex"] != expected:
                raise ValueError(
                    f"recorded key for {name!r} is {rec['key_hex']} but this JAX derives "
                    f"{expected}; the keys cannot be reproduced here"
                )
            count = rec["count"]
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValueError(f"record {name!r} has count {count!r}; expected a positive int")
            km._records[(name, n)] = {
                "seed": km.seed, "name": name, "n": n, "key_hex": expected, "count": count,
            }
        return km

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KeyManager):
            return NotImplemented
        return self._seed == other._seed and self.records == other.records

    __hash__ = None  # mutable records

    def __repr__(self) -> str:
        names = ", ".join(dict.fromkeys(name for name, _ in self._records))
        return f"KeyManager(seed={self._seed}, issued=[{names}])"

"""Atomic, pickle-free checkpoints of a NUTS run (``.npz``).

A checkpoint holds everything needed to continue bit for bit: the :class:`SamplerState` (the
full ``HMCState`` of every chain (position, gradient, adapted step size, inverse mass matrix and its square roots, the
dual-averaging and Welford accumulators, the adaptation window and the PRNG keys) as flat
arrays, the iteration reached and a JSON *fingerprint* of the settings), the draws so far and
the start's record. :meth:`SamplerState.to_arrays` is the one serialization of the sampler
state: checkpoints store its arrays, and results (:mod:`.results`) store the same arrays in
their ``sampler_state`` group. The
tree structure is never stored: on load it is rebuilt from a fresh ``init`` of the same sampler
and the stored leaves are checked against it (count, shape, dtype).

Writes are atomic: the file is written to a temporary name in the same folder, flushed to disk
and then renamed over the old one (``os.replace``), so a process killed mid-write leaves either
the previous checkpoint or the new one, never a broken file.

Examples
--------
>>> import numpy as np, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "run.npz")
>>> state = SamplerState(leaves=(np.zeros(3),), iteration=5, fingerprint={"a": 1})
>>> save_checkpoint(path, state=state, draws={"z": np.ones((1, 2, 3))}, info={})
>>> ck = load_checkpoint(path)
>>> ck.state.iteration, ck.state.fingerprint, ck.draws["z"].shape
(5, {'a': 1}, (1, 2, 3))
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import zipfile
import zlib
from typing import Any, Mapping, NamedTuple

import jax
import numpy as np

__all__ = ["SamplerState", "Checkpoint", "atomic_write", "check_writable", "save_checkpoint", "load_checkpoint",
           "restore_state", "state_leaves", "payload_checksum"]

FORMAT = "hicosmo_nb.checkpoint/2"  # /2 adds "checksum"; /1 files (no checksum) still load
_FORMATS = (FORMAT, "hicosmo_nb.checkpoint/1")


class SamplerState(NamedTuple):
    """The sampler state of every chain on the host, enough to continue bit for bit.

    ``leaves``: the flattened ``HMCState`` leaves of all chains (chain axis first);
    ``iteration``: iterations done (warmup + sampling); ``fingerprint``: the run's
    :class:`~.settings.Fingerprint` as JSON.
    """

    leaves: tuple
    iteration: int
    fingerprint: dict

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The state as named arrays (0-d for the iteration, the leaf count and the JSON)."""
        out = {"fingerprint": np.asarray(json.dumps(self.fingerprint, sort_keys=True)),
               "iteration": np.asarray(int(self.iteration), dtype=np.int64),
               "num_leaves": np.asarray(len(self.leaves), dtype=np.int64)}
        out.update({f"leaf_{i:03d}": np.asarray(x) for i, x in enumerate(self.leaves)})
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, Any]) -> "SamplerState":
        """Read :meth:`to_arrays` output (extra entries are ignored).

        Raises
        ------
        KeyError, ValueError, TypeError
            A missing or malformed entry (callers name the file).
        """
        n = int(arrays["num_leaves"])
        return cls(tuple(np.asarray(arrays[f"leaf_{i:03d}"]) for i in range(n)), int(arrays["iteration"]),
                   json.loads(str(arrays["fingerprint"])))


class Checkpoint(NamedTuple):
    """What :func:`load_checkpoint` reads: the sampler state, the kept draws so far (host
    buffers ``{field: (chains, n, ...)}``) and the start's record (``info``)."""

    state: SamplerState
    draws: dict
    info: dict


def _fsync_dir(folder: pathlib.Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_writable(path: str | os.PathLike, what: str = "checkpoint") -> pathlib.Path:
    """``path`` as a Path if a file can be written there, else a ValueError saying why.

    Checked when a run starts, so a bad path fails before anything is compiled, not at the
    first write: a folder, a path under a file, or a folder that is not writable (read-only
    file system, permissions).
    """
    path = pathlib.Path(path)
    if path.is_dir():
        raise ValueError(f"{what} {str(path)!r} is a folder; give a file path such as "
                         f"{str(path / 'checkpoint.npz')!r}")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ValueError(f"{what} {str(path)!r} lies under {str(folder)!r}, which is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{what} {str(path)!r} cannot be written: the folder {str(folder.resolve())!r} is "
                         "not writable (read-only file system or permissions); give another path")
    return path


def atomic_write(path: str | os.PathLike, write_to) -> None:
    """Call ``write_to(tmp_path)``, fsync the file, and rename it to ``path`` (atomic)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write_to(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)


def _write_npz(arrays):
    def write_to(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)

    return write_to


def payload_checksum(arrays: Mapping[str, np.ndarray]) -> str:
    """sha256 over the name, dtype, shape and bytes of every array (in name order)."""
    digest = hashlib.sha256()
    for k in sorted(arrays):
        if k == "checksum":
            continue
        x = np.ascontiguousarray(arrays[k])
        digest.update(f"{k}|{x.dtype.str}|{x.shape}|".encode())
        digest.update(x.tobytes())
    return digest.hexdigest()


def state_leaves(state) -> list[np.ndarray]:
    """The leaves of a (batched) ``HMCState`` as numpy arrays (copies on the host)."""
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(state)]


def restore_state(template, leaves: list[np.ndarray]):
    """Rebuild a state with the tree structure of ``template`` from stored ``leaves``.

    Raises
    ------
    ValueError
        If the number, shapes or dtypes of the leaves do not match the template (the checkpoint
        was written by a different sampler setup).
    """
    t_leaves, treedef = jax.tree_util.tree_flatten(template)
    if len(t_leaves) != len(leaves):
        raise ValueError(f"checkpoint holds {len(leaves)} state arrays, this sampler needs {len(t_leaves)}")
    for i, (t, x) in enumerate(zip(t_leaves, leaves)):
        if tuple(t.shape) != tuple(x.shape) or np.dtype(t.dtype) != x.dtype:
            raise ValueError(f"checkpoint state array {i} has shape {x.shape} {x.dtype}; the "
                             f"sampler expects {tuple(t.shape)} {np.dtype(t.dtype)}")
    return jax.tree_util.tree_unflatten(treedef, [jax.numpy.asarray(x) for x in leaves])


def save_checkpoint(path: str | os.PathLike, *, state: SamplerState, draws: Mapping[str, np.ndarray],
                    info: Mapping[str, Any]) -> None:
    """Write a checkpoint atomically (see the module docstring for what it holds)."""
    arrays = {"format": np.asarray(FORMAT), "info": np.asarray(json.dumps(info, sort_keys=True)),
              **state.to_arrays()}
    arrays.update({f"draw_{k}": np.asarray(v) for k, v in draws.items()})
    arrays["checksum"] = np.asarray(payload_checksum(arrays))
    atomic_write(path, _write_npz(arrays))


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a hicosmo_nb checkpoint, is truncated, or its payload does not match
        its stored sha256 (a flipped bit); the message names the file.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint file {str(path)!r} does not exist")
    expected = f"hicosmo_nb checkpoint (.npz, format {FORMAT!r}) written by save_checkpoint"
    try:
        z = np.load(path, allow_pickle=False)
        if not isinstance(z, np.lib.npyio.NpzFile):  # one array: a .npy file
            raise ValueError(f"it holds a single {type(z).__name__}")
        with z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(f"{str(path)!r} is not a readable {expected} (truncated or corrupt?): "
                         f"{type(err).__name__}: {err}") from err
    fmt = str(data.get("format", ""))
    if fmt not in _FORMATS:
        raise ValueError(f"{str(path)!r} is not a {expected} (its format is {fmt!r})")
    if fmt == FORMAT:
        stored, actual = str(data.get("checksum", "")), payload_checksum(data)
        if stored != actual:
            raise ValueError(f"checkpoint {str(path)!r} is corrupt: its payload has sha256 "
                             f"{actual}, the stored checksum is {stored!r}; delete it and restart, "
                             "or restore a backup")
    try:
        return Checkpoint(SamplerState.from_arrays(data),
                          {k[len("draw_"):]: v for k, v in data.items() if k.startswith("draw_")},
                          json.loads(str(data["info"])))
    except (KeyError, ValueError, TypeError) as err:
        raise ValueError(f"{str(path)!r} is not a valid {expected}: entry {err} is missing or malformed") from err


"""Chain layouts over devices: :func:`plan_chains` and :func:`set_host_device_count`.

:func:`plan_chains` decides how chains are laid out:

- ``"vectorized"``: chains in a batch run under ``vmap`` on one device (one compiled program,
  the likelihood's data read once per step for all chains);
- ``"parallel"``: a batch is sharded over ``jax.local_devices()`` with ``jax.shard_map``; each
  device runs its share vectorized (chains per device = batch / devices), independently;
- ``"sequential"``: one chain at a time;
- ``"auto"``: ``parallel`` when there are several local devices and the chains split evenly over
  them, else ``vectorized`` (on one CPU it was ~2x faster than sequential for a Pantheon+-sized
  likelihood; on a GPU it is the natural choice).

On a multi-core CPU one XLA device runs the small per-step programs of NUTS on one core. Calling
:func:`set_host_device_count` with the core count before JAX starts gives ``auto`` several
devices, so chains run ``parallel`` x ``vectorized`` over the cores: on the 2-core benchmark
machine, the joint w0waCDM fit of ``benchmarks/sampling.py`` (4 chains, 2 per device) gave 1.6x
the ESS per second of one device. It is not the default because it changes ``jax.devices()``
for the whole process, and the chain layout (recorded in the manifest) enters the floating-point
rounding of the draws.

``chain_batch_size`` caps how many chains are in memory at once: batches run one after another
with the same compiled program (NumPyro users hit out-of-memory when every chain is vmapped).

Several hosts: call ``jax.distributed.initialize()`` in every process, run :func:`run_nuts` in each
with its own key (e.g. ``km.key(f"nuts/{jax.process_index()}")``) on its local devices, and join
the results with :func:`hicosmo_nb.inference.concat_chains`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import jax
import numpy as np

from .. import _config  # noqa: F401  (float64)

__all__ = ["CHAIN_METHODS", "ChainPlan", "plan_chains", "set_host_device_count", "positive_int"]

CHAIN_METHODS = ("auto", "vectorized", "parallel", "sequential")


def set_host_device_count(n: int) -> None:
    """Ask JAX for ``n`` CPU devices (for ``chain_method="parallel"`` on a CPU).

    This only works before JAX starts its backend (the first array or computation). Call it at
    the top of a script or notebook, right after ``import hicosmo_nb``.

    Raises
    ------
    ValueError
        If ``n`` is not a positive int.
    RuntimeError
        If JAX already started with fewer CPU devices: the count is fixed for the life of the
        process, so restart the notebook kernel (or Python) and call this first.

    Examples
    --------
    >>> set_host_device_count(1)  # doctest: +SKIP
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n (number of CPU devices) must be a positive int; got {n!r}")
    from jax._src import xla_bridge

    if xla_bridge.backends_are_initialized():
        have = len(jax.devices("cpu"))
        if have >= n:
            return
        raise RuntimeError(
            f"JAX has already started with {have} CPU device(s) and cannot add more in this "
            f"process. Restart the notebook kernel (or Python) and call "
            f"hicosmo_nb.inference.set_host_device_count({n}) before any JAX computation, or "
            f"start Python with XLA_FLAGS=--xla_force_host_platform_device_count={n}."
        )
    jax.config.update("jax_num_cpu_devices", int(n))


@dataclass(frozen=True)
class ChainPlan:
    """How chains run: the resolved method, the devices used and the chain batches."""

    method: str
    devices: tuple
    batches: tuple[tuple[int, int], ...]  # (start, stop) chain indices, run one after another

    @property
    def batch_size(self) -> int:
        return self.batches[0][1] - self.batches[0][0]


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def plan_chains(chain_method: str, num_chains: int, chain_batch_size: int | None = None) -> ChainPlan:
    """Resolve ``chain_method`` and ``chain_batch_size`` into a :class:`ChainPlan`.

    Raises
    ------
    ValueError
        Unknown method, bad counts, or chains that cannot be split evenly over devices.

    Examples
    --------
    >>> plan_chains("vectorized", 8, chain_batch_size=4).batches
    ((0, 4), (4, 8))
    """
    if chain_method not in CHAIN_METHODS:
        raise ValueError(f"chain_method={chain_method!r} is not allowed; valid: {', '.join(CHAIN_METHODS)}")
    num_chains = positive_int("num_chains", num_chains)
    if chain_batch_size is not None:
        chain_batch_size = positive_int("chain_batch_size", chain_batch_size)
        if chain_batch_size > num_chains:
            raise ValueError(f"chain_batch_size={chain_batch_size} exceeds num_chains={num_chains}")
    devices = tuple(jax.local_devices())
    method = chain_method
    if method == "auto":
        n_dev = min(len(devices), num_chains)
        even = num_chains % n_dev == 0 and (chain_batch_size is None or chain_batch_size % n_dev == 0)
        method = "parallel" if n_dev > 1 and even else "vectorized"
    if method == "sequential":
        if chain_batch_size not in (None, 1):
            raise ValueError(f"chain_method='sequential' runs one chain at a time; got chain_batch_size={chain_batch_size}")
        size, used = 1, devices[:1]
    elif method == "vectorized":
        size, used = chain_batch_size or num_chains, devices[:1]
    else:
        n_dev = min(len(devices), num_chains)
        if n_dev == 1:
            warnings.warn(
                "chain_method='parallel' but JAX sees 1 device, so chains run vectorized on it. "
                "For several CPU devices restart the kernel and call "
                "hicosmo_nb.inference.set_host_device_count(N) before any JAX computation.",
                stacklevel=3,
            )
        size = chain_batch_size or num_chains
        if num_chains % n_dev or size % n_dev:
            raise ValueError(
                f"chain_method='parallel' splits chains evenly over {n_dev} devices; got "
                f"num_chains={num_chains}, chain_batch_size={chain_batch_size}. Use multiples of "
                f"{n_dev} or chain_method='vectorized'."
            )
        used = devices[:n_dev]
    batches = tuple((s, min(s + size, num_chains)) for s in range(0, num_chains, size))
    return ChainPlan(method, used, batches)



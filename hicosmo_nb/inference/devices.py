"""Chain layouts over devices: :func:`plan_chains` and :func:`set_host_device_count`.

:func:`plan_chains` decides how chains are laid out:

- ``"vectorized"``: chains in a batch run under ``vmap`` on one device (one compiled program,
  the likelihood's data read once per step for all chains);
- ``"parallel"``: a batch is sharded over ``jax.local_devices()`` with ``jax.shard_map``; each
  device runs its share vectorized (chains per device = batch / devices), independently;
- ``"sequential"``: one chain at a time;
- ``"concurrent"``: one chain per batch (or ``chain_batch_size`` vectorized chains), the batches
  running at the same time in host threads, one per CPU core, on one device;
- ``"distributed"``: like ``parallel``, over the devices of all processes (``jax.devices()``)
  of a run started with :func:`hicosmo_nb.inference.distributed.initialize`;
- ``"auto"``: ``distributed`` when there are several processes; ``parallel`` when there are
  several local devices and the chains split evenly over them; else ``concurrent`` on a CPU and ``vectorized`` on a GPU or TPU.

A chain alone in its batch runs NumPyro's kernel without ``vmap``: under ``vmap`` every branch of
the NUTS tree builder is computed for all chains and a batched step costs the deepest tree among
them, so on a CPU one unbatched chain per core (``concurrent``) beats ``vectorized``; where the
likelihood reads a large matrix per step, vectorized chains share that read, which narrows the
gap. ``benchmarks/sampling.py`` measures each layout on this machine. ``sequential`` and
``concurrent`` run the same program per chain, so they give identical draws; ``vectorized`` and
``parallel`` agree with them statistically (the layout enters the floating-point rounding).

:func:`set_host_device_count` gives JAX several CPU devices (for ``parallel``); it must be called
before JAX starts and changes ``jax.devices()`` for the whole process, so it is not the default.

``chain_batch_size`` caps how many chains are in memory at once: batches run one after another
(``concurrent``: as many at a time as there are threads) with the same compiled program (NumPyro
users hit out-of-memory when every chain is vmapped).

Several processes or hosts: :mod:`hicosmo_nb.inference.distributed` (``chain_method="distributed"``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import jax
import numpy as np

from .. import _config  # noqa: F401  (float64)
from .._warnings import warn

__all__ = ["CHAIN_METHODS", "ChainPlan", "check_chain_method", "cpu_cores", "plan_chains", "set_host_device_count", "positive_int"]

CHAIN_METHODS = ("auto", "vectorized", "parallel", "sequential", "concurrent", "distributed")


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
    >>> # skipped in doctests: the count is fixed once JAX has started (it has, in the test run)
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
    batches: tuple[tuple[int, int], ...]  # (start, stop) chain indices
    threads: int = 1  # batches running at the same time (host threads)

    @property
    def batch_size(self) -> int:
        return self.batches[0][1] - self.batches[0][0]


def check_chain_method(chain_method) -> str:
    """``chain_method`` if it is one of :data:`CHAIN_METHODS`, else a ValueError listing them."""
    if chain_method not in CHAIN_METHODS:
        raise ValueError(f"chain_method={chain_method!r} is not allowed; valid: {', '.join(CHAIN_METHODS)}")
    return chain_method


def positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def cpu_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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
    check_chain_method(chain_method)
    num_chains = positive_int("num_chains", num_chains)
    if chain_batch_size is not None:
        chain_batch_size = positive_int("chain_batch_size", chain_batch_size)
        if chain_batch_size > num_chains:
            raise ValueError(f"chain_batch_size={chain_batch_size} exceeds num_chains={num_chains}")
    method = chain_method
    if method == "auto" and jax.process_count() > 1:
        method = "distributed"
    devices = tuple(jax.devices() if method == "distributed" else jax.local_devices())
    if method == "auto":
        n_dev = min(len(devices), num_chains)
        even = num_chains % n_dev == 0 and (chain_batch_size is None or chain_batch_size % n_dev == 0)
        if n_dev > 1 and even:
            method = "parallel"
        elif devices[0].platform == "cpu":
            method = "concurrent"
        else:
            method = "vectorized"
    threads = 1
    if method == "sequential":
        if chain_batch_size not in (None, 1):
            raise ValueError(f"chain_method='sequential' runs one chain at a time; got chain_batch_size={chain_batch_size}")
        size, used = 1, devices[:1]
    elif method == "concurrent":
        size, used = chain_batch_size or 1, devices[:1]
        threads = min(-(-num_chains // size), cpu_cores())
    elif method == "vectorized":
        size, used = chain_batch_size or num_chains, devices[:1]
    else:  # parallel, distributed (every process's devices, so that each holds chains)
        n_dev = len(devices) if method == "distributed" else min(len(devices), num_chains)
        if n_dev == 1 and method == "parallel":
            warn("chain_method='parallel' but JAX sees 1 device, so chains run vectorized on it. "
                 "For several CPU devices restart the kernel and call "
                 "hicosmo_nb.inference.set_host_device_count(N) before any JAX computation.")
        size = chain_batch_size or num_chains
        if num_chains % n_dev or size % n_dev:
            raise ValueError(
                f"chain_method={method!r} splits chains evenly over {n_dev} devices; got "
                f"num_chains={num_chains}, chain_batch_size={chain_batch_size}. Use multiples of "
                f"{n_dev} or chain_method='vectorized'."
            )
        used = devices[:n_dev]
    batches = tuple((s, min(s + size, num_chains)) for s in range(0, num_chains, size))
    return ChainPlan(method, used, batches, threads)



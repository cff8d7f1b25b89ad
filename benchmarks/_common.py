"""Tiny timing helpers shared by the benchmark scripts (no project imports)."""

from __future__ import annotations

import os
import time
import warnings
from typing import Callable, Sequence

import jax

__all__ = ["timeit", "interleaved", "machine_load", "print_load"]


def machine_load() -> tuple[float, int]:
    """(1-minute load average, usable CPU cores) of this machine."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return os.getloadavg()[0], cores


def print_load(when: str = "") -> tuple[float, int]:
    """Print the machine load next to benchmark figures; warn when it exceeds the core count.

    Benchmarks print this before and after their figures: on a shared machine the peers and ours
    suffer differently from load, so only figures from a quiet run (load below the core count)
    belong in the README.
    """
    load, cores = machine_load()
    tag = f" ({when})" if when else ""
    print(f"machine load{tag}: 1-min load average {load:.2f} on {cores} cores, "
          f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    if load > cores:
        warnings.warn(f"load average {load:.2f} exceeds the {cores} cores: figures are not from a "
                      "quiet machine; do not quote them as such", stacklevel=2)
    return load, cores


def _calls_for(fn: Callable, args: tuple, min_time: float) -> int:
    jax.block_until_ready(fn(*args))  # compile / warm up
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            jax.block_until_ready(fn(*args))
        if time.perf_counter() - t0 >= min_time:
            return number
        number *= 2


def timeit(fn: Callable, *args, repeat: int = 7, min_time: float = 0.05) -> float:
    """Best-of-``repeat`` seconds per call of ``fn(*args)`` (JAX results blocked on)."""
    return interleaved([(fn, args)], rounds=repeat, min_time=min_time)[0]


def interleaved(cases: Sequence[tuple[Callable, tuple]], *, rounds: int = 15,
                min_time: float = 0.03) -> list[float]:
    """Best seconds per call for each ``(fn, args)``, timed in alternating rounds.

    Interleaving makes the ratios robust to load that changes during the run (shared machines):
    every case sees the same conditions in each round, and the minimum over rounds is kept.
    """
    numbers = [_calls_for(fn, args, min_time) for fn, args in cases]
    best = [float("inf")] * len(cases)
    for _ in range(rounds):
        for i, ((fn, args), number) in enumerate(zip(cases, numbers)):
            t0 = time.perf_counter()
            for _ in range(number):
                jax.block_until_ready(fn(*args))
            best[i] = min(best[i], (time.perf_counter() - t0) / number)
    return best

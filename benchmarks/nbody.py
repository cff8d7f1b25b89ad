"""N-body forces: a NumPy double loop, vectorized NumPy, JAX without and with ``jax.jit``.

All four compute the same Plummer-softened pairwise forces (checked against each other before
timing); ours are ``-jax.grad`` of :func:`hicosmo_nb.nbody.potential`. Prints the time per call
and the ratios, with the machine load. The claim it tests: "N-body forces ~40x with one decorator".

    python benchmarks/nbody.py [--n 200] [--fast]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import jax
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import interleaved, print_load  # noqa: E402

from hicosmo_nb import nbody  # noqa: E402
from hicosmo_nb.keys import KeyManager  # noqa: E402

__all__ = ["forces_loop", "forces_numpy", "measure_forces", "main"]

G, EPS = 1.0, 0.05


def forces_loop(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Pairwise forces as a Python double loop over bodies."""
    n = len(m)
    f = np.zeros_like(x)
    for i in range(n):
        for j in range(n):
            if i != j:
                d = x[j] - x[i]
                f[i] += G * m[i] * m[j] * d / (d @ d + EPS * EPS) ** 1.5
    return f


def forces_numpy(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Pairwise forces vectorized with NumPy broadcasting (an N x N x D array)."""
    d = x[None, :, :] - x[:, None, :]
    inv = (np.sum(d * d, axis=-1) + EPS * EPS) ** -1.5
    np.fill_diagonal(inv, 0.0)
    return G * m[:, None] * np.einsum("ij,ijk->ik", inv * m[None, :], d)


def measure_forces(n: int = 200, *, fast: bool = False) -> dict:
    """Seconds per force evaluation for ``n`` bodies in 3-d, for each implementation."""
    ic = nbody.initial_conditions(KeyManager(0).key("bench/nbody"), n, dim=3)
    x, m = np.asarray(ic.positions), np.ones(n)
    eager = lambda xx: nbody.forces(xx, m, G=G, eps=EPS)  # noqa: E731
    jitted = jax.jit(eager)
    ref = forces_numpy(x, m)
    for got in (forces_loop(x, m), eager(x), jitted(x)):
        np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    rounds = 3 if fast else 7
    t_loop, t_np, t_eager, t_jit = interleaved(
        [(forces_loop, (x, m)), (forces_numpy, (x, m)), (eager, (x,)), (jitted, (x,))],
        rounds=rounds, min_time=0.01 if fast else 0.05)
    return {"n": n, "loop_s": t_loop, "numpy_s": t_np, "jax_eager_s": t_eager, "jax_jit_s": t_jit}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--fast", action="store_true")
    args = ap.parse_args(argv)
    print_load("before")
    r = measure_forces(args.n, fast=args.fast)
    print(f"pairwise forces, {r['n']} bodies in 3-d (Plummer softening)")
    for key, label in [("loop_s", "NumPy double loop"), ("numpy_s", "NumPy vectorized"),
                       ("jax_eager_s", "JAX, no jit"), ("jax_jit_s", "JAX, @jax.jit")]:
        print(f"{label:20s} {r[key] * 1e3:10.3f} ms   {r[key] / r['jax_jit_s']:8.1f} x jit")
    print_load("after")
    return r


if __name__ == "__main__":
    main()

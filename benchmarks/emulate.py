"""Surrogate vs exact likelihood: seconds per evaluation (value, value+grad, batch of 256).

The problem is DESI DR2 BAO + Union3 in flat w0waCDM (``hicosmo_nb.emulate.bao_sn_problem``);
the surrogate is trained here (or passed in by the emulator notebook). Prints the ratios and the
machine load.

    python benchmarks/emulate.py [--fast]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import interleaved, print_load  # noqa: E402

from hicosmo_nb import data, likelihoods  # noqa: E402
from hicosmo_nb.emulate import Box, TrainSettings, bao_sn_problem, build_emulator  # noqa: E402
from hicosmo_nb.keys import KeyManager  # noqa: E402

__all__ = ["BOX", "desi_union3_problem", "measure", "main"]

BOX = Box({"Omega_m": (0.25, 0.40), "w0": (-1.1, -0.3), "wa": (-2.2, 0.3)})
POINT = {"Omega_m": 0.32, "w0": -0.7, "wa": -1.0, "hrd": 98.0, "dM": -0.1}


def desi_union3_problem(box: Box = BOX):
    """The DESI DR2 BAO (``rd="free"``) + Union3 (offset free) emulation problem over ``box``."""
    bao = likelihoods.bao_likelihood(data.load_desi_bao("dr2"), rd="free")
    sn = likelihoods.sn_likelihood(data.load_union3(), marginalize_M=False)
    return bao_sn_problem(bao, sn, box)


def measure(problem, surrogate, *, fast: bool = False, batch: int = 256) -> dict:
    """Seconds per call of the exact and surrogate log-likelihoods (value, value+grad, vmapped batch)."""
    lk_s = problem.surrogate_likelihood(surrogate)
    p = {k: jnp.float64(v) for k, v in POINT.items()}
    key = KeyManager(0).key("bench/emulate/batch")
    u = jax.random.uniform(key, (batch, surrogate.box.dim))
    theta = jnp.asarray(surrogate.box.lower) + u * jnp.asarray(surrogate.box.upper - surrogate.box.lower)
    pb = {**{k: jnp.full(batch, v) for k, v in p.items()}, **dict(zip(surrogate.box.names, theta.T))}
    cases = []
    for lk in (problem.exact, lk_s):
        cases += [(jax.jit(lk.loglike), (p,)), (jax.jit(jax.value_and_grad(lk.loglike)), (p,)),
                  (jax.jit(jax.vmap(lk.loglike)), (pb,))]
    t = interleaved(cases, rounds=3 if fast else 9, min_time=0.01 if fast else 0.05)
    names = ["value_s", "value_grad_s", "batch_s"]
    out = {"exact_" + n: v for n, v in zip(names, t[:3])} | {"surrogate_" + n: v for n, v in zip(names, t[3:])}
    out["batch"] = batch
    out["delta_loglike"] = float(problem.exact(p) - lk_s(p))
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true")
    args = ap.parse_args(argv)
    print_load("before")
    prob = desi_union3_problem()
    s = build_emulator(prob.simulator, BOX, n_design=300 if args.fast else 800, keys=KeyManager(1),
                       settings=TrainSettings(baseline_degree=6, max_steps=600 if args.fast else 2000))
    r = measure(prob, s, fast=args.fast)
    print(f"DESI DR2 BAO + Union3, w0waCDM; surrogate validation max |err| {np.max(s.validation.max_abs):.2e}, "
          f"ln L difference at a typical point {r['delta_loglike']:.2e}")
    for n in ("value_s", "value_grad_s", "batch_s"):
        e, su = r["exact_" + n], r["surrogate_" + n]
        print(f"{n[:-2]:12s} exact {e * 1e3:9.4f} ms   surrogate {su * 1e3:9.4f} ms   exact/surrogate {e / su:6.1f}")
    print_load("after")
    return r


if __name__ == "__main__":
    main()

"""One process of the distributed-run tests (tests/test_inference_distributed.py).

Usage: ``python _distributed_worker.py OUT.npz METHOD [PORT NPROC PID] [--checkpoint P] [--pause S]``.
METHOD is ``distributed`` (then PORT, NPROC, PID) or single-process layouts joined by commas. Runs a small
4-chain NUTS problem (2-D correlated Gaussian) and writes the draws of process 0 to OUT.npz.
``--pause S`` sleeps S seconds after every chunk (so a test can kill a process mid-run).
"""

import argparse
import os
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("method")
p.add_argument("dist", nargs="*", type=int)
p.add_argument("--checkpoint")
p.add_argument("--pause", type=float, default=0.0)
a = p.parse_args()

from hicosmo_nb.inference import distributed  # noqa: E402

if a.method == "distributed":
    port, nproc, pid = a.dist
    distributed.initialize(f"127.0.0.1:{port}", nproc, pid, heartbeat_timeout_s=5,
                           initialization_timeout_s=120)

import jax  # noqa: E402
import numpy as np  # noqa: E402

from hicosmo_nb.inference import Problem, Run, RunSettings, Uniform  # noqa: E402
from hicosmo_nb.likelihoods.base import Likelihood  # noqa: E402


def _ll(p):
    return -0.5 * ((p["x"] - 0.3) / 0.05) ** 2 - 0.5 * ((p["y"] - 2 * p["x"]) / 0.02) ** 2


problem = Problem(Likelihood(_ll, ("x", "y"), "toy"), {"x": Uniform(-1, 1), "y": Uniform(-2, 2)})
out = {"devices": len(jax.devices())}
for method in a.method.split(","):
    settings = RunSettings(num_chains=4, num_warmup=60, num_samples=60, chain_method=method, chunk_size=20)
    run = Run.start(problem, key=jax.random.PRNGKey(7), settings=settings, checkpoint=a.checkpoint)
    print(f"start_iteration {run.status.iteration}", flush=True)
    if a.pause:
        run.on_chunk(lambda chunk: time.sleep(a.pause))
    try:
        for _ in run:
            pass
    except distributed.PeerFailure as err:
        print(f"PeerFailure: {err}", file=sys.stderr, flush=True)
        os._exit(3)  # skip JAX's shutdown barrier, which aborts once a peer is gone
    res = run.result()
    out.update({f"{method}_{k}": v for k, v in res.samples.items()})
    out[f"{method}_layout"] = res.manifest["chain_layout"]["method"]
if jax.process_index() == 0:
    np.savez(a.out, **out)
print("done", os.getpid(), flush=True)

"""Chains across processes and hosts on JAX's own distributed runtime.

Call :func:`initialize` at the top of the script in every process (before any JAX computation),
then run as usual with ``chain_method="distributed"`` (``"auto"`` picks it whenever
``jax.process_count() > 1``)::

    import hicosmo_nb as hc
    from hicosmo_nb.inference import distributed
    distributed.initialize()            # SLURM / Open MPI / cloud TPU: detected automatically
    res = hc.fit("LCDM", ["desi_dr2_bao", "cc"], chain_method="distributed", num_chains=16,
                 checkpoint="run.npz")
    if distributed.is_coordinator():
        res.save("fit.nc")

How it runs: the chains are sharded over *all* processes' devices (``jax.devices()``, a
one-axis ``jax.sharding.Mesh``); each process places only its own shards of the sampler state on
its devices (:func:`global_state`) and advances them with the same compiled ``shard_map``
program as the single-process ``"parallel"`` layout. After every chunk the new draws and state
are gathered (:func:`gather`, an all-gather over the CPU collectives or the accelerator
interconnect), so every process returns the same full :class:`~hicosmo_nb.inference.Result`;
only process 0 writes the checkpoint (atomically, all chains). A resumed run reads it in every
process, so the checkpoint must be on a file system all hosts share.

Keys and starting points are those of a single-process run (chain ``c`` gets
``fold_in(key, c)``; the MAP start is computed identically in every process), so with one
chain per device the draws equal bitwise those of a single-process ``"sequential"``,
``"concurrent"`` or ``"parallel"`` run with the same key (``tests/test_inference_distributed.py``).

A process that dies makes the others fail within seconds instead of hanging: at the next
exchange they raise :class:`PeerFailure` ("... lost its peers ... rerun all processes with the
same command to resume from the checkpoint"); if process 0 (which hosts JAX's coordination
service) dies, or a peer misses heartbeats for ``heartbeat_timeout_s`` (default 10 s) while the
others compute, JAX's runtime ends them at once ("Terminating process because the JAX
distributed service detected fatal errors ... another task died", exit status 134). Either way,
rerun the same command and the run resumes from its checkpoint.

Launching (one command each)::

    # SLURM: 4 nodes, one process per node (srun sets what initialize() detects)
    srun --nodes=4 --ntasks-per-node=1 python fit_script.py
    # TPU pod slice: the same script on every worker
    gcloud compute tpus tpu-vm ssh NAME --zone=ZONE --worker=all --command="python fit_script.py"

Tested (``tests/test_inference_distributed.py``, two CPU processes on one machine, 127.0.0.1,
gloo): draws bitwise equal to single-process runs, a killed process (the other fails fast) and
the resume, and ``python -m hicosmo_nb fit --distributed`` under SLURM's variables set by hand
(JAX's SLURM detection). Not tested: several hosts, a real SLURM or TPU pod, GPU/TPU
collectives (JAX's own code paths); under SLURM on GPUs start one task per GPU.
"""

from __future__ import annotations

import jax
import numpy as np

from .. import _config  # noqa: F401  (float64)

__all__ = ["initialize", "is_coordinator", "is_distributed", "global_state", "gather", "check_agree",
           "PeerFailure"]


class PeerFailure(RuntimeError):
    """Another process of a distributed run failed or died (resume from the checkpoint)."""


def initialize(coordinator: str | None = None, num_processes: int | None = None,
               process_id: int | None = None, *, cpu_collectives: str = "gloo",
               heartbeat_timeout_s: int = 10, initialization_timeout_s: int = 300) -> None:
    """Join a distributed run: ``jax.distributed.initialize`` with fail-fast settings.

    Parameters
    ----------
    coordinator : str, optional
        ``"host:port"`` of process 0. None: detected under SLURM, Open MPI and cloud TPU.
    num_processes, process_id : int, optional
        Required with an explicit ``coordinator``; detected otherwise.
    cpu_collectives : {"gloo", "mpi", "none"}
        Collectives for CPU devices (``"gloo"`` needs nothing installed).
    heartbeat_timeout_s : int
        Seconds without a heartbeat after which a process counts as dead.
    initialization_timeout_s : int
        Seconds to wait for all processes to join.

    Raises
    ------
    ValueError
        Bad arguments (named, with what is allowed).
    RuntimeError
        If JAX already started computing in this process.

    Examples
    --------
    >>> # skipped in doctests: starts a coordination service on a port (tests/test_inference_distributed.py)
    >>> initialize("127.0.0.1:12345", num_processes=1, process_id=0)  # doctest: +SKIP
    """
    if cpu_collectives not in ("gloo", "mpi", "none"):
        raise ValueError(f"cpu_collectives={cpu_collectives!r}; allowed: 'gloo', 'mpi', 'none'")
    if coordinator is not None and (num_processes is None or process_id is None):
        raise ValueError("an explicit coordinator needs num_processes and process_id too; got "
                         f"num_processes={num_processes!r}, process_id={process_id!r}")
    if num_processes is not None and (isinstance(num_processes, bool) or not isinstance(num_processes, int)
                                      or num_processes < 1):
        raise ValueError(f"num_processes must be a positive int; got {num_processes!r}")
    if process_id is not None and num_processes is not None and not 0 <= process_id < num_processes:
        raise ValueError(f"process_id must be in 0..{num_processes - 1}; got {process_id!r}")
    for name, v in (("heartbeat_timeout_s", heartbeat_timeout_s),
                    ("initialization_timeout_s", initialization_timeout_s)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive int (seconds); got {v!r}")
    from jax._src import xla_bridge

    if xla_bridge.backends_are_initialized():
        raise RuntimeError("JAX has already started in this process; call "
                           "hicosmo_nb.inference.distributed.initialize() before any JAX computation")
    if cpu_collectives != "none":
        jax.config.update("jax_cpu_collectives_implementation", cpu_collectives)
    jax.distributed.initialize(coordinator, num_processes, process_id,
                               initialization_timeout=initialization_timeout_s,
                               heartbeat_timeout_seconds=heartbeat_timeout_s,
                               shutdown_timeout_seconds=heartbeat_timeout_s)


def is_distributed() -> bool:
    """True when this process is one of several (``jax.process_count() > 1``)."""
    return jax.process_count() > 1


def is_coordinator() -> bool:
    """True in process 0 (the one that writes checkpoints and should save results)."""
    return jax.process_index() == 0


def global_state(tree, sharding):
    """A global array tree from host values that every process holds in full: each process
    places only the shards its own devices hold (``jax.make_array_from_callback``)."""

    def put(x):
        x = np.asarray(x)
        return jax.make_array_from_callback(x.shape, sharding, lambda idx: x[idx])

    return jax.tree_util.tree_map(put, tree)


def gather(tree):
    """The full values of a tree of global arrays, as numpy arrays, in every process.

    Raises
    ------
    PeerFailure
        When another process died or failed during the exchange.
    """
    from jax.experimental import multihost_utils

    try:
        out = multihost_utils.process_allgather(tree, tiled=True)
    except Exception as err:  # the runtime's errors are XlaRuntimeError / RuntimeError
        raise PeerFailure(
            f"distributed run: process {jax.process_index()} of {jax.process_count()} lost its "
            f"peers while exchanging chain states and draws ({type(err).__name__}: {str(err).splitlines()[0][:300]}). "
            "Another process probably died; rerun all processes with the same command to resume "
            "from the checkpoint.") from err
    return jax.tree_util.tree_map(np.asarray, out)


def check_agree(value: int, what: str) -> None:
    """Check that every process holds the same integer ``value`` (e.g. the iteration a run
    resumes from: a checkpoint that not all hosts see would make the processes diverge).

    Raises
    ------
    ValueError
        Naming ``what`` and each process's value.
    """
    if jax.process_count() == 1:
        return
    values = gather(np.asarray([int(value)], dtype=np.int64))
    if len(set(values.tolist())) > 1:
        raise ValueError(f"the processes of a distributed run disagree on {what}: "
                         f"{dict(enumerate(values.tolist()))}; put the checkpoint on a file system "
                         "all hosts share (or delete it everywhere)")

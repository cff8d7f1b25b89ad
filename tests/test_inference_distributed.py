"""chain_method="distributed": two CPU processes on 127.0.0.1 (gloo collectives) against a
single-process run with the same key (bitwise), a process killed mid-run (the other fails fast
with a clear error) and the resume from the checkpoint. The processes run
``tests/_distributed_worker.py``; every wait is bounded and leftovers are killed."""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

from hicosmo_nb.inference import distributed, plan_chains
from hicosmo_nb.inference.checkpoint import load_checkpoint

pytestmark = pytest.mark.slow  # subprocesses / a real run: > 20 s (not in the Colab-like job)

WORKER = pathlib.Path(__file__).with_name("_distributed_worker.py")
TIMEOUT = 600  # s, per process (the machine may be heavily loaded); never reached when healthy
_LIVE: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _kill_leftovers():
    yield
    while _LIVE:
        p = _LIVE.pop()
        if p.poll() is None:
            p.kill()
            p.wait(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(args, devices: int, log: pathlib.Path) -> subprocess.Popen:
    env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}
    f = open(log, "w")
    p = subprocess.Popen([sys.executable, str(WORKER), *map(str, args)], env=env, stdout=f,
                         stderr=subprocess.STDOUT)
    f.close()
    _LIVE.append(p)
    return p


def _pair(tmp, name, *extra):
    port = _free_port()
    return [_spawn([tmp / f"{name}.npz", "distributed", port, 2, pid, *extra], 2, tmp / f"{name}{pid}.log")
            for pid in (0, 1)]


def _finish(procs, tmp, names):
    for p, n in zip(procs, names):
        try:
            rc = p.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{n} still running after {TIMEOUT} s:\n{(tmp / f'{n}.log').read_text()[-3000:]}")
        assert rc == 0, (tmp / f"{n}.log").read_text()[-3000:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Single-process runs (sequential, and parallel on 4 devices) and a 2-process x 2-device
    distributed run with the same key, launched at the same time."""
    tmp = tmp_path_factory.mktemp("dist")
    ref = _spawn([tmp / "ref.npz", "sequential,parallel"], 4, tmp / "ref.log")
    pair = _pair(tmp, "dist")
    _finish([ref, *pair], tmp, ["ref", "dist0", "dist1"])
    return tmp, np.load(tmp / "ref.npz"), np.load(tmp / "dist.npz")


def test_two_processes_equal_single_process_bitwise(runs):
    _, ref, dist = runs
    assert int(dist["devices"]) == 4 and str(dist["distributed_layout"]) == "distributed"
    assert ref["sequential_x"].shape == (4, 60)
    for k in ("x", "y"):
        np.testing.assert_array_equal(dist[f"distributed_{k}"], ref[f"sequential_{k}"])
        np.testing.assert_array_equal(dist[f"distributed_{k}"], ref[f"parallel_{k}"])
    # and the draws are the posterior's: x ~ N(0.3, 0.05) (loose: 240 correlated draws)
    assert abs(dist["distributed_x"].mean() - 0.3) < 0.03


def test_killed_process_fails_fast_and_run_resumes(runs, tmp_path):
    _, ref, _ = runs
    ck = tmp_path / "ck.npz"
    p0, p1 = _pair(tmp_path, "kill", "--checkpoint", ck, "--pause", 1.5)
    t_end = time.monotonic() + TIMEOUT
    while not ck.exists():
        assert time.monotonic() < t_end and p0.poll() is None, (tmp_path / "kill0.log").read_text()[-3000:]
        time.sleep(0.2)
    p1.send_signal(signal.SIGKILL)
    t0 = time.monotonic()
    try:
        rc = p0.wait(120)
    except subprocess.TimeoutExpired:
        pytest.fail("process 0 still waits 120 s after its peer was killed")
    waited = time.monotonic() - t0
    log = (tmp_path / "kill0.log").read_text()
    assert rc != 0 and "lost its peers" in log and "rerun all processes" in log, log[-3000:]
    assert waited < 60, waited
    iteration = load_checkpoint(ck).state.iteration
    assert 0 < iteration < 120
    # a checkpoint that only process 0 sees: both refuse to start, naming the disagreement
    port = _free_port()
    split = [_spawn([tmp_path / "split.npz", "distributed", port, 2, pid, "--checkpoint",
                     ck if pid == 0 else tmp_path / "elsewhere.npz"], 2, tmp_path / f"split{pid}.log")
             for pid in (0, 1)]
    for pid, p in enumerate(split):
        assert p.wait(TIMEOUT) != 0
        assert "disagree on the iteration" in (tmp_path / f"split{pid}.log").read_text()
    assert load_checkpoint(ck).state.iteration == iteration
    pair = _pair(tmp_path, "resume", "--checkpoint", ck)  # the same command, without the pause
    _finish(pair, tmp_path, ["resume0", "resume1"])
    assert f"start_iteration {iteration}" in (tmp_path / "resume0.log").read_text()
    out = np.load(tmp_path / "resume.npz")
    for k in ("x", "y"):
        np.testing.assert_array_equal(out[f"distributed_{k}"], ref[f"sequential_{k}"])


def test_plan_and_bad_arguments():
    n = len(jax.devices())
    plan = plan_chains("distributed", 2 * n)  # every device of every process
    assert plan.method == "distributed" and plan.devices == tuple(jax.devices())
    assert plan_chains("auto", 2).method != "distributed"  # one process
    with pytest.raises(ValueError, match="num_processes and process_id"):
        distributed.initialize("127.0.0.1:1234")
    with pytest.raises(ValueError, match="process_id must be in 0..1"):
        distributed.initialize("127.0.0.1:1234", num_processes=2, process_id=2)
    with pytest.raises(ValueError, match="cpu_collectives"):
        distributed.initialize(cpu_collectives="nccl")
    with pytest.raises(ValueError, match="heartbeat_timeout_s"):
        distributed.initialize(heartbeat_timeout_s=0)


def _slurm_job_id() -> int:
    """A SLURM_JOB_ID whose coordinator port (JAX: id % 4096 + 61440) is free here."""
    for job in range(1000, 5096):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", job % 4096 + 61440))
                return job
            except OSError:
                continue
    pytest.skip("no free port in 61440..65535")


def test_cli_distributed_detects_slurm(tmp_path):
    """``srun python -m hicosmo_nb fit ... --distributed`` as SLURM would start it (its variables
    set by hand, two tasks on this host): JAX detects the cluster, process 0 writes the outputs."""
    out, job = tmp_path / "out", _slurm_job_id()
    procs = []
    for pid in (0, 1):
        env = {**os.environ, "SLURM_JOB_ID": str(job), "SLURM_STEP_NODELIST": "localhost",
               "SLURM_NTASKS": "2", "SLURM_PROCID": str(pid), "SLURM_LOCALID": "0",
               "XLA_FLAGS": "--xla_force_host_platform_device_count=1"}
        with open(tmp_path / f"cli{pid}.log", "w") as f:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "hicosmo_nb", "fit", "LCDM", "cc", "--free", "H0", "Omega_m",
                 "--chains", "2", "--warmup", "30", "--samples", "30", "--distributed", "--no-progress",
                 "--out", str(out)], env=env, stdout=f, stderr=subprocess.STDOUT))
        _LIVE.append(procs[-1])
    _finish(procs, tmp_path, ["cli0", "cli1"])
    layout = json.loads((out / "manifest.json").read_text())["chain_layout"]
    assert layout["method"] == "distributed" and layout["num_devices"] == 2
    assert "wrote posterior.nc" in (tmp_path / "cli0.log").read_text()
    assert "wrote" not in (tmp_path / "cli1.log").read_text()

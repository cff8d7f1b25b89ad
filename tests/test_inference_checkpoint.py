"""Checkpoints, kill/resume, continue, netCDF save/load: exact draws, atomic writes, clear errors."""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest

import hicosmo_nb.inference.checkpoint as ckmod
from hicosmo_nb.inference import (
    Problem,
    Result,
    concat_chains,
    continue_nuts,
    load,
    load_checkpoint,
    run_nuts,
)

TOY = """
import numpy as np, jax, jax.numpy as jnp
from hicosmo_nb.likelihoods.base import Likelihood
from hicosmo_nb.inference import Uniform, Normal, run_nuts
def _ll(p):
    return -0.5 * ((p["a"] - 1.0) / 0.3) ** 2 - 0.5 * ((p["b"] - 0.5 * p["a"]) / 0.1) ** 2
LK = Likelihood(jax.jit(_ll), ("a", "b"), "toy")
PRIORS = {"a": Normal(0.0, 5.0), "b": Uniform(-3.0, 3.0)}
RUN = dict(num_chains=3, num_warmup=200, progress=False, warn=False)
"""
_ns: dict = {}
exec(TOY, _ns)
LK, PRIORS, RUN = _ns["LK"], _ns["PRIORS"], _ns["RUN"]
KEY = jax.random.PRNGKey(11)
CHUNK = 50


def digest(res: Result) -> str:
    h = hashlib.sha256()
    for n in sorted(res.samples):
        h.update(np.ascontiguousarray(res.samples[n]).tobytes())
    for k in ("lp", "energy", "diverging", "step_size"):
        h.update(np.ascontiguousarray(res.to_arviz()["sample_stats"][k].values).tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def sampler():
    """One problem for every run below (its compiled sampler is reused)."""
    return Problem(LK, PRIORS)


@pytest.fixture(scope="module")
def reference(sampler):
    """Uninterrupted run, 600 draws (chunked like the checkpointed runs: same program)."""
    return run_nuts(sampler, key=KEY, num_samples=600, chunk_size=CHUNK, **RUN)


def test_killed_run_resumes_to_exactly_the_uninterrupted_draws(tmp_path, sampler, reference):
    path = tmp_path / "run.npz"
    child = TOY + textwrap.dedent(f"""
        import sys, time
        from hicosmo_nb.inference import Problem, Run, RunSettings
        settings = RunSettings(num_chains=3, num_warmup=200, num_samples=600, chunk_size={CHUNK})
        run = Run.start(Problem(LK, PRIORS), key=jax.random.PRNGKey(11), settings=settings,
                        checkpoint=sys.argv[1])
        def watch(chunk):  # called after each chunk, once its checkpoint is written
            print("SAVED", chunk.status.iteration, flush=True)
            time.sleep(0.5)
        run.on_chunk(watch)
        for _ in run:
            pass
        print("FINISHED", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("SAVED") and int(line.split()[1]) >= 450:  # 250 draws into sampling
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()[-2000:]
    ck = load_checkpoint(path)
    assert 450 <= ck.state.iteration < 800
    assert ck.draws["z"].shape == (3, ck.state.iteration - 200, 2)
    assert not [p for p in tmp_path.iterdir() if p.name != "run.npz"]  # no temp file left
    resumed = run_nuts(sampler, key=KEY, num_samples=600, chunk_size=CHUNK, checkpoint=path, **RUN)
    assert resumed.manifest["init"]["resumed_at_iteration"] == ck.state.iteration
    assert digest(resumed) == digest(reference)
    # a finished checkpoint just returns the result again
    again = run_nuts(sampler, key=KEY, num_samples=600, chunk_size=CHUNK, checkpoint=path, **RUN)
    assert digest(again) == digest(reference)
    with pytest.raises(ValueError, match="written by a different run; .*num_samples: checkpoint has 600"):
        run_nuts(sampler, key=KEY, num_samples=700, chunk_size=CHUNK, checkpoint=path, **RUN)


def test_checkpoint_holds_adapted_state(tmp_path, sampler):
    path = tmp_path / "c.npz"
    res = run_nuts(sampler, key=KEY, num_samples=100, chunk_size=CHUNK, checkpoint=path, **RUN)
    ck = load_checkpoint(path)
    assert ck.state.iteration == 300
    step = res.to_arviz()["sample_stats"]["step_size"].values[:, -1]
    # one stored leaf is the adapted per-chain step size, another the inverse mass matrix (3, 2)
    assert any(x.shape == (3,) and np.array_equal(x, step) for x in ck.state.leaves)
    assert any(x.shape == (3, 2) and np.all(x > 0) and not np.all(x == 1.0) for x in ck.state.leaves)
    assert any(x.dtype == np.uint32 and x.shape == (3, 2) for x in ck.state.leaves)  # PRNG keys


def test_atomic_write_survives_a_failure_mid_write(tmp_path, monkeypatch):
    path = tmp_path / "c.npz"
    ckmod.save_checkpoint(path, state=ckmod.SamplerState((np.ones(2),), 1, {"v": 1}), draws={}, info={})

    def broken_savez(f, **arrays):
        f.write(b"PK\x03\x04 partial")
        raise OSError("disk full")

    monkeypatch.setattr(ckmod.np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        ckmod.save_checkpoint(path, state=ckmod.SamplerState((np.ones(2),), 2, {"v": 2}), draws={}, info={})
    monkeypatch.undo()
    assert load_checkpoint(path).state.iteration == 1  # the old checkpoint is intact
    assert [p.name for p in tmp_path.iterdir()] == ["c.npz"]


def test_checkpoint_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="checkpoint file .* does not exist"):
        load_checkpoint(tmp_path / "nope.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable hicosmo_nb checkpoint"):
        load_checkpoint(bad)
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(2))
    with pytest.raises(ValueError, match="is not a hicosmo_nb checkpoint"):
        load_checkpoint(other)


def test_continue_adds_draws_without_warmup_and_matches_a_longer_run(tmp_path, sampler, reference):
    short = run_nuts(sampler, key=KEY, num_samples=350, chunk_size=CHUNK, log_likelihood=True, **RUN)
    short.save(tmp_path / "short.nc")
    loaded = load(tmp_path / "short.nc")
    more = continue_nuts(loaded, 250, sampler, chunk_size=CHUNK, progress=False, warn=False)
    assert more.num_draws == 600
    for n in ("a", "b"):
        assert np.array_equal(more.samples[n], reference.samples[n])
    assert np.array_equal(more.to_arviz()["sample_stats"]["lp"].values,
                          reference.to_arviz()["sample_stats"]["lp"].values)
    assert more.to_arviz()["log_likelihood"]["toy"].shape == (3, 600)
    assert more.manifest["settings"]["num_samples"] == 600
    assert more.manifest["continued"] == [{"from_iteration": 550, "num_samples": 250}]
    with pytest.raises(ValueError, match="different problem than the original run: priors"):
        continue_nuts(loaded, 10, Problem(LK, {**PRIORS, "b": _ns["Uniform"](-2.0, 2.0)}))
    with pytest.raises(ValueError, match="sampled from a custom likelihood, which is not stored with it: "
                                         "pass the problem back in"):
        loaded.continue_run(10)
    with pytest.raises(ValueError, match="holds its sampler state"):
        continue_nuts(Result.from_arrays({"a": np.zeros((1, 3))}), 10, sampler)


def test_save_load_round_trip_and_errors(tmp_path, reference):
    path = tmp_path / "r.nc"
    reference.save(path)
    back = load(path)
    assert digest(back) == digest(reference)
    assert back.manifest == reference.manifest
    assert back.to_arviz()["sample_stats"]["diverging"].dtype == bool
    assert all(np.array_equal(a, b) for a, b in zip(back.state.leaves, reference.state.leaves))
    assert open(path, "rb").read(4) == b"\x89HDF"  # netCDF-4 / HDF5, not pickle
    with pytest.raises(FileExistsError, match="exists; pass overwrite=True"):
        reference.save(path)
    reference.save(path, overwrite=True)
    with pytest.raises(FileNotFoundError, match="result file .* does not exist"):
        load(tmp_path / "missing.nc")
    joined = concat_chains(reference, back)
    assert joined.num_chains == 6 and np.array_equal(joined.samples["a"][3:], reference.samples["a"])
    with pytest.raises(ValueError, match="cannot join results"):
        concat_chains(reference, Result.from_arrays({"a": np.zeros((1, 3))}))

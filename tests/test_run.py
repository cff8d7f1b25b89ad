"""The step-wise Run: uneven advances, stop from another thread, resume in process and from a
checkpoint in a new process, on_chunk, status, and result() mid-run, all bitwise against one
uninterrupted run with the same key."""

import subprocess
import sys
import textwrap
import threading

import jax
import numpy as np
import pytest

from hicosmo_nb.inference import Chunk, Problem, Result, Run, RunSettings, RunStatus, continue_nuts, load, run_nuts

TOY = """
import numpy as np, jax, jax.numpy as jnp
from hicosmo_nb.likelihoods.base import Likelihood
from hicosmo_nb.inference import Uniform, Normal, Problem, Run, RunSettings
def _ll(p):
    return -0.5 * ((p["a"] - 1.0) / 0.3) ** 2 - 0.5 * ((p["b"] - 0.5 * p["a"]) / 0.1) ** 2
LK = Likelihood(jax.jit(_ll), ("a", "b"), "toy")
PRIORS = {"a": Normal(0.0, 5.0), "b": Uniform(-3.0, 3.0)}
SETTINGS = dict(num_chains=2, num_warmup=100, num_samples=400, chunk_size=40)
def digest(res):
    import hashlib
    h = hashlib.sha256()
    for n in sorted(res.samples):
        h.update(np.ascontiguousarray(res.samples[n]).tobytes())
    for k in ("lp", "energy", "diverging", "step_size"):
        h.update(np.ascontiguousarray(res.to_arviz()["sample_stats"][k].values).tobytes())
    return h.hexdigest()
"""
_ns: dict = {}
exec(TOY, _ns)
LK, PRIORS, SETTINGS, digest = _ns["LK"], _ns["PRIORS"], _ns["SETTINGS"], _ns["digest"]
KEY = jax.random.PRNGKey(5)


@pytest.fixture(scope="module")
def problem():
    return Problem(LK, PRIORS)


@pytest.fixture(scope="module")
def reference(problem):
    """The uninterrupted run."""
    return run_nuts(problem, key=KEY, progress=False, warn=False, **SETTINGS)


def start(problem, **kw):
    return Run.start(problem, key=KEY, settings=RunSettings(**SETTINGS), **kw)


def test_uneven_advances_give_the_uninterrupted_draws(problem, reference):
    run = start(problem)
    assert run.status.phase == "warmup" and run.status.iteration == 0 and not run.done
    with pytest.raises(ValueError, match=r"no draws yet \(iteration 0 of 100 warmup iterations\)"):
        run.result()
    seen = []
    for n, expect in [(1, 1), (7, 8), (80, 88), (300, 388), (3, 391), (9, 400)]:
        chunk = run.advance(n)
        seen.append(chunk)
        assert isinstance(chunk, Chunk) and chunk.status.iteration == expect  # n honoured (issue 24)
    assert seen[2].draws["a"].shape == (2, 0)  # all warmup
    assert seen[3].start == 0 and seen[3].draws["a"].shape == (2, 288)  # crosses into sampling
    assert set(seen[3].stats) >= {"lp", "step_size"} and seen[3].stats["lp"].shape == (2, 288)
    assert seen[4].start == 288 and seen[4].draws["a"].shape == (2, 3)
    assert seen[5].start == 291 and seen[5].draws["a"].shape == (2, 9)
    rest = list(run)
    assert run.done and run.status.phase == "done" and rest[-1].status.iteration == 500
    assert digest(run.result()) == digest(reference)
    with pytest.raises(ValueError, match="n must be a positive int or None; got 0"):
        run.advance(0)


def test_advance_honours_n_across_warmup_and_stops_at_the_end(problem, reference):
    # issue 24: advance(n) stopped at the end of warmup whatever n asked for
    run = start(problem)
    chunk = run.advance(10_000)
    assert run.done and chunk.status.iteration == 500 and chunk.start == 0
    assert chunk.draws["a"].shape == (2, 400) and chunk.stats["lp"].shape == (2, 400)
    assert digest(run.result()) == digest(reference)
    one = start(problem).advance()  # default: one chunk, ending at the end of warmup if first
    assert one.status.iteration == SETTINGS["chunk_size"]


def test_on_chunk_sees_every_draw_once_in_order_and_status(problem, reference):
    run = start(problem)
    chunks, statuses = [], []
    unsubscribe = run.on_chunk(chunks.append)
    run.on_chunk(lambda c: statuses.append(c.status))
    for _ in run:
        pass
    unsubscribe()
    kept = [c for c in chunks if c.draws["a"].shape[1]]
    assert [c.start for c in kept] == list(np.cumsum([0] + [c.draws["a"].shape[1] for c in kept[:-1]]))
    for n in ("a", "b"):
        joined = np.concatenate([c.draws[n] for c in kept], axis=1)
        np.testing.assert_array_equal(joined, reference.samples[n])
    lp = np.concatenate([c.stats["lp"] for c in kept], axis=1)
    np.testing.assert_array_equal(lp, reference.to_arviz()["sample_stats"]["lp"].values)
    # after the last warmup chunk the status says what comes next
    assert [(s.phase, s.iteration) for s in statuses[:3]] == [("warmup", 40), ("warmup", 80), ("sampling", 100)]
    assert statuses[-1].phase == "done"
    st = statuses[-1]
    assert isinstance(st, RunStatus) and st.draws.tolist() == [400, 400] and st.num_samples == 400
    assert st.divergences.shape == (2,) and st.step_size.shape == (2,) and np.all(st.step_size > 0)
    assert st.elapsed_s > 0 and st.compile_s >= 0 and not st.stopped
    assert [s.iteration for s in statuses] == sorted(s.iteration for s in statuses)


def test_stop_from_another_thread_then_resume_in_process_and_in_a_new_process(problem, reference, tmp_path):
    path = tmp_path / "run.npz"
    run = start(problem, checkpoint=path)
    reached, stop_called = threading.Event(), threading.Event()

    def hold(chunk):  # pause the sampling thread mid-sampling until the main thread called stop()
        if chunk.status.iteration >= 260 and not reached.is_set():
            reached.set()
            stop_called.wait(30)

    run.on_chunk(hold)
    worker = threading.Thread(target=lambda: list(run))
    worker.start()
    assert reached.wait(120)
    run.stop()  # from this (another) thread, while advance runs
    stop_called.set()
    worker.join(120)
    st = run.status
    assert run.stopped and st.stopped and not run.done and st.phase == "sampling"
    assert st.iteration == 260 and st.draws.tolist() == [160, 160]
    # result() mid-run: a valid Result that saves, loads and has diagnostics
    mid = run.result()
    assert mid.num_draws == 160 and np.array_equal(mid.samples["a"], reference.samples["a"][:, :160])
    d = mid.diagnostics()
    assert set(d["rhat"]) == {"a", "b"} and d["divergences"] >= 0
    mid.save(tmp_path / "mid.nc")
    back = load(tmp_path / "mid.nc")
    assert digest(back) == digest(mid)
    # ... which continues to exactly the uninterrupted draws
    more = continue_nuts(back, 240, problem, chunk_size=40, progress=False, warn=False)
    assert digest(more) == digest(reference)
    # the checkpoint, resumed in a new process
    child = TOY + textwrap.dedent(f"""
        import sys
        run = Run.start(Problem(LK, PRIORS), key=jax.random.PRNGKey(5), checkpoint=sys.argv[1],
                        settings=RunSettings(**SETTINGS))
        print("RESUMED_AT", run.status.iteration)
        for _ in run:
            pass
        print("DIGEST", digest(run.result()))
    """)
    out = subprocess.run([sys.executable, "-c", child, str(path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = dict(ln.split(maxsplit=1) for ln in out.stdout.splitlines()
                 if ln.startswith(("RESUMED_AT ", "DIGEST ")))
    assert lines["RESUMED_AT"] == "260" and lines["DIGEST"] == digest(reference)
    # and in process: advancing again continues as if never stopped
    for _ in run:
        pass
    assert run.done and not run.stopped and digest(run.result()) == digest(reference)


def test_stop_on_an_idle_run_warns_and_the_next_advance_runs_in_full(problem):
    # issue 21: a stop() before advance(5) made it return nothing; a user's n is honoured
    run = start(problem)
    with pytest.warns(UserWarning, match=r"stop\(\) was called while no advance\(\) is running: there is "
                                         r"nothing to stop, and the next advance\(n\) runs in full") as rec:
        run.stop()
    assert rec[0].filename == __file__  # the warning points at the user's line
    chunk = run.advance(5)
    assert not run.stopped and chunk.status.iteration == 5
    for chunk in run:  # inside a for loop a stop between chunks is meant: no warning
        run.stop()
    assert run.stopped and not run.done


def test_run_api_edges_are_named(problem):
    with pytest.raises(ValueError, match=r"Run\(\.\.\.\) takes a RunPlan and a RunState, got Problem; make a run "
                                         r"with Run.start\(problem, key=\.\.\.\)"):
        Run(problem)
    run = start(problem)
    with pytest.raises(ValueError, match=r"on_chunk needs a callable f\(chunk\), got 'notcallable'"):
        run.on_chunk("notcallable")


def test_start_errors(problem):
    with pytest.raises(ValueError, match="problem must be a Problem; got Likelihood"):
        Run.start(LK, key=KEY)
    with pytest.raises(ValueError, match="num_samples must be an int >= 1; got 0"):
        Run.start(problem, key=KEY, settings=RunSettings(num_samples=0))
    with pytest.raises(ValueError, match="continuing needs a Result from run_nuts"):
        Run.continue_from(Result.from_arrays({"a": np.zeros((1, 3))}), 10, problem)


def test_bad_checkpoint_paths_fail_at_start_not_at_the_first_write(problem, tmp_path, monkeypatch):
    # issue 21: a raw OSError came at the first advance, after compiling
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ValueError, match=r"checkpoint '.*afile/sub/c.npz' lies under '.*afile', which is a "
                                         r"file, not a folder"):
        start(problem, checkpoint=tmp_path / "afile" / "sub" / "c.npz")
    with pytest.raises(ValueError, match=r"checkpoint '.*' is a folder; give a file path such as "
                                         r"'.*checkpoint.npz'"):
        start(problem, checkpoint=tmp_path)
    import os

    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(tmp_path) else real(p, mode))
    with pytest.raises(ValueError, match=r"checkpoint '.*c.npz' cannot be written: the folder '.*' is not "
                                         r"writable \(read-only file system or permissions\)"):
        start(problem, checkpoint=tmp_path / "c.npz")

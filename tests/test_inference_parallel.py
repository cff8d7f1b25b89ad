"""chain_method="parallel" on 4 forced CPU devices (in a subprocess), parallel x vectorized,
batches, and the device-count errors."""

import json
import os
import subprocess
import sys
import pathlib
import textwrap

import jax
import pytest

import hicosmo_nb.inference.devices as devices_module
from hicosmo_nb.inference import plan_chains, set_host_device_count
from hicosmo_nb.inference.devices import cpu_cores

DEVICES_PY = pathlib.Path(devices_module.__file__)
CHILD = textwrap.dedent("""
    import json, numpy as np, jax, jax.numpy as jnp, arviz as az
    import hicosmo_nb
    from hicosmo_nb.likelihoods.base import Likelihood
    from hicosmo_nb.inference import Uniform, run_nuts, Problem, plan_chains
    assert len(jax.devices()) == 4, jax.devices()
    def _ll(p):
        return -0.5 * ((p["x"] - 0.3) / 0.05) ** 2 - 0.5 * ((p["y"] - 2 * p["x"]) / 0.02) ** 2
    lk = Likelihood(jax.jit(_ll), ("x", "y"), "toy")
    pri = {"x": Uniform(-1, 1), "y": Uniform(-2, 2)}
    run = dict(num_warmup=300, num_samples=800, progress=False, warn=False, chunk_size=800)
    out = {"auto": plan_chains("auto", 4).method, "auto6": plan_chains("auto", 6).method}
    s = Problem(lk, pri)  # one problem: its compiled samplers are reused by every run
    vec = run_nuts(s, key=jax.random.PRNGKey(5), num_chains=8, chain_method="vectorized", **run)
    runs = {"par8": dict(num_chains=8), "par8_batch4": dict(num_chains=8, chain_batch_size=4),
            "par4": dict(num_chains=4)}  # par4: one (unbatched) chain per device
    for name, kw in runs.items():
        r = run_nuts(s, key=jax.random.PRNGKey(5), chain_method="parallel", **kw, **run)
        lay = r.manifest["chain_layout"]
        se = {n: float(np.hypot(r.samples[n].std() / np.sqrt(az.ess(r.samples[n])),
                                vec.samples[n].std() / np.sqrt(az.ess(vec.samples[n])))) for n in ("x", "y")}
        out[name] = {"devices": lay["num_devices"], "batches": lay["batches"],
                     "dmean": {n: float(r.samples[n].mean() - vec.samples[n].mean()) for n in ("x", "y")},
                     "se": se, "rhat": max(r.diagnostics()["rhat"].values()),
                     "rerun_identical": bool(np.array_equal(r.samples["x"], run_nuts(
                         s, key=jax.random.PRNGKey(5), chain_method="parallel",
                         **kw, **run).samples["x"]))}
    print("RESULT", json.dumps(out))
""")


def test_parallel_on_four_host_devices():
    """8 chains sharded over 4 devices: 2 per device (parallel x vectorized), or in 2 batches."""
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=400)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads([ln for ln in out.stdout.splitlines() if ln.startswith("RESULT")][0][7:])
    assert res["auto"] == "parallel"
    assert res["auto6"] == "concurrent"  # 6 chains do not split over 4 devices: host threads
    assert res["par8"]["devices"] == 4 and res["par8"]["batches"] == [[0, 8]]  # 2 chains per device
    assert res["par8_batch4"]["devices"] == 4 and res["par8_batch4"]["batches"] == [[0, 4], [4, 8]]
    assert res["par4"]["devices"] == 4 and res["par4"]["batches"] == [[0, 4]]
    for name in ("par8", "par8_batch4", "par4"):
        r = res[name]
        assert r["rhat"] < 1.02, (name, r)
        for n in ("x", "y"):
            assert abs(r["dmean"][n]) < 4.5 * r["se"][n], (name, n, r)
        # reproducible bit for bit (chains differ from the vectorized ones only by rounding,
        # which NUTS amplifies, so the comparison above is statistical)
        assert r["rerun_identical"], name


def _child_devices(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_set_host_device_count_before_jax_starts():
    """The function itself, loaded alone (nothing has started JAX yet), gives 3 CPU devices."""
    out = _child_devices(f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("hicosmo_nb.inference.devices", {str(DEVICES_PY)!r})
        import hicosmo_nb  # the package root does not start JAX
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod  # loaded alone: its package __init__ would start JAX
        spec.loader.exec_module(mod)
        mod.set_host_device_count(3)
        import jax
        print("N", len(jax.devices()))
    """)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "N 3" in out.stdout


def test_set_host_device_count_after_importing_the_package():
    out = _child_devices("""
        from hicosmo_nb.inference import set_host_device_count
        set_host_device_count(3)
        import jax
        print("N", len(jax.devices()))
    """)
    assert out.returncode == 0, out.stderr[-2000:]


def test_set_host_device_count_after_jax_started_says_restart():
    jax.numpy.zeros(1).block_until_ready()  # JAX is running in this process
    have = len(jax.devices("cpu"))
    set_host_device_count(have)  # nothing to change: fine
    with pytest.raises(RuntimeError, match=r"cannot add more in this process\. Restart the notebook kernel"):
        set_host_device_count(have + 3)
    with pytest.raises(ValueError, match="must be a positive int; got 0"):
        set_host_device_count(0)


def test_plan_errors_and_single_device_parallel_warning():
    n_dev = len(jax.local_devices())
    if n_dev == 1:
        with pytest.warns(UserWarning, match="JAX sees 1 device, so chains run vectorized"):
            plan = plan_chains("parallel", 4)
        assert plan.method == "parallel" and len(plan.devices) == 1
        assert plan_chains("auto", 4).method == ("concurrent" if jax.default_backend() == "cpu" else "vectorized")
    conc = plan_chains("concurrent", 5)
    assert conc.batches == ((0, 1), (1, 2), (2, 3), (3, 4), (4, 5)) and conc.threads == min(5, cpu_cores())
    conc = plan_chains("concurrent", 5, chain_batch_size=2)
    assert conc.batches == ((0, 2), (2, 4), (4, 5)) and conc.threads == min(3, cpu_cores())
    assert plan_chains("sequential", 3).batches == ((0, 1), (1, 2), (2, 3))
    assert plan_chains("vectorized", 5, chain_batch_size=2).batches == ((0, 2), (2, 4), (4, 5))
    with pytest.raises(ValueError, match="chain_batch_size must be a positive int; got 0"):
        plan_chains("vectorized", 4, chain_batch_size=0)

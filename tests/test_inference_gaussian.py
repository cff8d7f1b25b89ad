"""Known posteriors: correlated 2-D and dense 10-D Gaussians recovered within the Monte Carlo
error implied by the ESS; chain methods agree; draws are reproducible bit for bit."""

import json
import subprocess
import sys
import textwrap

import arviz as az
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb.inference import Normal, NutsSettings, Problem, Uniform, run_nuts, sampler_for
from hicosmo_nb.likelihoods.base import Likelihood

Z = 4.5  # tolerance in Monte Carlo standard errors (many comparisons; false alarm ~1e-4 total)

TOY_2D = """
import numpy as np, jax, jax.numpy as jnp
from hicosmo_nb.likelihoods.base import Likelihood
from hicosmo_nb.inference import Uniform, run_nuts
MU = np.array([0.3, 70.0]); SIG = np.array([0.02, 1.5]); RHO = -0.85
COV = np.array([[SIG[0]**2, RHO*SIG[0]*SIG[1]], [RHO*SIG[0]*SIG[1], SIG[1]**2]])
PREC = jnp.asarray(np.linalg.inv(COV))
def _ll(p):
    r = jnp.stack([p["Omega_m"], p["H0"]]) - MU
    return -0.5 * r @ PREC @ r
LK = Likelihood(jax.jit(_ll), ("Omega_m", "H0"), "gauss2d")
PRIORS = {"Omega_m": Uniform(0.0, 1.0), "H0": Uniform(40.0, 100.0)}
def draws_digest(res):
    import hashlib
    h = hashlib.sha256()
    for n in sorted(res.samples):
        h.update(np.ascontiguousarray(res.samples[n]).tobytes())
    h.update(np.ascontiguousarray(res.to_arviz()["sample_stats"]["lp"].values).tobytes())
    return h.hexdigest()
"""
_ns: dict = {}
exec(TOY_2D, _ns)
MU2, COV2, LK2, PRIORS2, digest = _ns["MU"], _ns["COV"], _ns["LK"], _ns["PRIORS"], _ns["draws_digest"]
KEY = jax.random.PRNGKey(2024)
RUN = dict(num_chains=4, num_warmup=400, num_samples=1000, progress=False)


def check_moments(samples: dict, names, mean, cov):
    """Means and covariances within Z Monte Carlo standard errors (ESS of each series)."""
    x = np.stack([samples[n] for n in names], axis=-1)  # (chain, draw, d)
    d = len(names)
    for i in range(d):
        xi = x[..., i]
        se = xi.std() / np.sqrt(az.ess(xi))
        assert abs(xi.mean() - mean[i]) < Z * se, (names[i], xi.mean(), mean[i], se)
        for j in range(i, d):
            y = (xi - mean[i]) * (x[..., j] - mean[j])
            se = y.std() / np.sqrt(az.ess(y))
            assert abs(y.mean() - cov[i, j]) < Z * se, (names[i], names[j], y.mean(), cov[i, j], se)


@pytest.fixture(scope="module")
def sampler2d():
    """One problem shared by the runs below: its compiled sampler serves other keys / layouts."""
    return Problem(LK2, PRIORS2)


@pytest.fixture(scope="module")
def vectorized(sampler2d):
    return run_nuts(sampler2d, key=KEY, chain_method="vectorized", **RUN)


def test_correlated_2d_gaussian(vectorized):
    check_moments(vectorized.samples, ["Omega_m", "H0"], MU2, COV2)
    d = vectorized.diagnostics()
    assert d["problems"] == [] and d["divergences"] == 0
    assert max(d["rhat"].values()) < 1.01


def test_dense_10d_gaussian():
    rng = np.random.default_rng(7)
    names = [f"x{i}" for i in range(10)]
    a = rng.normal(size=(10, 10))
    scales = np.logspace(-2, 1, 10)
    cov_l = (a @ a.T / 10 + 0.2 * np.eye(10)) * np.outer(scales, scales)
    mu_l = rng.normal(size=10) * scales
    prior_sd = 30 * scales
    prec_l = np.linalg.inv(cov_l)
    # exact posterior: Gaussian likelihood x Gaussian prior N(0, prior_sd)
    post_prec = prec_l + np.diag(prior_sd**-2.0)
    post_cov = np.linalg.inv(post_prec)
    post_mu = post_cov @ (prec_l @ mu_l)
    prec_j, mu_j = jnp.asarray(prec_l), jnp.asarray(mu_l)

    def ll(p):
        r = jnp.stack([p[n] for n in names]) - mu_j
        return -0.5 * r @ prec_j @ r

    lk = Likelihood(jax.jit(ll), tuple(names), "gauss10d")
    priors = {n: Normal(0.0, float(s)) for n, s in zip(names, prior_sd)}
    res = run_nuts(lk, priors, key=jax.random.PRNGKey(10), nuts=NutsSettings(dense_mass=True), **RUN)
    check_moments(res.samples, names, post_mu, post_cov)
    assert max(res.diagnostics()["rhat"].values()) < 1.01


@pytest.fixture(scope="module")
def sequential(sampler2d):
    return run_nuts(sampler2d, key=KEY, chain_method="sequential", **RUN)


@pytest.mark.parametrize("method, extra", [("sequential", {}), ("vectorized", {"chain_batch_size": 2}),
                                           ("concurrent", {"chain_batch_size": 2})])
def test_chain_methods_agree(vectorized, sequential, sampler2d, method, extra):
    other = sequential if method == "sequential" else run_nuts(
        sampler2d, key=KEY, chain_method=method, **extra, **RUN)
    assert other.manifest["chain_layout"]["method"] == method
    for n in ("Omega_m", "H0"):
        a, b = vectorized.samples[n], other.samples[n]
        se = np.hypot(a.std() / np.sqrt(az.ess(a)), b.std() / np.sqrt(az.ess(b)))
        assert abs(a.mean() - b.mean()) < Z * se
        assert a.std() == pytest.approx(b.std(), rel=0.1)
    if extra:  # batches of 2 vectorized chains: the same program per chain as 4 at once
        np.testing.assert_allclose(other.samples["H0"], vectorized.samples["H0"], rtol=1e-9)


def test_concurrent_chains_are_the_sequential_chains_in_threads(sequential, sampler2d):
    """One unbatched program per chain, run in host threads: the draws of ``sequential``, exactly."""
    conc = run_nuts(sampler2d, key=KEY, chain_method="concurrent", **RUN)
    layout = conc.manifest["chain_layout"]
    assert layout["batches"] == [[0, 1], [1, 2], [2, 3], [3, 4]] and layout["threads"] >= 1
    assert digest(conc) == digest(sequential)


def test_bitwise_reproducible_across_processes_and_chunking(vectorized, sampler2d):
    """Same key and settings: identical draws in a fresh process and with another chunk size."""
    script = TOY_2D + textwrap.dedent(f"""
        res = run_nuts(LK, PRIORS, key=jax.random.PRNGKey(2024), chain_method="vectorized",
                       chunk_size=137, **{RUN!r})
        print("DIGEST", draws_digest(res))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    child = [ln.split()[1] for ln in out.stdout.splitlines() if ln.startswith("DIGEST")][0]
    assert child == digest(vectorized)
    other_key = run_nuts(sampler2d, key=jax.random.PRNGKey(2025), chain_method="vectorized", **RUN)
    assert digest(other_key) != digest(vectorized)


def test_typed_key_key_manager_and_sampler_reuse(vectorized, sampler2d):
    from hicosmo_nb.keys import KeyManager

    typed = jax.random.wrap_key_data(KEY)
    res = run_nuts(sampler2d, key=typed, chain_method="vectorized", **RUN)
    assert digest(res) == digest(vectorized)
    assert res.manifest["timings_s"]["compile"] == 0.0  # reused the compiled program
    res = run_nuts(sampler2d, key=KeyManager(1).key("nuts"), num_warmup=400, num_samples=20,
                   chunk_size=1000, progress=False, warn=False)
    assert res.samples["H0"].shape == (4, 20)
    # a problem keeps one compiled sampler per (num_warmup, NUTS settings)
    assert sampler_for(sampler2d, 400) is sampler_for(sampler2d, 400, NutsSettings())
    assert sampler_for(sampler2d, 10) is not sampler_for(sampler2d, 400)
    with pytest.raises(ValueError, match="pass priors and fixed values to Problem"):
        run_nuts(sampler2d, {**PRIORS2, "H0": Uniform(50, 90)}, key=KEY)


def test_result_contents(vectorized):
    dt = vectorized.to_arviz()
    stats = dt["sample_stats"]
    for name in ("lp", "energy", "diverging", "tree_depth", "n_steps", "step_size", "acceptance_rate"):
        assert name in stats, name
    assert stats["diverging"].dtype == bool
    assert np.all(stats["tree_depth"].values >= 1) and np.all(stats["tree_depth"].values <= 10)
    # one step size per chain after warmup
    assert np.all(stats["step_size"].values == stats["step_size"].values[:, :1])
    m = vectorized.manifest
    assert m["settings"]["num_samples"] == 1000 and m["key"] == "00000000 000007e8"
    assert len(m["chain_keys"]) == 4 and m["versions"]["numpyro"]
    assert m["init"]["method"] == "map"
    # the MAP of a Gaussian (flat priors) is its mean
    assert m["init"]["start"]["H0"] == pytest.approx(MU2[1], abs=1e-5)
    assert m["init"]["start"]["Omega_m"] == pytest.approx(MU2[0], abs=1e-7)
    table = vectorized.summary()
    assert {"ess_bulk", "ess_tail", "r_hat"} <= set(table.columns)
    json.dumps(m)  # serializable


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="chain_method='vectorised' is not allowed; valid: auto"):
        run_nuts(LK2, PRIORS2, key=KEY, chain_method="vectorised")
    with pytest.raises(ValueError, match="num_chains must be an int >= 1; got 0"):
        run_nuts(LK2, PRIORS2, key=KEY, num_chains=0)
    with pytest.raises(ValueError, match="key must be a JAX PRNG key"):
        run_nuts(LK2, PRIORS2, key=0)
    with pytest.raises(ValueError, match=r"needs parameter\(s\) \['H0'\] that are neither free"):
        run_nuts(LK2, {"Omega_m": Uniform(0, 1)}, key=KEY)
    with pytest.raises(ValueError, match=r"both free \(in priors\) and fixed"):
        run_nuts(LK2, PRIORS2, key=KEY, fixed={"H0": 70.0})
    with pytest.raises(ValueError, match="chain_batch_size=8 exceeds num_chains=4"):
        run_nuts(LK2, PRIORS2, key=KEY, chain_batch_size=8)
    with pytest.raises(ValueError, match="target_accept must be in"):
        run_nuts(LK2, PRIORS2, key=KEY, nuts=NutsSettings(target_accept=1.5))
    with pytest.raises(ValueError, match="dense_mass must be True or False; got 'yes'"):
        NutsSettings(dense_mass="yes")
    with pytest.raises(ValueError, match="fixed value w0='a' must be a finite number"):
        run_nuts(LK2, PRIORS2, key=KEY, fixed={"w0": "a"})
    with pytest.raises(ValueError, match="sequential' runs one chain at a time"):
        run_nuts(LK2, PRIORS2, key=KEY, chain_method="sequential", chain_batch_size=2)
    with pytest.raises(ValueError, match="likelihood must be a hicosmo_nb Likelihood"):
        run_nuts(lambda p: 0.0, PRIORS2, key=KEY)

"""Starting points (MAP + jitter, user values, the no-valid-start error), diagnostics advice,
progress settings."""

import arviz as az
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb.inference import ConvergenceWarning, Normal, Problem, Uniform, build_sampler, problems, run_nuts
from hicosmo_nb.inference.diagnostics import compute_diagnostics, warn_problems
from hicosmo_nb.inference.init import initial_positions
from hicosmo_nb.inference.progress import ChainProgress, progress_enabled
from hicosmo_nb.likelihoods.base import Likelihood

KEY = jax.random.PRNGKey(3)


def _gauss(p):
    return -0.5 * ((p["x"] - 1.0) / 0.5) ** 2 - 0.5 * ((p["y"] - 0.2) / 0.1) ** 2


GAUSS = Likelihood(jax.jit(_gauss), ("x", "y"), "gauss")


@pytest.fixture(scope="module")
def sampler():
    return build_sampler(Problem(GAUSS, {"x": Normal(0.0, 1.0), "y": Uniform(0.0, 1.0)}))


def test_map_is_the_constrained_posterior_mode_and_jitter_is_reproducible(sampler):
    priors = sampler.priors
    z0, info = initial_positions(sampler, priors, key=KEY, num_chains=3)
    # Gaussian likelihood N(1, 0.5) x prior N(0, 1): mode at (1/0.25) / (1/0.25 + 1) = 0.8
    assert info["start"]["x"] == pytest.approx(0.8, abs=1e-6)
    assert info["start"]["y"] == pytest.approx(0.2, abs=1e-6)  # flat prior: likelihood peak
    assert info["method"] == "map" and info["jitter_failed_chains"] == []
    assert z0.shape == (3, 2) and len({tuple(r) for r in z0}) == 3
    again, _ = initial_positions(sampler, priors, key=KEY, num_chains=5)
    np.testing.assert_array_equal(again[:3], z0)  # chain c's start does not depend on num_chains
    exact, info = initial_positions(sampler, priors, key=KEY, num_chains=2, init={"x": 0.1, "y": 0.9}, jitter=0.0)
    np.testing.assert_allclose(np.asarray(jax.vmap(sampler.constrain)(jnp.asarray(exact))["x"]), 0.1)
    per, info = initial_positions(sampler, priors, key=KEY, num_chains=2,
                                  init={"x": np.array([0.1, 0.2]), "y": np.array([0.3, 0.4])})
    assert info["method"] == "per-chain user values"
    np.testing.assert_allclose(np.asarray(jax.vmap(sampler.constrain)(jnp.asarray(per))["y"]), [0.3, 0.4])


def test_jitter_draws_are_per_chain_standard_normals_and_compile_nothing_new(caplog):
    from scipy import stats

    from hicosmo_nb.inference.init import _jitter_normals
    from hicosmo_nb.inference.kernel import chain_keys

    key = jax.random.fold_in(KEY, 11)
    chain_keys(key, 300)  # a run compiles its chain keys program anyway
    before = jax.config.jax_log_compiles
    try:
        jax.config.update("jax_log_compiles", True)
        with caplog.at_level("DEBUG", logger="jax"):
            eps = _jitter_normals(key, 300, 3)
    finally:
        jax.config.update("jax_log_compiles", before)
    assert not [r.getMessage() for r in caplog.records if "compil" in r.getMessage()]
    assert eps.shape == (300, 20, 3)
    assert stats.kstest(eps.ravel(), "norm").pvalue > 1e-3  # 18000 draws
    np.testing.assert_array_equal(_jitter_normals(key, 4, 3), eps[:4])  # chain c: key and c only
    assert not np.array_equal(eps[0], eps[1])


def test_importing_the_sampler_leaves_out_xarray_and_arviz():
    """xarray (which pulls in pandas) and ArviZ are imported where used: a run imports them in
    a background thread beside its MAP search (diagnostics.preload_stats), not before it."""
    import subprocess
    import sys

    code = ("import sys\nfrom hicosmo_nb import likelihoods\nfrom hicosmo_nb.inference import run_nuts\n"
            "print(sorted(m for m in ('xarray', 'pandas', 'arviz_base', 'arviz_stats', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_bad_init_values(sampler):
    priors = sampler.priors
    with pytest.raises(ValueError, match=r"init value y=2 lies outside the prior of y \(prior Uniform\(0, 1\) "
                                         r"with bounds \[0, 1\]\)"):
        initial_positions(sampler, priors, key=KEY, num_chains=2, init={"y": 2.0})
    with pytest.raises(ValueError, match=r"init gives value\(s\) for \['z'\], which are not free"):
        initial_positions(sampler, priors, key=KEY, num_chains=2, init={"z": 2.0})
    with pytest.raises(ValueError, match=r"init\['x'\] has shape \(3,\); expected \(2,\)"):
        initial_positions(sampler, priors, key=KEY, num_chains=2, init={"x": np.zeros(3), "y": np.ones(3) / 2})
    with pytest.raises(ValueError, match="init must be 'map', a dict of values, or None; got 'mle'"):
        initial_positions(sampler, priors, key=KEY, num_chains=2, init="mle")
    with pytest.raises(ValueError, match="init_jitter must be a finite number >= 0; got -1"):
        initial_positions(sampler, priors, key=KEY, num_chains=2, jitter=-1)


def test_no_valid_start_names_the_parameter_and_its_prior_bounds():
    def ll(p):  # zero likelihood for Omega_m >= 0.9 (e.g. an unphysical region)
        return jnp.where(p["Omega_m"] < 0.9, -0.5 * (p["Omega_m"] - 0.3) ** 2 - 0.5 * p["b"] ** 2, -jnp.inf)

    lk = Likelihood(jax.jit(ll), ("Omega_m", "b"), "cut")
    priors = {"Omega_m": Uniform(0.95, 1.5), "b": Normal(0.0, 1.0)}
    s = build_sampler(Problem(lk, priors))
    with pytest.raises(ValueError, match=r"no valid starting point.*the likelihood is finite at Omega_m=.*, "
                                         r"outside the prior of Omega_m \(prior Uniform\(0.95, 1.5\) with "
                                         r"bounds \[0.95, 1.5\]\): widen or move that prior"):
        initial_positions(s, priors, key=KEY, num_chains=2)
    with pytest.raises(ValueError, match="no valid starting point"):
        run_nuts(lk, priors, key=KEY, num_chains=2, num_warmup=10, num_samples=10)
    # when the parameters only fail jointly, the message lists every prior
    joint = Likelihood(jax.jit(lambda p: jnp.where(p["u"] + p["v"] > 50.0, 0.0, -jnp.inf)), ("u", "v"))
    pri = {"u": Uniform(0, 1), "v": Uniform(0, 1)}
    with pytest.raises(ValueError, match=r"u=.*outside the prior of u \(prior Uniform\(0, 1\)"):
        initial_positions(build_sampler(Problem(joint, pri)), pri, key=KEY, num_chains=1)


def _dt(x, diverging=None, energy=None):
    rng = np.random.default_rng(1)
    stats = {"energy": energy if energy is not None else rng.normal(size=x.shape),
             "diverging": diverging if diverging is not None else np.zeros(x.shape, bool)}
    return az.from_dict({"posterior": {"Omega_m": x}, "sample_stats": stats})


@pytest.mark.filterwarnings("ignore::hicosmo_nb.inference.ConvergenceWarning")
def test_diagnostic_advice_names_the_problem_parameters_and_fixes():
    rng = np.random.default_rng(0)
    good = rng.normal(size=(4, 1000))
    assert problems(compute_diagnostics(_dt(good))) == []
    shifted = good.copy()
    shifted[0] += 1.0
    msgs = problems(compute_diagnostics(_dt(shifted)))
    assert any(m.startswith("R-hat > 1.01 for Omega_m (") and "dense_mass=True" in m
               and "omega_m = Omega_m h^2" in m and "h*r_d" in m for m in msgs), msgs
    ar = np.zeros((4, 1000))
    for t in range(1, 1000):
        ar[:, t] = 0.995 * ar[:, t - 1] + rng.normal(size=4)
    msgs = problems(compute_diagnostics(_dt(ar)))
    assert any(m.startswith("effective sample size below 400 for Omega_m") for m in msgs), msgs
    div = np.zeros((4, 1000), bool)
    div[1, :7] = True
    msgs = problems(compute_diagnostics(_dt(good, diverging=div)))
    assert any(m.startswith("7 divergent transitions after warmup") and "target_accept" in m
               and "Worst-mixing parameters: Omega_m" in m for m in msgs), msgs
    walk = np.cumsum(rng.normal(size=(4, 1000)), axis=1)
    msgs = problems(compute_diagnostics(_dt(good, energy=walk)))
    assert any(m.startswith("E-BFMI below 0.3 in chain 0") for m in msgs), msgs
    with pytest.warns(ConvergenceWarning, match="R-hat > 1.01 for Omega_m"):
        warn_problems(compute_diagnostics(_dt(shifted)))


@pytest.mark.filterwarnings("ignore::hicosmo_nb.inference.ConvergenceWarning")
def test_short_run_warns_with_advice(sampler):
    with pytest.warns(ConvergenceWarning, match="effective sample size below 400"):
        run_nuts(sampler.problem, key=KEY, num_chains=2, num_warmup=20, num_samples=30,
                 chunk_size=30, progress=False)


def test_progress_settings(monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    assert progress_enabled(None) is False
    monkeypatch.delenv("CI")
    assert progress_enabled(None) is False  # under pytest
    assert progress_enabled(True) is True
    with pytest.raises(ValueError, match="progress must be True, False or None"):
        progress_enabled("yes")
    bar = ChainProgress(True, 2, total=10)
    bar.update(5, "warmup", np.array([0, 1]), np.array([0.5, 0.4]))
    bar.close()
    err = capsys.readouterr().err
    assert "chain 0" in err and "chain 1" in err and "div 1" in err


@pytest.mark.filterwarnings("ignore::hicosmo_nb.inference.ConvergenceWarning")
def test_advice_matches_the_settings_used(sampler):
    from hicosmo_nb.inference import NutsSettings

    short = dict(num_chains=2, num_warmup=20, num_samples=30, chunk_size=30, progress=False)
    with pytest.warns(ConvergenceWarning) as diag:
        run_nuts(sampler.problem, key=KEY, **short)
    assert any("use dense_mass=True" in str(w.message) for w in diag)
    with pytest.warns(ConvergenceWarning, match="effective sample size below 400") as dense:
        run_nuts(sampler.problem, key=KEY, nuts=NutsSettings(dense_mass=True), **short)
    assert not [str(w.message) for w in dense if "dense_mass" in str(w.message)]
    rng = np.random.default_rng(2)
    shifted = rng.normal(size=(4, 1000)) + np.arange(4)[:, None]
    msgs = warn_problems(compute_diagnostics(_dt(shifted, diverging=np.ones((4, 1000), bool))), dense_mass=True)
    assert msgs and not [m for m in msgs if "dense_mass" in m], msgs
    assert any("Raise target_accept (e.g. 0.95), use more num_warmup, reparametrize" in m for m in msgs)

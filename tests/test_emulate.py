"""hicosmo_nb.emulate: design, training with validation, box guard, and the surrogate posterior
against the exact one on DESI DR2 BAO + Union3 (w0waCDM)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb import data, likelihoods
from hicosmo_nb.emulate import (
    Box, TrainSettings, bao_sn_problem, build_emulator, latin_hypercube, simulate_design, train_surrogate,
)
from hicosmo_nb.inference import Uniform, run_nuts
from hicosmo_nb.keys import KeyManager

BOX = Box({"Omega_m": (0.25, 0.40), "w0": (-1.1, -0.3), "wa": (-2.2, 0.3)})


def test_latin_hypercube_one_point_per_stratum_and_reproducible():
    box = Box({"a": (0.0, 1.0), "b": (-2.0, 2.0), "c": (10.0, 11.0)})
    key = KeyManager(3).key("emulate/design")
    x = latin_hypercube(key, box, 50)
    u = (x - box.lower) / (box.upper - box.lower)
    for j in range(3):
        assert sorted(np.floor(u[:, j] * 50).astype(int)) == list(range(50))
    np.testing.assert_array_equal(x, latin_hypercube(KeyManager(3).key("emulate/design"), box, 50))


@pytest.mark.parametrize("bounds, match", [
    ({}, "non-empty"), ({"a": (1.0, 0.0)}, "lower < upper"), ({"a": (0.0, np.inf)}, "finite"),
    ({"a": 3.0}, "pair"),
])
def test_bad_box_is_named(bounds, match):
    with pytest.raises(ValueError, match=match):
        Box(bounds)


def test_bad_settings_and_design_are_named():
    with pytest.raises(ValueError, match="val_fraction"):
        TrainSettings(val_fraction=1.5).checked()
    with pytest.raises(ValueError, match="n >= 2"):
        latin_hypercube(KeyManager(0).key("d"), BOX, 1)
    with pytest.raises(ValueError, match=r"design must have shape \(n, 3\)"):
        simulate_design(lambda p: p["w0"], BOX, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        simulate_design(lambda p: jnp.log(p["w0"]) * jnp.ones(2), BOX, np.full((3, 3), -0.5))


def _analytic(p):
    a, b = p["a"], p["b"]
    return jnp.stack([jnp.sin(3 * a) * jnp.exp(b), a * b + b**3, jnp.cos(a - 2 * b)])


def test_surrogate_validation_error_below_bound_on_fresh_points():
    box = Box({"a": (-1.0, 1.0), "b": (-0.5, 0.5)})
    km = KeyManager(11)
    s = build_emulator(_analytic, box, n_design=300, keys=km,
                       settings=TrainSettings(hidden=(32, 32), max_steps=1500, baseline_degree=5))
    v = s.validation
    assert v.n_val == 60 and v.n_train == 240 and v.steps <= 1500
    assert v.rms.max() < 5e-3 and v.max_abs.max() < 5e-2  # outputs are O(1)
    # independent check on points the training never saw, drawn from another named key
    fresh = np.asarray(jax.random.uniform(km.key("fresh"), (200, 2), minval=box.lower, maxval=box.upper))
    truth = simulate_design(_analytic, box, fresh)
    err = np.asarray(s.predict(fresh)) - truth
    assert np.sqrt(np.mean(err**2, axis=0)).max() < 2 * v.rms.max() + 1e-3
    assert [r["name"] for r in s.keys["records"]] == ["emulate/design", "emulate/train"]


def test_surrogate_refuses_outside_its_box():
    box = Box({"a": (0.0, 1.0)})
    x = np.linspace(0.0, 1.0, 40)[:, None]
    s = train_surrogate(x, np.hstack([x, x**2]), box, key=KeyManager(0).key("t"),
                        settings=TrainSettings(hidden=(4,), max_steps=100, eval_every=50, baseline_degree=2))
    with pytest.raises(ValueError, match=r"outside its training box: \{'a': 1.5\}"):
        s({"a": 1.5})
    with pytest.raises(ValueError, match=r"missing from the dict"):
        s({"b": 0.5})
    lk = likelihoods.gaussian([0.5, 0.25], np.eye(2) * 0.01, s, param_names=("a",), physical=s.inside)
    assert np.isfinite(float(lk({"a": 0.5})))
    assert float(lk({"a": 1.5})) == -np.inf
    assert np.isfinite(float(jax.grad(lambda a: lk({"a": a}))(1.5)))


@pytest.fixture(scope="module")
def desi_union3():
    bao = likelihoods.bao_likelihood(data.load_desi_bao("dr2"), rd="free")
    sn = likelihoods.sn_likelihood(data.load_union3(), marginalize_M=False)
    prob = bao_sn_problem(bao, sn, BOX)
    s = build_emulator(prob.simulator, BOX, n_design=300, keys=KeyManager(1),
                       settings=TrainSettings(baseline_degree=6, max_steps=600))
    return prob, s


def test_problem_rejects_wrong_likelihoods(desi_union3):
    prob, s = desi_union3
    sn_marg = likelihoods.sn_likelihood(data.load_union3())
    bao = likelihoods.bao_likelihood(data.load_desi_bao("dr2"), rd="free")
    with pytest.raises(ValueError, match="marginalize_M=False"):
        bao_sn_problem(bao, sn_marg, BOX)
    with pytest.raises(ValueError, match="rd='free'"):
        bao_sn_problem(likelihoods.get("cc"), sn_marg, BOX)
    with pytest.raises(ValueError, match="was not trained on this problem"):
        x = np.linspace(0.0, 1.0, 20)[:, None]
        prob.surrogate_likelihood(train_surrogate(
            x, np.hstack([x, x]), Box({"a": (0, 1)}), key=KeyManager(0).key("t"),
            settings=TrainSettings(hidden=(2,), max_steps=10, eval_every=10, baseline_degree=1)))


def test_surrogate_posterior_matches_exact_desi_dr2_union3(desi_union3):
    """NUTS on the surrogate; the exact posterior's moments from the same draws by importance
    weights exp(lnL_exact - lnL_surrogate) (no Monte Carlo noise between the two)."""
    prob, s = desi_union3
    bao_sigma = np.sqrt(np.diag(prob.exact.components[0].cov)) / np.asarray(prob.exact.components[0].data)
    assert s.validation.max_abs[:13].max() < 0.05 * bao_sigma.min()  # log(D h) errors << BAO errors
    lk = prob.surrogate_likelihood(s)
    priors = {**{n: Uniform(*b) for n, b in BOX.bounds.items()}, "hrd": Uniform(90.0, 115.0),
              "dM": Uniform(-1.0, 1.0)}
    res = run_nuts(lk, priors, key=KeyManager(1).key("nuts"), num_chains=2, num_warmup=200,
                   num_samples=300, progress=False, warn=False)
    flat = {k: jnp.asarray(v).ravel() for k, v in res.samples.items()}
    log_w = np.asarray(jax.jit(jax.vmap(lambda p: prob.exact(p) - lk(p)))(flat))
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    assert 1.0 / np.sum(w**2) > 0.9 * w.size  # the two posteriors overlap almost perfectly
    for name, v in flat.items():
        v = np.asarray(v)
        mean, sd = np.sum(w * v), np.sqrt(np.sum(w * (v - np.sum(w * v)) ** 2))
        assert abs(v.mean() - mean) < 0.1 * sd, name
        assert abs(v.std() / sd - 1.0) < 0.1, name
    # and the surrogate sampled the real DESI + Union3 w0waCDM posterior (w0 > -1 at ~3 sigma)
    assert -0.8 < float(np.mean(flat["w0"])) < -0.55 and 0.30 < float(np.mean(flat["Omega_m"])) < 0.36

"""DESI DR2 BAO + BBN, flat LCDM, against DESI DR2 Results II (arXiv:2503.14738) Table V:
Omega_m = 0.2977 +- 0.0086, H0 = 68.51 +- 0.58 km/s/Mpc; reproduced within 0.2 sigma by NUTS
and by maximum likelihood + Laplace."""

import jax
import numpy as np
import pytest

from hicosmo_nb import fast_mode, likelihoods
from hicosmo_nb.inference import Uniform, run_nuts
from hicosmo_nb.likelihoods._fit import laplace_fit

PUBLISHED = {"Omega_m": (0.2977, 0.0086), "H0": (68.51, 0.58)}
FAST = fast_mode()


@pytest.fixture(scope="module")
def lk():
    return likelihoods.get("desi_dr2_bao") + likelihoods.get("bbn")


def test_max_likelihood_and_laplace_match_published(lk):
    assert lk.param_names == ("H0", "Omega_m", "Omega_b")
    res = laplace_fit(lk, {"H0": 68.5, "Omega_m": 0.30, "Omega_b": 0.047}, hessian="fd")
    for name, (mean, sigma) in PUBLISHED.items():
        assert abs(res["best"][name] - mean) < 0.2 * sigma, (name, res["best"][name])
        assert res["sigma"][name] == pytest.approx(sigma, rel=0.10), name


def test_nuts_matches_published(lk):
    priors = {"H0": Uniform(50.0, 90.0), "Omega_m": Uniform(0.1, 0.6), "Omega_b": Uniform(0.02, 0.08)}
    chains, warmup, draws = (2, 300, 500) if FAST else (4, 500, 1000)
    res = run_nuts(lk, priors, key=jax.random.PRNGKey(14), num_chains=chains, num_warmup=warmup,
                   num_samples=draws, progress=False)
    for name, (mean, sigma) in PUBLISHED.items():
        x = np.asarray(res.samples[name]).ravel()
        assert abs(np.mean(x) - mean) < 0.2 * sigma, (name, np.mean(x))
        assert np.std(x) == pytest.approx(sigma, rel=0.15), name

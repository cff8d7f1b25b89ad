"""Real data: the Fisher forecast of DESI DR2 BAO (flat LCDM, r_d free) against NUTS.

DESI DR2 Results II (arXiv:2503.14738) Table V, BAO alone: Omega_m = 0.2975 +- 0.0086,
h r_d = 101.54 +- 0.73 Mpc, correlation -0.92.
"""

import jax
import numpy as np
import pytest

from hicosmo_nb import likelihoods
from hicosmo_nb.fisher import fisher_expected, fisher_observed
from hicosmo_nb.inference import Uniform, run_nuts
from hicosmo_nb.likelihoods._fit import laplace_fit

NAMES = ("Omega_m", "hrd")


@pytest.fixture(scope="module")
def desi():
    lk = likelihoods.get("desi_dr2_bao", rd="free")
    # the library's maximizer (L-BFGS-B; on jax 0.7's numerics scipy's own BFGS stops on
    # round-off at the optimum and reports failure, so success is judged by the Newton decrement)
    best = laplace_fit(lk, {"Omega_m": 0.3, "hrd": 100.0}, hessian="fd")
    assert best["success"], best["message"]
    return lk, {k: float(best["best"][k]) for k in NAMES}


@pytest.fixture(scope="module")
def nuts(desi):
    lk, _ = desi
    priors = {"Omega_m": Uniform(0.1, 0.6), "hrd": Uniform(60.0, 150.0)}
    res = run_nuts(lk, priors, key=jax.random.PRNGKey(2025), num_chains=4, num_warmup=400,
                   num_samples=1000, progress=False)
    return {k: np.asarray(v).ravel() for k, v in res.samples.items()}


def test_best_fit_matches_published(desi):
    _, best = desi
    assert best["Omega_m"] == pytest.approx(0.2975, abs=0.002)
    assert best["hrd"] == pytest.approx(101.54, abs=0.2)


@pytest.mark.parametrize("kind", ["observed", "expected"])
def test_fisher_errors_within_10_percent_of_nuts(desi, nuts, kind):
    lk, best = desi
    F = (fisher_observed if kind == "observed" else fisher_expected)(lk, best)
    err = F.marginalized_errors()
    for name in NAMES:
        assert err[name] == pytest.approx(np.std(nuts[name]), rel=0.10), name
    nuts_corr = np.corrcoef(nuts["Omega_m"], nuts["hrd"])[0, 1]
    assert F.correlation()[0, 1] == pytest.approx(nuts_corr, abs=0.03)
    # and the published numbers
    assert err["Omega_m"] == pytest.approx(0.0086, rel=0.10)
    assert err["hrd"] == pytest.approx(0.73, rel=0.10)
    assert F.correlation()[0, 1] == pytest.approx(-0.92, abs=0.03)


def test_nuts_posterior_matches_published(nuts):
    assert np.mean(nuts["Omega_m"]) == pytest.approx(0.2975, abs=0.002)
    assert np.std(nuts["Omega_m"]) == pytest.approx(0.0086, rel=0.10)
    assert np.std(nuts["hrd"]) == pytest.approx(0.73, rel=0.10)

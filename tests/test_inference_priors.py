"""Priors: validation errors, densities against scipy.stats, transforms, default priors."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from hicosmo_nb.inference.priors import (
    Normal,
    TruncatedNormal,
    Uniform,
    build_transform,
    check_priors,
    default_priors,
    model_priors,
)
from hicosmo_nb.parameters import PARAMETERS


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Uniform(1.0, 1.0), "lower < upper"),
        (lambda: Uniform(0.0, math.inf), "must be finite"),
        (lambda: Uniform("a", 1.0), "must be a number"),
        (lambda: Normal(0.0, 0.0), "sigma > 0"),
        (lambda: TruncatedNormal(0.0, -1.0, 0.0, 1.0), "sigma > 0"),
        (lambda: TruncatedNormal(0.0, 1.0, 2.0, 1.0), "lower < upper"),
        (lambda: TruncatedNormal(0.0, 1.0), "at least one finite bound"),
    ],
)
def test_bad_priors_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_default_priors_use_registry_ranges_and_reject_unknown_names():
    pri = default_priors(["H0", "Omega_m", "hrd"])
    for name, p in pri.items():
        assert p.bounds == (PARAMETERS[name].lower, PARAMETERS[name].upper)
    with pytest.raises(ValueError, match=r"unknown parameter 'hrdd' \(did you mean 'hrd'\?\); valid: H0"):
        default_priors(["hrdd"])
    assert list(model_priors("w0waCDM")) == ["H0", "Omega_m", "w0", "wa"]
    with pytest.raises(ValueError, match="did you mean 'wCDM'"):
        model_priors("wCMD")


def test_check_priors_errors():
    with pytest.raises(ValueError, match="expected Uniform"):
        check_priors({"x": (0, 1)})
    with pytest.raises(ValueError, match=r"no prior given for parameter\(s\) \['y'\]"):
        check_priors({"x": Uniform(0, 1)}, ["x", "y"])
    with pytest.raises(ValueError, match="non-empty dict"):
        check_priors({})


def test_labels():
    assert Uniform(0.1, 0.5).latex("Omega_m") == r"$\Omega_m$"
    assert Uniform(0.1, 0.5, label=r"\Omega_{\rm m}").latex("Omega_m") == r"$\Omega_{\rm m}$"
    assert Normal(0, 1).latex("my_param") == "my_param"
    assert str(TruncatedNormal(0.06, 0.1, lower=0.0)) == "TruncatedNormal(0.06, 0.1, lower=0, upper=inf)"


def _numeric_log_jac(constrain, name, u):
    h = 1e-6
    up = float(constrain(jnp.array([u + h]))[name])
    dn = float(constrain(jnp.array([u - h]))[name])
    return math.log(abs(up - dn) / (2 * h))


@pytest.mark.parametrize(
    "prior, ref",
    [
        (Uniform(0.1, 0.5), stats.uniform(0.1, 0.4)),
        (Normal(67.0, 2.0), stats.norm(67.0, 2.0)),
        (TruncatedNormal(0.3, 0.1, 0.0, 1.0), stats.truncnorm(-3.0, 7.0, loc=0.3, scale=0.1)),
        (TruncatedNormal(0.06, 0.2, lower=0.0), stats.truncnorm(-0.3, np.inf, loc=0.06, scale=0.2)),
    ],
)
def test_log_prior_is_scipy_density_plus_jacobian(prior, ref):
    """log p(u) = log p_scipy(x(u)) + log|dx/du|, with the Jacobian checked by finite differences."""
    constrain, log_prior, unconstrain, log_jac = build_transform(("p",), {"p": prior})
    for u in (-1.3, 0.0, 0.7):
        x = float(constrain(jnp.array([u]))["p"])
        lo, hi = prior.bounds
        assert lo < x < hi
        expected = ref.logpdf(x) + _numeric_log_jac(constrain, "p", u)
        assert float(log_prior(jnp.array([u]))) == pytest.approx(expected, abs=1e-6)
        assert float(unconstrain({"p": x})[0]) == pytest.approx(u, abs=1e-9)
        assert float(log_jac(jnp.array([u]))) == pytest.approx(_numeric_log_jac(constrain, "p", u), abs=1e-6)


def test_transform_is_jit_and_grad_safe():
    constrain, log_prior, _, _ = build_transform(("a", "b"), {"a": Uniform(0, 1), "b": Normal(0, 1)})
    g = jax.jit(jax.grad(log_prior))(jnp.array([50.0, -3.0]))  # far in the sigmoid tail
    assert np.all(np.isfinite(np.asarray(g)))

"""Bad parameter names and non-scalar parameters: did-you-mean across case, named shape errors."""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb.fisher import BAOSurvey, FisherMatrix, SNSurvey
from hicosmo_nb.likelihoods.gaussian import gaussian
from hicosmo_nb.parameters import MODELS, PARAMETERS, as_names, check_scalar_params, closest, unknown_name_error

X = jnp.array([0.0, 1.0, 2.0])
LINE = gaussian([1.0, 3.0, 5.0], jnp.eye(3) * 0.1, lambda p: p["a"] * X + p["b"],
                param_names=("a", "b"), name="line")


@pytest.mark.parametrize("typed, meant", [
    ("Omega_M", "Omega_m"), ("Omegam", "Omega_m"), ("OmegaM", "Omega_m"), ("OMEGA_M", "Omega_m"),
    ("Om", "Omega_m"), ("Ob", "Omega_b"), ("Ok", "Omega_k"), ("h0", "H0"), ("mnu", "m_nu"),
    ("Neff", "N_eff"), ("omega_M", "omega_m"), ("hrdd", "hrd"), ("W0", "w0"),
])
def test_closest_prefers_the_same_quantity(typed, meant):
    assert closest(typed, PARAMETERS) == meant


def test_case_variant_that_is_another_parameter_is_named():
    msg = (r"unknown parameter 'Omega_M' \(did you mean 'Omega_m'\? 'omega_m' \(physical matter "
           r"density\) is a different parameter\); valid: H0, ")
    with pytest.raises(ValueError, match=msg):
        raise unknown_name_error("parameter", ["Omega_M"], PARAMETERS)
    # without omega_m among the valid names there is nothing to warn about
    assert str(unknown_name_error("parameter", ["Om"], ["H0", "Omega_m"])) == (
        "unknown parameter 'Om' (did you mean 'Omega_m'?); valid: H0, Omega_m")
    assert closest("LCMD", MODELS) == "LCDM"


def test_names_as_one_string_or_sequence():
    assert as_names("H0", "params") == ("H0",)
    with pytest.raises(ValueError, match=r"params must be parameter names \(str\), got 3 in \['H0', 3\]"):
        as_names(["H0", 3], "params")
    with pytest.raises(ValueError, match="params must be a parameter name or a sequence of names, got int"):
        as_names(3, "params")
    lk = gaussian([1.0], [[1.0]], lambda p: jnp.reshape(p["H0"], (1,)), param_names="H0")
    assert lk.param_names == ("H0",)


@pytest.mark.parametrize("value, shape", [([2.0, 1.0], "(2,)"), (np.ones(2), "(2,)"),
                                          (jnp.ones((1,)), "(1,)"), ([2.0], "(1,)")])
def test_gaussian_parameter_must_be_scalar(value, shape):
    with pytest.raises(ValueError, match=rf"likelihood 'line': parameter 'a' must be a scalar, got "
                                         rf"shape {re.escape(shape)}; to evaluate several points use jax.vmap"):
        LINE({"a": value, "b": 1.0})


def test_scalar_check_keeps_jit_vmap_grad():
    ll = LINE({"a": 2.0, "b": 1.0})
    batch = jax.vmap(LINE)({"a": jnp.array([2.0, 1.0]), "b": jnp.array([1.0, 1.0])})
    assert float(batch[0]) == pytest.approx(float(ll))
    # independent reference: the normalized Gaussian by hand
    r = np.array([1.0, 3.0, 5.0]) - (1.0 * np.array([0.0, 1.0, 2.0]) + 1.0)
    ref = -0.5 * (r @ r / 0.1 + 3 * np.log(2 * np.pi * 0.1))
    assert float(batch[1]) == pytest.approx(ref, rel=1e-12)
    g = jax.grad(LINE)({"a": 2.0, "b": 1.0})
    assert float(g["a"]) == pytest.approx(0.0, abs=1e-9)


def test_theory_length_mismatch_named():
    lk = gaussian([1.0, 3.0, 5.0], jnp.eye(3), lambda p: jnp.reshape(p["a"], (1,)), param_names="a",
                  name="short")
    with pytest.raises(ValueError, match=r"likelihood 'short': theory\(params\) returned shape \(1,\) "
                                         r"but data has 3 entries \(shape \(3,\)\); they must match"):
        lk({"a": 1.0})


def test_survey_lengths_named():
    with pytest.raises(ValueError, match=r"sigma_int has shape \(1,\) but z has 3 bins: give one "
                                         r"value, or exactly 3 \(one per bin\)"):
        SNSurvey([0.1, 0.5, 0.9], [100, 200, 300], sigma_int=[0.1])
    with pytest.raises(ValueError, match=r"n \(SNe per bin\) has shape \(1,\) but z has 2 bins"):
        SNSurvey([0.1, 0.5], [100])
    with pytest.raises(ValueError, match=r"frac_DM has shape \(1,\) but z has 2 bins"):
        BAOSurvey([0.5, 1.0], [0.01], [0.02, 0.02])
    with pytest.raises(ValueError, match=r"corr has shape \(3,\) but z has 2 bins"):
        BAOSurvey([0.5, 1.0], [0.01, 0.01], [0.02, 0.02], corr=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"sigma_sys must be a number or 2 numbers, got 'x'"):
        SNSurvey([0.1, 0.5], [100, 200], sigma_sys="x")
    assert BAOSurvey([0.5, 1.0], [0.01, 0.01], [0.02, 0.02], corr=-0.4).corr.tolist() == [-0.4, -0.4]


def test_survey_likelihood_parameter_must_be_scalar():
    lk = SNSurvey([0.1, 0.5], [100, 200]).likelihood({"H0": 70.0, "Omega_m": 0.3, "M": -19.3})
    with pytest.raises(ValueError, match=r"likelihood 'SN survey': parameter 'H0' must be a scalar, "
                                         r"got shape \(2,\)"):
        lk({"H0": [70.0, 71.0], "Omega_m": 0.3, "M": -19.3})


def test_fisher_fiducial_must_be_scalar():
    with pytest.raises(ValueError, match=r"FisherMatrix fiducial: parameter 'a' must be a scalar, "
                                         r"got shape \(2,\)"):
        FisherMatrix([[1.0]], ["a"], {"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"parameter 'x' must be a scalar, got shape \(2, 1\)"):
        check_scalar_params({"x": np.zeros((2, 1)), "y": 1.0}, ["x", "y", "z"], "here")


@pytest.mark.parametrize("value, fast", [("1", True), ("true", True), (" ON ", True), ("", False),
                                         ("0", False), ("no", False)])
def test_fast_mode_reads_the_variable(monkeypatch, value, fast):
    from hicosmo_nb import fast_mode

    monkeypatch.setenv("HICOSMO_NB_FAST", value)
    assert fast_mode() is fast


def test_fast_mode_refuses_what_it_does_not_understand(monkeypatch):
    from hicosmo_nb import fast_mode

    monkeypatch.setenv("HICOSMO_NB_FAST", "maybe")
    with pytest.raises(ValueError, match=r"HICOSMO_NB_FAST='maybe' is not understood; use 1/true"):
        fast_mode()
    monkeypatch.delenv("HICOSMO_NB_FAST")
    assert fast_mode() is False


# ---------------------------------------------------------------- other names of one quantity (issue 21)
def test_fixed_h_is_translated_to_H0_and_used():
    from hicosmo_nb.facade import build_problem

    pb = build_problem("LCDM", ["cc"], free=["Omega_m"], fixed={"h": 0.7})
    assert dict(pb.fixed) == {"H0": 70.0} and pb.spec.fixed == {"H0": 70.0}
    at = {**pb.fixed, "Omega_m": 0.3}
    assert float(pb.likelihood(at)) == float(pb.likelihood({"H0": 70.0, "Omega_m": 0.3}))
    assert float(pb.likelihood(at)) != float(pb.likelihood({"H0": 67.36, "Omega_m": 0.3}))


def test_two_names_of_one_quantity_that_disagree():
    from hicosmo_nb.facade import build_problem

    with pytest.raises(ValueError, match=r"fixed: H0=70 and h=0.6 name one quantity \(H0 = 100 h\) "
                                         r"and disagree; give only 'H0'"):
        build_problem("LCDM", ["cc"], free=["Omega_m"], fixed={"H0": 70, "h": 0.6})
    assert dict(build_problem("LCDM", ["cc"], free=["Omega_m"], fixed={"H0": 70, "h": 0.7}).fixed) == {"H0": 70.0}


def test_other_names_refused_where_they_cannot_be_translated():
    from hicosmo_nb import cosmology
    from hicosmo_nb.facade import build_problem
    from hicosmo_nb.inference import Problem, Uniform

    with pytest.raises(ValueError, match=r"free: 'h' is another name of 'H0' \(H0 = 100 h\), which is "
                                         r"what is read; use 'H0'"):
        build_problem("LCDM", ["cc"], free=["h", "Omega_m"])
    with pytest.raises(ValueError, match=r"priors: 'h' is another name of 'H0'"):
        build_problem("LCDM", ["cc"], priors={"h": Uniform(0.5, 0.9)})
    with pytest.raises(ValueError, match=r"fixed: 'Om' is another name of 'Omega_m' \('Om' is a common "
                                         r"spelling of 'Omega_m'\), which is what is read; use 'Omega_m'"):
        build_problem("LCDM", ["cc"], free=["H0"], fixed={"Om": 0.3})
    lk = build_problem("LCDM", ["cc"]).likelihood
    with pytest.raises(ValueError, match=r"likelihood 'cc': 'h' is another name of 'H0'"):
        lk({"h": 0.7, "Omega_m": 0.3})  # H0 took its default before
    with pytest.raises(ValueError, match=r"fixed value\(s\) for \['omega_m'\] are not read by likelihood "
                                         r"'cc', so they would be ignored"):
        Problem(lk, {"H0": Uniform(50, 90)}, fixed={"Omega_m": 0.3, "omega_m": 0.14})
    with pytest.raises(ValueError, match=r"cosmology parameters: 'h' is another name of 'H0'"):
        cosmology.H({"h": 0.7, "H0": 70.0, "Omega_m": 0.3}, 1.0)


def test_random_sweep_other_names_and_conflicts_never_dropped(monkeypatch):
    """Random dicts of names (canonical, other names, case variants, conflicting pairs) in
    fixed/free/priors: either an error, or every value given is the value used."""
    from hicosmo_nb.facade import build_problem
    from hicosmo_nb.inference import Uniform, spec

    monkeypatch.setattr(spec, "warn_unconstrained", lambda problem: [])  # names only: skip the Fisher look

    rng = np.random.default_rng(21)
    names = ["H0", "h", "Omega_m", "Om", "om0", "Omega_b", "Ob", "Ok", "w", "mnu", "neff", "tcmb",
             "hubble", "omega_m", "omega_b", "M", "hrd", "rd", "OMEGA_M"]
    value = {"H0": 70.0, "h": 0.7, "hubble": 70.0}
    outcomes = {"error": 0, "ok": 0}
    for _ in range(120):
        picks = list(rng.choice(names, size=rng.integers(1, 4), replace=False))
        fixed, free, priors = {}, ["Omega_m"], {}
        for n in picks:
            where = rng.choice(["fixed", "free", "priors"])
            v = value.get(n, 0.3) * (1.0 if rng.random() < 0.5 else 0.9)  # sometimes disagreeing
            if where == "fixed":
                fixed[n] = v
            else:
                free.append(n)
                if where == "priors":
                    priors[n] = Uniform(0.5 * v, 2.0 * v)
        free = [n for n in dict.fromkeys(free) if n not in fixed]
        try:
            pb = build_problem("LCDM", ["cc"], free=free, fixed=fixed, priors=priors)
        except ValueError:
            outcomes["error"] += 1
            continue
        outcomes["ok"] += 1
        outcomes["h translated"] = outcomes.get("h translated", 0) + ("h" in fixed)
        for n, v in fixed.items():
            target, factor = ("H0", 100.0) if n == "h" else (n, 1.0)
            assert pb.fixed[target] == pytest.approx(factor * v, rel=1e-12), (fixed, dict(pb.fixed))
            assert pb.spec.fixed[target] == pytest.approx(factor * v, rel=1e-12)
        assert set(free) <= set(pb.free) and all(pb.priors[n] == p for n, p in priors.items())
        assert not set(pb.fixed) & set(pb.free)
        assert set(pb.fixed) | set(pb.free) <= set(pb.likelihood.reads)
    assert outcomes["error"] > 20 and outcomes["ok"] >= 5 and outcomes.get("h translated"), outcomes

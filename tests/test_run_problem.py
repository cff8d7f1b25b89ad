"""Problem and ProblemSpec: validated once, typed contracts (optional parameters, fingerprints),
repeated datasets, datasets as a dict, unread free parameters, and the callable facade."""

import json
import warnings

import jax
import numpy as np
import pytest

import hicosmo_nb as hc
from hicosmo_nb import likelihoods
from hicosmo_nb.inference import Normal, NutsSettings, Problem, ProblemSpec, Uniform, build_problem, sampler_for
from hicosmo_nb.inference.settings import Fingerprint
from hicosmo_nb.keys import fold_in, name_hash
from hicosmo_nb.likelihoods.base import Likelihood, combine


def toy(name="toy"):
    return Likelihood(lambda p: -0.5 * (p["x"] - p["y"]) ** 2, ("x", "y"), name)


def test_problem_validates_once_and_keeps_its_samplers():
    pb = Problem(toy(), {"x": Normal(0.0, 1.0)}, fixed={"y": 0.5})
    assert pb.free == ("x",) and dict(pb.fixed) == {"y": 0.5}
    with pytest.raises(TypeError):
        pb.priors["z"] = Normal(0.0, 1.0)  # read-only
    with pytest.raises(AttributeError):
        pb.fixed = {}
    assert sampler_for(pb, 100) is sampler_for(pb, 100, NutsSettings()) and sampler_for(pb, 100).problem is pb
    with pytest.raises(ValueError, match=r"needs parameter\(s\) \['y'\] that are neither free"):
        Problem(toy(), {"x": Normal(0.0, 1.0)})
    with pytest.raises(ValueError, match=r"\['y'\] are both free \(in priors\) and fixed"):
        Problem(toy(), {"x": Normal(0.0, 1.0), "y": Normal(0.0, 1.0)}, fixed={"y": 1.0})
    with pytest.raises(ValueError, match="fixed value y='a' must be a finite number"):
        Problem(toy(), {"x": Normal(0.0, 1.0)}, fixed={"y": "a"})
    with pytest.raises(ValueError, match="likelihood must be a hicosmo_nb Likelihood; got function"):
        Problem(lambda p: 0.0)
    with pytest.raises(ValueError, match="nuts must be a NutsSettings; got dict"):
        sampler_for(pb, 100, {"dense_mass": True})


def test_custom_problem_warns_about_free_parameters_nobody_reads():
    with pytest.warns(UserWarning, match=r"free parameter\(s\) \['z'\] are never read by likelihood 'toy' "
                                         r"\(it reads x, y\): they are sampled from their prior alone"):
        Problem(toy(), {"x": Normal(0.0, 1.0), "y": Normal(0.0, 1.0), "z": Uniform(0.0, 1.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Problem(toy(), {"x": Normal(0.0, 1.0), "y": Normal(0.0, 1.0)})  # nothing unread: no warning


def test_optional_params_are_a_field_and_combine_merges_them():
    cc, bao = likelihoods.get("cc"), likelihoods.get("desi_dr2_bao", rd="free")
    assert "w0" in cc.optional_params and "optional_params" not in cc.metadata
    both = cc + bao
    merged = (set(cc.optional_params) | set(bao.optional_params)) - set(both.param_names)
    assert set(both.optional_params) == merged
    assert both.reads[:len(both.param_names)] == both.param_names


def test_repeated_datasets_are_an_error_unless_intended():
    with pytest.raises(ValueError, match=r"likelihood 'cc' appears twice in combine\(\): its chi\^2 would "
                                         r"count twice.*allow_repeats=True"):
        likelihoods.get("cc") + likelihoods.get("cc")
    with pytest.raises(ValueError, match="likelihood 'cc' appears twice"):
        build_problem("LCDM", ["cc", "cc"])
    a = toy("a")
    with pytest.raises(ValueError, match="likelihood 'a' appears twice"):
        combine(a, a)
    doubled = combine(a, a, allow_repeats=True)
    p = {"x": 1.0, "y": 0.0}
    assert float(doubled(p)) == pytest.approx(2 * float(a(p)))
    assert combine(toy(), toy()).name == "toy + toy"  # two different custom likelihoods are fine


def test_datasets_as_a_dict_carry_their_options():
    pb = build_problem("LCDM", {"desi_dr2_bao": {"rd": "free"}, "cc": {}})
    assert pb.free == ("H0", "Omega_m", "hrd") and pb.spec.options == {"desi_dr2_bao": {"rd": "free"}}
    with pytest.raises(ValueError, match=r"datasets as a dict maps each name to its options dict; got "
                                         r"'cc': 'free'. Accepted: 'cc', \['cc', 'sh0es'\]"):
        build_problem("LCDM", {"cc": "free"})
    with pytest.raises(ValueError, match="options for 'desi_dr2_bao' given twice"):
        build_problem("LCDM", {"desi_dr2_bao": {"rd": "free"}}, options={"desi_dr2_bao": {"rd": "free"}})


def test_spec_round_trips_through_json_and_rebuilds_the_same_problem():
    pb = build_problem("wCDM", ["desi_dr2_bao", "cc"], priors={"w0": Uniform(-2.0, 0.0)}, fixed={"Omega_b": 0.05})
    text = json.dumps(pb.spec.to_json())
    again = ProblemSpec.from_json(json.loads(text)).build()
    assert again.free == pb.free and dict(again.fixed) == dict(pb.fixed)
    assert dict(again.priors) == dict(pb.priors) and again.spec == pb.spec
    point = {"H0": 68.0, "Omega_m": 0.31, "w0": -0.9, **pb.fixed}
    assert float(again.likelihood(point)) == float(pb.likelihood(point))
    with pytest.raises(ValueError, match="prior type 'Beta' is not one of Uniform, Normal, TruncatedNormal"):
        ProblemSpec.from_json({**json.loads(text), "priors": {"H0": {"type": "Beta"}}})
    assert Problem(toy(), {"x": Normal(0.0, 1.0)}, {"y": 0.0}).spec is None  # custom: no recipe


def test_fingerprint_is_typed_and_keys_are_words_not_hex():
    pb = Problem(toy(), {"x": Normal(0.0, 1.0)}, {"y": 0.0})
    fp = Fingerprint.of(pb, jax.random.PRNGKey(7), num_chains=2, num_warmup=10, num_samples=20,
                        nuts=NutsSettings(), init="map", init_jitter=0.5)
    assert fp.key == (0, 7) and Fingerprint.from_json(json.loads(json.dumps(fp.to_json()))) == fp
    other = Fingerprint.of(Problem(toy(), {"x": Normal(0.0, 2.0)}, {"y": 0.0}), jax.random.PRNGKey(7),
                           num_chains=2, num_warmup=10, num_samples=30, nuts=NutsSettings(), init="map",
                           init_jitter=0.5)
    diff = fp.diff(other)
    assert diff[0].startswith("priors: checkpoint has {'x': 'Normal(") and diff[1].startswith("num_samples")
    assert fp.diff(other, ignore=("problem", "num_samples")) == []
    with pytest.raises(ValueError, match="not in this version's format"):
        Fingerprint.from_json({"key": "00000000 00000007"})


def test_fold_in_by_name_lives_in_keys():
    key = jax.random.PRNGKey(3)
    assert np.array_equal(fold_in(key, "nuts/init"), jax.random.fold_in(key, name_hash("nuts/init")))


def test_the_package_fit_is_the_facade_function():
    from hicosmo_nb.facade import build_problem as bp
    from hicosmo_nb.facade import fit

    assert hc.fit is fit and bp is build_problem
    with pytest.raises(ValueError, match=r"unknown model 'LCMD' \(did you mean 'LCDM'\?\)"):
        hc.fit("LCMD", "cc")  # the call reaches fit()


def _traced_likelihood():
    """A 3-parameter likelihood that counts how often JAX traces it (once per compiled program)."""
    traces = []

    def loglike(p):
        traces.append(1)
        return -0.5 * (((p["a"] - 0.3) / 0.05) ** 2 + ((p["b"] - 1.0) / 0.4) ** 2
                       + ((p["c"] * p["a"] - p["y"]) / 0.05) ** 2)

    return Likelihood(loglike, ("a", "b", "c", "y"), "traced"), traces


def test_problem_terms_are_the_potential_and_its_autodiff_gradient():
    """Problem.terms at u (ln L, x(u), dx/du and the prior terms), composed on the host by the
    sampler, equal the sampler's potential and jax.grad of it (one fused autodiff); the problem's
    value-only Problem.loglike_x takes any x, prior support or not."""
    from hicosmo_nb.inference import TruncatedNormal

    lk, _ = _traced_likelihood()
    pb = Problem(lk, {"a": Uniform(0.1, 0.9), "b": Normal(1.0, 2.0), "c": TruncatedNormal(0.5, 1.0, lower=0.0)},
                 fixed={"y": 0.2})
    s = sampler_for(pb, 100)
    for u in (np.array([0.3, -0.7, 0.2]), np.array([-2.0, 1.5, -1.0])):
        v, g = s.value_and_grad(u)
        want_v, want_g = jax.value_and_grad(s.potential)(jax.numpy.asarray(u))
        np.testing.assert_allclose(v, float(want_v), rtol=1e-13)
        np.testing.assert_allclose(g, np.asarray(want_g), rtol=1e-11, atol=1e-13)
        x = np.asarray(pb.terms(u).x)
        vm, gm = s.value_and_grad(u, map_objective=True)  # -(ln L + ln pi(x)): no Jacobian of x(u)
        log_px = sum(float(pb.priors[n].distribution().log_prob(x[i])) for i, n in enumerate(pb.free))
        np.testing.assert_allclose(vm, -(float(lk.loglike({"a": x[0], "b": x[1], "c": x[2], "y": 0.2})) + log_px),
                                   rtol=1e-13)
        assert gm.shape == (3,) and np.all(np.isfinite(gm))
    outside = np.array([1.2, -3.0, -0.5])  # a and c outside their priors' supports
    np.testing.assert_allclose(float(pb.loglike_x(outside)),
                               float(lk.loglike({"a": 1.2, "b": -3.0, "c": -0.5, "y": 0.2})), rtol=1e-14)
    with pytest.raises(ValueError, match=r"u has shape \(2,\); expected \(3,\), one value per free "
                                         r"parameter \['a', 'b', 'c'\]"):
        pb.terms([0.1, 0.2])


def test_each_compiled_program_of_a_problem_is_compiled_once():
    """The facade's check for unconstrained parameters compiles the problem's value-only program
    (once for its 7 evaluations; its screen passes these well-constrained parameters, so no leaf
    is looked at again); the MAP search and the chains' initial states share one program of the
    value and gradient, and the sampling program is the third."""
    from hicosmo_nb.inference import Run, RunSettings
    from hicosmo_nb.inference.diagnostics import unconstrained

    lk, traces = _traced_likelihood()
    pb = Problem(lk, {"a": Uniform(0.1, 0.9), "b": Normal(1.0, 2.0), "c": Uniform(-1.0, 1.0)}, fixed={"y": 0.2})
    traces.clear()  # making the likelihood and the problem called it to learn what it reads
    assert unconstrained(pb) == [] and len(traces) == 1
    run = Run.start(pb, key=jax.random.PRNGKey(0), settings=RunSettings(num_chains=2, num_warmup=20, num_samples=20))
    assert len(traces) == 2  # the MAP search and the initial states: one program
    run.advance(5)
    assert len(traces) == 3  # the chunk program

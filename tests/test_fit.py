"""The one-line facade: DESI DR2 BAO against the published posterior, name errors, defaults."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import hicosmo_nb as hc  # noqa: E402
from hicosmo_nb.facade import build_problem  # noqa: E402
from hicosmo_nb.inference import Problem, Uniform, continue_nuts, load  # noqa: E402

# DESI DR2 Results II (arXiv:2503.14738), Table V, DESI BAO alone, flat LCDM
DESI_DR2 = {"Omega_m": (0.2975, 0.0086), "hrd": (101.54, 0.73)}
DESI_FILES = {  # sha256 from ../shared/data/README.md
    "desi_gaussian_bao_ALL_GCcomb_mean.txt": "9ac154ab583ce759c0f7eef3c978c7c70a6ead2d18774caceadf1a350a640585",
    "desi_gaussian_bao_ALL_GCcomb_cov.txt": "252a143274c8a07c78694c119617d36594f6d7965d00319ca611c6ffb886e509",
}


@pytest.fixture(scope="module")
def desi():
    # the package attribute is the facade: hc.fit(...) (datasets as {name: options})
    return hc.fit("LCDM", {"desi_dr2_bao": {"rd": "free"}}, free=["Omega_m", "hrd"],
                  seed=1, num_chains=4, num_warmup=500, num_samples=1500, progress=False)


def test_desi_dr2_bao_matches_the_published_posterior(desi):
    mean, std = desi.mean(), desi.std()
    for name, (mu, sigma) in DESI_DR2.items():
        assert abs(mean[name] - mu) < 0.2 * sigma, (name, mean[name], mu)
        assert abs(std[name] - sigma) < 0.2 * sigma, (name, std[name], sigma)
    corr = np.corrcoef(desi.samples["Omega_m"].ravel(), desi.samples["hrd"].ravel())[0, 1]
    assert corr == pytest.approx(-0.92, abs=0.03)
    d = desi.diagnostics()
    assert d["problems"] == [], d["problems"]


def test_result_api_and_manifest(desi, tmp_path):
    m = desi.manifest
    assert m["fit"]["model"] == "LCDM" and m["fit"]["free"] == ["Omega_m", "hrd"]
    assert m["key_manager"]["seed"] == 1 and m["key_manager"]["records"][0]["name"] == "nuts"
    sums = {path.rsplit("/", 1)[-1]: v for path, v in m["data_checksums"].items()}
    for name, sha in DESI_FILES.items():
        assert sums[name] == sha
    table = desi.summary()
    assert list(table.index) == ["Omega_m", "hrd"]
    assert set(desi.to_arviz().children) >= {"posterior", "sample_stats"}
    fig = desi.corner()
    assert len(fig.axes) >= 3
    assert desi.trace() is not None
    path = desi.save(tmp_path / "desi.nc")
    assert path.stat().st_size > 0


def test_a_saved_fit_continues_without_rebuilding_the_problem(desi, tmp_path):
    path = desi.save(tmp_path / "desi.nc")
    more = continue_nuts(load(path), 100, progress=False, warn=False)  # problem rebuilt from the manifest
    assert more.num_draws == 1600 and more.manifest["continued"][0]["num_samples"] == 100
    assert (more.samples["hrd"][:, :1500] == desi.samples["hrd"]).all()
    again = load(path).continue_run(100, progress=False, warn=False)
    assert (again.samples["hrd"] == more.samples["hrd"]).all()
    custom = Problem(build_problem("LCDM", "desi_dr2_bao", ["Omega_m", "hrd"],
                                   options={"desi_dr2_bao": {"rd": "free"}}).likelihood,
                     {"Omega_m": Uniform(0.01, 0.99), "hrd": Uniform(10.0, 1000.0)})
    with pytest.raises(ValueError, match="different problem than the original run: priors"):
        continue_nuts(load(path), 10, custom)


def test_problem_defaults():
    pb = build_problem("LCDM", ["desi_dr2_bao", "cc"])
    assert list(pb.priors) == ["H0", "Omega_m", "Omega_b"] and pb.fixed == {}
    pb = build_problem("LCDM", ["desi_dr2_bao", "cc"], free=["H0", "Omega_m"])
    assert list(pb.priors) == ["H0", "Omega_m"] and pb.fixed == {"Omega_b": pytest.approx(0.0493)}
    pb = build_problem("w0waCDM", ["desi_dr2_bao", "planck18_priors"], priors={"w0": Uniform(-2.0, 0.0)})
    assert list(pb.priors) == ["H0", "Omega_m", "w0", "wa", "Omega_b"]  # Planck read in the density form
    assert pb.priors["w0"] == Uniform(-2.0, 0.0)
    pb = build_problem("LCDM", "desi_dr2_bao", options={"desi_dr2_bao": {"rd": "free"}}, fixed={"H0": 70.0})
    assert list(pb.priors) == ["Omega_m", "hrd"] and pb.fixed == {"H0": 70.0}
    assert pb.free == ("Omega_m", "hrd")


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (("LCMD", "cc"), {}, r"unknown model 'LCMD' \(did you mean 'LCDM'\?\); valid: LCDM, "),
        (("LCDM", ["desi_dr3_bao"]), {}, r"unknown dataset 'desi_dr3_bao' \(did you mean 'desi_dr2_bao'\?\); "
                                         r"valid: bbn, cc, desi_dr1_bao"),
        (("LCDM", "cc", ["H0", "hrdd"]), {}, r"unknown parameter 'hrdd' \(did you mean 'hrd'\?\); valid: "),
        (("LCDM", "cc", ["H0", "Omega_m", "w0"]), {},
         r"\['w0'\] are not free in model 'LCDM' .*use a model that frees them: wCDM, kwCDM, w0waCDM"),
        (("LCDM", "cc", ["H0", "M"]), {}, r"\['M'\] do not enter the likelihood of \['cc'\]"),
        (("LCDM", "cc"), {"options": {"cc": {"sorce": "embedded"}}},
         r"unknown option 'sorce' \(did you mean 'source'\?\) for dataset 'cc'"),
        (("LCDM", "cc"), {"options": {"sh0es": {}}}, r"options given for \['sh0es'\], which are not among"),
        (("LCDM", "cc"), {"priors": {"w0": Uniform(-2, 0)}}, r"priors given for \['w0'\], which are not free"),
        (("LCDM", "cc", ["H0", "Omega_m"]), {"fixed": {"H0": 70.0}}, r"\['H0'\] are both free and fixed"),
        (("LCDM", "cc"), {"fixed": {"H00": 70.0}}, r"unknown parameter 'H00' \(did you mean 'H0'\?\)"),
        (("LCDM", []), {}, "datasets must be a non-empty list"),
    ],
)
def test_facade_errors_list_valid_names(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_problem(*args, **kwargs)


def test_fit_is_a_plain_function_with_its_signature_and_docstring():
    # issue 24: hc.fit was a module whose class was swapped at import: its signature read
    # (*args, **kwargs), so Shift-Tab showed no parameters and help() showed the module
    import inspect
    import pydoc

    sig = inspect.signature(hc.fit)
    assert list(sig.parameters)[:3] == ["model", "datasets", "free"]
    assert sig.parameters["neutrino_hierarchy"].default == "one"
    assert inspect.isfunction(hc.fit) and hc.fit.__module__ == "hicosmo_nb.facade"
    assert "Fit ``model`` to ``datasets`` with NUTS in one line." in pydoc.render_doc(hc.fit)
    assert hc.build_problem is build_problem
    import hicosmo_nb.facade as facade  # importing the module leaves hc.fit the function
    assert inspect.isfunction(hc.fit) and facade.fit is hc.fit


def test_start_fit_is_fit_in_steps():
    # issue 24: fit, the CLI and the sampler dashboard start their runs with one start_fit
    small = dict(free=["H0", "Omega_m"], seed=2, num_chains=2, num_warmup=100, num_samples=100)
    run = hc.start_fit("LCDM", ["cc"], **small)
    assert isinstance(run, hc.Run) and run.status.iteration == 0 and not run.done  # not advanced
    assert run.nuts == hc.NutsSettings(dense_mass=True)
    want_keys = hc.KeyManager(2)
    want_keys.key("nuts")
    assert run.notes["key_manager"] == want_keys.manifest()
    run.advance(130)  # stepped part of the way, then driven to the end as fit drives it
    stepped = hc.finish(run, progress=False, warn=False)
    whole = hc.fit("LCDM", ["cc"], progress=False, warn=False, **small)
    assert list(stepped.samples) == list(whole.samples) == ["H0", "Omega_m"]
    for name, x in whole.samples.items():
        assert x.shape == (2, 100)
        np.testing.assert_array_equal(stepped.samples[name], x)
    assert stepped.manifest["key_manager"] == whole.manifest["key_manager"]


def test_start_fit_settings_and_nuts_fields():
    with pytest.raises(ValueError, match="give target_accept inside nuts=NutsSettings"):
        hc.start_fit("LCDM", ["cc"], nuts=hc.NutsSettings(), target_accept=0.9)
    with pytest.raises(ValueError, match="unknown run setting.*'num_chain'.*num_chains"):
        hc.start_fit("LCDM", ["cc"], num_chain=2)
    sig = __import__("inspect").signature(hc.start_fit)
    assert list(sig.parameters)[:3] == ["model", "datasets", "free"]


def test_rd_free_asks_the_registry_which_datasets_take_rd():
    from hicosmo_nb.likelihoods import DATASETS, dataset_options

    assert [d for d in DATASETS if "rd" in dataset_options(d)] == ["desi_dr1_bao", "desi_dr2_bao"]
    pb = build_problem("LCDM", ["desi_dr2_bao", "cc"], rd_free=True)
    assert pb.spec.options == {"desi_dr2_bao": {"rd": "free"}} and "hrd" in pb.free
    own = build_problem("LCDM", ["desi_dr2_bao"], rd_free=True, options={"desi_dr2_bao": {"rd": "computed"}})
    assert own.spec.options == {"desi_dr2_bao": {"rd": "computed"}}  # a dataset's own option wins
    with pytest.raises(ValueError, match="rd_free must be True or False; got 'yes'"):
        build_problem("LCDM", ["cc"], rd_free="yes")
    with pytest.raises(ValueError, match=r"unknown dataset 'desi_dr3_bao' \(did you mean 'desi_dr2_bao'\?\)"):
        dataset_options("desi_dr3_bao")

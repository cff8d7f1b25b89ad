"""The live sampler dashboard, driven from Python through its handle (no browser).

A real run (LCDM on cosmic chronometers, 2 chains) is started, stopped from the run's thread in
warmup and again at a known draw, resumed each time and finished; its draws must equal bitwise
those of an uninterrupted :class:`~hicosmo_nb.inference.Run` started by the test with the same key
and settings. Bad names, no valid starting point and saving too early must give messages, never
exceptions.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # subprocesses / a real run: > 20 s (not in the Colab-like job)

pytest.importorskip("ipywidgets")

from hicosmo_nb.facade import build_problem  # noqa: E402
from hicosmo_nb.inference import NutsSettings, Run, RunSettings, load  # noqa: E402
from hicosmo_nb.keys import KeyManager  # noqa: E402
from hicosmo_nb.widgets import sampler_dashboard  # noqa: E402

SETTINGS = dict(num_chains=2, num_warmup=60, num_samples=60)
SEED, STOP_AT = 5, 20


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A dashboard run stopped twice from its on_update hook (in warmup, then after STOP_AT draws),
    resumed each time, saved while stopped, and finished."""
    dash = sampler_dashboard("LCDM", ["cc"], free=["H0", "Omega_m"], seed=SEED, fisher=True, mode="png",
                             path=str(tmp_path_factory.mktemp("sampler") / "run.nc"), **SETTINGS)
    seen = {}

    def stop_twice(d):
        st = d.state
        if "warmup" not in seen and st["iteration"] >= 6:
            seen["warmup"] = st["iteration"]
            d.stop()
        elif "warmup" in seen and "draws" not in seen and st["draws"][0] >= STOP_AT:
            seen["draws"] = st["draws"][0]
            d.stop()

    dash.on_update(stop_twice)
    assert dash.start() is True, dash.messages
    assert dash.wait(600)
    in_warmup = {"state": dash.state, "result": dash.result, "save": dash.save(), "message": dash.message}
    assert dash.resume() is True
    assert dash.wait(600)
    stopped = {"state": dash.state, "result": dash.result, "resume": dash.buttons["resume"].disabled,
               "saved": dash.save(str(tmp_path_factory.mktemp("stopped") / "stopped.nc"))}
    assert dash.resume() is True
    assert dash.wait(600)
    return dash, seen, stopped, in_warmup


def test_stop_in_warmup_has_nothing_to_save_and_resumes(finished):
    _, seen, _, in_warmup = finished
    st = in_warmup["state"]
    assert st["phase"] == "stopped" and st["iteration"] == seen["warmup"] < SETTINGS["num_warmup"]
    assert st["draws"] == [0, 0] and in_warmup["result"] is None and in_warmup["save"] is None
    assert "nothing to save yet" in in_warmup["message"]
    assert any("no draws to save yet" in text for _, text in st["messages"])


def test_stop_leaves_a_valid_resumable_result(finished):
    dash, seen, stopped, _ = finished
    st = stopped["state"]
    assert st["phase"] == "stopped", st["messages"]
    n = seen["draws"]
    assert STOP_AT <= n < SETTINGS["num_samples"]
    assert st["draws"] == [n, n]  # stopped from on_update: no further chunk ran
    assert stopped["resume"] is False  # Resume enabled once stopped
    assert stopped["result"].num_draws == st["draws"][0]
    assert load(stopped["saved"]).num_draws == st["draws"][0]
    # the stopped draws are the first draws of the finished run
    for name, x in stopped["result"].samples.items():
        np.testing.assert_array_equal(x, dash.result.samples[name][:, :x.shape[1]])


def test_resumed_draws_equal_an_uninterrupted_run_bitwise(finished):
    dash = finished[0]
    assert dash.state["phase"] == "done", dash.messages
    fresh = build_problem("LCDM", ["cc"], ["H0", "Omega_m"])
    assert dash.problem.free == fresh.free and dash.problem.fixed == fresh.fixed
    assert {k: repr(v) for k, v in dash.problem.priors.items()} == {k: repr(v) for k, v in fresh.priors.items()}
    # dash.problem (equal to a fresh one, checked above) keeps its compiled sampler: no recompilation
    ref = Run.start(dash.problem, key=KeyManager(SEED).key("nuts"), nuts=NutsSettings(dense_mass=True),
                    settings=RunSettings(**SETTINGS))
    for _ in ref:
        pass
    want, got = ref.result().samples, dash.result.samples
    assert list(got) == ["H0", "Omega_m"]
    for name in want:
        assert got[name].shape == (2, SETTINGS["num_samples"])
        np.testing.assert_array_equal(got[name], want[name])
    # what the dashboard shows is that run: traces, progress, diagnostics, keys
    lines = dash.view.lines["H0"]
    np.testing.assert_array_equal(lines[1].get_ydata(), want["H0"][1])
    assert [b.value for b in dash._bars] == [120, 120]
    diag = dash.state["diagnostics"]
    assert set(diag["rhat"]) == {"H0", "Omega_m"} and all(np.isfinite(v) for v in diag["rhat"].values())
    assert diag == dash.result.diagnostics()
    assert dash.state["key_names"] == ["nuts"] and "nuts" in dash.key_area.value
    assert "r_hat" in dash.summary_area.value and "ess_bulk" in dash.summary_area.value
    legend = " ".join(t.get_text() for leg in dash.view.right.legends for t in leg.get_texts())
    assert "NUTS draws" in legend and "Fisher" in legend
    assert dash.canvas.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_dashboard_starts_its_run_as_start_fit_does(finished):
    # issue 24: the key, its record and the NUTS settings are the facade's, chosen there once
    import hicosmo_nb as hc

    dash = finished[0]
    via = hc.start_fit("LCDM", ["cc"], ["H0", "Omega_m"], seed=SEED, **SETTINGS)
    assert dash.run.nuts == via.nuts == NutsSettings(dense_mass=True)
    assert dash.run.notes["key_manager"] == via.notes["key_manager"]
    assert dash.problem.spec.to_json() == via.problem.spec.to_json()


def test_the_dashboard_holds_none_of_the_facade_choices():
    import inspect

    from hicosmo_nb.widgets import sampler

    src = inspect.getsource(sampler)
    for choice in ('endswith("_bao")', '"nuts"', "dense_mass", "KeyManager", "Run.start"):
        assert choice not in src


def test_settings_and_rd_free_reach_the_run(monkeypatch):
    # rd_free: the datasets that take rd, per the likelihood registry (not a name suffix)
    import hicosmo_nb as hc
    from hicosmo_nb.widgets import SamplerDashboard, sampler

    seen = {}

    def stop_before_compiling(problem, **kwargs):
        seen.update(kwargs, problem=problem)
        raise ValueError("stopped before compiling")

    monkeypatch.setattr(sampler, "start_problem", stop_before_compiling)
    dash = sampler_dashboard("LCDM", ["desi_dr2_bao", "cc"], rd_free=True, seed=3, mode="png",
                             settings=RunSettings(num_chains=3, init_jitter=0.1), num_samples=40)
    assert [dash.controls[k].value for k in ("num_chains", "num_warmup", "num_samples")] == [3, 500, 40]
    assert dash.start() is True and dash.wait(60)
    assert dash.problem.spec.options == {"desi_dr2_bao": {"rd": "free"}} and "hrd" in dash.problem.free
    assert seen["settings"] == RunSettings(num_chains=3, num_samples=40, init_jitter=0.1, chunk_size=25)
    assert seen["seed"] == 3 and seen["problem"] is dash.problem
    assert "stopped before compiling" in dash.message and dash.run is None
    plain = SamplerDashboard("LCDM", ["cc"], mode="png")  # defaults: RunSettings()
    assert [plain.controls[k].value for k in ("num_chains", "num_warmup", "num_samples")] == [
        hc.RunSettings().num_chains, hc.RunSettings().num_warmup, hc.RunSettings().num_samples]
    with pytest.raises(ValueError, match="unknown run setting.*'num_chain'"):
        sampler_dashboard("LCDM", ["cc"], num_chain=2)


def test_save_writes_netcdf_that_load_reads(finished, tmp_path):
    dash = finished[0]
    path = dash.save(str(tmp_path / "final.nc"))
    back = load(path)
    for name, x in dash.result.samples.items():
        np.testing.assert_array_equal(back.samples[name], x)
    assert back.manifest["key_manager"]["records"][0]["name"] == "nuts"
    assert dash.save(path) is None and "exists" in dash.message  # no silent overwrite, no exception


def test_bad_input_gives_messages_not_exceptions():
    dash = sampler_dashboard("LCDM", ["cc", "desi_dr3_bao"], num_chains=2, num_warmup=20, num_samples=20,
                             mode="png")
    assert "desi_dr3_bao" in dash.message and "desi_dr2_bao" in dash.message  # unknown, closest
    assert dash.save() is None and "nothing to save" in dash.message
    assert dash.resume() is False
    dash.controls["free"].value = "H0, Omega_mm"
    assert dash.start() is False and "Omega_mm" in dash.message and "Omega_m" in dash.message
    dash.controls["free"].value = "H0, w0"
    assert dash.start() is False and "w0" in dash.message and "wCDM" in dash.message
    dash.controls["free"].value = ""
    dash.controls["fixed"].value = "Omega_b: 0.05"
    assert dash.start() is False and "name=value" in dash.message
    dash.controls["datasets"].value = ()
    assert dash.start() is False and "at least one dataset" in dash.message
    assert dash.run is None


def test_no_valid_start_is_a_message():
    dash = sampler_dashboard("LCDM", ["cc"], free=["H0"], fixed="Omega_m=-3", num_chains=2,
                             num_warmup=20, num_samples=20, mode="png")
    assert dash.start() is True  # the MAP search runs in the background thread
    assert dash.wait(600)
    assert dash.state["phase"] == "error"
    assert "no valid starting point" in dash.message and "H0" in dash.message
    assert dash.run is None and dash.buttons["start"].disabled is False


def test_save_needs_a_name_shows_the_full_path_and_clears_the_error(finished, tmp_path, monkeypatch):
    dash = finished[0]
    for name in ("", "  "):
        assert dash.save(name) is None
        assert dash.message == f"save needs a file name, got {name!r}; e.g. save('run.nc')"
    monkeypatch.chdir(tmp_path)
    out = dash.save("relative.nc")
    assert out == str(tmp_path.resolve() / "relative.nc") and out in dash.messages[-1][1]
    assert dash.message == ""  # the previous error is cleared

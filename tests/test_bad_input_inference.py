"""Bad input to results, checkpoints, diagnostics and summaries: named errors, no silent NaN."""

import re
import warnings

import numpy as np
import pytest

from hicosmo_nb.inference.checkpoint import FORMAT, SamplerState, load_checkpoint, payload_checksum, save_checkpoint
from hicosmo_nb.inference.diagnostics import (
    PRIOR_DOMINATED_RATIO,
    PriorDominatedWarning,
    compute_diagnostics,
    prior_dominated,
    problems,
    warn_prior_dominated,
)
from hicosmo_nb.inference.priors import Normal, Uniform
from hicosmo_nb.inference.results import Result, load

RNG = np.random.default_rng(16)


def _result(chains=2, draws=200):
    return Result.from_arrays({"x": RNG.normal(size=(chains, draws))},
                              sample_stats={"energy": RNG.normal(size=(chains, draws)),
                                            "diverging": np.zeros((chains, draws), bool)})


def test_load_truncated_or_foreign_file(tmp_path):
    path = _result().save(tmp_path / "r.nc")
    data = path.read_bytes()
    (tmp_path / "half.nc").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.nc").write_text("not a netCDF file\n")
    for name in ("half.nc", "text.nc"):
        with pytest.raises(ValueError, match=rf"result file '.*{name}' is not readable as a netCDF-4 "
                                             r"\(HDF5\) file written by Result.save \(truncated"):
            load(tmp_path / name)


def test_load_netcdf_without_posterior(tmp_path):
    import xarray as xr

    xr.DataTree(xr.Dataset({"a": ("i", np.zeros(3))})).to_netcdf(tmp_path / "other.nc", engine="h5netcdf")
    with pytest.raises(ValueError, match=r"'.*other.nc' has no 'posterior' group \(it has \[\]\)"):
        load(tmp_path / "other.nc")


def _checkpoint(path):
    save_checkpoint(path, state=SamplerState((np.arange(300.0),), 5, {"a": 1}),
                    draws={"z": np.ones((1, 2, 3))}, info={})


def test_checkpoint_truncated(tmp_path):
    _checkpoint(tmp_path / "c.npz")
    data = (tmp_path / "c.npz").read_bytes()
    (tmp_path / "t.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"'.*t.npz' is not a readable hicosmo_nb checkpoint "
                                         r"\(.npz, format 'hicosmo_nb.checkpoint/2'\) .*truncated or corrupt"):
        load_checkpoint(tmp_path / "t.npz")


def test_checkpoint_bit_flip_in_payload(tmp_path):
    _checkpoint(tmp_path / "c.npz")
    data = bytearray((tmp_path / "c.npz").read_bytes())
    at = bytes(data).index(np.float64(150.0).tobytes())  # inside leaf_000's values
    data[at + 6] ^= 0x04  # one bit: the zip CRC (or, if rewritten, the sha256) catches it
    (tmp_path / "f.npz").write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"'.*f.npz' is not a readable hicosmo_nb checkpoint.*BadZipFile"):
        load_checkpoint(tmp_path / "f.npz")


def test_checkpoint_checksum_catches_rewritten_payload(tmp_path):
    _checkpoint(tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz") as z:
        arrays = {k: z[k] for k in z.files}
    assert str(arrays["checksum"]) == payload_checksum(arrays)
    arrays["leaf_000"] = arrays["leaf_000"].copy()
    arrays["leaf_000"][7] = np.nextafter(arrays["leaf_000"][7], 1e9)  # one bit, valid zip
    np.savez(tmp_path / "x.npz", **arrays)
    with pytest.raises(ValueError, match=r"checkpoint '.*x.npz' is corrupt: its payload has sha256 "
                                         r"[0-9a-f]{64}, the stored checksum is '[0-9a-f]{64}'"):
        load_checkpoint(tmp_path / "x.npz")


def test_checkpoint_wrong_kind_of_file(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3))
    with pytest.raises(ValueError, match=r"'.*a.npy' is not a readable .*it holds a single ndarray"):
        load_checkpoint(tmp_path / "a.npy")
    np.savez(tmp_path / "o.npz", format=np.asarray(FORMAT))
    with pytest.raises(ValueError, match=r"checkpoint '.*o.npz' is corrupt"):
        load_checkpoint(tmp_path / "o.npz")
    np.savez(tmp_path / "p.npz", x=np.zeros(2))
    with pytest.raises(ValueError, match=r"'.*p.npz' is not a hicosmo_nb checkpoint .*its format is ''"):
        load_checkpoint(tmp_path / "p.npz")


def test_summary_defaults_to_68_percent_and_says_so():
    r = _result()
    table = r.summary()
    assert {"eti68_lb", "eti68_ub"} <= set(table.columns)
    lo, hi = np.quantile(r.samples["x"], [0.16, 0.84])
    assert float(table.loc["x", "eti68_lb"]) == pytest.approx(lo, abs=0.02)
    assert float(table.loc["x", "eti68_ub"]) == pytest.approx(hi, abs=0.02)
    assert {"hdi95_lb", "hdi95_ub"} <= set(r.summary(ci_prob=0.95, ci_kind="hdi").columns)
    with pytest.raises(ValueError, match=r"ci_prob must be a probability strictly between 0 and 1 "
                                         r"\(e.g. 0.68, 0.95\), got 68"):
        r.summary(ci_prob=68)
    with pytest.raises(ValueError, match="ci_kind must be 'eti' .* or 'hdi' .*, got 'HPD'"):
        r.summary(ci_kind="HPD")


def test_one_chain_says_rhat_needs_two_chains():
    d = compute_diagnostics(_result(chains=1).to_arviz())
    assert d["rhat"] == {}
    msgs = problems(d)
    assert msgs[0].startswith("R-hat needs >= 2 chains and this run has 1")
    assert not any("chains disagree" in m for m in msgs)
    assert not any("nan" in m for m in msgs)
    assert not any(m.startswith("R-hat needs") for m in problems(compute_diagnostics(_result().to_arviz())))


def test_prior_dominated():
    priors = {"H0": Uniform(20.0, 120.0), "Omega_m": Normal(0.3, 0.1)}
    samples = {"H0": RNG.uniform(20.0, 120.0, size=(2, 2000)),  # the prior itself
               "Omega_m": RNG.normal(0.31, 0.01, size=(2, 2000))}  # data-dominated
    msgs = prior_dominated(samples, priors)
    assert len(msgs) == 1
    assert re.match(r"H0 = (69\.\d|70\.\d) \+- 29 is dominated by its prior Uniform\(20, 120\) "
                    r"\(posterior sd / prior sd = 1\.00 > 0\.71\)", msgs[0]), msgs[0]
    # Gaussian truth: prior sd 1, likelihood sd 1 -> posterior sd 1/sqrt(2), the threshold.
    post = RNG.normal(0.0, 1.05 / np.sqrt(2.0), 20000)
    assert prior_dominated({"a": post}, {"a": Normal(0.0, 1.0)})
    assert not prior_dominated({"a": 0.9 * post}, {"a": Normal(0.0, 1.0)})
    assert PRIOR_DOMINATED_RATIO == pytest.approx(np.sqrt(0.5))
    with pytest.warns(PriorDominatedWarning, match="H0 = ") as rec:
        warn_prior_dominated(samples, priors)
    assert rec[0].filename == __file__  # points at the caller's line
    with pytest.raises(ValueError, match="ratio must be > 0, got -1"):
        prior_dominated(samples, priors, ratio=-1)


def test_no_warning_for_well_constrained():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_prior_dominated({"x": RNG.normal(0, 0.1, 500)}, {"x": Normal(0.0, 1.0)}) == []


def test_from_arrays_refuses_draw_counts_that_differ():
    # issue 21 (silent wrong answer 5): arviz padded the shorter array with NaN
    with pytest.raises(ValueError, match=r"arrays disagree on \(chain, draw\): H0 \(2, 10\), "
                                         r"Omega_m \(2, 11\)"):
        Result.from_arrays({"H0": np.zeros((2, 10)), "Omega_m": np.zeros((2, 11))})
    with pytest.raises(ValueError, match=r"sample_stats\['energy'\] \(3, 10\)"):
        Result.from_arrays({"H0": np.zeros((2, 10))}, sample_stats={"energy": np.zeros((3, 10))})
    with pytest.raises(ValueError, match=r"H0 has shape \(10,\); every array must be \(chain, draw, \.\.\.\)"):
        Result.from_arrays({"H0": np.zeros(10)})


def test_load_a_folder_says_it_is_a_folder(tmp_path):
    _result().save(tmp_path / "posterior.nc")
    with pytest.raises(FileNotFoundError, match=r"result file '.*' is a folder; give the .nc file in it "
                                                r"\(posterior.nc\)"):
        load(tmp_path)


def test_fit_takes_nuts_settings_one_by_one(monkeypatch):
    import sys
    from types import SimpleNamespace

    from hicosmo_nb.facade import fit
    from hicosmo_nb.inference import NutsSettings

    module = sys.modules["hicosmo_nb.facade"]
    # no compiling or sampling: what reaches Run.start
    monkeypatch.setattr(module, "Run", SimpleNamespace(start=lambda problem, **kw: SimpleNamespace(notes={}, kw=kw)))
    monkeypatch.setattr(module, "finish", lambda run, **kw: run.kw)
    kw = fit("LCDM", "cc", target_accept=0.95, num_samples=10)
    assert kw["nuts"] == NutsSettings(dense_mass=True, target_accept=0.95) and kw["settings"].num_samples == 10
    with pytest.raises(ValueError, match=r"give target_accept inside nuts=NutsSettings\(\.\.\.\), not beside it"):
        fit("LCDM", "cc", target_accept=0.95, nuts=NutsSettings())
    with pytest.raises(ValueError, match=r"target_accept must be in \(0, 1\); got 1.5"):
        fit("LCDM", "cc", target_accept=1.5)


def test_warnings_point_at_the_users_line():
    # issue 21: warnings named an internal line (fit.py:90) instead of the user's cell
    from hicosmo_nb.inference.problem import as_problem
    from hicosmo_nb.likelihoods.base import Likelihood

    lk = Likelihood(lambda p: -0.5 * p["x"] ** 2, ("x",), "toy")
    with pytest.warns(UserWarning, match=r"free parameter\(s\) \['z'\] are never read") as rec:
        as_problem(lk, {"x": Normal(0.0, 1.0), "z": Normal(0.0, 1.0)})  # Problem made two levels down
    assert rec[0].filename == __file__


def test_unconstrained_free_parameters_warn_before_sampling():
    # issue 21: Problem/build_problem promised a warning that did not come; now it comes from a
    # Fisher look at the start point, before any sampling. Well-posed problems stay silent.
    from hicosmo_nb.facade import build_problem

    cases = [("union3", None, "H0", ""), ({"desi_dr2_bao": {"rd": "free"}}, None, "H0",
                                          r" BAO with rd='free' measure hrd = h r_d, not H0"),
             ("cc", ["H0", "Omega_m", "Omega_b"], "Omega_b", "")]
    for datasets, free, name, hint in cases:
        with pytest.warns(UserWarning, match=rf"free parameter '{name}' is not constrained by likelihood .*: its "
                                             rf"Fisher information at {name} = .* per prior variance \(< 0.05\), "
                                             rf"so its posterior will be its prior .* Fix it \(fixed=.*{hint}") as rec:
            build_problem("LCDM", datasets, free)
        assert rec[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_problem("LCDM", ["cc"])
        build_problem("w0waCDM", ["desi_dr2_bao", "union3"])
        build_problem("LCDM", {"desi_dr2_bao": {"rd": "free"}}, ["Omega_m", "hrd"])

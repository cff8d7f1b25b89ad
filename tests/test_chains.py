"""GetDist/Cobaya plain-text chains: written by Result.save_chains, read back by GetDist itself
(the independent reference) and by hicosmo_nb.inference.load."""

import numpy as np
import pytest

from hicosmo_nb.inference import Normal, Result, TruncatedNormal, Uniform, load, load_chains

getdist = pytest.importorskip("getdist")
from getdist import loadMCSamples  # noqa: E402


def _toy(num_chains=3, num_draws=400, seed=0):
    rng = np.random.default_rng(seed)
    cov = np.array([[0.01**2, 0.6 * 0.01 * 0.8], [0.6 * 0.01 * 0.8, 0.8**2]])
    x = rng.multivariate_normal([0.31, 68.0], cov, size=(num_chains, num_draws))
    post = {"Omega_m": x[..., 0], "H0": x[..., 1], "w0": -1 + 0.1 * rng.standard_normal((num_chains, num_draws))}
    lp = -0.5 * rng.chisquare(3, size=(num_chains, num_draws))
    return Result.from_arrays(post, sample_stats={"lp": lp}, manifest={"note": "toy"})


PRIORS = {"Omega_m": Uniform(0.1, 0.6), "H0": Normal(68.0, 5.0), "w0": TruncatedNormal(-1, 0.5, upper=-0.3)}


def test_getdist_reads_the_files_with_our_means_and_covariance(tmp_path):
    r = _toy()
    files = r.save_chains(tmp_path / "toy", priors=PRIORS)
    assert sorted(f.name for f in files) == ["toy.1.txt", "toy.2.txt", "toy.3.txt", "toy.paramnames", "toy.ranges"]
    gd = loadMCSamples(str(tmp_path / "toy"), settings={"ignore_rows": 0})
    names = r.names
    flat = np.stack([r.samples[n].ravel() for n in names])  # (param, all draws)
    assert [p.name for p in gd.paramNames.names] == names
    np.testing.assert_allclose(gd.getMeans([gd.index[n] for n in names]), flat.mean(axis=1), rtol=1e-10)
    # GetDist's covariance divides by the sum of weights (ddof=0)
    np.testing.assert_allclose(gd.cov(names), np.cov(flat, ddof=0), rtol=1e-10, atol=1e-14)
    # labels from hicosmo_nb.parameters, ranges from the priors (unbounded sides left open)
    assert gd.paramNames.parWithName("Omega_m").label == r"\Omega_m"
    assert gd.paramNames.parWithName("H0").label == "H_0"
    assert (gd.ranges.getLower("Omega_m"), gd.ranges.getUpper("Omega_m")) == (0.1, 0.6)
    assert gd.ranges.getLower("H0") is None and gd.ranges.getUpper("H0") is None
    assert gd.ranges.getLower("w0") is None and gd.ranges.getUpper("w0") == -0.3
    # the -log(posterior) column
    np.testing.assert_allclose(gd.loglikes, -r.to_arviz()["sample_stats"]["lp"].values.ravel(), rtol=1e-14)


def test_load_reads_the_chains_back(tmp_path):
    r = _toy(num_chains=2, num_draws=50)
    r.save_chains(tmp_path / "c", priors=PRIORS)
    for back in (load_chains(tmp_path / "c"), load(tmp_path / "c")):
        assert back.names == r.names and (back.num_chains, back.num_draws) == (2, 50)
        for n in r.names:
            np.testing.assert_array_equal(back.samples[n], r.samples[n])
        np.testing.assert_array_equal(back.to_arviz()["sample_stats"]["lp"].values,
                                      r.to_arviz()["sample_stats"]["lp"].values)


def test_to_getdist_matches_the_files(tmp_path):
    r = _toy(num_chains=2, num_draws=100, seed=3)
    gd = r.to_getdist(priors=PRIORS)
    assert gd.getLatex(["Omega_m"])[0] == [r"\Omega_m"]
    flat = np.stack([r.samples[n].ravel() for n in r.names])
    np.testing.assert_allclose(gd.getMeans(), flat.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(gd.cov(r.names), np.cov(flat, ddof=0), rtol=1e-10, atol=1e-14)
    assert gd.ranges.getUpper("Omega_m") == 0.6


def test_cobaya_chains_with_integer_weights_and_a_header(tmp_path):
    # Cobaya's MCMC output: "# weight minuslogpost names...", integer multiplicities, no .paramnames
    rows1 = np.array([[1, 2.0, 0.30, 67.0], [3, 2.5, 0.31, 68.0]])
    rows2 = np.array([[2, 1.0, 0.29, 66.0], [2, 1.5, 0.32, 69.0]])
    for i, rows in enumerate((rows1, rows2), 1):
        np.savetxt(tmp_path / f"cob.{i}.txt", rows, header=" weight  minuslogpost  Omega_m  H0")
    r = load(tmp_path / "cob")
    assert r.names == ["Omega_m", "H0"] and (r.num_chains, r.num_draws) == (2, 4)
    np.testing.assert_array_equal(r.samples["Omega_m"][0], [0.30, 0.31, 0.31, 0.31])
    both = np.vstack([rows1, rows2])
    assert r.mean()["H0"] == pytest.approx(np.average(both[:, 3], weights=both[:, 0]), rel=1e-14)


def test_unequal_chains_are_joined_with_a_warning(tmp_path):
    np.savetxt(tmp_path / "u.1.txt", [[1, 0, 0.3], [1, 0, 0.4]])
    np.savetxt(tmp_path / "u.2.txt", [[1, 0, 0.5]])
    (tmp_path / "u.paramnames").write_text("Omega_m*\t\\Omega_m\n")  # GetDist's derived-star
    with pytest.warns(UserWarning, match="different lengths"):
        r = load_chains(tmp_path / "u")
    assert r.samples["Omega_m"].tolist() == [[0.3, 0.4, 0.5]]


def test_bad_chain_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no chain files .*nothing"):
        load_chains(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load(tmp_path / "nothing")
    np.savetxt(tmp_path / "w.1.txt", [[0.5, 0, 0.3]])
    (tmp_path / "w.paramnames").write_text("a\ta\n")
    with pytest.raises(ValueError, match="non-integer or negative weights"):
        load_chains(tmp_path / "w")
    np.savetxt(tmp_path / "n.1.txt", [[1, 0, 0.3, 0.2]])
    (tmp_path / "n.paramnames").write_text("a\ta\n")
    with pytest.raises(ValueError, match="4 columns but 1 parameter names"):
        load_chains(tmp_path / "n")
    np.savetxt(tmp_path / "h.1.txt", [[1, 0, 0.3]])
    with pytest.raises(ValueError, match="no 'h.paramnames'"):
        load_chains(tmp_path / "h")


def test_save_chains_refuses_to_overwrite_and_warns_without_lp(tmp_path):
    r = Result.from_arrays({"x": np.zeros((1, 4))})
    with pytest.warns(UserWarning, match="no sample_stats 'lp'"):
        r.save_chains(tmp_path / "x")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        r.save_chains(tmp_path / "x", warn=False)
    r.save_chains(tmp_path / "x", overwrite=True, warn=False)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        r.save_chains(tmp_path / "missing" / "x", warn=False)


def test_chains_from_another_pipeline_overlay_ours_in_a_corner_plot(tmp_path):
    from hicosmo_nb.plots import corner_plot

    ours = _toy(num_chains=2, num_draws=300, seed=5)
    ours.save_chains(tmp_path / "theirs", priors=PRIORS)
    theirs = load(tmp_path / "theirs")
    fig = corner_plot([ours.to_arviz(), theirs.to_arviz()], params=["Omega_m", "H0"], label=["ours", "theirs"])
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    texts = [t.get_text() for leg in legends for t in leg.get_texts()]
    assert "ours" in texts and "theirs" in texts

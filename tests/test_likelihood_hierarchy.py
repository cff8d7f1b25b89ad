"""neutrino_hierarchy (issue 20): a static builder setting that reaches every cosmology likelihood."""

import inspect

import numpy as np
import pytest

from hicosmo_nb import cosmology
from hicosmo_nb import likelihoods as L
from hicosmo_nb.cosmology.neutrinos import NeutrinoHierarchy

P = {"H0": 67.4, "Omega_m": 0.315, "Omega_b": 0.049, "m_nu": 0.2}
COSMO_DATASETS = [n for n, b in L.DATASETS.items() if "neutrino_hierarchy" in inspect.signature(b).parameters]


def test_every_cosmology_dataset_takes_the_setting():
    assert sorted(COSMO_DATASETS) == sorted(set(L.DATASETS) - {"sh0es", "bbn"})


@pytest.mark.parametrize("name", ["desi_dr2_bao", "union3", "cc", "desi_dr2_cmb_prior", "planck18_priors"])
def test_hierarchy_changes_the_likelihood(name):
    # chen2019's R, l_A count neutrinos as matter (no hierarchy): use this package's physics
    kw = {"parametrization": "density", "convention": "hicosmo"} if name == "planck18_priors" else {}
    one = L.get(name, **kw)
    normal = L.get(name, neutrino_hierarchy="normal", **kw)
    p = {k: P[k] for k in ("H0", "Omega_m", "Omega_b", "m_nu")}
    a, b = float(one(p)), float(normal(p))
    assert np.isfinite(a) and np.isfinite(b) and a != b


def test_bao_theory_follows_the_cosmology_with_that_hierarchy():
    lk = L.get("desi_dr2_bao", neutrino_hierarchy="inverted")
    p = {**P, "neutrino_hierarchy": "inverted"}
    rd = float(cosmology.sound_horizon_drag(p))
    vec = np.asarray(lk.theory(P))
    # the first DESI DR2 point is BGS D_V/r_d at z = 0.295
    assert vec[0] == pytest.approx(float(cosmology.volume_averaged_distance(p, 0.295)) / rd, rel=1e-8)
    assert vec[0] != pytest.approx(float(np.asarray(L.get("desi_dr2_bao").theory(P))[0]), rel=1e-6)


def test_bad_or_conflicting_hierarchy_raises():
    with pytest.raises(ValueError, match=r"neutrino_hierarchy must be one of .*'normal'.*got 'normel'"):
        L.get("union3", neutrino_hierarchy="normel")
    lk = L.get("union3", neutrino_hierarchy="normal")
    with pytest.raises(ValueError, match="built with neutrino_hierarchy='normal'"):
        lk({"Omega_m": 0.3, "m_nu": 0.1, "neutrino_hierarchy": NeutrinoHierarchy("inverted")})


def test_facade_passes_the_hierarchy_to_every_dataset_and_records_it():
    from hicosmo_nb.inference import build_problem

    p = build_problem("LCDM", ["desi_dr2_bao", "bbn", "union3"], neutrino_hierarchy="normal",
                      options={"union3": {"neutrino_hierarchy": "degenerate"}})  # a dataset's own wins
    assert p.spec.options == {"desi_dr2_bao": {"neutrino_hierarchy": "normal"},
                              "union3": {"neutrino_hierarchy": "degenerate"}}
    with pytest.raises(ValueError, match="neutrino_hierarchy must be one of"):
        build_problem("LCDM", ["desi_dr2_bao"], neutrino_hierarchy="normel")


def test_cli_checks_the_hierarchy_before_jax(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "hicosmo_nb", "fit", "LCDM", "desi_dr2_bao",
                          "--neutrino-hierarchy", "normel", "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "invalid choice: 'normel'" in out.stderr and "'inverted'" in out.stderr


@pytest.mark.slow
def test_sampler_dashboard_builds_with_the_chosen_hierarchy():
    pytest.importorskip("ipywidgets")
    from hicosmo_nb.parameters import NEUTRINO_HIERARCHIES
    from hicosmo_nb.widgets import sampler_dashboard

    dash = sampler_dashboard("LCDM", ["cc"], free=["H0", "Omega_m"], num_chains=1, num_warmup=5,
                             num_samples=10, mode="png", neutrino_hierarchy="normal")
    assert tuple(dash.controls["neutrino_hierarchy"].options) == NEUTRINO_HIERARCHIES
    dash.controls["neutrino_hierarchy"].value = "inverted"
    assert dash.start() is True, dash.messages
    assert dash.problem.spec.options == {"cc": {"neutrino_hierarchy": "inverted"}}
    assert dash.wait(600)

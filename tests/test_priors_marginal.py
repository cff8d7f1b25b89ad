"""Gaussian marginals of the published priors (issue 20): ``labels=`` on the DESI CMB prior and BBN."""

import numpy as np
import pytest

from hicosmo_nb import cosmology
from hicosmo_nb import likelihoods as L
from hicosmo_nb.data import load_bbn_prior, load_desi_cmb_prior

POINT = {"H0": 67.4, "Omega_m": 0.315, "Omega_b": 0.0493}


def test_theta_star_marginal_is_the_one_dimensional_gaussian():
    full = load_desi_cmb_prior()
    lk = L.get("desi_dr2_cmb_prior", labels=("theta_star",))
    assert lk.metadata["labels"] == ("theta_star",)
    # independent check: the 1-d normal density of the model theta_* with the (0, 0) variance
    theta = float(cosmology.theta_star(POINT))
    sigma = np.sqrt(full.cov[0, 0])
    expect = -0.5 * ((theta - full.mean[0]) / sigma) ** 2 - np.log(np.sqrt(2 * np.pi) * sigma)
    assert float(lk(POINT)) == pytest.approx(expect, rel=1e-10)


def test_any_subset_in_any_order_is_the_sub_block():
    full = load_desi_cmb_prior()
    sub = full.marginal(("omega_bc", "theta_star"))
    np.testing.assert_array_equal(sub.mean, full.mean[[2, 0]])
    np.testing.assert_array_equal(sub.cov, full.cov[np.ix_([2, 0], [2, 0])])
    assert full.marginal(full.labels).name == full.name


def test_bbn_two_d_marginal_on_omega_b():
    two = load_bbn_prior("omega_b_neff")
    lk = L.get("bbn", kind="omega_b_neff", labels=("omega_b",), parametrization="physical")
    assert lk.param_names == ("omega_b",)
    sigma = np.sqrt(two.cov[0, 0])  # 0.000635: the paper's +-0.00063
    assert sigma == pytest.approx(0.00063, abs=0.000006)
    expect = -0.5 * ((0.0222 - 0.02196) / sigma) ** 2 - np.log(np.sqrt(2 * np.pi) * sigma)
    assert float(lk({"omega_b": 0.0222})) == pytest.approx(expect, rel=1e-10)


def test_published_bbn_neff_prior_is_pinned():
    # arXiv:2401.15054v3, abstract and Table 2 (PDG abundances, PRyMordial + NACRE II):
    # omega_b = 0.02196 +- 0.00063, Delta N_eff = -0.14 +- 0.21 about N_eff = 3.044
    two = load_bbn_prior("omega_b_neff")
    assert two.mean.tolist() == pytest.approx([0.02196, 3.044 - 0.14], rel=1e-12)
    sd = np.sqrt(np.diag(two.cov))
    assert abs(sd[0] - 0.00063) < 6e-6 and abs(sd[1] - 0.21) < 0.005


@pytest.mark.parametrize("labels, match", [(("theta",), r"unknown: \['theta'\]"), ((), "non-empty"),
                                           (("omega_b", "omega_b"), "without repeats")])
def test_bad_labels_name_the_valid_ones(labels, match):
    with pytest.raises(ValueError, match=match) as err:
        L.get("desi_dr2_cmb_prior", labels=labels)
    assert "('theta_star', 'omega_b', 'omega_bc')" in str(err.value)

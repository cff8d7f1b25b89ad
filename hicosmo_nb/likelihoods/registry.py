"""Named datasets: ``get("desi_dr2_bao", rd="free")`` loads the data and builds the likelihood.

Every entry of :data:`DATASETS` is a function of keyword options only, returning a
:class:`~hicosmo_nb.likelihoods.Likelihood`. Options are validated: an unknown option or value
raises ``ValueError`` naming it and listing the valid ones.

Examples
--------
>>> from hicosmo_nb import likelihoods
>>> lk = likelihoods.get("desi_dr2_bao", rd="free")
>>> lk.name, lk.param_names
('desi_dr2_bao', ('Omega_m', 'hrd'))
>>> sorted(likelihoods.DATASETS)[:3]
['bbn', 'cc', 'desi_dr1_bao']
"""

from __future__ import annotations

import inspect
from typing import Callable

from .. import data as _data
from ..parameters import closest, unknown_name_error
from .bao import bao_likelihood
from .base import Likelihood
from .cc import cc_likelihood
from .cmb import cmb_priors_likelihood
from .early_priors import bbn_likelihood, desi_cmb_prior_likelihood
from .priors import SH0ES_2022, h0_prior
from .sn import sn_likelihood

__all__ = ["DATASETS", "dataset_options", "get"]


def pantheon_plus(*, marginalize_M: bool = True, covariance: str = "stat+sys", z_min: float = 0.01,
                  method: str = "auto", path=None, cov_path=None, data_dir=None,
                  de_density=None, efunc=None, model_params=(), neutrino_hierarchy="one") -> Likelihood:
    """Pantheon+ (zHD > z_min; STAT+SYS covariance by default, ``covariance="diagonal"`` by name)."""
    d = _data.load_pantheon_plus(covariance=covariance, z_min=z_min, path=path, cov_path=cov_path,
                                 data_dir=data_dir)
    return sn_likelihood(d, marginalize_M=marginalize_M, method=method, de_density=de_density,
                         efunc=efunc, model_params=model_params,
                         neutrino_hierarchy=neutrino_hierarchy)


def union3(*, marginalize_M: bool = True, source: str = "embedded", data_dir=None,
           de_density=None, efunc=None, model_params=(), neutrino_hierarchy="one") -> Likelihood:
    """Union3 compressed (22 nodes, full covariance); offset ``dM`` marginalized by default."""
    d = _data.load_union3(source=source, data_dir=data_dir)
    return sn_likelihood(d, marginalize_M=marginalize_M, de_density=de_density, efunc=efunc,
                         model_params=model_params,
                         neutrino_hierarchy=neutrino_hierarchy)


def desy5(*, marginalize_M: bool = True, covariance: str = "stat+sys", method: str = "auto",
          path=None, cov_path=None, data_dir=None, de_density=None, efunc=None,
          model_params=(), neutrino_hierarchy="one") -> Likelihood:
    """DES-SN5YR (needs the systematic covariance file, or ``covariance="diagonal"`` by name)."""
    d = _data.load_desy5(covariance=covariance, path=path, cov_path=cov_path, data_dir=data_dir)
    return sn_likelihood(d, marginalize_M=marginalize_M, method=method, de_density=de_density,
                         efunc=efunc, model_params=model_params,
                         neutrino_hierarchy=neutrino_hierarchy)


def desi_dr1_bao(*, tracers=None, rd: str = "computed", source: str = "embedded", data_dir=None,
                 de_density=None, efunc=None, model_params=(), neutrino_hierarchy="one") -> Likelihood:
    """DESI DR1 BAO (all tracers, or a subset via ``tracers=``)."""
    d = _data.load_desi_bao("dr1", tracers=tracers, source=source, data_dir=data_dir)
    return bao_likelihood(d, rd=rd, de_density=de_density, efunc=efunc, model_params=model_params,
                         neutrino_hierarchy=neutrino_hierarchy)


def desi_dr2_bao(*, tracers=None, rd: str = "computed", source: str = "embedded", data_dir=None,
                 de_density=None, efunc=None, model_params=(), neutrino_hierarchy="one") -> Likelihood:
    """DESI DR2 BAO (all tracers, or a subset via ``tracers=``)."""
    d = _data.load_desi_bao("dr2", tracers=tracers, source=source, data_dir=data_dir)
    return bao_likelihood(d, rd=rd, de_density=de_density, efunc=efunc, model_params=model_params,
                         neutrino_hierarchy=neutrino_hierarchy)


def cc(*, source: str = "embedded", data_dir=None, de_density=None, efunc=None,
       model_params=(), neutrino_hierarchy="one") -> Likelihood:
    """32 cosmic-chronometer H(z) points (diagonal errors)."""
    d = _data.load_cc(source=source, data_dir=data_dir)
    return cc_likelihood(d, de_density=de_density, efunc=efunc, model_params=model_params,
                         neutrino_hierarchy=neutrino_hierarchy)


def planck18_priors(*, convention: str = "chen2019", parametrization: str = "physical",
                    table: str = "appendix", source: str = "embedded", data_dir=None,
                    de_density=None, model_params=(), neutrino_hierarchy="one") -> Likelihood:
    """Planck 2018 distance priors (Chen, Huang & Wang 2019) on (R, l_A, omega_b)."""
    d = _data.load_planck18_priors(table=table, source=source, data_dir=data_dir)
    return cmb_priors_likelihood(d, convention=convention, parametrization=parametrization,
                                 de_density=de_density, model_params=model_params,
                                 neutrino_hierarchy=neutrino_hierarchy)


def sh0es(*, mean: float = SH0ES_2022["mean"], sigma: float = SH0ES_2022["sigma"]) -> Likelihood:
    """SH0ES H0 = 73.04 +- 1.04 km/s/Mpc (Riess et al. 2022) as a Gaussian likelihood."""
    return h0_prior(mean, sigma, name="sh0es")


def _marginal(prior, labels):
    return prior if labels is None else prior.marginal(labels)


def bbn(*, kind: str = "omega_b", parametrization: str = "density", labels=None) -> Likelihood:
    """BBN (Schöneberg 2024): omega_b = 0.02218 +- 0.00055, or ``kind="omega_b_neff"`` (with N_eff);
    ``labels=("omega_b",)`` keeps the marginal of the 2-d prior."""
    return bbn_likelihood(_marginal(_data.load_bbn_prior(kind), labels), parametrization=parametrization)


def desi_dr2_cmb_prior(*, parametrization: str = "density", z_star_method: str = "hs_camb",
                       labels=None, neutrino_hierarchy: str = "one") -> Likelihood:
    """DESI DR2 compressed CMB prior (Planck PR4) on (theta_*, omega_b, omega_bc); ``labels=`` keeps
    the Gaussian marginal of a subset, e.g. ``("theta_star",)`` for DESI's BAO + BBN + theta_*."""
    return desi_cmb_prior_likelihood(_marginal(_data.load_desi_cmb_prior(), labels),
                                     parametrization=parametrization, z_star_method=z_star_method,
                                     neutrino_hierarchy=neutrino_hierarchy)


DATASETS: dict[str, Callable[..., Likelihood]] = {
    "pantheon_plus": pantheon_plus,
    "union3": union3,
    "desy5": desy5,
    "desi_dr1_bao": desi_dr1_bao,
    "desi_dr2_bao": desi_dr2_bao,
    "cc": cc,
    "planck18_priors": planck18_priors,
    "sh0es": sh0es,
    "bbn": bbn,
    "desi_dr2_cmb_prior": desi_dr2_cmb_prior,
}


def dataset_options(name: str) -> tuple[str, ...]:
    """The option names the builder of dataset ``name`` takes (what :func:`get` accepts).

    The registry's builders say what they accept in their signatures, so a rule such as "BAO
    with a free sound horizon" asks ``"rd" in dataset_options(name)`` instead of guessing from
    the name.

    Raises
    ------
    ValueError
        Unknown dataset (with the closest name and the valid ones).

    Examples
    --------
    >>> "rd" in dataset_options("desi_dr2_bao"), "rd" in dataset_options("cc")
    (True, False)
    """
    if not isinstance(name, str):
        raise ValueError(f"dataset name must be a str, got {name!r}; valid: {', '.join(DATASETS)}")
    if name not in DATASETS:
        raise unknown_name_error("dataset", [name], DATASETS)
    return tuple(inspect.signature(DATASETS[name]).parameters)


def get(name: str, **options) -> Likelihood:
    """Build the named dataset's likelihood with ``options``.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    **options
        Keyword options of that builder (e.g. ``rd="free"``, ``tracers=["LRG1"]``,
        ``marginalize_M=False``, ``covariance="diagonal"``).

    Raises
    ------
    ValueError
        Unknown dataset (with the closest name) or unknown option (with the valid ones).
    """
    valid = list(dataset_options(name))
    bad = [k for k in options if k not in valid]
    if bad:
        hints = [f"{k!r}" + (f" (did you mean {closest(k, valid)!r}?)" if closest(k, valid) else "")
                 for k in bad]
        raise ValueError(f"unknown option {', '.join(hints)} for dataset {name!r}; valid options: "
                         f"{', '.join(valid)}")
    lk = DATASETS[name](**options)
    lk.metadata.setdefault("dataset", name)  # what combine() compares (repeats, overlaps)
    return lk

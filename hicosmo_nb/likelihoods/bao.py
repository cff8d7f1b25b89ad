"""BAO likelihood for ``D_M/r_d``, ``D_H/r_d`` and ``D_V/r_d`` measurements (DESI conventions).

``D_M`` is the transverse comoving distance, ``D_H = c/H(z)``, ``D_V = [z D_M^2 D_H]^(1/3)``,
all divided by the sound horizon at the drag epoch ``r_d``. Two treatments of ``r_d``:

- ``rd="free"``: the data constrain only ``h r_d`` (parameter ``hrd`` in Mpc): the model is
  ``D_X h / (h r_d)`` where ``D_X h`` does not depend on ``H0`` except through the tiny radiation
  density (``H0`` is read when present, else its default 67.36). Parameters ``("Omega_m", "hrd")``.
- ``rd="computed"``: ``r_d`` from :func:`hicosmo_nb.cosmology.sound_horizon_drag` (exact sound
  horizon integral, drag redshift fit calibrated on CAMB). Parameters
  ``("H0", "Omega_m", "Omega_b")``.

Examples
--------
>>> from hicosmo_nb.data import load_desi_bao
>>> from hicosmo_nb.likelihoods import bao_likelihood
>>> lk = bao_likelihood(load_desi_bao("dr2"), rd="free")
>>> lk.param_names
('Omega_m', 'hrd')
>>> round(float(-2 * lk({"Omega_m": 0.2975, "hrd": 101.54}) - lk.metadata["chi2_offset"]), 1)
10.3
"""

from __future__ import annotations

from typing import Callable

import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from .. import cosmology
from ..data import BAOData
from ..data.containers import BAO_OBSERVABLES
from ..parameters import PARAMETERS
from .base import Likelihood
from ._cosmo import CosmoView, optional_cosmology
from .gaussian import gaussian_model

__all__ = ["bao_likelihood", "RD_OPTIONS"]

RD_OPTIONS = ("computed", "free")
_HRD_FIDUCIAL = PARAMETERS["hrd"].default  # a physical stand-in where hrd is unphysical (result -inf)
# is_physical horizon for rd="computed": r_d integrates E(z) up to z = infinity.
_Z_MAX_EARLY = 1.0e5


def bao_likelihood(data: BAOData, *, rd: str = "computed", method: str = "inverse",
                   name: str | None = None, de_density: Callable | None = None,
                   efunc: Callable | None = None, model_params: tuple[str, ...] = (),
                   neutrino_hierarchy: str = "one") -> Likelihood:
    """Build a Gaussian BAO likelihood from a :class:`~hicosmo_nb.data.BAOData`.

    Parameters
    ----------
    data : BAOData
    rd : {"computed", "free"}
        Sound horizon from the early-universe physics, or free through ``hrd = h r_d`` [Mpc].
    method : {"inverse", "cholesky"}
    name : str, optional
        Defaults to ``data.name``.
    de_density, efunc, model_params
        User dark-energy density or ``E(z)`` and the extra parameter names it reads.
    neutrino_hierarchy : {"one", "degenerate", "normal", "inverted"}
        How ``m_nu`` splits into mass states: a static setting of the likelihood, never sampled.

    Returns
    -------
    Likelihood
        Gaussian (``data``, ``cov``, ``theory`` set). ``metadata["chi2_offset"]`` is
        ``log det(2 pi C)``, so ``chi2 = -2 loglike - chi2_offset``.

    Raises
    ------
    ValueError
        Bad ``rd``, data type or options.
    """
    if not isinstance(data, BAOData):
        raise ValueError(f"bao_likelihood needs a BAOData (hicosmo_nb.data), got {type(data).__name__}")
    if rd not in RD_OPTIONS:
        raise ValueError(f"rd must be one of {RD_OPTIONS}, got {rd!r}")
    name = name or data.name
    z_max = float(np.max(data.z)) if rd == "free" else _Z_MAX_EARLY
    view = CosmoView(z_max, model_params=model_params, de_density=de_density, efunc=efunc,
                     neutrino_hierarchy=neutrino_hierarchy,
                     early=rd == "computed")
    if rd == "free":
        required = ("Omega_m", "hrd") + view.model_params
    else:
        required = ("H0", "Omega_m", "Omega_b") + view.model_params
    optional = optional_cosmology(required)
    zu, idx = np.unique(data.z, return_inverse=True)
    zu_j = jnp.asarray(zu)
    evaluator = cosmology.DistanceEvaluator(zu, **view.kw)
    kind = np.array([BAO_OBSERVABLES.index(k) for k in data.kinds])

    def safe(params):
        if rd == "free":
            hrd = jnp.asarray(params["hrd"], dtype=jnp.float64)
            hrd_ok = jnp.isfinite(hrd) & (hrd > 0)
            cosmo, ok = view.safe(params, hrd_ok)
            return cosmo, jnp.where(ok, hrd, _HRD_FIDUCIAL) / (cosmo["H0"] / 100.0), ok
        cosmo, ok = view.safe(params)
        rd_mpc = cosmology.sound_horizon_drag(cosmo, **view.kw)
        return cosmo, rd_mpc, ok

    def model(params):
        with cosmology.assume_physical():  # safe() sanitizes: skip the contract's repeated checks
            return _model(params)

    def _model(params):
        cosmo, rd_mpc, ok = safe(params)
        dm = evaluator.transverse_comoving_distance(cosmo)
        dh = cosmology.hubble_distance(cosmo, zu_j, **view.kw)
        dv = cosmology.volume_averaged_distance(cosmo, zu_j, dm=dm, dh=dh)
        table = jnp.stack([dm, dh, dv]) / rd_mpc
        return table[kind, idx], ok

    def theory(params):
        return model(params)[0]

    return gaussian_model(data.values, data.cov, model, theory, param_names=required, name=name,
                          optional_names=optional, method=method,
                          metadata={"dataset": data.name, "files": dict(data.files), "rd": rd,
                                    "citation": data.citation, "tracers": data.tracers,
                                    "z": data.z.tolist(), "kinds": list(data.kinds)},
                          guard=view.guard, distances=(evaluator,))

"""Type Ia supernova likelihood with the magnitude offset free or analytically marginalized.

Model: ``mag_i = mu(z_i, z_hel,i; cosmology) + M`` with ``mu = 5 log10(D_L / 10 pc)``.

- ``marginalize_M=False``: ``M`` (``mag_kind="m_b"``, Pantheon+) or ``dM`` (``mag_kind="mu"``:
  Union3, DES-SN5YR, whose magnitudes carry an arbitrary offset) is a free parameter. ``H0`` and
  the offset are exactly degenerate, so ``H0`` is *not* required: it is read when present (e.g.
  sampled jointly with BAO or an H0 prior) and otherwise fixed to its default 67.36; ``M`` is then
  the absolute magnitude for that ``H0``.
- ``marginalize_M=True`` (default): the offset is integrated out against a flat prior of unit
  density (Conley et al. 2011, Appendix C)::

      ln L = -1/2 [a - b^2/e] - 1/2 ln det(2 pi C) + 1/2 ln(2 pi / e),
      a = r^T C^-1 r,  b = 1^T C^-1 r,  e = 1^T C^-1 1,  r = mag - mu.

  Only the shape of ``mu(z)`` matters; ``H0`` drops out (except through the tiny radiation
  density, for which the default or the dict's ``H0`` is used).

Examples
--------
>>> import numpy as np
>>> from hicosmo_nb.data import SNData
>>> from hicosmo_nb.likelihoods import sn_likelihood
>>> z = np.linspace(0.05, 1.0, 20)
>>> d = SNData(z=z, mag=5 * np.log10(4283 * z) + 25, cov=np.eye(20) * 0.01)
>>> lk = sn_likelihood(d)
>>> lk.param_names
('Omega_m',)
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from ..data import SNData
from ..parameters import COSMOLOGY_DEFAULTS
from .base import Likelihood
from ._common import check_keys, factorize, quadratic_form
from ._cosmo import CosmoView, optional_cosmology
from ._distances import DistanceGrid

__all__ = ["sn_likelihood"]

_LOG_2PI = float(np.log(2.0 * np.pi))


def sn_likelihood(data: SNData, *, marginalize_M: bool = True, method: str = "inverse",
                  name: str | None = None, de_density: Callable | None = None,
                  efunc: Callable | None = None, model_params: tuple[str, ...] = ()) -> Likelihood:
    """Build a supernova likelihood from an :class:`~hicosmo_nb.data.SNData`.

    Parameters
    ----------
    data : SNData
        Redshifts, magnitudes and full covariance (see :mod:`hicosmo_nb.data` loaders).
    marginalize_M : bool
        Integrate the magnitude offset out analytically (default) or keep it free as ``M``
        (``mag_kind="m_b"``) / ``dM`` (``mag_kind="mu"``).
    method : {"inverse", "cholesky"}
        Quadratic-form evaluation (see :func:`hicosmo_nb.likelihoods.gaussian`).
    name : str, optional
        Defaults to ``data.name``.
    de_density, efunc, model_params
        User dark-energy density or ``E(z)`` and the extra parameter names it reads.

    Returns
    -------
    Likelihood
        ``param_names``: ``("Omega_m",)`` marginalized, ``("Omega_m", "M")`` or
        ``("Omega_m", "dM")`` free; plus ``model_params``. Optional cosmology keys (``H0``,
        ``Omega_k``, ``w0``, ``wa``, ...) are read when present. With the offset free the result
        is Gaussian (``data``, ``cov``, ``theory`` set); marginalized it is not (``theory`` None).

    Raises
    ------
    ValueError
        If ``data`` is not an SNData or an option is invalid.
    """
    if not isinstance(data, SNData):
        raise ValueError(f"sn_likelihood needs an SNData (hicosmo_nb.data), got {type(data).__name__}")
    if not isinstance(marginalize_M, bool):
        raise ValueError(f"marginalize_M must be True or False, got {marginalize_M!r}")
    name = name or data.name
    offset = "M" if data.mag_kind == "m_b" else "dM"
    view = CosmoView(float(np.max(data.z)), model_params=tuple(model_params),
                     de_density=de_density, efunc=efunc)
    required = ("Omega_m",) + (() if marginalize_M else (offset,)) + view.model_params
    optional = optional_cosmology(required)
    factor = factorize(data.cov, f"{name} covariance")
    q = quadratic_form(factor, method)
    norm = data.n * _LOG_2PI + factor.logdet
    mag, z_hel = jnp.asarray(data.mag), jnp.asarray(data.z_hel)

    grid = DistanceGrid(data.z)

    def mu_safe(params):
        cosmo, ok = view.safe(params)
        return grid.distance_modulus(cosmo, z_hel, **view.kw), ok

    meta = {"dataset": data.name, "files": dict(data.files), "citation": data.citation,
            "covariance": data.covariance, "marginalize_M": marginalize_M, "n_data": data.n,
            "offset_param": offset, "optional_params": optional, "method": method,
            "H0_if_absent": COSMOLOGY_DEFAULTS["H0"]}

    if marginalize_M:
        w = jnp.asarray(factor.inv @ np.ones(data.n))
        e = float(np.sum(factor.inv))
        norm_m = norm - (_LOG_2PI - np.log(e))
        meta["chi2_offset"] = float(norm_m)

        @jax.jit
        def loglike(params):
            check_keys(params, required, optional, name)
            mu, ok = mu_safe(params)
            r = mag - mu
            # a - b^2/e = q(r - (b/e) 1): subtracting the best-fit offset first avoids the
            # cancellation between a and b^2/e (both ~ offset^2 e when the offset is large).
            ll = -0.5 * (q(r - jnp.dot(w, r) / e) + norm_m)
            return jnp.where(ok, ll, -jnp.inf)

        return Likelihood(loglike=loglike, param_names=required, name=name, data=mag,
                          cov=jnp.asarray(factor.cov), theory=None, metadata=meta)

    meta["chi2_offset"] = float(norm)

    def theory(params):
        mu, _ = mu_safe(params)
        return mu + params[offset]

    @jax.jit
    def loglike(params):
        check_keys(params, required, optional, name)
        mu, ok = mu_safe(params)
        ll = -0.5 * (q(mag - mu - params[offset]) + norm)
        return jnp.where(ok & jnp.isfinite(params[offset]), ll, -jnp.inf)

    return Likelihood(loglike=loglike, param_names=required, name=name, data=mag,
                      cov=jnp.asarray(factor.cov), theory=theory, metadata=meta)

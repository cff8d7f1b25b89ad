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

Evaluation (``method``): with a dense N x N covariance, ``r^T C^-1 r`` costs N^2 per call (2.5M
multiply-adds for Pantheon+), far more than the cosmology. ``method="compressed"`` (the default
for the built-in dark-energy models when N > 4 x its column count) uses that the model depends
on the cosmology only through the smooth function ``f(z) = 5 log10(D_M(z) / z)``: on ``K`` knots
uniform in ``t = ln(1+z)`` (spacing <= 0.02), cubic Hermite interpolation with the exact slopes
``df/dt`` (from ``E(z)``) writes ``mu = m0 + P v`` with ``v = (f_k, df/dt_k)`` (2K numbers) and a
fixed N x 2K matrix ``P``. With ``W = L^-1`` (whitening) and the thin QR ``W [1, P] = Q R``::

    r^T C^-1 r = |W d - Q y|^2 + |y - R (offset, v)|^2,    y = Q^T W d,  d = mag - m0,

exactly (Q has orthonormal columns spanning ``W [1, P]``). A call then costs a (2K+1)^2 product
(~4k multiply-adds for Pantheon+) instead of N^2. Marginalizing the offset drops the first row
(``R`` is triangular) and adds ``1/2 ln(2 pi) - ln |R_00|`` (``R_00^2 = 1^T C^-1 1``). The only
approximation is the interpolation of ``f``: error ~ h^4 max|d^4 f/dt^4| / 384, below 1e-8 mag
for LCDM, wCDM, w0waCDM and curved models (``|Delta ln L|`` < 1e-4 for Pantheon+ even at
extreme phantom, closed models); tests compare with the dense form over wide
parameter ranges. ``"inverse"`` and ``"cholesky"`` evaluate the dense quadratic form at the data
redshifts. User ``de_density``/``efunc`` models default to ``"inverse"``, because their
smoothness is unknown.

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
from scipy.linalg import solve_triangular

from .. import _config  # noqa: F401
from .. import cosmology
from ..data import SNData
from ..parameters import COSMOLOGY_DEFAULTS
from .base import Likelihood
from ._common import check_keys, factorize, quadratic_form
from ._cosmo import CosmoView, optional_cosmology

__all__ = ["sn_likelihood"]

_LOG_2PI = float(np.log(2.0 * np.pi))


_METHODS = ("auto", "compressed", "inverse", "cholesky")
KNOT_SPACING = 0.02  # knot spacing in ln(1+z) for method="compressed"


def sn_likelihood(data: SNData, *, marginalize_M: bool = True, method: str = "auto",
                  name: str | None = None, de_density: Callable | None = None,
                  efunc: Callable | None = None, model_params: tuple[str, ...] = (),
                  neutrino_hierarchy: str = "one") -> Likelihood:
    """Build a supernova likelihood from an :class:`~hicosmo_nb.data.SNData`.

    Parameters
    ----------
    data : SNData
        Redshifts, magnitudes and full covariance (see :mod:`hicosmo_nb.data` loaders).
    marginalize_M : bool
        Integrate the magnitude offset out analytically (default) or keep it free as ``M``
        (``mag_kind="m_b"``) / ``dM`` (``mag_kind="mu"``).
    method : {"auto", "compressed", "inverse", "cholesky"}
        ``"compressed"``: knot compression of the quadratic form (module docstring);
        ``"inverse"``/``"cholesky"``: the dense quadratic form at the data redshifts (see
        :func:`hicosmo_nb.likelihoods.gaussian`). ``"auto"`` (default): compressed for the
        built-in models when N > 4 x its 2K+1 columns, else inverse. The method used is
        ``metadata["method"]``.
    name : str, optional
        Defaults to ``data.name``.
    de_density, efunc, model_params
        User dark-energy density or ``E(z)`` and the extra parameter names it reads.
    neutrino_hierarchy : {"one", "degenerate", "normal", "inverted"}
        How ``m_nu`` splits into mass states: a static setting of the likelihood, never sampled.

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
    view = CosmoView(float(np.max(data.z)), model_params=model_params, de_density=de_density,
                     efunc=efunc, neutrino_hierarchy=neutrino_hierarchy)
    required = ("Omega_m",) + (() if marginalize_M else (offset,)) + view.model_params
    optional = optional_cosmology(required)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}, got {method!r}")
    factor = factorize(data.cov, f"{name} covariance")
    norm = data.n * _LOG_2PI + factor.logdet
    mag, z_hel = jnp.asarray(data.mag), jnp.asarray(data.z_hel)
    grid = cosmology.DistanceEvaluator(data.z, **view.kw)
    columns = 2 * _Knots.count(data.z) + 1
    if method == "auto":
        user_model = de_density is not None or efunc is not None
        method = "compressed" if not user_model and data.n > 4 * columns else "inverse"
    if method == "compressed" and data.n <= columns:
        raise ValueError(f"method='compressed' needs more supernovae ({data.n}) than its "
                         f"{columns} columns; use method='inverse'")

    def mu_safe(params):
        cosmo, ok = view.safe(params)
        with cosmology.assume_physical():  # sanitized: skip the contract's repeated checks
            return grid.distance_modulus(cosmo, z_hel), ok

    e = float(np.sum(factor.inv))  # 1^T C^-1 1
    norm_m = norm - (_LOG_2PI - np.log(e))
    meta = {"dataset": data.name, "files": dict(data.files), "citation": data.citation,
            "covariance": data.covariance, "marginalize_M": marginalize_M, "n_data": data.n,
            "offset_param": offset, "method": method,
            "H0_if_absent": COSMOLOGY_DEFAULTS["H0"], "chi2_offset": float(norm_m if marginalize_M else norm)}
    common = dict(param_names=required, name=name, data=mag, cov=jnp.asarray(factor.cov), metadata=meta,
                  optional_params=optional, guard=view.guard)

    def theory(params):
        mu, _ = mu_safe(params)
        return mu + params[offset]

    if method == "compressed":
        knots = _Knots(data.z)
        chi2 = knots.compress(factor, data.mag, data.z, data.z_hel, marginalize_M)
        meta["knots"] = knots.k
        common["distances"] = (knots.grid,)

        def chi2_and_ok(params):
            cosmo, ok = view.safe(params)
            with cosmology.assume_physical():  # sanitized: skip the contract's repeated checks
                v = knots.values(cosmo, view.kw)
            return (chi2(v) if marginalize_M else chi2(v, params[offset])), ok
    else:
        q = quadratic_form(factor, method)
        w = jnp.asarray(factor.inv @ np.ones(data.n)) if marginalize_M else None
        common["distances"] = (grid,)

        def chi2_and_ok(params):  # the dense form at the data redshifts
            mu, ok = mu_safe(params)
            if marginalize_M:
                r = mag - mu
                # a - b^2/e = q(r - (b/e) 1): subtracting the best-fit offset first avoids the
                # cancellation between a and b^2/e (both ~ offset^2 e when the offset is large).
                return q(r - jnp.dot(w, r) / e), ok
            return q(mag - mu - params[offset]), ok

    if marginalize_M:
        def body(params):
            check_keys(params, required, optional, name)
            c2, ok = chi2_and_ok(params)
            return jnp.where(ok, -0.5 * (c2 + norm_m), -jnp.inf)

        return Likelihood(loglike=jax.jit(body), theory=None, body=body, **common)

    def body(params):
        check_keys(params, required, optional, name)
        c2, ok = chi2_and_ok(params)
        return jnp.where(ok & jnp.isfinite(params[offset]), -0.5 * (c2 + norm), -jnp.inf)

    return Likelihood(loglike=jax.jit(body), theory=theory, body=body, **common)


class _Knots:
    """Knots uniform in ``t = ln(1+z)`` over the data range and the Hermite matrix ``P``.

    ``f(z) = 5 log10(D_M(z) / z)`` (smooth and finite as z -> 0) is interpolated from its values
    and exact slopes ``df/dt`` at the knots, so that ``mu_i = m0_i + (P v)_i`` with
    ``m0 = 5 log10((1 + z_hel) z) + 25`` and ``v = (f_0..f_{K-1}, df/dt_0..df/dt_{K-1})``.
    """

    @staticmethod
    def count(z: np.ndarray, spacing: float = KNOT_SPACING) -> int:
        """Number of knots ``K`` for redshifts ``z`` (the compression has 2K+1 columns)."""
        t_data = np.log1p(np.asarray(z, dtype=float))
        return max(2, int(np.ceil((t_data.max() - t_data.min()) / spacing)) + 1)

    def __init__(self, z: np.ndarray, spacing: float = KNOT_SPACING):
        t_data = np.log1p(np.asarray(z, dtype=float))
        self.k = k = self.count(z, spacing)
        t = np.linspace(t_data.min(), t_data.max(), k)
        self.z_knots = np.expm1(t)
        width = max(t[1] - t[0], 1e-12)
        j = np.clip(np.searchsorted(t, t_data, side="right") - 1, 0, k - 2)
        u = (t_data - t[j]) / width
        rows = np.arange(t_data.size)
        self.p = np.zeros((t_data.size, 2 * k))
        self.p[rows, j] = 2 * u**3 - 3 * u**2 + 1
        self.p[rows, j + 1] = -2 * u**3 + 3 * u**2
        self.p[rows, k + j] = (u**3 - 2 * u**2 + u) * width
        self.p[rows, k + j + 1] = (u**3 - u**2) * width
        self.grid = cosmology.DistanceEvaluator(self.z_knots)

    def values(self, cosmo: dict, kw: dict) -> jax.Array:
        """``v = (f_k, df/dt_k)`` at the knots, shape (2K,)."""
        dh0 = cosmology.C_KM_S / jnp.asarray(cosmo["H0"], dtype=jnp.float64)
        x = self.grid.comoving_distance(cosmo) / dh0  # D_C / D_H0
        # s = D_M / D_H0 and ds/dx = cosh (open) or cos (closed)
        s, ds = cosmology.curvature_step(cosmo.get("Omega_k", COSMOLOGY_DEFAULTS["Omega_k"]), x)
        s = jnp.maximum(s, 1e-300)
        zk = jnp.asarray(self.z_knots)
        f = 5.0 * jnp.log10(dh0 * s / zk)
        # df/dt = (1+z) df/dz, df/dz = 5/ln10 (D_M'/D_M - 1/z), D_M' = D_H0 (ds/dx) / E(z)
        e = cosmology.E(cosmo, zk, **kw)
        dfdt = (5.0 / np.log(10.0)) * (1.0 + zk) * (ds / (e * s) - 1.0 / zk)
        return jnp.concatenate([f, dfdt])

    def compress(self, factor, mag, z, z_hel, marginalize: bool):
        """``chi2(v)`` (offset marginalized) or ``chi2(v, offset)`` for
        ``r = mag - m0 - P v - offset``, through the thin QR of ``W [1, P]`` (``W = L^-1``)."""
        d = np.asarray(mag) - (5.0 * np.log10((1.0 + np.asarray(z_hel)) * np.asarray(z)) + 25.0)
        white = solve_triangular(factor.chol, np.column_stack([d, np.ones(factor.n), self.p]), lower=True)
        wd = white[:, 0]
        q, r = np.linalg.qr(white[:, 1:])
        y = q.T @ wd
        perp = float(np.sum((wd - q @ y) ** 2))  # the part of the data no model can fit
        if marginalize:
            y1, r1 = jnp.asarray(y[1:]), jnp.asarray(r[1:, 1:])

            def chi2(v):
                res = y1 - r1 @ v
                return perp + jnp.dot(res, res)

            return chi2
        yj, rj = jnp.asarray(y), jnp.asarray(r)

        def chi2(v, offset):
            res = yj - rj @ jnp.concatenate([jnp.reshape(offset, (1,)), v])
            return perp + jnp.dot(res, res)

        return chi2

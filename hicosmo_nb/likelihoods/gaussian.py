"""General Gaussian likelihood from a data vector, a covariance and a theory function.

``loglike(p) = -1/2 [ r^T C^-1 r + log det(2 pi C) ]`` with ``r = data - theory(p)``.
The covariance is validated and factorized once at build time (Cholesky; the log-determinant is
``2 sum log diag L``, so its sign cannot go wrong); the quadratic form has a custom JVP so that
value-and-gradient costs one matrix-vector product, not two.

Examples
--------
>>> import jax.numpy as jnp
>>> from hicosmo_nb.likelihoods import gaussian
>>> x = jnp.array([0.0, 1.0, 2.0])
>>> lk = gaussian([1.0, 3.0, 5.0], [[0.1, 0, 0], [0, 0.1, 0], [0, 0, 0.1]],
...               lambda p: p["a"] * x + p["b"], param_names=("a", "b"), name="line")
>>> round(float(lk({"a": 2.0, "b": 1.0})), 4)
0.6971
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from ..parameters import as_names, check_scalar_params
from .base import Likelihood
from ._common import check_keys, factorize, quadratic_form

__all__ = ["gaussian", "gaussian_model", "gaussian_prior"]

_LOG_2PI = float(np.log(2.0 * np.pi))


def _vector(data, name) -> np.ndarray:
    d = np.asarray(data, dtype=float)
    if d.ndim != 1 or d.size == 0:
        raise ValueError(f"{name}: data must be a non-empty 1-d array, got shape {d.shape}")
    if not np.all(np.isfinite(d)):
        raise ValueError(f"{name}: data has non-finite entries")
    return d


def gaussian(
    data: Sequence[float] | np.ndarray,
    cov: Sequence[Sequence[float]] | np.ndarray,
    theory: Callable[[Mapping], jax.Array],
    *,
    param_names: Sequence[str],
    name: str = "gaussian",
    optional_names: Sequence[str] = (),
    physical: Callable[[Mapping], jax.Array] | None = None,
    method: str = "inverse",
    metadata: dict | None = None,
) -> Likelihood:
    """Build a fully normalized Gaussian likelihood.

    Parameters
    ----------
    data : array (N,)
        Data vector.
    cov : array (N, N)
        Covariance; checked square, finite, symmetric (1e-6 relative) and positive definite.
    theory : callable
        Pure jnp function ``theory(params) -> (N,)`` model vector.
    param_names : sequence of str
        Parameters the theory requires (checked at trace time: present and scalar). One
        string is one name.
    name : str
        Label for messages and legends.
    optional_names : sequence of str
        Parameters read when present (misspellings of these are caught too).
    physical : callable, optional
        ``physical(params) -> bool scalar``; where False the result is ``-inf``. The theory must
        itself stay NaN-free there (evaluate it on a safe point) for gradients to stay finite.
    method : {"inverse", "cholesky"}
        Quadratic form via the precomputed inverse (default, fastest) or Cholesky solves.
    metadata : dict, optional
        Provenance stored on the Likelihood.

    Returns
    -------
    Likelihood
        With ``data``, ``cov`` and ``theory`` set (the expected Fisher matrix is
        ``J^T C^-1 J`` with ``J`` the Jacobian of ``theory``). ``metadata["chi2_offset"]`` is
        ``log det(2 pi C)``, so ``chi2 = -2 loglike - chi2_offset``.

    Raises
    ------
    ValueError
        Bad data, covariance, shapes or method; at the first call, a missing or non-scalar
        parameter, or a theory vector whose shape differs from the data's.
    """
    if not callable(theory):
        raise ValueError(f"{name}: theory must be a callable theory(params) -> array, got {type(theory).__name__}")
    if physical is not None and not callable(physical):
        raise ValueError(f"{name}: physical must be a callable physical(params) -> bool or None")

    safe_theory = _finite_jacobian(theory)

    def model(params):
        return safe_theory(params), (True if physical is None else physical(params))

    return gaussian_model(data, cov, model, theory, param_names=param_names, name=name,
                          optional_names=optional_names, method=method, metadata=metadata)


def _finite_jacobian(theory: Callable[[Mapping], jax.Array]) -> Callable[[Mapping], jax.Array]:
    """``theory`` with its Jacobian's non-finite entries set to 0 (the value is unchanged).

    A user theory is often NaN where it is unphysical (``sqrt`` of a negative number), and so is
    its derivative; ``0 * NaN`` would then make the gradient of the ``-inf`` log-likelihood NaN.
    The Jacobian is formed explicitly (one forward pass per parameter: user theories have few)
    so that no NaN coefficient survives into reverse mode.
    """

    @jax.custom_jvp
    def safe(params):
        return theory(params)

    @safe.defjvp
    def safe_jvp(primals, tangents):
        (params,), (dots,) = primals, tangents
        out = safe(params)
        jac = jax.jacfwd(theory)(params)
        tangent = jnp.zeros_like(out)
        for k, j in jac.items():
            if jnp.issubdtype(jnp.result_type(dots[k]), jnp.inexact):
                j = jnp.where(jnp.isfinite(j), j, 0.0)
                tangent = tangent + j * dots[k]  # parameters are scalars (checked at trace time)
        return out, tangent

    return safe


def gaussian_model(data, cov, model: Callable[[Mapping], tuple[jax.Array, jax.Array]],
                   theory: Callable[[Mapping], jax.Array], *, param_names: Sequence[str],
                   name: str, optional_names: Sequence[str] = (), method: str = "inverse",
                   metadata: dict | None = None, guard=None, distances: tuple = ()) -> Likelihood:
    """Like :func:`gaussian`, with ``model(params) -> (theory vector, physical flag)`` computed
    in one pass (builders use it so shared work is traced once); ``theory`` is stored for Fisher.
    ``guard`` and ``distances``: the builder's ``CosmoView.guard`` and the distance evaluators
    ``model`` uses (those fields of :class:`~hicosmo_nb.likelihoods.Likelihood`).
    """
    data = _vector(data, name)
    factor = factorize(np.asarray(cov, dtype=float), f"{name} covariance")
    if factor.n != data.size:
        raise ValueError(f"{name}: covariance is {factor.n}x{factor.n} but data has {data.size} entries")
    q = quadratic_form(factor, method)
    norm = data.size * _LOG_2PI + factor.logdet
    d = jnp.asarray(data)
    required = as_names(param_names, f"{name}: param_names")
    optional = as_names(optional_names, f"{name}: optional_names")
    where = f"likelihood {name!r}"

    def body(params):
        check_keys(params, required, optional, name)
        check_scalar_params(params, required + optional, where)  # trace time: vmap-safe
        vec, ok = model(params)
        if jnp.shape(vec) != d.shape:  # static at trace time; never broadcast silently
            raise ValueError(f"{where}: theory(params) returned shape {jnp.shape(vec)} but data "
                             f"has {d.size} entries (shape {d.shape}); they must match")
        finite = jnp.isfinite(vec)
        vec = jnp.where(finite, vec, d)  # a NaN theory must not reach the gradient through q
        ll = -0.5 * (q(d - vec) + norm)
        ll = jnp.where(ok & jnp.all(finite), ll, -jnp.inf)
        return jnp.where(jnp.isnan(ll), -jnp.inf, ll)

    meta = {"n_data": int(data.size), "logdet_cov": factor.logdet, "chi2_offset": norm, "method": method,
            **(metadata or {})}
    return Likelihood(loglike=jax.jit(body), param_names=required, name=name, data=d,
                      cov=jnp.asarray(factor.cov), theory=theory, metadata=meta,
                      optional_params=optional, guard=guard, body=body, distances=tuple(distances))


def gaussian_prior(param: str, mean: float, sigma: float, *, name: str | None = None,
                   citation: str = "") -> Likelihood:
    """Normalized 1-d Gaussian prior/likelihood on one parameter.

    Examples
    --------
    >>> lk = gaussian_prior("H0", 73.04, 1.04, name="sh0es")
    >>> round(float(lk({"H0": 73.04})), 4)
    -0.9582
    """
    if not (np.isfinite(mean) and np.isfinite(sigma)) or sigma <= 0:
        raise ValueError(f"gaussian_prior on {param!r}: need finite mean and sigma > 0, got "
                         f"mean={mean!r}, sigma={sigma!r}")
    return gaussian([mean], [[sigma**2]], lambda p: jnp.reshape(p[param], (1,)),
                    param_names=(param,), name=name or f"{param}_prior",
                    metadata={"mean": float(mean), "sigma": float(sigma), "citation": citation})

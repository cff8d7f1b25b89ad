"""Shared pieces of the likelihood builders: key checks, quadratic forms.

- :func:`check_keys` runs at trace time: missing required names and names that look like a
  misspelling of a name the likelihood reads raise ``ValueError``.
- Unphysical parameters are handled by :func:`hicosmo_nb.cosmology.sanitize` (through
  ``_cosmo.CosmoView``), the package's one guard.
- :func:`quadratic_form` builds ``r -> r^T C^-1 r`` with a custom JVP: the tangent reuses the
  ``C^-1 r`` of the primal, so value-and-gradient costs no extra matrix-vector product.
"""

from __future__ import annotations

from typing import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np
from scipy.linalg import solve_triangular

from .. import _config  # noqa: F401
from ..data._parse import cholesky_checked
from ..parameters import COSMOLOGY_PARAMETERS, PARAMETERS, check_scalar_params, closest

__all__ = ["check_keys", "quadratic_form", "factorize", "OPTIONAL_COSMOLOGY", "Factor"]

OPTIONAL_COSMOLOGY = tuple(COSMOLOGY_PARAMETERS)
_MISSPELLING_CUTOFF = 0.8


def check_keys(params: Mapping, required: tuple[str, ...], optional: tuple[str, ...], name: str) -> None:
    """Validate a parameter dict at trace time.

    Raises ``ValueError`` if ``params`` is not a mapping, a ``required`` name is missing, or a key
    that is neither read by this likelihood nor registered in
    :data:`hicosmo_nb.parameters.PARAMETERS` looks like a misspelling of one of those names
    (``"omega_K"``, ``"Omegam"``, ``"W0"``, ``"mnu"``). Other unregistered keys are accepted: in a
    combined likelihood they belong to another component.
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"likelihood {name!r}: params must be a dict of parameter values, got "
                         f"{type(params).__name__}")
    known = set(required) | set(optional) | set(PARAMETERS)
    bad = []
    for key in params:
        if key in known:
            continue
        hint = closest(key, known, cutoff=_MISSPELLING_CUTOFF)
        if hint is not None:
            bad.append(f"{key!r} (did you mean {hint!r}?)")
    if bad:
        raise ValueError(f"likelihood {name!r}: unknown parameter(s) {', '.join(bad)}; it reads "
                         f"{', '.join(required)} and optionally {', '.join(optional)}")
    check_scalar_params(params, [k for k in (*required, *optional) if k in params], f"likelihood {name!r}")
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"likelihood {name!r}: missing required parameter(s) "
                         f"{', '.join(map(repr, missing))}; required: {', '.join(required)}; got: "
                         f"{', '.join(params) or 'nothing'}")


class Factor:
    """Build-time factorization of a covariance (numpy): Cholesky, inverse, log-determinant.

    Attributes
    ----------
    cov, chol, inv : np.ndarray
    logdet : float
        ``log det C`` (sum of ``2 log diag(L)``; always the log of a positive number).
    n : int
    """

    def __init__(self, cov: np.ndarray, name: str):
        self.cov, self.chol = cholesky_checked(cov, name)
        self.n = self.cov.shape[0]
        self.logdet = float(2.0 * np.sum(np.log(np.diag(self.chol))))
        linv = solve_triangular(self.chol, np.eye(self.n), lower=True)
        inv = linv.T @ linv
        self.inv = 0.5 * (inv + inv.T)


def factorize(cov: np.ndarray, name: str) -> Factor:
    """Validate and factorize a covariance at build time (see :class:`Factor`)."""
    return Factor(np.asarray(cov, dtype=float), name)


def quadratic_form(factor: Factor, method: str = "inverse") -> Callable[[jax.Array], jax.Array]:
    """``q(r) = r^T C^-1 r`` with a custom JVP ``dq = 2 (C^-1 r) . dr``.

    Parameters
    ----------
    factor : Factor
    method : {"inverse", "cholesky"}
        ``"inverse"``: one matrix-vector product with the precomputed ``C^-1`` (fastest on
        CPU). ``"cholesky"``: two triangular solves with the Cholesky factor (more robust for
        very ill-conditioned matrices, slower).
    """
    if method not in ("inverse", "cholesky"):
        raise ValueError(f"method must be 'inverse' or 'cholesky', got {method!r}")
    if method == "inverse":
        cinv = jnp.asarray(factor.inv)

        def solve(r):
            return cinv @ r
    else:
        chol = jnp.asarray(factor.chol)

        def solve(r):
            return jax.scipy.linalg.cho_solve((chol, True), r)

    @jax.custom_jvp
    def q(r):
        return jnp.dot(r, solve(r))

    @q.defjvp
    def q_jvp(primals, tangents):
        (r,), (dr,) = primals, tangents
        u = solve(r)
        return jnp.dot(r, u), 2.0 * jnp.dot(u, dr)

    return q

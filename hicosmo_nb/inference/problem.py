"""A sampling problem as one validated value: :class:`Problem` (likelihood, priors, fixed values).

Every check of names, priors and fixed values happens once, when a :class:`Problem` is made;
samplers, runs and continuations take the problem as it is. A problem also keeps the compiled
samplers built for it (one per NUTS setting), so a second run of the same problem, with another
key or more draws, compiles nothing.

A problem made by the facade (:func:`hicosmo_nb.facade.build_problem`) carries its
:class:`~hicosmo_nb.inference.spec.ProblemSpec`, the JSON recipe that rebuilds it; results
store that recipe, so a saved run can be continued without rebuilding anything by hand.

Examples
--------
>>> from hicosmo_nb.likelihoods.base import Likelihood
>>> from hicosmo_nb.inference import Normal
>>> lk = Likelihood(lambda p: -0.5 * (p["x"] - p["y"]) ** 2, ("x", "y"), "toy")
>>> pb = Problem(lk, {"x": Normal(0.0, 1.0)}, fixed={"y": 0.5})
>>> pb.free, dict(pb.fixed)
(('x',), {'y': 0.5})
"""

from __future__ import annotations

import threading
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Mapping, NamedTuple

import numpy as np

from .. import _config  # noqa: F401  (float64)
from .._warnings import warn
from ..likelihoods.base import Likelihood
from ..parameters import PARAMETERS, canonical_values, closest, refuse_alternative_names
from .priors import Prior, Transform, build_transform, check_priors, default_priors
from .settings import check_fixed

__all__ = ["Problem", "PosteriorTerms", "as_problem"]


class PosteriorTerms(NamedTuple):
    """What :meth:`Problem.terms` returns (numpy arrays).

    ``loglike`` and ``grad`` (d ln L / dx) at ``x(u)``; ``x`` and its derivative ``dx_du``
    (diagonal: each parameter depends on its own coordinate) at ``u``;
    ``prior`` = ``[log_prior(u), log_jacobian(u)]`` (:class:`~.priors.Transform`) and
    ``prior_grad`` their gradients (2, d) with respect to ``u``.
    """

    loglike: np.ndarray
    grad: np.ndarray
    x: np.ndarray
    dx_du: np.ndarray
    prior: np.ndarray
    prior_grad: np.ndarray


@dataclass(frozen=True, eq=False, init=False)
class Problem:
    """Likelihood x priors, with fixed values: what a sampler samples. Validated on creation.

    Parameters
    ----------
    likelihood : Likelihood
    priors : dict name -> Prior, optional
        The free parameters, in sampling order. Default: :func:`~.priors.default_priors` of the
        likelihood's parameters that are not fixed.
    fixed : dict name -> float, optional
        Values merged into every likelihood call.
    spec : ProblemSpec, optional
        The recipe that rebuilt this problem (set by the facade).

    Raises
    ------
    ValueError
        Not a Likelihood, a bad prior or fixed value, a name both free and fixed, a fixed value
        the likelihood does not read, another name of a read parameter that disagrees (``h``
        and ``H0``) or cannot be translated (a prior on ``h``), or a parameter the likelihood
        requires that is neither free nor fixed. A fixed ``h`` is translated to ``H0 = 100 h``.

    Warns
    -----
    UserWarning
        For free parameters the likelihood never reads: they are sampled from the prior alone.
        (:func:`~hicosmo_nb.inference.spec.build_problem` also warns for free parameters it
        reads but the data do not constrain, from a Fisher look at the start point.)
    """

    likelihood: Likelihood
    priors: Mapping[str, Prior]
    fixed: Mapping[str, float]
    spec: Any = None  # a ProblemSpec (spec.py builds problems, so it sits above this module)
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: Any = field(default_factory=threading.RLock, repr=False)

    def __init__(self, likelihood: Likelihood, priors: Mapping[str, Prior] | None = None,
                 fixed: Mapping[str, float] | None = None, *, spec: Any = None):
        if not isinstance(likelihood, Likelihood):
            raise ValueError(f"likelihood must be a hicosmo_nb Likelihood; got {type(likelihood).__name__}")
        fixed = canonical_values(check_fixed(fixed), likelihood.reads, "fixed")
        if priors is not None and isinstance(priors, Mapping):
            refuse_alternative_names(priors, likelihood.reads, "priors")
        unread_fixed = [n for n in fixed if n not in likelihood.reads]
        if unread_fixed:
            hints = {n: closest(n, likelihood.reads) for n in unread_fixed if n not in PARAMETERS}
            raise ValueError(
                f"fixed value(s) for {unread_fixed} are not read by likelihood {likelihood.name!r}, so "
                f"they would be ignored; it reads {', '.join(likelihood.reads)}"
                + "".join(f" (for {n!r} did you mean {h!r}?)" for n, h in hints.items() if h))
        if priors is None:
            priors = default_priors([n for n in likelihood.param_names if n not in fixed])
        priors = check_priors(priors)
        both = sorted(set(priors) & set(fixed))
        if both:
            raise ValueError(f"parameter(s) {both} are both free (in priors) and fixed; pick one")
        missing = [n for n in likelihood.param_names if n not in priors and n not in fixed]
        if missing:
            raise ValueError(
                f"likelihood {likelihood.name!r} needs parameter(s) {missing} that are neither free "
                f"(give a prior) nor fixed (pass fixed={{...}}); free: {list(priors)}")
        unread = [n for n in priors if n not in likelihood.reads]
        if unread:
            warn(
                f"free parameter(s) {unread} are never read by likelihood {likelihood.name!r} (it reads "
                f"{', '.join(likelihood.reads)}): they are sampled from their prior alone. Drop them "
                "from the priors, or check their names.")
        for name, value in (("likelihood", likelihood), ("priors", types.MappingProxyType(priors)),
                            ("fixed", types.MappingProxyType(fixed)), ("spec", spec),
                            ("_cache", {}), ("_lock", threading.RLock())):
            object.__setattr__(self, name, value)

    @property
    def free(self) -> tuple[str, ...]:
        """The free parameters, in sampling order."""
        return tuple(self.priors)

    @property
    def transform(self) -> Transform:
        """The map between the free parameters and the sampler's unconstrained vector ``u``
        (:func:`~.priors.build_transform` of the priors; built once per problem)."""
        return self.cached("transform", lambda: build_transform(self.free, self.priors))

    @property
    def loglike_x(self) -> Callable:
        """``x -> ln L`` at the free parameters' values ``x`` (a vector in :attr:`free` order, which
        may lie outside the priors), the fixed values merged in: compiled on its first call and
        kept with the problem, so the facade's check for unconstrained parameters, nested
        sampling (:func:`hicosmo_nb.compare.nested_evidence`) and the x-space ln L of
        :func:`hicosmo_nb.compare.build_maximizer` share it."""
        return self.cached("loglike_x", self._build_loglike_x)

    def _loglike_of_x(self) -> Callable:
        """``x -> ln L`` (not compiled): the function both programs below compile."""
        import jax.numpy as jnp

        names, lk = self.free, self.likelihood.loglike
        fixed = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in self.fixed.items()}
        return lambda x: lk({**fixed, **{n: x[i] for i, n in enumerate(names)}})

    def _build_loglike_x(self) -> Callable:
        import jax

        return jax.jit(self._loglike_of_x())

    def terms(self, u) -> PosteriorTerms:
        """:class:`PosteriorTerms` at the unconstrained point ``u`` (a vector in :attr:`free` order).

        One program, compiled on the first call and kept with the problem: the sampler's MAP
        search and starting points and :func:`hicosmo_nb.compare.maximize` all use it, so a
        problem's likelihood and gradient are compiled once outside its sampling program.
        """
        u = np.asarray(u, dtype=np.float64)
        d = len(self.free)
        if u.shape != (d,):
            raise ValueError(f"Problem.terms: u has shape {u.shape}; expected ({d},), one value per "
                             f"free parameter {list(self.free)}")
        program = self.cached("terms", self._build_terms)
        return PosteriorTerms(*(np.asarray(a) for a in program(u)))

    def _build_terms(self) -> Callable:
        import jax
        import jax.numpy as jnp

        names, tr, loglike = self.free, self.transform, self._loglike_of_x()

        def x_of(u):
            c = tr.constrain(u)
            return jnp.stack([c[n] for n in names])

        def prior_terms(u):
            return jnp.stack([tr.log_prior(u), tr.log_jacobian(u)])

        def program(u):
            x, dx_du = jax.jvp(x_of, (u,), (jnp.ones_like(u),))  # x_i depends on u_i alone
            ll, grad = jax.value_and_grad(loglike)(x)
            return ll, grad, x, dx_du, prior_terms(u), jax.jacrev(prior_terms)(u)

        return jax.jit(program)

    def cached(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The object kept under ``key`` for this problem, built by ``build()`` on first use
        (thread-safe; ``build`` may itself ask for other cached objects). The sampler layer keeps
        its compiled samplers here
        (:func:`~hicosmo_nb.inference.kernel.sampler_for`), so they live as long as the problem."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def __repr__(self) -> str:
        return (f"Problem({self.likelihood.name!r}, free={list(self.free)}, "
                f"fixed={dict(self.fixed)})")


def as_problem(likelihood_or_problem, priors=None, fixed=None) -> Problem:
    """A :class:`Problem` from a problem (returned as is) or from ``likelihood, priors, fixed``.

    Raises
    ------
    ValueError
        If a problem comes with priors or fixed values too (they belong in the problem).
    """
    if isinstance(likelihood_or_problem, Problem):
        if priors is not None or fixed:
            raise ValueError("pass priors and fixed values to Problem(...), not beside a Problem")
        return likelihood_or_problem
    return Problem(likelihood_or_problem, priors, fixed)

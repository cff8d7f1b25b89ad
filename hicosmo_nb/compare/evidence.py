"""Bayesian evidence ``ln Z`` by nested sampling with dynesty (Speagle 2020, arXiv:1904.02180).

Why dynesty: an established, maintained nested sampler whose ``ln Z`` error estimate is
documented and tested; it is pure Python (wheel ``py3-none-any``, needing only numpy, scipy and
matplotlib, all already dependencies here), so it installs on Colab's Python 3.13 + jax 0.7.2
and on current jax alike, and does not pin jax (jaxns and BlackJAX SMC do, or need a newer jax).
The likelihood stays the compiled JAX function; dynesty calls it point by point, which is fast
enough for the few-parameter problems of this package (thousands of calls per second).

The prior transform maps the unit cube through each prior's inverse CDF (``Uniform``,
``Normal``, ``TruncatedNormal`` of :mod:`hicosmo_nb.inference`).

Examples
--------
>>> from hicosmo_nb.likelihoods import gaussian
>>> from hicosmo_nb.inference import Problem, Uniform
>>> lk = gaussian([1.0], [[0.01]], lambda p: p["a"][None], param_names=("a",), name="toy")
>>> ev = nested_evidence(Problem(lk, {"a": Uniform(-10.0, 10.0)}), nlive=100, seed=1)
>>> abs(ev.log_z - (-2.9957)) < 4 * ev.log_z_err + 0.1
True
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import stats

from .. import _config  # noqa: F401  (float64)
from ..inference import Normal, Problem, TruncatedNormal, Uniform

__all__ = ["Evidence", "nested_evidence"]

_FLOOR = -1e300  # dynesty wants finite ln L; -inf (unphysical) points become this


class Evidence(NamedTuple):
    """``ln Z`` and dynesty's estimate of its error; ``num_calls`` likelihood evaluations."""

    log_z: float
    log_z_err: float
    num_calls: int
    sampler: str
    nlive: int


def _ppf(prior):
    if isinstance(prior, Uniform):
        lo, width = prior.lower, prior.upper - prior.lower
        return lambda u: lo + u * width
    if isinstance(prior, Normal):
        return stats.norm(prior.mu, prior.sigma).ppf
    if isinstance(prior, TruncatedNormal):
        a, b = (prior.lower - prior.mu) / prior.sigma, (prior.upper - prior.mu) / prior.sigma
        return stats.truncnorm(a, b, loc=prior.mu, scale=prior.sigma).ppf
    raise ValueError(f"nested_evidence supports Uniform, Normal and TruncatedNormal priors; got "
                     f"{type(prior).__name__}")


def nested_evidence(problem: Problem, *, nlive: int = 400, dlogz: float = 0.05, seed: int = 0,
                    bound: str = "multi", sample: str = "auto") -> Evidence:
    """``ln Z`` of ``problem`` (likelihood x priors, fixed values held) by dynesty's static sampler.

    Parameters
    ----------
    problem : Problem
    nlive : int
        Live points (more: smaller error, longer run; the error scales as ``1/sqrt(nlive)``).
    dlogz : float
        Stop when the remaining evidence is below this (dynesty's criterion).
    seed : int
        Seeds dynesty's ``numpy.random.Generator``.
    bound, sample : str
        dynesty's bounding and sampling methods.

    Returns
    -------
    Evidence

    Raises
    ------
    ValueError
        Not a Problem, a prior dynesty cannot invert, bad ``nlive`` or ``dlogz``.
    """
    import dynesty

    if not isinstance(problem, Problem):
        raise ValueError(f"nested_evidence needs an inference.Problem, got {type(problem).__name__}")
    if isinstance(nlive, bool) or not isinstance(nlive, int) or nlive < 10:
        raise ValueError(f"nlive must be an integer >= 10, got {nlive!r}")
    if not (isinstance(dlogz, (int, float)) and dlogz > 0):
        raise ValueError(f"dlogz must be a positive number, got {dlogz!r}")
    names = problem.free
    ppfs = [_ppf(problem.priors[n]) for n in names]
    loglike_vec = problem.loglike_x  # compiled once per problem (the facade's check shares it)

    def loglike(x):
        # numpy goes straight into the compiled call (jnp.asarray would stage a conversion
        # of its own on every one of dynesty's calls)
        v = float(loglike_vec(np.asarray(x, dtype=np.float64)))
        return v if math.isfinite(v) else _FLOOR

    def prior_transform(u):
        return np.array([f(ui) for f, ui in zip(ppfs, u)])

    sampler = dynesty.NestedSampler(loglike, prior_transform, len(names), nlive=nlive, bound=bound,
                                    sample=sample, rstate=np.random.default_rng(seed))
    sampler.run_nested(dlogz=dlogz, print_progress=False)
    res = sampler.results
    return Evidence(log_z=float(res.logz[-1]), log_z_err=float(res.logzerr[-1]),
                    num_calls=int(np.sum(res.ncall)), sampler=f"dynesty {dynesty.__version__}",
                    nlive=nlive)

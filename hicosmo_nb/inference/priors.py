"""Priors for the sampler: ``Uniform``, ``Normal``, ``TruncatedNormal``, and default priors.

A prior is a small frozen dataclass holding numbers only; :meth:`Prior.distribution` gives the
NumPyro distribution that evaluates it, and NumPyro's ``biject_to(support)`` gives the map from
the unconstrained space where NUTS moves. Labels come from
:data:`hicosmo_nb.parameters.PARAMETERS` unless a prior carries its own ``label``.

:func:`build_transform` turns a ``{name: prior}`` dict into pure functions of one flat
unconstrained vector ``u`` (one entry per parameter, in the given order), e.g. ``constrain(u)
-> {name: value}`` and ``log_prior(u)`` (prior density in ``u``, Jacobian included).

Examples
--------
>>> from hicosmo_nb.inference.priors import Uniform, Normal, default_priors
>>> pri = {"Omega_m": Uniform(0.1, 0.5), "hrd": Normal(100.0, 5.0)}
>>> pri["Omega_m"].latex("Omega_m")
'$\\\\Omega_m$'
>>> sorted(default_priors(["H0", "Omega_m"]).items())[0]
('H0', Uniform(lower=20.0, upper=120.0, label=None))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, NamedTuple

import jax
import jax.numpy as jnp
import numpyro.distributions as dist
from numpyro.distributions.transforms import biject_to

from .. import _config  # noqa: F401  (float64)
from ..parameters import MODELS, PARAMETERS, latex_label, unknown_name_error

__all__ = [
    "Prior",
    "Uniform",
    "Normal",
    "TruncatedNormal",
    "default_priors",
    "model_priors",
    "check_priors",
    "Transform",
    "build_transform",
]


def _finite(name: str, value: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"prior {name} must be a number; got {value!r}") from err
    if not math.isfinite(value):
        raise ValueError(f"prior {name} must be finite; got {value}")
    return value


class Prior:
    """Base class: subclasses define :meth:`distribution` and :attr:`bounds`."""

    label: str | None = None

    def distribution(self) -> dist.Distribution:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def bounds(self) -> tuple[float, float]:
        """Support ``(lower, upper)``; infinite where unbounded."""
        raise NotImplementedError  # pragma: no cover

    def latex(self, name: str) -> str:
        """LaTeX label of the parameter, in dollars: ``label`` if set, else the registry's."""
        return f"${self.label}$" if self.label else latex_label(name)

    def center(self) -> float:
        """A central value inside the support (mean of the untruncated shape, clipped)."""
        raise NotImplementedError  # pragma: no cover


@dataclass(frozen=True)
class Uniform(Prior):
    """Flat prior on ``[lower, upper]``.

    Examples
    --------
    >>> Uniform(0.1, 0.5).bounds
    (0.1, 0.5)
    """

    lower: float
    upper: float
    label: str | None = None

    def __post_init__(self):
        lo, hi = _finite("Uniform lower", self.lower), _finite("Uniform upper", self.upper)
        if not lo < hi:
            raise ValueError(f"Uniform prior needs lower < upper; got lower={lo}, upper={hi}")
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)

    def distribution(self) -> dist.Distribution:
        return dist.Uniform(self.lower, self.upper)

    @property
    def bounds(self) -> tuple[float, float]:
        return (self.lower, self.upper)

    def center(self) -> float:
        return 0.5 * (self.lower + self.upper)

    def __str__(self) -> str:
        return f"Uniform({self.lower:g}, {self.upper:g})"


@dataclass(frozen=True)
class Normal(Prior):
    """Gaussian prior ``N(mu, sigma)`` on the whole real line.

    Examples
    --------
    >>> Normal(67.0, 1.0).bounds
    (-inf, inf)
    """

    mu: float
    sigma: float
    label: str | None = None

    def __post_init__(self):
        mu, sigma = _finite("Normal mu", self.mu), _finite("Normal sigma", self.sigma)
        if not sigma > 0:
            raise ValueError(f"Normal prior needs sigma > 0; got sigma={sigma}")
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "sigma", sigma)

    def distribution(self) -> dist.Distribution:
        return dist.Normal(self.mu, self.sigma)

    @property
    def bounds(self) -> tuple[float, float]:
        return (-math.inf, math.inf)

    def center(self) -> float:
        return self.mu

    def __str__(self) -> str:
        return f"Normal({self.mu:g}, {self.sigma:g})"


@dataclass(frozen=True)
class TruncatedNormal(Prior):
    """Gaussian ``N(mu, sigma)`` truncated to ``[lower, upper]`` (either may be infinite).

    Examples
    --------
    >>> TruncatedNormal(0.06, 0.1, lower=0.0).bounds
    (0.0, inf)
    """

    mu: float
    sigma: float
    lower: float = -math.inf
    upper: float = math.inf
    label: str | None = None

    def __post_init__(self):
        mu, sigma = _finite("TruncatedNormal mu", self.mu), _finite("TruncatedNormal sigma", self.sigma)
        if not sigma > 0:
            raise ValueError(f"TruncatedNormal prior needs sigma > 0; got sigma={sigma}")
        lo, hi = float(self.lower), float(self.upper)
        if math.isnan(lo) or math.isnan(hi) or not lo < hi:
            raise ValueError(f"TruncatedNormal prior needs lower < upper; got lower={lo}, upper={hi}")
        if math.isinf(lo) and math.isinf(hi):
            raise ValueError("TruncatedNormal prior needs at least one finite bound; use Normal(mu, sigma)")
        for attr, val in (("mu", mu), ("sigma", sigma), ("lower", lo), ("upper", hi)):
            object.__setattr__(self, attr, val)

    def distribution(self) -> dist.Distribution:
        low = None if math.isinf(self.lower) else self.lower
        high = None if math.isinf(self.upper) else self.upper
        return dist.TruncatedNormal(self.mu, self.sigma, low=low, high=high)

    @property
    def bounds(self) -> tuple[float, float]:
        return (self.lower, self.upper)

    def center(self) -> float:
        lo, hi = self.lower, self.upper
        if self.mu <= lo or self.mu >= hi:  # mean outside: pick a point just inside the support
            if math.isinf(hi):
                return lo + self.sigma
            if math.isinf(lo):
                return hi - self.sigma
            return 0.5 * (lo + hi)
        return self.mu

    def __str__(self) -> str:
        return f"TruncatedNormal({self.mu:g}, {self.sigma:g}, lower={self.lower:g}, upper={self.upper:g})"


def default_priors(names: Iterable[str]) -> dict[str, Prior]:
    """Flat priors over the registry ranges of :data:`~hicosmo_nb.parameters.PARAMETERS`.

    Raises
    ------
    ValueError
        If a name is not registered (lists the valid names and the closest match).

    Examples
    --------
    >>> default_priors(["Omega_m"])["Omega_m"]
    Uniform(lower=0.01, upper=0.99, label=None)
    """
    names = list(names)
    unknown = [n for n in names if n not in PARAMETERS]
    if unknown:
        raise unknown_name_error("parameter", unknown, PARAMETERS)
    return {n: Uniform(PARAMETERS[n].lower, PARAMETERS[n].upper) for n in names}


def model_priors(model: str) -> dict[str, Prior]:
    """Default priors for the free cosmological parameters of a model in ``MODELS``.

    Examples
    --------
    >>> list(model_priors("wCDM"))
    ['H0', 'Omega_m', 'w0']
    """
    if model not in MODELS:
        raise unknown_name_error("model", [model], MODELS)
    return default_priors(MODELS[model])


def check_priors(priors: Mapping[str, Prior], names: Iterable[str] | None = None) -> dict[str, Prior]:
    """Validate a ``{name: Prior}`` dict (and that it covers exactly ``names`` when given).

    Raises
    ------
    ValueError
        If a value is not a :class:`Prior`, or names are missing or extra.
    """
    if not isinstance(priors, Mapping) or not priors:
        raise ValueError(f"priors must be a non-empty dict name -> Prior; got {priors!r}")
    for name, prior in priors.items():
        if not isinstance(prior, Prior):
            raise ValueError(
                f"prior for {name!r} is {prior!r}; expected Uniform(lo, hi), Normal(mu, sigma) "
                "or TruncatedNormal(mu, sigma, lower, upper)"
            )
    if names is not None:
        names = list(names)
        missing = [n for n in names if n not in priors]
        if missing:
            raise ValueError(f"no prior given for parameter(s) {missing}; priors cover {list(priors)}")
    return dict(priors)


class Transform(NamedTuple):
    """Pure maps between the flat unconstrained vector ``u`` and ``{name: value}``.

    Attributes
    ----------
    constrain : callable
        ``u -> {name: value}``.
    log_prior : callable
        ``u -> log p(u)``: prior log density of ``constrain(u)`` plus ``log|dx/du|``.
    unconstrain : callable
        ``{name: value} -> u`` (values strictly inside the support).
    log_jacobian : callable
        ``u -> log|dx/du|`` alone (so ``log_prior - log_jacobian`` is the density in ``x``).
    """

    constrain: Callable[[jax.Array], dict]
    log_prior: Callable[[jax.Array], jax.Array]
    unconstrain: Callable[[Mapping], jax.Array]
    log_jacobian: Callable[[jax.Array], jax.Array]


def build_transform(names: tuple[str, ...], priors: Mapping[str, Prior]) -> Transform:
    """Build the :class:`Transform` of ``priors`` (NumPyro ``biject_to`` of each support).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> t = build_transform(("x",), {"x": Uniform(0.0, 2.0)})
    >>> float(t.constrain(jnp.zeros(1))["x"])
    1.0
    """
    dists = [priors[n].distribution() for n in names]
    trans = [biject_to(d.support) for d in dists]

    def constrain(u):
        return {n: t(u[i]) for i, (n, t) in enumerate(zip(names, trans))}

    def log_jacobian(u):
        total = jnp.zeros((), dtype=u.dtype)
        for i, t in enumerate(trans):
            total = total + t.log_abs_det_jacobian(u[i], t(u[i]))
        return total

    def log_prior(u):
        total = jnp.zeros((), dtype=u.dtype)
        for i, (d, t) in enumerate(zip(dists, trans)):
            x = t(u[i])
            total = total + d.log_prob(x) + t.log_abs_det_jacobian(u[i], x)
        return total

    def unconstrain(values):
        return jnp.stack([jnp.asarray(t.inv(jnp.asarray(values[n], dtype=jnp.float64)))
                          for n, t in zip(names, trans)], axis=-1)

    return Transform(constrain, log_prior, unconstrain, log_jacobian)

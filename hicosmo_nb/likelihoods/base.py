"""The :class:`Likelihood` object shared by the likelihood, sampling, Fisher and plotting layers.

A likelihood is a pure, jit-compiled function of a parameter dict plus the names it reads.
Builders (``hicosmo_nb.likelihoods.*``) do the slow one-off work (read, validate, factorize)
and return one of these. Combining is summation: ``a + b`` or :func:`combine`.

Gaussian likelihoods also carry ``data``, ``cov`` and ``theory`` (a pure function of the same
parameter dict returning the model vector), which the Fisher layer uses for the expected Fisher
matrix ``J^T C^-1 J``. Non-Gaussian or combined likelihoods leave them ``None`` and keep their
parts in ``components``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import jax
import jax.numpy as jnp

from .. import _config  # noqa: F401  (float64)
from .._warnings import warn
from ..cosmology import DistanceEvaluator, shared_distances
from ..data.registry import OVERLAPS
from ..parameters import refuse_alternative_names
from ._cosmo import Guard, shared_guard

__all__ = ["Likelihood", "combine"]

Params = Mapping[str, jax.Array]


@dataclass(frozen=True, eq=False)
class Likelihood:
    """A log-likelihood ``loglike(params) -> scalar`` with the parameter names it needs.

    Parameters
    ----------
    loglike : callable
        Pure, jit-compiled function of a parameter dict, returning a float64 scalar. Unphysical
        parameters give ``-inf`` (never NaN, never an exception), with finite gradients.
    param_names : tuple of str
        Parameters the function requires. Optional cosmology parameters missing from the dict
        take their :data:`hicosmo_nb.parameters.COSMOLOGY_DEFAULTS`.
    name : str
        Short label for legends and manifests.
    data, cov, theory : optional
        For Gaussian likelihoods: data vector, covariance and model-vector function.
    components : tuple of Likelihood
        The parts of a combined likelihood (empty for a leaf).
    metadata : dict
        Free-form provenance (dataset name, file checksums, options) for run manifests.
    optional_params : tuple of str
        Parameters the function also reads when present (else their defaults), e.g. ``w0`` for
        a distance likelihood: they may be free without being required.
    guard : Guard, optional
        The cosmology check the function makes on the parameter dict it is given, as given
        (set by the built-in builders; None where it checks a converted dict).
    body : callable, optional
        ``loglike`` before ``jax.jit`` (same results). With ``guard``, :func:`combine` traces it
        inline so that the parts of a combination check the cosmology once, not once each.
    distances : tuple of DistanceEvaluator
        The :class:`~hicosmo_nb.cosmology.DistanceEvaluator` objects ``body`` evaluates at the
        sanitized cosmology (built-in builders): in a combination whose parts share their
        guard, all of them are evaluated in one call of ``E(z)``
        (:func:`~hicosmo_nb.cosmology.shared_distances`).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> a = Likelihood(lambda p: -0.5 * (p["x"] - 1.0) ** 2, ("x",), "a")
    >>> b = Likelihood(lambda p: -0.5 * p["y"] ** 2, ("y",), "b")
    >>> float((a + b)({"x": 1.0, "y": 0.5}))
    -0.125
    >>> (a + b).param_names
    ('x', 'y')
    """

    loglike: Callable[[Params], jax.Array]
    param_names: tuple[str, ...]
    name: str = "likelihood"
    data: jax.Array | None = None
    cov: jax.Array | None = None
    theory: Callable[[Params], jax.Array] | None = None
    components: tuple["Likelihood", ...] = ()
    metadata: dict = field(default_factory=dict)
    optional_params: tuple[str, ...] = ()
    guard: Guard | None = None
    body: Callable[[Params], jax.Array] | None = None
    distances: tuple[DistanceEvaluator, ...] = ()

    def __call__(self, params: Params) -> jax.Array:
        if isinstance(params, Mapping):  # 'h' for H0 would be ignored (H0 takes its default)
            refuse_alternative_names(params, self.reads, f"likelihood {self.name!r}")
        return self.loglike(params)

    def __add__(self, other: "Likelihood") -> "Likelihood":
        return combine(self, other)

    @property
    def is_gaussian(self) -> bool:
        """True when ``data``, ``cov`` and ``theory`` are available (expected Fisher works)."""
        return self.data is not None and self.cov is not None and self.theory is not None

    @property
    def reads(self) -> tuple[str, ...]:
        """Every parameter the function reads: ``param_names`` then ``optional_params``."""
        return tuple(dict.fromkeys((*self.param_names, *self.optional_params)))

    @property
    def leaves(self) -> tuple["Likelihood", ...]:
        """The leaf likelihoods (itself, or the flattened components of a combination)."""
        if not self.components:
            return (self,)
        return tuple(leaf for c in self.components for leaf in c.leaves)


def _dataset(leaf: Likelihood):
    """What makes two leaves the same data: the registry dataset name, else the object."""
    return leaf.metadata.get("dataset") or id(leaf)


def combine(*likelihoods: Likelihood, name: str | None = None, allow_repeats: bool = False,
            allow_overlap: bool = False) -> Likelihood:
    """Sum independent likelihoods; the parameter lists are merged in order of appearance.

    The same dataset twice (the same leaf object, or two leaves built from one registry
    dataset) would count its chi^2 twice, so it is an error unless ``allow_repeats=True``.
    Two datasets that share data (:data:`hicosmo_nb.data.registry.OVERLAPS`: DESI DR1 and DR2
    BAO, two compressions of Planck, two SN compilations) are not independent: a warning names
    them unless ``allow_overlap=True``.

    Parts that declare a ``guard`` (the built-in builders) share one physical-validity check of
    the cosmology per call, over the union of their horizons: the verdict of checking each part,
    at the cost of one check. Their distances (the ``distances`` evaluators: SN knots, BAO
    redshifts) come from one evaluation of ``E(z)`` on one set of integration nodes
    (:func:`~hicosmo_nb.cosmology.shared_distances`), equal to each part's own to the
    quadrature's precision.

    Raises
    ------
    ValueError
        If nothing is given, an argument is not a :class:`Likelihood`, or a dataset repeats.

    Examples
    --------
    >>> a = Likelihood(lambda p: -0.5 * p["x"] ** 2, ("x",), "a")
    >>> combine(a, a, allow_repeats=True).name
    'a + a'
    """
    if not likelihoods:
        raise ValueError("combine() needs at least one Likelihood, got none")
    for i, lk in enumerate(likelihoods):
        if not isinstance(lk, Likelihood):
            raise ValueError(f"combine() argument {i} is {type(lk).__name__}, expected a Likelihood")
    leaves = tuple(leaf for lk in likelihoods for leaf in lk.leaves)
    if not allow_repeats:
        seen: dict = {}
        for leaf in leaves:
            if _dataset(leaf) in seen:
                raise ValueError(
                    f"likelihood {leaf.name!r} appears twice in combine(): its chi^2 would count "
                    "twice. Pass each dataset once, or combine(..., allow_repeats=True) if intended")
            seen[_dataset(leaf)] = leaf
    if not allow_overlap:
        tags = [t for t in dict.fromkeys(_dataset(leaf) for leaf in leaves) if isinstance(t, str)]
        for i, a in enumerate(tags):
            for b in tags[i + 1:]:
                why = OVERLAPS.get(frozenset({a, b}))
                if why:
                    warn(f"{a} and {b} overlap ({why}): their likelihoods are not independent and "
                         "the sum double-counts the shared data. Use one of them, or pass "
                         "allow_overlap=True if intended.")
    names = tuple(dict.fromkeys(n for leaf in leaves for n in leaf.param_names))
    optional = tuple(dict.fromkeys(n for leaf in leaves for n in leaf.optional_params if n not in names))
    shares = [leaf.guard is not None and leaf.body is not None for leaf in leaves]
    guards = tuple(dict.fromkeys(leaf.guard for leaf, sh in zip(leaves, shares) if sh))
    if sum(shares) < 2 or len({g.hierarchy for g in guards}) > 1:  # nothing (safe) to share
        shares, guards = [False] * len(leaves), ()
    fns = tuple(leaf.body if sh else leaf.loglike for leaf, sh in zip(leaves, shares))
    evaluators = tuple(dict.fromkeys(ev for leaf, sh in zip(leaves, shares) if sh for ev in leaf.distances))

    @jax.jit
    def loglike(params):
        total = jnp.zeros((), dtype=jnp.float64)
        with shared_guard(params, guards), shared_distances(evaluators if len(evaluators) > 1 else ()):
            for fn in fns:
                total = total + fn(params)
        return total

    return Likelihood(
        loglike=loglike,
        param_names=names,
        name=name or " + ".join(leaf.name for leaf in leaves),
        components=leaves,
        metadata={"components": [leaf.metadata for leaf in leaves]},
        optional_params=optional,
    )

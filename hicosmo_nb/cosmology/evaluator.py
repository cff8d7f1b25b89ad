"""Distances at redshifts fixed in advance: :class:`DistanceEvaluator` (the likelihoods' path).

Everything that depends only on the redshifts is done once, at construction (numpy): each
redshift, in ``s = (1+z)^(-1/2)``, is located in the fixed integration panels of
:mod:`~hicosmo_nb.cosmology.integrals` and gets its interpolation weights. Evaluation is then one
call of ``E`` on the panels' fixed nodes (376 on ``[0, max z]``, however many redshifts), a
cumulative sum and one gather: no locating inside the compiled function, no recompilation when
parameter values change. The result is the same sum as
:func:`~hicosmo_nb.cosmology.comoving_distance`'s many-redshift path (relative error < 1e-10
against adaptive quadrature for ``1e-3 <= z <= 1100``, tested). The map from integrand values
to distances is linear, so the custom JVP of the built-in model integrates the ``E^2`` partials
in the same pass as the value and a full Jacobian costs one small product more. The curvature
step (``sinh``/``sin``) is fused in.

Several evaluators evaluated at the same parameters (the parts of a combined likelihood: SN
knots, BAO redshifts) can share that one call of ``E``: inside :func:`shared_distances`, their
distances come from one evaluator of all their redshifts together, computed once per parameter
dict (one set of nodes on ``[0, largest z]``, so each part's distances equal its own to the
rule's precision).

Examples
--------
>>> import jax
>>> import numpy as np
>>> from hicosmo_nb import cosmology
>>> ev = cosmology.DistanceEvaluator(np.linspace(0.01, 2.0, 500))
>>> dl = jax.jit(ev.luminosity_distance)({"H0": 70.0, "Omega_m": 0.3})
>>> round(float(dl[-1]), 1)
15537.4
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Callable, Iterator, Mapping, Sequence

import jax
import numpy as np

from .. import _config  # noqa: F401
from .integrals import (
    _check,
    _comoving_over_dh0,
    _hubble_distance0,
    luminosity_from_transverse,
    modulus_from_luminosity,
    place,
    transverse_from_x,
)
from .validity import physical_contract

__all__ = ["DistanceEvaluator", "shared_distances"]

def _z_of(args):
    return args["self"].z


class DistanceEvaluator:
    """Comoving, transverse, luminosity distances and distance moduli at fixed redshifts.

    Parameters
    ----------
    z : array_like
        Redshifts (any shape and order, repeats allowed), finite and ``>= 0``.
    de_density, efunc : callable, optional
        User dark-energy density ``rho_de(z)/rho_de0`` or whole ``E(z)``, as in
        :func:`~hicosmo_nb.cosmology.comoving_distance`.

    Raises
    ------
    ValueError
        Non-finite or negative redshifts, or both ``de_density`` and ``efunc``.

    Notes
    -----
    Every method is a pure function of ``params`` (the object holds only numpy constants), so
    ``jax.jit(ev.luminosity_distance)`` compiles once for all parameter values. Methods follow
    the cosmology contract: unphysical parameters raise eagerly and give ``NaN`` when traced.
    """

    def __init__(self, z, *, de_density: Callable | None = None,
                 efunc: Callable | None = None):
        z = np.asarray(z, dtype=np.float64)
        if z.size == 0 or not np.all(np.isfinite(z)) or np.any(z < 0):
            bad = z[~(np.isfinite(z) & (z >= 0))] if z.size else z
            raise ValueError(f"DistanceEvaluator: redshifts must be a non-empty array of finite "
                             f"z >= 0; got {bad[:5].tolist() if z.size else 'an empty array'}")
        if de_density is not None and efunc is not None:
            raise ValueError("give either de_density= or efunc=, not both")
        self.z, self.shape = z, z.shape
        self.kw = {"de_density": de_density, "efunc": efunc}
        self._where = place(1.0 / np.sqrt(1.0 + z))  # numpy: panels and weights, once

    # -- core: x = D_C / D_H0 at the redshifts -------------------------------------------------
    def _x(self, params: Mapping) -> jax.Array:
        shared = _SHARED.get()
        if shared is not None and id(self) in shared.slices:
            return shared.x(self, params)
        return _comoving_over_dh0(params, self.z, self.kw["de_density"], self.kw["efunc"],
                                  where=self._where)

    def _check(self, params):
        _check(params, self.kw["de_density"], self.kw["efunc"])

    # -- public quantities ---------------------------------------------------------------------
    @physical_contract(z_of=_z_of)
    def comoving_distance(self, params: Mapping) -> jax.Array:
        """Line-of-sight comoving distance ``D_C`` [Mpc] at the redshifts (their shape)."""
        self._check(params)
        return _hubble_distance0(params) * self._x(params)

    @physical_contract(z_of=_z_of)
    def transverse_comoving_distance(self, params: Mapping) -> jax.Array:
        """Transverse comoving distance ``D_M`` [Mpc] (curvature step fused)."""
        self._check(params)
        return transverse_from_x(params, self._x(params))

    @physical_contract(z_of=_z_of)
    def luminosity_distance(self, params: Mapping, z_hel=None) -> jax.Array:
        """``D_L = (1 + z_hel) D_M`` [Mpc] (``z_hel`` defaults to the evaluator's redshifts)."""
        return luminosity_from_transverse(self.transverse_comoving_distance(params),
                                          self.z if z_hel is None else z_hel)

    @physical_contract(z_of=_z_of)
    def distance_modulus(self, params: Mapping, z_hel=None) -> jax.Array:
        """``mu = 5 log10(D_L / 10 pc)``; needs every redshift ``> 0`` (``D_L(0) = 0``).

        Raises
        ------
        ValueError
            When the evaluator's redshifts include ``z = 0`` (checked on the fixed redshifts,
            also under ``jit``).
        """
        if np.any(self.z <= 0):
            raise ValueError(f"DistanceEvaluator.distance_modulus: z = {float(np.min(self.z))!r} among the "
                             "redshifts; z must be > 0 for a distance modulus (D_L(0) = 0 gives mu = -inf)")
        return modulus_from_luminosity(self.luminosity_distance(params, z_hel))


class _Shared:
    """The evaluators of one :func:`shared_distances` context: their redshifts together in one
    evaluator, and its ``D_C / D_H0`` per parameter dict (kept while the context lasts)."""

    def __init__(self, evaluators: Sequence[DistanceEvaluator]):
        self.slices, start = {}, 0
        for ev in evaluators:
            self.slices[id(ev)] = (start, start + ev.z.size, ev.shape)
            start += ev.z.size
        kw = evaluators[0].kw
        self.merged = DistanceEvaluator(np.concatenate([ev.z.ravel() for ev in evaluators]), **kw)
        self.computed: dict[int, tuple[Mapping, jax.Array]] = {}

    def x(self, ev: DistanceEvaluator, params: Mapping) -> jax.Array:
        got = self.computed.get(id(params))
        if got is None or got[0] is not params:
            got = self.computed[id(params)] = (params, self.merged._x(params))
        start, stop, shape = self.slices[id(ev)]
        return got[1][start:stop].reshape(shape)


_SHARED: contextvars.ContextVar[_Shared | None] = contextvars.ContextVar(
    "hicosmo_nb_shared_distances", default=None)


@contextlib.contextmanager
def shared_distances(evaluators: Sequence[DistanceEvaluator]) -> Iterator[None]:
    """Trace-time context in which ``evaluators`` share one evaluation of ``E`` per parameter dict.

    Inside it, the first distance asked of any of them at a parameter dict (the same object)
    evaluates ``D_C / D_H0`` at all their redshifts in one call (one set of nodes on
    ``[0, largest z]``); the others take their slice of it. A combined likelihood traces its
    parts in this context (:func:`hicosmo_nb.likelihoods.combine`). Results differ from each
    evaluator's own only by the quadrature's precision (its nodes span the largest redshift of
    all, not of each).

    Raises
    ------
    ValueError
        Evaluators of different background models (``de_density``/``efunc``), or one given twice.

    Examples
    --------
    >>> import jax
    >>> a, b = DistanceEvaluator([0.1, 0.5]), DistanceEvaluator([1.0, 2.0, 3.0])
    >>> p = {"H0": 70.0, "Omega_m": 0.3}
    >>> def both(p):
    ...     with shared_distances([a, b]):
    ...         return a.comoving_distance(p), b.comoving_distance(p)
    >>> da, db = jax.jit(both)(p)
    >>> bool(np.allclose(db, b.comoving_distance(p), rtol=1e-12))
    True
    """
    evaluators = tuple(evaluators)
    if not evaluators:
        yield
        return
    for ev in evaluators:
        if not isinstance(ev, DistanceEvaluator):
            raise ValueError(f"shared_distances takes DistanceEvaluator objects; got {type(ev).__name__}")
    kws = {tuple(map(id, ev.kw.values())) for ev in evaluators}
    if len(kws) > 1:
        raise ValueError("shared_distances: the evaluators use different background models "
                         "(de_density/efunc); only evaluators of one model can share E(z)")
    if len({id(ev) for ev in evaluators}) < len(evaluators):
        raise ValueError("shared_distances: an evaluator is given twice")
    token = _SHARED.set(_Shared(evaluators))
    try:
        yield
    finally:
        _SHARED.reset(token)

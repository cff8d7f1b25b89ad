"""Cosmology view of a parameter dict, guarded by :func:`hicosmo_nb.cosmology.sanitize` (private
helper). Only what the likelihood reads is checked: ``Omega_b`` only with ``early=True``.

A combined likelihood checks its parts' guards once (:func:`shared_guard`): each part declares
its :class:`Guard` (horizon and early physics) and, while the combination traces its parts, the
first :meth:`CosmoView.safe` on the combination's parameter dict runs one
:func:`~hicosmo_nb.cosmology.sanitize` over the union of the parts' horizons (the verdict of every
part's own check, see :func:`hicosmo_nb.cosmology.validity`) that the others reuse.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Callable, Iterator, Mapping, NamedTuple

import jax

from .. import cosmology
from ..cosmology.neutrinos import as_hierarchy
from ..parameters import COSMOLOGY_DEFAULTS, COSMOLOGY_PARAMETERS, as_names

__all__ = ["CosmoView", "Guard", "optional_cosmology", "shared_guard"]


class Guard(NamedTuple):
    """What a likelihood's cosmology guard checks (built-in background model only): physical up
    to ``z_max``, and with ``early`` the early-universe conditions (horizon infinity), for the
    neutrino mass split ``hierarchy`` (guards of different hierarchies are never shared)."""

    z_max: float
    early: bool
    hierarchy: str = "one"


class _SharedGuard:
    """One combined call's guard over a parameter dict: computed on first use, then reused."""

    def __init__(self, params: Mapping, guards: tuple[Guard, ...]):
        self.params, self.guards = params, frozenset(guards)
        # early guards check up to infinity whatever their z_max (validity's early rule)
        self.horizons = tuple(sorted({g.z_max for g in guards if not g.early}))
        self.early = any(g.early for g in guards)
        self.result: tuple[dict, jax.Array] | None = None

    def get(self, view: "CosmoView") -> tuple[dict, jax.Array]:
        if self.result is None:
            ok, cosmo = cosmology.sanitize(view.raw(self.params), self.horizons, early=self.early)
            self.result = (cosmo, ok)
        return self.result


_SHARED: contextvars.ContextVar[_SharedGuard | None] = contextvars.ContextVar(
    "hicosmo_nb_shared_guard", default=None)


@contextlib.contextmanager
def shared_guard(params: Mapping, guards: tuple[Guard, ...]) -> Iterator[None]:
    """Trace-time context in which views whose :class:`Guard` is in ``guards``, asked about this
    very ``params`` object, share one sanitized point and flag (see the module docstring).

    Where any part is unphysical the combination is ``-inf`` either way; each part still ands its
    own extra conditions (``hrd > 0``, ...), and evaluates on a physical point, so values and
    gradients stay finite.
    """
    token = _SHARED.set(_SharedGuard(params, tuple(guards)))
    try:
        yield
    finally:
        _SHARED.reset(token)


def optional_cosmology(required: tuple[str, ...]) -> tuple[str, ...]:
    """Cosmology parameters read when present (all registered ones not already required)."""
    return tuple(k for k in COSMOLOGY_PARAMETERS if k not in required)


class CosmoView:
    """Extract the cosmology parameters of a dict and make them safe to evaluate.

    Parameters
    ----------
    z_max : float
        Highest redshift the likelihood evaluates (for :func:`hicosmo_nb.cosmology.is_physical`).
    model_params : tuple of str
        Extra parameters read by a user ``de_density``/``efunc``.
    de_density, efunc : callable, optional
        Passed to every cosmology function.
    early : bool
        The likelihood needs early-universe physics (sound horizon): also require
        ``T_cmb > 0`` and ``Omega_b > 0`` (:func:`hicosmo_nb.cosmology.is_physical` ``early=``).
    neutrino_hierarchy : str
        How ``m_nu`` splits into mass states (``"one"``, ``"degenerate"``, ``"normal"``,
        ``"inverted"``): a static setting of the likelihood, put into every cosmology call
        (never sampled). A parameter dict that carries a different one is an error.
    """

    def __init__(self, z_max: float, *, model_params: tuple[str, ...] = (),
                 de_density: Callable | None = None, efunc: Callable | None = None,
                 early: bool = False, neutrino_hierarchy: str = "one"):
        if de_density is not None and efunc is not None:
            raise ValueError("give either de_density= or efunc=, not both")
        for fn, label in ((de_density, "de_density"), (efunc, "efunc")):
            if fn is not None and not callable(fn):
                raise ValueError(f"{label} must be a callable f(params, z), got {type(fn).__name__}")
        model_params = as_names(model_params, "model_params")  # "w1" is one name, not 'w', '1'
        bad = [m for m in model_params if m in COSMOLOGY_PARAMETERS]
        if bad:
            raise ValueError(f"model_params {bad} are standard cosmology parameters; list only the "
                             "extra parameters your de_density/efunc reads")
        if model_params and de_density is None and efunc is None:
            raise ValueError(f"model_params {list(model_params)} given without de_density= or efunc=")
        self.z_max = float(z_max)
        self.early = bool(early)
        self.model_params = tuple(model_params)
        self.kw = {"de_density": de_density, "efunc": efunc}
        self.names = tuple(COSMOLOGY_PARAMETERS) + self.model_params
        self.hierarchy = as_hierarchy(neutrino_hierarchy)  # ValueError lists the valid names
        builtin = de_density is None and efunc is None
        # shareable when built-in
        self.guard = Guard(self.z_max, self.early, self.hierarchy.name) if builtin else None

    def raw(self, params: Mapping) -> dict:
        """Cosmology sub-dict, ``H0`` defaulted when absent."""
        cosmo = {k: params[k] for k in self.names if k in params}
        cosmo.setdefault("H0", COSMOLOGY_DEFAULTS["H0"])
        if "neutrino_hierarchy" in params and as_hierarchy(params["neutrino_hierarchy"]) != self.hierarchy:
            raise ValueError(f"the parameter dict says neutrino_hierarchy={params['neutrino_hierarchy']!r} but "
                             f"the likelihood was built with neutrino_hierarchy={self.hierarchy.name!r}; "
                             "build it with the one you want (a static setting, not a parameter)")
        if self.hierarchy.name != "one":
            cosmo["neutrino_hierarchy"] = self.hierarchy
        return cosmo

    def safe(self, params: Mapping, extra_ok: jax.Array | bool = True) -> tuple[dict, jax.Array]:
        """``(cosmo, ok)``: where not ok the standard parameters are replaced by fiducial values."""
        shared = _SHARED.get()
        if shared is not None and params is shared.params and self.guard in shared.guards:
            cosmo, ok = shared.get(self)
            return cosmo, ok & extra_ok
        ok, cosmo = cosmology.sanitize(self.raw(params), self.z_max, early=self.early, ok=extra_ok,
                                       **self.kw)
        return cosmo, ok

"""The physical-validity contract of every cosmology function: one check, two behaviours.

:func:`validity` is the single source of truth: it returns a traced bool (the parameters and
redshifts describe an expanding universe the function can evaluate) and the list of individual
:class:`Check` results that make it up, each naming the parameter, its value and the allowed range:

- every parameter finite; ``H0 > 0``; ``m_nu >= 0``; ``T_cmb >= 0``; ``N_eff >= 0``;
- CDM + baryons ``Omega_m - Omega_nu >= 0`` (``Omega_nu`` the massive neutrinos);
- only for early-universe quantities (sound horizons, ``z_drag``, ``z_*``, CMB priors): ``Omega_b > 0``,
  ``Omega_m - Omega_nu >= Omega_b`` and ``T_cmb > 0``; ``Omega_b`` is checked nowhere else, since
  no other function reads it;
- redshifts finite and ``z >= 0``;
- ``E(z)^2 > 0`` on a grid spanning the redshifts the function integrates over (``[0, max z]``;
  ``[0, infinity)`` for ages and sound horizons);
- optionally (likelihoods: ``turnover=True``) a closed universe must not pass its antipode before
  ``z_max`` (``sqrt(-Omega_k) D_C / D_H0 < pi/2``, so ``D_M`` still grows).

Every public function of :mod:`hicosmo_nb.cosmology` is wrapped by :func:`physical_contract`:

- called eagerly with concrete values, an unphysical input raises ``ValueError`` naming the
  parameter, its value and the allowed range (:func:`require_physical`);
- under ``jax.jit``/``vmap``/``grad`` (traced values) the result is ``NaN`` wherever the check
  fails, never a finite wrong number.

Likelihoods use :func:`sanitize`: it returns the flag and a parameter dict in which an invalid
point is replaced by safe fallback values, so the theory is computed on a valid point and
``jnp.where(ok, loglike, -inf)`` has finite gradients.

Examples
--------
>>> from hicosmo_nb import cosmology
>>> cosmology.luminosity_distance({"H0": -70.0, "Omega_m": 0.3}, 1.0)
Traceback (most recent call last):
...
ValueError: luminosity_distance: H0 = -70.0 is unphysical; allowed: H0 > 0 (km/s/Mpc)
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
from typing import Callable, Mapping, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from ..parameters import COSMOLOGY_DEFAULTS
from .densities import check_params, density_parameters, e2_of_a, with_defaults
from .integrals import _comoving_over_dh0, _s_of_z

__all__ = ["Check", "validity", "require_physical", "physical_contract", "is_physical", "sanitize",
           "safe_point", "assume_physical"]

_N_GRID = 128
_S_MIN = 1e-4  # s = (1+z)^-1/2 at z ~ 1e8: "infinity" for the E(z)^2 > 0 grid
_INSIDE = contextvars.ContextVar("hicosmo_nb_cosmology_checked", default=False)


class Check(NamedTuple):
    """One condition of :func:`validity`: ``ok`` (bool array) with the ``value`` that fails it
    (the worst one for arrays) and the ``allowed`` range in words."""

    name: str
    value: jax.Array
    allowed: str
    ok: jax.Array


def _required(early: bool) -> tuple[str, ...]:
    return ("H0", "Omega_m", "Omega_b") if early else ("H0", "Omega_m")


def validity(params: Mapping, z=0.0, *, z_max=None, early: bool = False, turnover: bool = False,
             de_density: Callable | None = None, efunc: Callable | None = None
             ) -> tuple[jax.Array, tuple[Check, ...]]:
    """``(ok, checks)``: whether ``params`` and ``z`` are physical, and each condition.

    Parameters
    ----------
    params : mapping
        Cosmology parameters.
    z : float or array
        Redshifts the caller evaluates (checked finite and ``>= 0``).
    z_max : float or tuple of float, optional
        Highest redshift the caller integrates to (default ``max(z)``; ``np.inf`` for ages and
        sound horizons). ``E(z)^2 > 0`` is checked on 128 points uniform in ``s`` on ``[0, z_max]``.
        A tuple checks the union of the grids of each horizon (one evaluation of ``E^2``): the
        verdict of checking each horizon separately, for a combined likelihood's one guard.
    early : bool
        Early-universe physics is read: also ``Omega_b > 0``, ``Omega_cb >= Omega_b``,
        ``T_cmb > 0``, and ``z_max = infinity`` (added to a tuple's horizons).
    turnover : bool
        Also require a closed universe not to pass its antipode before ``z_max``.
    de_density, efunc : callable, optional
        User dark-energy density or ``E(z)``.

    Returns
    -------
    ok : bool array (scalar)
    checks : tuple of Check

    Examples
    --------
    >>> ok, checks = validity({"H0": 70.0, "Omega_m": -0.1})
    >>> bool(ok), [c.name for c in checks if not bool(c.ok)]
    (False, ['Omega_m'])
    """
    return _validity(params, z, z_max=z_max, early=early, turnover=turnover, de_density=de_density,
                     efunc=efunc, flag_only=False)


def _validity(params: Mapping, z, *, z_max, early: bool, turnover: bool, de_density: Callable | None,
              efunc: Callable | None, flag_only: bool) -> tuple[jax.Array, tuple[Check, ...]]:
    """:func:`validity`. ``flag_only``: the caller reads only ``ok``, so where ``E(z)^2 > 0``
    follows from the densities the grid is skipped (the check's ``value`` is then ``inf``)."""
    check_params(params, _required(early), allow_extra=de_density is not None or efunc is not None)
    p = with_defaults(params)
    z = jnp.asarray(z, dtype=jnp.float64)
    d = density_parameters(p)
    checks = [Check(k, p[k], "finite", jnp.isfinite(p[k])) for k in params if k in p
              and k in COSMOLOGY_DEFAULTS and k != "neutrino_hierarchy" and jnp.ndim(p[k]) == 0]
    checks += [
        Check("H0", p["H0"], "H0 > 0 (km/s/Mpc)", p["H0"] > 0),
        Check("m_nu", p["m_nu"], "m_nu >= 0 (eV)", p["m_nu"] >= 0),
        Check("N_eff", p["N_eff"], "N_eff >= 0", p["N_eff"] >= 0),
    ]
    if early:
        checks += [
            Check("T_cmb", p["T_cmb"], "T_cmb > 0 K (sound horizons need photons)", p["T_cmb"] > 0),
            Check("Omega_b", p["Omega_b"], "Omega_b > 0", p["Omega_b"] > 0),
            Check("Omega_m", p["Omega_m"], "Omega_m >= Omega_b + Omega_nu (CDM density >= 0)",
                  d["Omega_cb"] >= p["Omega_b"]),
        ]
    else:
        checks += [
            Check("T_cmb", p["T_cmb"], "T_cmb >= 0 K", p["T_cmb"] >= 0),
            Check("Omega_m", p["Omega_m"], "Omega_m >= Omega_nu (CDM + baryon density >= 0)",
                  d["Omega_cb"] >= 0),
        ]
    zf = z.ravel()
    if zf.size:
        z_ok = jnp.isfinite(zf) & (zf >= 0)
        checks.append(Check("z", zf[jnp.argmin(z_ok)], "finite z >= 0", jnp.all(z_ok)))
    if isinstance(z_max, tuple):
        horizons = [*z_max, np.inf] if early else list(z_max)
    elif early:
        horizons = [np.inf]
    elif z_max is None:
        horizons = [jnp.max(jnp.where(jnp.isfinite(zf), zf, 0.0)) if zf.size else 0.0]
    else:
        horizons = [z_max]
    z_max = horizons[0] if len(horizons) == 1 else jnp.max(jnp.asarray(horizons, dtype=jnp.float64))
    s = jnp.concatenate([jnp.linspace(jnp.clip(_s_of_z(jnp.maximum(h, 0.0)), _S_MIN, 1.0), 1.0,
                                      _N_GRID) for h in horizons])

    def e2_min():  # the smallest E^2 on the grid (NaN counted as -inf)
        if efunc is not None:
            e2 = jnp.sign(jnp.asarray(efunc(params, 1.0 / (s * s) - 1.0), dtype=jnp.float64))
        else:
            e2 = e2_of_a(params, s * s, de_density)
        return jnp.min(jnp.where(jnp.isnan(e2), -jnp.inf, e2))

    if flag_only and efunc is None and de_density is None:
        # Every term of E^2 (matter, radiation, neutrinos, curvature, w0wa dark energy) is >= 0
        # and matter's is > 0: E^2 > 0 at every a, the grid's verdict without the grid. Where
        # another check fails (N_eff < 0, ...) the flag is False either way.
        positive = (d["Omega_cb"] > 0) & (d["Omega_k"] >= 0) & (d["Omega_de"] > 0)
        e2_low = jax.lax.cond(positive, lambda: jnp.float64(jnp.inf), e2_min)
    else:
        e2_low = e2_min()
    checks.append(Check("E(z)^2", e2_low, "E(z)^2 = H(z)^2/H0^2 > 0 for every redshift "
                        "integrated over (an expanding universe)", e2_low > 0))
    if turnover:
        z_top = jnp.minimum(z_max, 1.0 / _S_MIN**2)
        x = _comoving_over_dh0(params, z_top, de_density, efunc)
        u = jnp.sqrt(jnp.abs(p["Omega_k"])) * x
        closed_ok = ((p["Omega_k"] >= 0) | (u < 0.5 * jnp.pi)) & jnp.isfinite(x) & (x < 1e3)
        checks.append(Check("Omega_k", p["Omega_k"], "a closed universe must not pass its antipode "
                            "before z_max (sqrt(-Omega_k) D_C/D_H0 < pi/2)", closed_ok))
    ok = jnp.all(jnp.stack([jnp.all(c.ok) for c in checks]))
    return ok, tuple(checks)


def _is_concrete(*trees) -> bool:
    return not any(isinstance(x, jax.core.Tracer) for x in jax.tree_util.tree_leaves(trees))


def _format(value) -> str:
    v = np.asarray(value)
    return repr(float(v)) if v.ndim == 0 else repr(v.tolist())


@functools.partial(jax.jit, static_argnames=("z_max", "early", "turnover", "de_density", "efunc"))
def _flag_compiled(params, z, *, z_max=None, early=False, turnover=False, de_density=None,
                   efunc=None):
    """:func:`validity`'s flag, compiled once per parameter-dict layout (the eager fast path)."""
    return _validity(params, z, z_max=z_max, early=early, turnover=turnover, de_density=de_density,
                     efunc=efunc, flag_only=True)[0]


def _static_settings(params: Mapping) -> dict:
    """``params`` with the string settings (``neutrino_hierarchy``) as static JAX values."""
    from .neutrinos import as_hierarchy

    return {k: (as_hierarchy(v) if k == "neutrino_hierarchy" else v) for k, v in params.items()}


def require_physical(params: Mapping, z=0.0, *, caller: str = "cosmology", **kw) -> None:
    """Raise ``ValueError`` if :func:`validity` fails (concrete values only); ``kw`` as there.

    The message names the first failing parameter, its value and the allowed range.

    Examples
    --------
    >>> require_physical({"H0": 70.0, "Omega_m": 0.3}, 0.5)  # fine: returns None
    >>> require_physical({"H0": 70.0, "Omega_m": 0.3}, -0.5, caller="comoving_distance")
    Traceback (most recent call last):
    ...
    ValueError: comoving_distance: z = -0.5 is unphysical; allowed: finite z >= 0
    """
    zf = np.asarray(z, dtype=np.float64).ravel()
    z_range = np.array([zf.min(), zf.max()]) if zf.size else zf  # same verdict, fixed shape
    if isinstance(params, Mapping) and bool(_flag_compiled(_static_settings(params), z_range, **kw)):
        return
    ok, checks = validity(params, z, **kw)  # failing: rerun op by op for the message
    bad = [c for c in checks if not bool(np.all(np.asarray(c.ok)))]
    first = bad[0]
    msg = f"{caller}: {first.name} = {_format(first.value)} is unphysical; allowed: {first.allowed}"
    if first.name == "E(z)^2":
        given = ", ".join(f"{k}={_format(v)}" for k, v in params.items() if jnp.ndim(v) == 0)
        msg = (f"{caller}: the parameters ({given}) give E(z)^2 = {_format(first.value)} <= 0 "
               f"somewhere; allowed: {first.allowed}")
    if len(bad) > 1:
        msg += "; also failing: " + ", ".join(c.name for c in bad[1:])
    raise ValueError(msg)


def physical_contract(*, early: bool | Callable = False, to_infinity: bool | Callable = False,
                      z_of: Callable | None = None):
    """Decorator applying the contract to a public function ``fn(params, [z], ..., de_density=,
    efunc=)``: eager unphysical input raises, traced unphysical input gives ``NaN``.

    ``early`` / ``to_infinity`` may be callables of the bound arguments (e.g. ``rd`` given or not);
    ``z_of(arguments)`` gives the redshifts when they are not the ``z`` argument (methods of
    :class:`~hicosmo_nb.cosmology.DistanceEvaluator`). User models come from the ``de_density``
    / ``efunc`` arguments, or from ``self.kw`` for methods.
    Nested contract-wrapped calls inside ``fn`` are not checked again.
    """

    def decorate(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if _INSIDE.get():
                return fn(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            a = bound.arguments
            params = a["params"]
            z = z_of(a) if z_of is not None else a.get("z", 0.0)
            model = a["self"].kw if "self" in a else a
            is_early = early(a) if callable(early) else early
            infinite = to_infinity(a) if callable(to_infinity) else to_infinity
            kw = dict(z_max=np.inf if infinite else None, early=is_early,
                      de_density=model.get("de_density"), efunc=model.get("efunc"))
            token = _INSIDE.set(True)
            try:
                if _is_concrete(params, z):
                    require_physical(params, z, caller=fn.__name__, **kw)
                    return fn(*args, **kwargs)
                ok, _ = _validity(params, z, turnover=False, flag_only=True, **kw)
                # NaN * result: the value and every derivative are NaN where the check fails
                return jnp.where(ok, 1.0, jnp.nan) * fn(*args, **kwargs)
            finally:
                _INSIDE.reset(token)

        return wrapper

    return decorate


@contextlib.contextmanager
def assume_physical():
    """Context (trace time only) in which contract-wrapped calls skip their checks.

    For code that evaluates the theory on parameters :func:`sanitize` already made safe (the
    likelihoods): the checks would repeat work inside the compiled function. Never use it on
    raw parameters.

    Examples
    --------
    >>> from hicosmo_nb import cosmology
    >>> ok, p = cosmology.sanitize({"H0": 70.0, "Omega_m": 0.3}, 2.0)
    >>> with cosmology.assume_physical():
    ...     d = cosmology.comoving_distance(p, 1.0)
    >>> round(float(d), 1)
    3303.6
    """
    token = _INSIDE.set(True)
    try:
        yield
    finally:
        _INSIDE.reset(token)


def is_physical(params: Mapping, z_max=1100.0, *, early: bool = False, de_density=None,
                efunc=None) -> jax.Array:
    """Whether ``params`` describe an expanding universe up to ``z_max`` (bool scalar, jit-safe).

    :func:`validity` with ``turnover=True`` (closed universes must not pass their antipode): the
    check likelihoods use. ``early=True`` adds the early-universe conditions. A tuple
    ``z_max`` gives the verdict of every horizon in it, in one check (see :func:`validity`).

    Examples
    --------
    >>> bool(is_physical({"H0": 70.0, "Omega_m": 0.3})), bool(is_physical({"H0": 70.0, "Omega_m": -0.1}))
    (True, False)
    """
    z_grid = z_max if isinstance(z_max, tuple) else None  # a tuple: the union of the grids
    return _validity(params, z_max, z_max=z_grid, early=early, turnover=True,
                     de_density=de_density, efunc=efunc, flag_only=True)[0]


def safe_point(values: Mapping, ok, fallback: Mapping) -> dict:
    """``values`` where ``ok`` else ``fallback`` (per key; keys without a fallback kept).

    The "double where": evaluate the theory on this point, then select ``-inf`` with
    ``jnp.where(ok, ...)``, so neither the value nor the gradient can be NaN.
    """
    return {k: (jnp.where(ok, v, jnp.asarray(fallback[k], dtype=jnp.float64)) if k in fallback
                else v) for k, v in values.items()}


def sanitize(params: Mapping, z_max=1100.0, *, early: bool = False, ok=True,
             fallback: Mapping | None = None, de_density=None, efunc=None) -> tuple[jax.Array, dict]:
    """``(ok, safe_params)``: the :func:`is_physical` flag (and'ed with ``ok``) and a dict that
    is valid either way.

    Where the flag is False every cosmology parameter is replaced by ``fallback`` (default: the
    :data:`~hicosmo_nb.parameters.COSMOLOGY_DEFAULTS`, which are physical), so code evaluated on
    ``safe_params`` has finite values and gradients; select ``-inf`` afterwards. Parameters the
    library does not know (a user ``de_density``'s own) are kept. This is the likelihoods' one
    guard::

        ok, p_safe = cosmology.sanitize(params, z_max)
        ll = jnp.where(ok, loglike_of(p_safe), -jnp.inf)

    Examples
    --------
    >>> ok, p = sanitize({"H0": 70.0, "Omega_m": -0.2})
    >>> bool(ok), float(p["Omega_m"])
    (False, 0.3153)
    """
    flag = is_physical(params, z_max, early=early, de_density=de_density, efunc=efunc) & ok
    return flag, safe_point(params, flag, {**COSMOLOGY_DEFAULTS, **(fallback or {})})

"""Neutrinos: the Fermi-Dirac energy density and the mass eigenstates of each hierarchy.

- Three eigenstates at ``T_nu = (4/11)^(1/3) T_cmb``, each carrying ``N_eff / 3`` of the
  relativistic density. State ``i`` has energy density ``rho_i(a) ∝ a^-4 F(y_i a) / F(0)``,
  ``F(y) = ∫ q^2 sqrt(q^2 + y^2) / (e^q + 1) dq``, ``y_i = m_i / (k T_nu0)``. ``ln F`` is tabulated
  at import on a fine grid in ``ln y`` with its exact derivative and evaluated by cubic Hermite
  interpolation (relative error < 1e-10, smooth and differentiable); outside the table the exact
  asymptotes are used.
- The non-relativistic limit, ``F(y) -> (3/2) zeta(3) y``, gives the neutrino part of
  ``Omega_m`` (CAMB 1.x's ``omnuh2``): proportional to the mass sum, zero at zero mass.
- Hierarchies (:class:`NeutrinoHierarchy`, a *setting*, not a sampled parameter):
  ``"one"`` (default: one massive state carries the whole sum, as CAMB's and Planck's default),
  ``"degenerate"`` (three equal masses), ``"normal"`` and ``"inverted"`` (three masses from the
  sum and the oscillation splittings ``Δm²_21 = 7.54e-5 eV²`` and ``|Δm²_31| = 2.46e-3 eV²``,
  Particle Data Group 2015, the values CAMB uses). Normal: ``m_2² = m_1² + Δm²_21``,
  ``m_3² = m_1² + Δm²_31``; inverted: ``m_1² = m_3² + Δm²_31``, ``m_2² = m_1² + Δm²_21``. The
  lightest mass solves the sum by Newton's method (differentiable). Sums below the minimum
  (0.0583 eV normal, 0.1000 eV inverted) raise ``ValueError`` when concrete; traced values below it
  keep the lightest mass at 0 (give such a prior a lower bound at the minimum).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ..parameters import FERMI_DIRAC_F0, NEUTRINO_HIERARCHIES
from .quadrature import composite_rule

__all__ = ["NeutrinoHierarchy", "HIERARCHIES", "DM2_21", "DM2_31", "neutrino_masses", "minimum_mass_sum"]

HIERARCHIES = NEUTRINO_HIERARCHIES
DM2_21 = 7.54e-5  # eV^2, PDG 2015 (as CAMB)
DM2_31 = 2.46e-3  # eV^2, |Δm²_31|, PDG 2015 (as CAMB)

_F0 = FERMI_DIRAC_F0  # F(0); the non-relativistic slope NR_SLOPE is in hicosmo_nb.parameters
_SMALL_Y = 5.0 / (7.0 * np.pi**2)  # ln(F(y)/F(0)) -> (pi^2/24) y^2 / F(0) for y << 1


@jax.tree_util.register_static
@dataclass(frozen=True)
class NeutrinoHierarchy:
    """How the mass sum ``m_nu`` splits into three eigenstates (a static pytree: safe under jit).

    Put it in a parameter dict as ``"neutrino_hierarchy"`` (a plain string works too outside
    ``jax.jit`` arguments). It has no array leaves, so ``jit``/``grad`` treat it as a constant.

    Examples
    --------
    >>> from hicosmo_nb import cosmology as cosmo
    >>> p = {"H0": 67.36, "Omega_m": 0.3153, "m_nu": 0.1, "neutrino_hierarchy": NeutrinoHierarchy("normal")}
    >>> round(float(cosmo.H(p, 1.0)), 2)
    120.65
    """

    name: str = "one"

    def __post_init__(self):
        if self.name not in HIERARCHIES:
            raise ValueError(f"neutrino_hierarchy must be one of {HIERARCHIES}, got {self.name!r}")

    @property
    def massive(self) -> tuple[int, ...]:
        """Eigenstates that can carry mass (:func:`neutrino_masses`); the others are exactly
        radiation, so the background skips their Fermi-Dirac integrals (known at trace time)."""
        return (2,) if self.name == "one" else (0, 1, 2)


def as_hierarchy(value) -> NeutrinoHierarchy:
    """``value`` (str or :class:`NeutrinoHierarchy`) as a :class:`NeutrinoHierarchy`."""
    if isinstance(value, NeutrinoHierarchy):
        return value
    if isinstance(value, str):
        return NeutrinoHierarchy(value)
    raise ValueError(
        f"neutrino_hierarchy must be a string or NeutrinoHierarchy, got {type(value).__name__} {value!r}; "
        f"allowed: {HIERARCHIES}"
    )


def minimum_mass_sum(hierarchy) -> float:
    """Smallest mass sum [eV] the hierarchy allows (0 for ``"one"``/``"degenerate"``)."""
    name = as_hierarchy(hierarchy).name
    if name == "normal":
        return float(np.sqrt(DM2_21) + np.sqrt(DM2_31))
    if name == "inverted":
        return float(np.sqrt(DM2_31) + np.sqrt(DM2_31 + DM2_21))
    return 0.0


def neutrino_masses(m_sum, hierarchy="one") -> jax.Array:
    """The three eigenstate masses [eV] for the sum ``m_sum`` (shape ``(3,)``, differentiable).

    Examples
    --------
    >>> m = neutrino_masses(0.1, "normal")
    >>> round(float(m.sum()), 12), bool(m[2] > m[1] > m[0])
    (0.1, True)
    """
    name = as_hierarchy(hierarchy).name
    s = jnp.asarray(m_sum, dtype=jnp.float64)
    zero = jnp.zeros_like(s)
    if name == "one":
        return jnp.stack([zero, zero, s])
    if name == "degenerate":
        return jnp.stack([s, s, s]) / 3.0
    try:
        concrete = float(s)
    except (jax.errors.ConcretizationTypeError, TypeError):
        concrete = None
    if concrete is not None and concrete < minimum_mass_sum(name) - 1e-12:
        raise ValueError(
            f"m_nu = {concrete} eV is below the {name} hierarchy's minimum {minimum_mass_sum(name):.4f} eV; "
            "raise m_nu or use neutrino_hierarchy='one' or 'degenerate'"
        )
    # lightest mass x: normal (x, sqrt(x²+Δ21), sqrt(x²+Δ31)); inverted (sqrt(x²+Δ31), sqrt(x²+Δ31+Δ21), x)
    d1, d2 = (DM2_21, DM2_31) if name == "normal" else (DM2_31, DM2_31 + DM2_21)

    def residual(x):
        r1, r2 = jnp.sqrt(x * x + d1), jnp.sqrt(x * x + d2)
        return x + r1 + r2 - s, 1.0 + x / r1 + x / r2

    x = s / 3.0  # f(s/3) >= 0 and f is convex increasing: Newton descends monotonically to the root
    for _ in range(30):
        f, df = residual(x)
        x = jnp.maximum(x - f / df, 0.0)
    m1, m2 = jnp.sqrt(x * x + d1), jnp.sqrt(x * x + d2)
    return jnp.stack([x, m1, m2]) if name == "normal" else jnp.stack([m1, m2, x])


def _fermi_dirac_table(lny: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ln(F(y)/F(0)) and its derivative d/d ln y on ``lny``, by composite Gauss-Legendre."""
    edges = np.array([0.0, 0.01, 0.05, 0.2, 0.5, 1, 2, 3, 5, 8, 12, 17, 24, 32, 42, 55, 75])
    q, wq = composite_rule(edges, 40)
    y = np.exp(lny)[:, None]
    occ = q**2 / (np.exp(q) + 1.0)
    root = np.sqrt(q**2 + y**2)
    F = (wq * occ * root).sum(axis=1)
    dF = (wq * occ * y**2 / root).sum(axis=1)  # y dF/dy
    return np.log(F / _F0), dF / F


_LNY_MIN, _LNY_MAX, _NTAB = -10.0, 12.0, 2201
_LNY = np.linspace(_LNY_MIN, _LNY_MAX, _NTAB)
_DLNY = _LNY[1] - _LNY[0]
_LNF, _DLNF = _fermi_dirac_table(_LNY)  # numpy: importing must not start the JAX backend


def _hermite_cubics(f: np.ndarray, dfdx: np.ndarray, dx: float) -> np.ndarray:
    """Per interval, the coefficients ``(c0..c3)`` in ``t in [0, 1]`` of the cubic Hermite
    interpolant of values ``f`` and slopes ``dfdx`` on a uniform grid of spacing ``dx``."""
    f0, f1, d0, d1 = f[:-1], f[1:], dx * dfdx[:-1], dx * dfdx[1:]
    return np.stack([f0, d0, 3 * (f1 - f0) - 2 * d0 - d1, 2 * (f0 - f1) + d0 + d1], axis=-1)


_CUBICS = _hermite_cubics(_LNF, _DLNF, _DLNY)


def log_fd_ratio_and_slope(y: jax.Array, a=None) -> tuple[jax.Array, jax.Array]:
    """ln(F(y a)/F(0)) for y >= 0 and its slope d ln F / d ln(y a) (smooth, exact asymptotes).

    ``a`` (optional, > 0; 1 without it) scales the argument, with ``ln(y a)`` computed as
    ``ln y + ln a``: where ``a`` is fixed (an integral's nodes, with ``y`` a parameter's) ``ln a``
    is a compile-time constant, and each point costs no logarithm.
    """
    y = jnp.maximum(y, 1e-30)  # 1e-30: its square must not underflow (Hessians)
    u = jnp.log(y) if a is None else jnp.log(y) + jnp.log(a)
    ya = y if a is None else y * a
    uc = jnp.clip(u, _LNY_MIN, _LNY_MAX)
    i = jnp.clip(jnp.floor((uc - _LNY_MIN) / _DLNY).astype(jnp.int32), 0, _NTAB - 2)
    t = (uc - _LNY_MIN) / _DLNY - i
    c = jnp.asarray(_CUBICS)[i]  # one gather: the interval's cubic in t
    c0, c1, c2, c3 = c[..., 0], c[..., 1], c[..., 2], c[..., 3]
    value = c0 + t * (c1 + t * (c2 + t * c3))
    slope = (c1 + t * (2.0 * c2 + t * (3.0 * c3))) / _DLNY
    # Above the table F(y) -> (3/2) zeta(3) y: ln F grows with slope 1 in ln y. Below it
    # ln(F/F0) = _SMALL_Y y^2 (exact to O(y^4)), so a massless state is exactly radiation.
    above, below = u > _LNY_MAX, u < _LNY_MIN
    y2 = jnp.square(jnp.minimum(ya, np.exp(_LNY_MIN)))
    value = jnp.where(below, _SMALL_Y * y2, value + jnp.maximum(u - _LNY_MAX, 0.0))
    return value, jnp.where(above, 1.0, jnp.where(below, 2.0 * _SMALL_Y * y2, slope))

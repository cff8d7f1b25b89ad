"""Teaching module: exact JAX derivatives against finite differences, and the cost of gradients.

- :data:`FUNCTIONS`: scalar test functions ``f(x)`` (analytic ones with known derivatives, a cut
  through the Rosenbrock function, ``D_L(z=1)`` as a function of ``Omega_m``, the DESI DR2 BAO
  chi^2 as a function of ``Omega_m``).
- :func:`derivative_study` evaluates, in one compiled call per function, ``f``, ``f'`` by
  ``jax.grad``, and the one-sided and central finite differences for a grid of steps ``h``,
  with their errors against a reference (the exact derivative where known, else a 5-point
  Richardson-extrapolated central difference at an optimal step, said in ``reference``).
- :func:`gradient_cost` measures on this machine the time of a full gradient of the
  ``n``-dimensional Rosenbrock function by reverse-mode autodiff and by one-sided differences
  (``n + 1`` function calls): the cheap-gradient principle.

Examples
--------
>>> s = derivative_study("sin", 0.7, np.array([1e-4, 1e-6]))
>>> bool(abs(s.autodiff - np.cos(0.7)) < 1e-15), bool(s.central_err[0] < 1e-8)
(True, True)
"""

from __future__ import annotations

import time
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import _config  # noqa: F401
from . import cosmology

__all__ = ["FUNCTIONS", "TestFunction", "DerivativeStudy", "derivative_study", "gradient_cost", "rosenbrock"]


class TestFunction(NamedTuple):
    """A scalar function, its exact derivative (or None), a default point and a plotting range."""

    f: Callable
    df: Callable | None
    x0: float
    lo: float
    hi: float
    label: str


def rosenbrock(x: jax.Array) -> jax.Array:
    """``sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`` (minimum 0 at all ones)."""
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _dl(om):
    return cosmology.luminosity_distance({"H0": 67.36, "Omega_m": om}, 1.0)


def _desi_chi2():
    from .likelihoods import get
    from .likelihoods.readout import chi2_of

    chi2 = chi2_of(get("desi_dr2_bao"))
    return lambda om: chi2({"H0": 68.5, "Omega_m": om, "Omega_b": 0.0493})


FUNCTIONS: dict[str, TestFunction] = {
    "sin": TestFunction(jnp.sin, jnp.cos, 0.7, -3.0, 3.0, "sin(x)"),
    "exp": TestFunction(jnp.exp, jnp.exp, 1.0, -2.0, 2.0, "exp(x)"),
    "x^3 - 2x": TestFunction(lambda x: x**3 - 2 * x, lambda x: 3 * x**2 - 2, 0.5, -2.0, 2.0, "x^3 - 2x"),
    "Rosenbrock (x, 1)": TestFunction(lambda x: rosenbrock(jnp.stack([x, jnp.ones_like(x)])),
                                      lambda x: -400 * x * (1 - x**2) - 2 * (1 - x), 0.5, -1.5, 1.5,
                                      "Rosenbrock f(x, y=1)"),
    "D_L(z=1) vs Omega_m": TestFunction(_dl, None, 0.3, 0.1, 0.6, "D_L(z=1) [Mpc] vs Omega_m"),
    "DESI chi2 vs Omega_m": TestFunction(None, None, 0.3, 0.2, 0.4, "DESI DR2 BAO chi^2 vs Omega_m"),
}


class DerivativeStudy(NamedTuple):
    """Output of :func:`derivative_study` (NumPy floats and arrays)."""

    value: float
    autodiff: float
    reference: float
    reference_kind: str      # "exact" or "Richardson"
    h: np.ndarray
    forward: np.ndarray      # (f(x+h) - f(x)) / h
    central: np.ndarray      # (f(x+h) - f(x-h)) / (2h)
    forward_err: np.ndarray  # relative errors against the reference
    central_err: np.ndarray
    autodiff_err: float


_COMPILED: dict[str, Callable] = {}


def _function(name: str) -> TestFunction:
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}; choose one of {list(FUNCTIONS)}")
    fn = FUNCTIONS[name]
    if fn.f is None:  # built on first use (loads data)
        fn = FUNCTIONS[name] = fn._replace(f=_desi_chi2())
    return fn


def _study_fn(name: str) -> Callable:
    if name not in _COMPILED:
        fn = _function(name)

        def study(x, h):
            f0 = fn.f(x)
            fp, fm = jax.vmap(fn.f)(x + h), jax.vmap(fn.f)(x - h)
            # 5-point Richardson-extrapolated central difference at a step suited to float64
            hr = 1e-2 * jnp.maximum(jnp.abs(x), 1.0)
            d1 = (fn.f(x + hr) - fn.f(x - hr)) / (2 * hr)
            d2 = (fn.f(x + hr / 2) - fn.f(x - hr / 2)) / hr
            d4 = (fn.f(x + hr / 4) - fn.f(x - hr / 4)) / (hr / 2)
            r1, r2 = (4 * d2 - d1) / 3, (4 * d4 - d2) / 3
            rich = (16 * r2 - r1) / 15
            ref = fn.df(x) if fn.df is not None else rich
            return f0, jax.grad(fn.f)(x), ref, (fp - f0) / h, (fp - fm) / (2 * h)

        _COMPILED[name] = jax.jit(study)
    return _COMPILED[name]


def derivative_study(name: str, x: float, h: np.ndarray) -> DerivativeStudy:
    """``f``, its JAX derivative and finite differences at ``x`` for steps ``h`` (one compiled call).

    Raises
    ------
    ValueError
        Unknown function name, or steps that are not all > 0.
    """
    h = np.asarray(h, dtype=np.float64)
    if h.ndim != 1 or not np.all(h > 0):
        raise ValueError(f"h must be a 1-D array of steps > 0, got {h!r}")
    kind = "exact" if _function(name).df is not None else "Richardson"
    f0, ad, ref, fwd, cen = jax.device_get(_study_fn(name)(jnp.asarray(float(x)), jnp.asarray(h)))
    scale = max(abs(float(ref)), 1e-300)
    fwd, cen = np.asarray(fwd), np.asarray(cen)
    return DerivativeStudy(float(f0), float(ad), float(ref), kind, h, fwd, cen,
                           np.abs(fwd - ref) / scale, np.abs(cen - ref) / scale, abs(float(ad) - float(ref)) / scale)


def compilations(name: str) -> int:
    """How often :func:`derivative_study` for ``name`` has been compiled (1 after first use)."""
    return int(_COMPILED[name]._cache_size()) if name in _COMPILED else 0


def gradient_cost(ns=(2, 8, 32, 128, 512), *, repeat: int = 5) -> dict:
    """Seconds per full gradient of the ``n``-D Rosenbrock function: autodiff vs finite differences.

    Autodiff: ``jax.jit(jax.grad(rosenbrock))``. Finite differences: ``n + 1`` calls of the jitted
    function (one-sided), as a finite-difference optimizer would make them. Best of ``repeat``.
    Returns ``{"n": array, "autodiff_s": array, "fd_s": array, "f_s": array}``.
    """
    f, g = jax.jit(rosenbrock), jax.jit(jax.grad(rosenbrock))
    rows = []
    for n in ns:
        x = jnp.linspace(-1.0, 1.0, int(n))
        eye = np.eye(int(n)) * 1e-7
        jax.block_until_ready((f(x), g(x)))

        def fd():
            f0 = f(x)
            return [f(x + e) - f0 for e in eye]

        def best(fn):
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                jax.block_until_ready(fn())
                times.append(time.perf_counter() - t0)
            return min(times)

        rows.append((n, best(lambda: g(x)), best(fd), best(lambda: f(x))))
    n, ad, fd_s, f_s = map(np.array, zip(*rows))
    return {"n": n, "autodiff_s": ad, "fd_s": fd_s, "f_s": f_s}

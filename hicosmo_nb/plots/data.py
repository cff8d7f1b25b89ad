"""Data-versus-model plots: SN Hubble diagram, BAO distance ratios, H(z).

Each takes plain arrays (redshifts, values, errors or a covariance; error bars show the diagonal
errors) or the matching container of :mod:`hicosmo_nb.data` (``SNData``, ``BAOData``,
``HzData``), plus ``model``: a parameter dict (evaluated with :mod:`hicosmo_nb.cosmology`), a
callable, or a dict ``{label: model}`` to compare several. The lower panel shows residuals.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import jax
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import cosmology
from ..fisher.surveys import bao_distance_ratio
from .style import palette

__all__ = ["hubble_diagram", "bao_plot", "hz_plot", "bao_kind", "bao_display_scale"]

_BAO_KINDS = {"DM": "DM", "DH": "DH", "DV": "DV"}
_BAO_LATEX = {"DV": r"$D_V/(r_d\,z^{2/3})$", "DM": r"$D_M/(r_d\,z^{2/3})$", "DH": r"$z\,D_H/(r_d\,z^{2/3})$"}
_BAO_MARKERS = {"DV": "o", "DM": "s", "DH": "^"}


def _errors(n: int, err, cov, what: str) -> tuple[np.ndarray, np.ndarray | None]:
    if cov is not None:
        cov = np.asarray(cov, dtype=np.float64)
        if cov.shape != (n, n):
            raise ValueError(f"{what}: cov must be {n}x{n}, got shape {cov.shape}")
        return np.sqrt(np.diag(cov)), cov
    if err is None:
        raise ValueError(f"{what}: give err (1-sigma errors) or cov")
    err = np.broadcast_to(np.asarray(err, dtype=np.float64), (n,))
    if np.any(~np.isfinite(err) | (err <= 0)):
        raise ValueError(f"{what}: errors must be finite and > 0")
    return err, None


def _models(model, evaluate: Callable[[Mapping], Callable]) -> list[tuple[str, Callable]]:
    """``model`` -> list of (label, callable)."""
    if model is None:
        return []
    if callable(model):
        return [("model", model)]
    if isinstance(model, Mapping) and model and all(isinstance(v, Mapping) or callable(v)
                                                      for v in model.values()):
        return [(str(k), v if callable(v) else evaluate(v)) for k, v in model.items()]
    if isinstance(model, Mapping):
        return [("model", evaluate(model))]
    raise ValueError(f"model must be a parameter dict, a callable or a dict of those, got {type(model).__name__}")


def _panels(fig, ax, residuals: bool) -> tuple[Figure, Axes, Axes | None]:
    if ax is not None:
        if residuals:
            raise ValueError("ax= draws a single panel: pass residuals=False, or use fig=")
        return ax.figure, ax, None
    if fig is None:
        fig = plt.figure(figsize=(6.4, 5.2 if residuals else 4.2))
    if fig.axes:
        raise ValueError("fig must be empty (this plot lays out its own panels); use ax= to draw into an axes")
    if not residuals:
        return fig, fig.add_subplot(), None
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1], "hspace": 0.05})
    return fig, top, bottom


def _jitted(fn: Callable) -> Callable:
    """Compile a model once per input shape; returns NumPy arrays."""
    compiled = jax.jit(fn)
    return lambda *args: np.asarray(compiled(*args))


def _split_eval(fn: Callable, grid: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate a model on the plotting grid and at the data in one call."""
    out = np.asarray(fn(np.concatenate([grid, z])))
    return out[: grid.size], out[grid.size:]


def _mu_model(params: Mapping) -> Callable:
    cosmo, rest = cosmology.split_params(params)
    offset = float(rest.get("M", 0.0))
    return _jitted(lambda z: cosmology.distance_modulus(cosmo, z) + offset)


def hubble_diagram(z: Any, mag=None, err=None, *, cov=None, model=None, fit_offset: bool = False,
                   residuals: bool = True, fig: Figure | None = None, ax: Axes | None = None,
                   color: str | None = None, label: str = "data", xscale: str = "log") -> Figure:
    """SN Ia Hubble diagram (magnitudes vs redshift) with the model and residuals.

    Parameters
    ----------
    z : array_like or SNData
        Redshifts; or an ``SNData`` (then ``mag``/``cov`` come from it).
    mag : array_like
        Distance moduli, or apparent magnitudes when the model includes ``M``.
    err, cov : array_like
        1-sigma errors, or the covariance (error bars use its diagonal).
    model : dict, callable or dict of those
        Cosmological parameters (``mu(z)``, plus ``M`` if present) or ``f(z) -> mag``.
    fit_offset : bool
        Shift each model by the generalized-least-squares mean residual (for data whose
        absolute magnitude is free); the shift is given in the legend.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([0.1, 0.5, 1.0])
    >>> fig = hubble_diagram(z, [38.3, 42.3, 44.1], 0.1, model={"H0": 70.0, "Omega_m": 0.3})
    >>> len(fig.axes)
    2
    """
    if hasattr(z, "mag") and hasattr(z, "cov"):
        z, mag, cov = z.z, z.mag, z.cov
    z = np.asarray(z, dtype=np.float64)
    mag = np.asarray(mag, dtype=np.float64)
    if mag.shape != z.shape:
        raise ValueError(f"hubble_diagram: mag has shape {mag.shape} but z has {z.shape}")
    sig, cov = _errors(z.size, err, cov, "hubble_diagram")
    fig, top, bottom = _panels(fig, ax, residuals)
    color = color or palette(1)[0]
    top.errorbar(z, mag, sig, fmt=".", color=color, ecolor=color, alpha=0.6, ms=3, elinewidth=0.6, label=label)
    grid = np.geomspace(max(z.min() * 0.8, 1e-4), z.max() * 1.1, 300) if xscale == "log" else \
        np.linspace(0.0 if z.min() > 0.05 else z.min() * 0.8, z.max() * 1.1, 300)
    weights = np.linalg.inv(cov) if cov is not None else np.diag(1.0 / sig**2)
    for (name, fn), c in zip(_models(model, _mu_model), palette(8, 1)):
        on_grid, at_data = _split_eval(fn, grid, z)
        res = mag - at_data
        shift = float(np.sum(weights @ res) / np.sum(weights)) if fit_offset else 0.0
        text = f"{name} {shift:+.3f} mag" if fit_offset else name
        top.plot(grid, on_grid + shift, color=c, label=text)
        if bottom is not None:
            bottom.errorbar(z, res - shift, sig, fmt=".", color=c, alpha=0.6, ms=3, elinewidth=0.6)
    top.set_ylabel(r"$\mu$ [mag]")
    top.set_xscale(xscale)
    top.legend(frameon=False)
    if bottom is not None:
        bottom.axhline(0.0, color="0.4", linewidth=0.8)
        bottom.set_ylabel(r"$\Delta\mu$")
        bottom.set_xlabel(r"$z$")
    else:
        top.set_xlabel(r"$z$")
    return fig


def _bao_model(params: Mapping) -> Callable:
    fns = {k: _jitted(lambda z, k=k: bao_distance_ratio(params, k, z)) for k in _BAO_KINDS}
    return lambda kind, z: fns[kind](np.asarray(z, dtype=np.float64))


def bao_kind(k: str) -> str:
    """The short BAO quantity ("DM", "DH" or "DV") of a kind label such as DESI's "DM_over_rd".

    Raises
    ------
    ValueError
        If ``k`` does not name D_M, D_H or D_V.

    Examples
    --------
    >>> bao_kind("DH_over_rd"), bao_kind("DV")
    ('DH', 'DV')
    """
    short = str(k).split("_")[0]
    if short not in _BAO_KINDS:
        raise ValueError(f"unknown BAO quantity {k!r}; use DM, DH or DV (or DM_over_rd, DM_over_rs, ...)")
    return short


def bao_display_scale(kind: str, z: np.ndarray) -> np.ndarray:
    """The factor that puts a BAO ratio of ``kind`` on the DESI papers' display scale.

    ``D_M/r_d`` and ``D_V/r_d`` are divided by ``z^{2/3}``, ``D_H/r_d`` is multiplied by
    ``z^{1/3}`` (``z D_H / (r_d z^{2/3})``): all three then vary slowly with ``z`` and share one
    axis. Multiply values and errors (and model curves) by it.

    Examples
    --------
    >>> round(float(bao_display_scale("DV", 8.0)), 12), round(float(bao_display_scale("DH", 8.0)), 12)
    (0.25, 2.0)
    """
    return (z if kind == "DH" else 1.0) / z ** (2.0 / 3.0)


def bao_plot(z: Any, values=None, err=None, kinds=None, *, cov=None, model=None, residuals: bool = True,
             fig: Figure | None = None, ax: Axes | None = None, color: str | None = None,
             label: str = "data") -> Figure:
    """BAO distance ratios vs redshift, scaled by ``z^{-2/3}`` as in the DESI papers.

    Plots ``D_V/(r_d z^{2/3})``, ``D_M/(r_d z^{2/3})`` and ``z D_H/(r_d z^{2/3})`` (one marker
    each), the model curves, and below them the pulls ``(data - model) / sigma``.

    Parameters
    ----------
    z : array_like or BAOData
        Effective redshifts; or a ``BAOData`` (values, kinds and cov taken from it).
    values, err, kinds : array_like
        Measured ratios, 1-sigma errors (or ``cov``) and their kinds ("DM", "DH", "DV", or the
        DESI labels "DM_over_rs", ...).
    model : dict, callable or dict of those
        Parameters (``r_d`` from ``hrd``, ``rd`` or computed) or ``f(kind, z) -> ratio``.

    Examples
    --------
    >>> from hicosmo_nb.data import load_desi_bao
    >>> fig = bao_plot(load_desi_bao("dr2"), model={"H0": 68.5, "Omega_m": 0.2975, "hrd": 101.54})
    >>> len(fig.axes)
    2
    """
    if hasattr(z, "kinds") and hasattr(z, "values"):
        z, values, kinds, cov = z.z, z.values, z.kinds, z.cov
    z = np.asarray(z, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if kinds is None or len(kinds) != z.size or values.shape != z.shape:
        raise ValueError(f"bao_plot: z, values and kinds must have the same length ({z.size})")
    kinds = [bao_kind(k) for k in kinds]
    sig, _ = _errors(z.size, err, cov, "bao_plot")
    fig, top, bottom = _panels(fig, ax, residuals)
    color = color or palette(1)[0]
    grid = np.linspace(max(0.05, z.min() * 0.5), z.max() * 1.15, 200)
    models = _models(model, _bao_model)
    for kind in dict.fromkeys(kinds):
        sel = np.array([k == kind for k in kinds])
        s = bao_display_scale(kind, z[sel])
        top.errorbar(z[sel], values[sel] * s, sig[sel] * s, fmt=_BAO_MARKERS[kind], color=color,
                     mfc="white", label=f"{label}: {_BAO_LATEX[kind]}")
        for (name, fn), c in zip(models, palette(8, 1)):
            on_grid, at_data = _split_eval(lambda zz: fn(kind, zz), grid, z[sel])
            top.plot(grid, on_grid * bao_display_scale(kind, grid), color=c,
                     linestyle={"DV": "-", "DM": "--", "DH": ":"}[kind],
                     label=f"{name}: {kind}" if len(models) > 1 or kind == kinds[0] else None)
            if bottom is not None:
                pull = (values[sel] - at_data) / sig[sel]
                bottom.plot(z[sel], pull, _BAO_MARKERS[kind], color=c, mfc="white")
    top.set_ylabel(r"distance / ($r_d\,z^{2/3}$)")
    top.legend(frameon=False, fontsize="small")
    if bottom is not None:
        bottom.axhline(0.0, color="0.4", linewidth=0.8)
        bottom.set_ylabel(r"pull [$\sigma$]")
        bottom.set_xlabel(r"$z$")
    else:
        top.set_xlabel(r"$z$")
    return fig


def _hz_model(params: Mapping) -> Callable:
    cosmo, _ = cosmology.split_params(params)
    return _jitted(lambda z: cosmology.H(cosmo, z))


def hz_plot(z: Any, H=None, err=None, *, cov=None, model=None, residuals: bool = False,
            fig: Figure | None = None, ax: Axes | None = None, color: str | None = None,
            label: str = "data") -> Figure:
    """Expansion rate ``H(z)`` data (e.g. cosmic chronometers) with model curves.

    Examples
    --------
    >>> fig = hz_plot([0.1, 0.5, 1.0], [69.0, 88.0, 120.0], [5.0, 8.0, 15.0],
    ...               model={"H0": 67.4, "Omega_m": 0.315})
    >>> fig.axes[0].get_ylabel()
    '$H(z)$ [km/s/Mpc]'
    """
    if hasattr(z, "H") and hasattr(z, "cov"):
        z, H, cov = z.z, z.H, z.cov
    z = np.asarray(z, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    if H.shape != z.shape:
        raise ValueError(f"hz_plot: H has shape {H.shape} but z has {z.shape}")
    sig, _ = _errors(z.size, err, cov, "hz_plot")
    fig, top, bottom = _panels(fig, ax, residuals)
    color = color or palette(1)[0]
    top.errorbar(z, H, sig, fmt="o", color=color, mfc="white", ms=4, label=label)
    grid = np.linspace(0.0, z.max() * 1.1, 200)
    for (name, fn), c in zip(_models(model, _hz_model), palette(8, 1)):
        on_grid, at_data = _split_eval(fn, grid, z)
        top.plot(grid, on_grid, color=c, label=name)
        if bottom is not None:
            bottom.errorbar(z, H - at_data, sig, fmt="o", color=c, mfc="white", ms=4)
    top.set_ylabel(r"$H(z)$ [km/s/Mpc]")
    top.legend(frameon=False)
    if bottom is not None:
        bottom.axhline(0.0, color="0.4", linewidth=0.8)
        bottom.set_ylabel(r"$\Delta H$")
        bottom.set_xlabel(r"$z$")
    else:
        top.set_xlabel(r"$z$")
    return fig

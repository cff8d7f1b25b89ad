"""What the dashboards draw, computed by the library: model curves, readouts, contour vertices.

:class:`CosmologyPanels` compiles, once, a single function of the parameters that returns the
curves of the three data panels (SN Hubble diagram, DESI BAO ratios, H(z)), the SN points shifted
by the best-fit magnitude offset (so that offset-marginalized data sit on the curve) and the
chi^2 of every likelihood (:func:`hicosmo_nb.likelihoods.readout.chi2_of`). A slider move is
then one call of that compiled function.

:func:`fisher_panel` turns a :class:`~hicosmo_nb.fisher.FisherMatrix` and two parameter names
into the 68.3%/95.4% ellipse vertices (Delta chi^2 = 2.30 / 6.18), 1-D Gaussian curves,
marginalized errors and the DETF figure of merit.

Examples
--------
>>> from hicosmo_nb import data, likelihoods
>>> panels = CosmologyPanels(data.load_union3(), data.load_desi_bao("dr2"), data.load_cc(),
...                          {"cc": likelihoods.get("cc")})
>>> v = panels.evaluate({"H0": 67.36, "Omega_m": 0.3153})
>>> bool(v.ok), v.mu.shape == panels.z_sn.shape
(True, True)
"""

from __future__ import annotations

from typing import Mapping, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401
from .. import cosmology
from ..data import BAOData, HzData, SNData
from ..fisher import FisherMatrix
from ..likelihoods import Likelihood
from ..likelihoods.readout import chi2_of
from ..parameters import COSMOLOGY_DEFAULTS
from .data import bao_display_scale, bao_kind
from .ellipses import ellipse_vertices
from .style import SIGMA_LEVELS

__all__ = ["CosmologyPanels", "PanelValues", "FisherPanel", "fisher_panel", "gaussian_curve",
           "PANEL_PARAMS", "PANEL_ALWAYS_VARIED", "BAO_PANEL_KINDS", "bao_display_points"]

# Every evaluation receives all of these (defaults filled in), so that the compiled function
# sees one dict structure whatever the model: one compilation for all models.
PANEL_PARAMS = ("H0", "Omega_m", "Omega_b", "Omega_k", "w0", "wa", "m_nu")
# The PANEL_PARAMS read in every model, beyond the model's own: the BAO panel computes r_d (it is
# not fitted), and the sound horizon reads the baryon density and the neutrino masses.
PANEL_ALWAYS_VARIED = ("Omega_b", "m_nu")
# The BAO quantities of the BAO panel, in drawing order (keys of ``PanelValues.bao``).
BAO_PANEL_KINDS = ("DM", "DH", "DV")


def bao_display_points(bao: BAOData) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The BAO data as the BAO panel draws them: kind -> ``(z, value, error)`` on the display scale.

    For each of :data:`BAO_PANEL_KINDS` (empty arrays where ``bao`` has none of that kind), the
    measurements and their diagonal 1-sigma errors times
    :func:`~hicosmo_nb.plots.data.bao_display_scale`, the scale of the model curves in
    :attr:`PanelValues.bao`.

    Examples
    --------
    >>> from hicosmo_nb import data
    >>> pts = bao_display_points(data.load_desi_bao("dr2"))
    >>> [len(pts[k][0]) for k in BAO_PANEL_KINDS]
    [6, 6, 1]
    """
    kinds = np.array([bao_kind(k) for k in bao.kinds])
    sigma = np.sqrt(np.diag(bao.cov))
    out = {}
    for kind in BAO_PANEL_KINDS:
        sel = kinds == kind
        scale = bao_display_scale(kind, bao.z[sel])
        out[kind] = (bao.z[sel], bao.values[sel] * scale, sigma[sel] * scale)
    return out


class PanelValues(NamedTuple):
    """One evaluation of :class:`CosmologyPanels` (NumPy arrays; ``chi2`` name -> float)."""

    mu: np.ndarray          # distance modulus on ``z_sn``
    sn_points: np.ndarray   # SN magnitudes minus the best-fit offset for this model
    bao: dict               # "DM"/"DH"/"DV" -> ratio / r_d on ``z_bao`` times ``bao_display_scale``
    hz: np.ndarray          # H(z) on ``z_hz`` [km/s/Mpc]
    chi2: dict              # likelihood name -> chi^2 (inf where unphysical)
    ok: bool                # every curve and chi^2 finite


class CosmologyPanels:
    """Model curves and chi^2 readouts for the SN, BAO and H(z) panels, from one compiled call.

    Parameters
    ----------
    sn, bao, hz : SNData, BAOData, HzData
        The data drawn in the panels.
    likelihoods : dict
        ``name -> Likelihood`` whose chi^2 are read out on every evaluation.
    n_grid : int
        Points per model curve.
    """

    def __init__(self, sn: SNData, bao: BAOData, hz: HzData, likelihoods: Mapping[str, Likelihood],
                 n_grid: int = 200):
        for what, value, cls in (("sn", sn, SNData), ("bao", bao, BAOData), ("hz", hz, HzData)):
            if not isinstance(value, cls):
                raise ValueError(f"CosmologyPanels: {what} must be a {cls.__name__}, got {type(value).__name__}")
        self.sn, self.bao, self.hz = sn, bao, hz
        self.names = tuple(likelihoods)
        self.z_sn = np.geomspace(max(0.8 * float(sn.z.min()), 1e-3), 1.1 * float(sn.z.max()), n_grid)
        self.z_bao = np.linspace(0.1, 1.1 * float(bao.z.max()), n_grid)
        self.z_hz = np.linspace(0.0, 1.1 * float(hz.z.max()), n_grid)
        scale = {k: bao_display_scale(k, self.z_bao) for k in BAO_PANEL_KINDS}
        chi2s = {name: chi2_of(lk) for name, lk in likelihoods.items()}
        cinv1 = np.linalg.solve(sn.cov, np.ones(sn.n))
        w = jnp.asarray(cinv1 / cinv1.sum())  # GLS weights of the magnitude offset
        z_bao, z_hz = jnp.asarray(self.z_bao), jnp.asarray(self.z_hz)
        mag = jnp.asarray(sn.mag)
        # every fixed redshift in one evaluator: one evaluation of E(z) for all three distance sets
        cuts = np.cumsum([sn.n, self.z_sn.size])
        distances = cosmology.DistanceEvaluator(np.concatenate([sn.z, self.z_sn, self.z_bao]))
        z_hel = np.concatenate([sn.z_hel, self.z_sn, self.z_bao])

        def evaluate(p):
            ok, p_safe = cosmology.sanitize(p, 1100.0, early=True)
            with cosmology.assume_physical():  # sanitized: the contract's checks would repeat
                mu_data, mu_sn, _ = jnp.split(distances.distance_modulus(p_safe, z_hel), cuts)
                dm = jnp.split(distances.transverse_comoving_distance(p_safe), cuts)[2]
                rd = cosmology.sound_horizon_drag(p_safe)
                dh = cosmology.hubble_distance(p_safe, z_bao)
                dv = cosmology.volume_averaged_distance(p_safe, z_bao, dm=dm, dh=dh)
                hz = cosmology.H(p_safe, z_hz)
            bao_curves = {"DM": dm / rd * scale["DM"], "DH": dh / rd * scale["DH"],
                          "DV": dv / rd * scale["DV"]}
            out = dict(mu=mu_sn, sn_points=mag - jnp.dot(w, mag - mu_data), bao=bao_curves, hz=hz,
                       chi2={name: fn(p) for name, fn in chi2s.items()})
            finite = [jnp.all(jnp.isfinite(x)) for x in jax.tree_util.tree_leaves(out)]
            return out, jnp.all(jnp.stack(finite)) & ok

        self._compiled = jax.jit(evaluate)

    def full_params(self, params: Mapping[str, float]) -> dict:
        """``params`` completed with the defaults of :data:`PANEL_PARAMS` (0-d float64 NumPy arrays:
        the compiled call takes them as they are, one device transfer instead of seven)."""
        unknown = sorted(set(params) - set(PANEL_PARAMS))
        if unknown:
            raise ValueError(f"CosmologyPanels: unknown parameter(s) {unknown}; allowed: {PANEL_PARAMS}")
        return {k: np.asarray(float(params.get(k, COSMOLOGY_DEFAULTS[k])), dtype=np.float64)
                for k in PANEL_PARAMS}

    def evaluate(self, params: Mapping[str, float]) -> PanelValues:
        """All curves and chi^2 at ``params`` (missing :data:`PANEL_PARAMS` take their defaults)."""
        out, ok = jax.device_get(self._compiled(self.full_params(params)))
        return PanelValues(mu=np.asarray(out["mu"]), sn_points=np.asarray(out["sn_points"]),
                           bao={k: np.asarray(v) for k, v in out["bao"].items()},
                           hz=np.asarray(out["hz"]), chi2={k: float(v) for k, v in out["chi2"].items()},
                           ok=bool(ok))

    def compilations(self) -> int:
        """How many times the panel function has been compiled (1 after the first call)."""
        return int(self._compiled._cache_size())


def gaussian_curve(mean: float, sigma: float, nsigma: float = 4.0, n: int = 201) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` of ``N(mean, sigma)`` scaled to peak 1, over ``mean +- nsigma sigma``."""
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    x = np.linspace(mean - nsigma * sigma, mean + nsigma * sigma, n)
    return x, np.exp(-0.5 * ((x - mean) / sigma) ** 2)


class FisherPanel(NamedTuple):
    """Contours and numbers of one Fisher matrix for the parameter pair ``(x, y)``."""

    ellipses: tuple         # vertices (n, 2) of the 68.3% and 95.4% ellipses
    gaussians: tuple        # ((x, y) curve of the x parameter, of the y parameter)
    errors: dict            # name -> marginalized 1-sigma error (every parameter of the matrix)
    fom: float | None       # DETF figure of merit (w0, wa), None when they are not both varied
    center: tuple           # fiducial values of (x, y)


def fisher_panel(fisher: FisherMatrix, x: str, y: str) -> FisherPanel:
    """Ellipses (Delta chi^2 = 2.30 / 6.18), 1-D Gaussians, errors and FoM of ``fisher``.

    Raises
    ------
    ValueError
        If ``x``/``y`` are not parameters of ``fisher``, are equal, or the matrix is singular.

    Examples
    --------
    >>> F = FisherMatrix([[4.0, 1.0], [1.0, 2.0]], ["w0", "wa"], {"w0": -1.0, "wa": 0.0})
    >>> round(fisher_panel(F, "w0", "wa").fom, 3)
    2.646
    """
    if x == y:
        raise ValueError(f"fisher_panel needs two different parameters, got {x!r} twice")
    missing = [n for n in (x, y) if n not in fisher.names]
    if missing:
        raise ValueError(f"fisher_panel: {missing} not in the Fisher matrix parameters {fisher.names}")
    cov = fisher.covariance
    errors = dict(zip(fisher.names, np.sqrt(np.diag(cov))))
    i, j = fisher.index([x, y])
    sub = cov[np.ix_([i, j], [i, j])]
    center = (fisher.fiducial[x], fisher.fiducial[y])
    ellipses = tuple(ellipse_vertices(center, sub, level) for level in SIGMA_LEVELS)
    gaussians = (gaussian_curve(center[0], errors[x]), gaussian_curve(center[1], errors[y]))
    fom = fisher.figure_of_merit(("w0", "wa")) if {"w0", "wa"} <= set(fisher.names) else None
    return FisherPanel(ellipses, gaussians, errors, fom, center)

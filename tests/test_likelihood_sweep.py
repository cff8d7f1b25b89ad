"""10^4 random points per builder over generous boxes: never NaN, never +inf, finite gradients.

Boxes include negative densities, large curvature, w0 > 0, negative H0 / h r_d / omega_b, so a
good share of each sweep is unphysical (-inf). Known unphysical corners are checked explicitly.
"""

import warnings
import zlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb import data
from hicosmo_nb import likelihoods as L

N_POINTS = 10_000
CHUNK = 2_500
DARK = {"Omega_k": (-1.0, 1.0), "w0": (-3.0, 1.0), "wa": (-3.0, 2.0)}


def _pantheon_diag_free():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return L.sn_likelihood(data.load_pantheon_plus(covariance="diagonal"), marginalize_M=False)


# name -> (builder, box, number of points, explicit unphysical points)
CASES = {
    "sn_marginalized": (lambda: L.get("union3"),
                        {"Omega_m": (-0.5, 1.5), "H0": (20.0, 150.0), **DARK}, N_POINTS,
                        [{"Omega_m": -0.1}, {"Omega_m": 0.3, "Omega_k": -3.0}]),
    "sn_free_offset": (lambda: L.get("union3", marginalize_M=False),
                       {"Omega_m": (-0.5, 1.5), "dM": (-5.0, 5.0), **DARK}, N_POINTS,
                       [{"Omega_m": -0.3, "dM": 0.0, "w0": 0.5}]),
    "sn_pantheon_diag": (_pantheon_diag_free,
                         {"Omega_m": (-0.5, 1.5), "M": (-21.0, -17.0), **DARK}, 1_000,
                         [{"Omega_m": -0.2, "M": -19.3}]),
    "bao_free": (lambda: L.get("desi_dr2_bao", rd="free"),
                 {"Omega_m": (-0.5, 1.5), "hrd": (-50.0, 200.0), "H0": (-20.0, 150.0), **DARK},
                 N_POINTS, [{"Omega_m": 0.3, "hrd": -5.0}, {"Omega_m": 0.3, "hrd": 0.0}]),
    "bao_computed": (lambda: L.get("desi_dr2_bao"),
                     {"H0": (-20.0, 150.0), "Omega_m": (-0.5, 1.5), "Omega_b": (-0.1, 0.5),
                      "m_nu": (-1.0, 3.0), "T_cmb": (-1.0, 5.0), "N_eff": (-1.0, 6.0), **DARK}, N_POINTS,
                     [{"H0": 68.0, "Omega_m": 0.3, "Omega_b": 0.5}, {"H0": 0.0, "Omega_m": 0.3, "Omega_b": 0.05}]),
    "cc": (lambda: L.get("cc"), {"H0": (-20.0, 150.0), "Omega_m": (-0.5, 1.5), **DARK}, N_POINTS,
           [{"H0": -70.0, "Omega_m": 0.3}]),
    "cmb_chen2019_physical": (lambda: L.get("planck18_priors"),
                              {"H0": (-20.0, 150.0), "omega_b": (-0.05, 0.2), "omega_c": (-0.1, 1.0),
                               "T_cmb": (-1.0, 5.0), **DARK}, N_POINTS,
                              [{"H0": 67.0, "omega_b": -0.01, "omega_c": 0.12},
                               {"H0": 0.0, "omega_b": 0.02, "omega_c": 0.12},
                               # E^2 dips below 0 near a = 0.9 between the validity grid's nodes
                               # (negative dark energy, w0 > 0, wa < -2): once NaN gradients
                               {"H0": 11.107230267252351, "omega_b": 0.087281052708726,
                                "omega_c": 0.17388928450552757, "T_cmb": 3.060092851356228,
                                "Omega_k": 0.45061998234490086, "w0": 0.284455791194294,
                                "wa": -2.7889949267775416}]),
    "cmb_hicosmo_density": (lambda: L.get("planck18_priors", convention="hicosmo",
                                          parametrization="density"),
                            {"H0": (-20.0, 150.0), "Omega_m": (-0.5, 1.5), "Omega_b": (-0.1, 0.5),
                             **DARK}, N_POINTS, [{"H0": 67.0, "Omega_m": 0.3, "Omega_b": -0.01}]),
    "sh0es": (lambda: L.get("sh0es"), {"H0": (-1e3, 1e3)}, N_POINTS, []),
}


def _complete(point, box):
    return {k: point.get(k, 0.5 * (lo + hi) if k not in ("w0",) else -1.0) for k, (lo, hi) in box.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_sweep_no_nan(case):
    build, box, n, explicit = CASES[case]
    lk = build()
    rng = np.random.default_rng(zlib.crc32(case.encode()))  # the same points in every run (str hash is salted)
    names = list(box)
    pts = {k: rng.uniform(lo, hi, n) for k, (lo, hi) in box.items()}
    # Explicit unphysical corners, completed with mid-box values (w0 = -1) for the other keys.
    bad = [_complete(p, box) for p in explicit]
    for k in names:
        pts[k] = np.concatenate([pts[k], [b[k] for b in bad]])
    vg = jax.jit(jax.vmap(jax.value_and_grad(lk.loglike)))
    total = n + len(bad)
    values, grads = [], {k: [] for k in names}
    for i in range(0, total, CHUNK):
        v, g = vg({k: jnp.asarray(pts[k][i:i + CHUNK]) for k in names})
        values.append(np.asarray(v))
        for k in names:
            grads[k].append(np.asarray(g[k]))
    values = np.concatenate(values)
    assert not np.any(np.isnan(values)), f"{case}: NaN values"
    assert not np.any(values == np.inf), f"{case}: +inf values"
    for k in names:
        g = np.concatenate(grads[k])
        assert np.all(np.isfinite(g)), f"{case}: non-finite d/d{k} at {np.flatnonzero(~np.isfinite(g))[:5]}"
    if bad:
        assert np.all(values[n:] == -np.inf), f"{case}: explicit unphysical points not -inf"
    finite = np.isfinite(values[:n]).mean()
    if case != "sh0es":
        assert 0.02 < finite < 0.98, f"{case}: box should mix physical and unphysical, finite={finite}"

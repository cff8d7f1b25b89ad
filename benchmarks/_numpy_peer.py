"""The joint likelihood of case (b) of ``sampling.py`` in pure NumPy, vectorized over walkers.

This is the emcee peer: "the numpy version of the same likelihood", written the way an emcee
user would (``vectorize=True``: ``theta`` is ``(W, 6)``, one call evaluates every walker with
array operations). Flat w0waCDM, free ``(H0, Omega_m, Omega_b, w0, wa, M)``, ``m_nu = 0`` (the
massive eigenstate is then one more massless species), ``T_cmb``, ``N_eff`` at their registry
defaults. It reproduces, to |Delta ln L| < 1e-3 (see :func:`check`):

- SN (``sn_likelihood(..., marginalize_M=False)``): ``mag = 5 log10((1+z_hel) D_M / 10 pc) + M``,
  dense covariance, one BLAS product ``(R @ C^-1) * R`` for all walkers. ``D_M`` by the knot
  scheme hicosmo_nb's SN likelihood used before ``cosmology.DistanceEvaluator``: knots uniform in
  ``s = (1+z)^-1/2``, 4-node Gauss-Legendre per knot interval, cumulative sum, cubic Hermite with
  the exact derivative.
- DESI DR2 BAO with ``r_d = r_s(z_drag)`` (Aizpuru et al. 2021 ``z_drag`` fit, 48-node rule in
  ``s`` on ``[0, s_drag]``, as ``hicosmo_nb.cosmology.sound_horizon_drag``); CC ``H(z)``.
- Planck 2018 distance priors, ``convention="chen2019"``, ``parametrization="density"``: own
  ``E(z)`` with ``Omega_r = Omega_m / (1 + z_eq)``, Hu-Sugiyama ``z_*``, 64-node rules.

Radiation: photons from ``T_cmb`` (CODATA 2018) plus ``N_eff`` massless neutrinos, with the
package's convention that ``Omega_m`` contains the (here relativistic) massive eigenstate.
Data and covariances come from the library loaders; normalizations are ``log det(2 pi C)``.
"""

from __future__ import annotations

import time

import numpy as np

from hicosmo_nb.data import SNData, load_cc, load_desi_bao, load_planck18_priors
from hicosmo_nb.data.containers import BAO_OBSERVABLES
from hicosmo_nb.parameters import PARAMETERS

NAMES = ("H0", "Omega_m", "Omega_b", "w0", "wa", "M")
C_KM_S = 299792.458
T_CMB, N_EFF = PARAMETERS["T_cmb"].default, PARAMETERS["N_eff"].default
# Omega_gamma h^2 from CODATA 2018 (as hicosmo_nb.cosmology.densities); one neutrino species.
_K_B, _HBAR, _C, _G, _MPC = 1.380649e-23, 1.054571817e-34, 299792458.0, 6.67430e-11, 3.0856775814913673e22
_RHO_CRIT_100 = 3.0 * (1.0e5 / _MPC) ** 2 / (8.0 * np.pi * _G)
OMEGA_GAMMA_H2 = (np.pi**2 / 15.0) * _K_B**4 / (_HBAR**3 * _C**5) / _RHO_CRIT_100 * T_CMB**4
NU_PER_SPECIES = 7.0 / 8.0 * (4.0 / 11.0) ** (4.0 / 3.0) * N_EFF / 3.0
_E2_FLOOR = 1e-30


def _gauss_block(mean, cov):
    """(data, C^-1, log det(2 pi C)) of a Gaussian data block."""
    chol = np.linalg.cholesky(0.5 * (cov + cov.T))
    norm = len(mean) * np.log(2 * np.pi) + 2 * np.sum(np.log(np.diag(chol)))
    return np.asarray(mean, float), np.linalg.inv(0.5 * (cov + cov.T)), norm


def _chi2(r, cinv):
    return np.sum((r @ cinv) * r, axis=1)


def _cpl(w0, wa, a):
    """rho_de(a) / rho_de0 for CPL."""
    return np.exp(-3.0 * (1.0 + w0 + wa) * np.log(a) - 3.0 * wa * (1.0 - a))


class NumpyJoint:
    """SN + DESI DR2 BAO + CC + Planck 2018 priors, flat priors on ``bounds``; see the module doc."""

    def __init__(self, sn_data: SNData, bounds: dict, *, h: float = 0.0025):
        self.lo = np.array([bounds[n][0] for n in NAMES], float)
        self.hi = np.array([bounds[n][1] for n in NAMES], float)
        self.center = 0.5 * (self.lo + self.hi)
        self.sn_mag, self.sn_cinv, self.sn_norm = _gauss_block(sn_data.mag, sn_data.cov)
        self.zhel = sn_data.z_hel
        bao, cc, cmb = load_desi_bao("dr2"), load_cc(), load_planck18_priors()
        self.bao_d, self.bao_cinv, self.bao_norm = _gauss_block(bao.values, bao.cov)
        zu, self.bao_idx = np.unique(bao.z, return_inverse=True)
        self.bao_kind = np.array([BAO_OBSERVABLES.index(k) for k in bao.kinds])
        self.bao_z = zu
        self.cc_d, self.cc_cinv, self.cc_norm = _gauss_block(cc.H, cc.cov)
        self.cmb_d, self.cmb_cinv, self.cmb_norm = _gauss_block(cmb.mean, cmb.cov)
        self.cmb_order = [("R", "l_A", "omega_b").index(lab) for lab in cmb.labels]
        # D_M targets (SN then BAO): knots uniform in s from 1 down to the smallest SN s (the
        # JAX SN grid's knots exactly), extended with the same spacing past the highest BAO z.
        s_sn = 1.0 / np.sqrt(1.0 + sn_data.z)
        s_t = np.concatenate([s_sn, 1.0 / np.sqrt(1.0 + zu)])
        n_sn = max(1, int(np.ceil((1.0 - s_sn.min()) / h)))
        dk = (1.0 - s_sn.min()) / n_sn
        n_ext = max(0, int(np.ceil((s_sn.min() - s_t.min()) / dk - 1e-9)))
        knots = np.concatenate([np.linspace(1.0, s_sn.min(), n_sn + 1),
                                s_sn.min() - dk * np.arange(1, n_ext + 1)])
        n_int, width = n_sn + n_ext, knots[:-1] - knots[1:]
        x4, w4 = np.polynomial.legendre.leggauss(4)
        gl_s = (0.5 * (knots[:-1] + knots[1:]) + 0.5 * width * x4[:, None]).T.ravel()
        self.gl_w, self.n_int = 0.5 * dk * w4, n_int  # uniform knots: one weight vector
        k = np.clip(np.searchsorted(-knots, -s_t, side="right") - 1, 0, n_int - 1)
        t = (knots[k] - s_t) / width[k]
        self.k = k
        self.herm = (2 * t**3 - 3 * t**2 + 1, (t**3 - 2 * t**2 + t) * width[k],
                     -2 * t**3 + 3 * t**2, (t**3 - t**2) * width[k])
        # One fixed set of scale factors: GL nodes + knots (for D_M), H(z) points, and the 256
        # points of hicosmo's is_physical check (E^2 > 0 up to z = 1e5).
        s_fix = np.concatenate([gl_s, knots])
        s_chk = np.linspace(1.0 / np.sqrt(1.0 + 1e5), 1.0, 256)
        a = np.concatenate([s_fix**2, 1.0 / (1.0 + cc.z), 1.0 / (1.0 + zu), s_chk**2])
        self.n_fix, self.n_cc, self.n_bao = s_fix.size, cc.z.size, zu.size
        self.la, self.one_minus_a, self.a3, self.a4 = np.log(a), 1.0 - a, a**-3, a**-4
        self.two_over_s3 = 2.0 / s_fix**3
        self.gl48, self.gl64 = np.polynomial.legendre.leggauss(48), np.polynomial.legendre.leggauss(64)

    # -- shared background -------------------------------------------------------------------
    def _background(self, theta):
        """Parameter columns (W, 1), densities, E^2 on the fixed scale factors, physical flag."""
        theta = np.atleast_2d(np.asarray(theta, float))
        inside = np.all((theta > self.lo) & (theta < self.hi) & np.isfinite(theta), axis=1)
        th = np.where(inside[:, None], theta, self.center)  # safe values outside the box
        b = dict(zip(NAMES, th.T[:, :, None]))
        h2 = (b["H0"] / 100.0) ** 2
        # m_nu = 0: three massless species; Omega_m holds no radiation (issue 14), as in hicosmo.
        og, onu = OMEGA_GAMMA_H2 / h2, NU_PER_SPECIES * OMEGA_GAMMA_H2 / h2
        b.update(h2=h2, og=og, orad=og + 3 * onu, ocb=b["Omega_m"],
                 ode=1.0 - b["Omega_m"] - og - 3 * onu, dh0=C_KM_S / b["H0"])
        e2 = b["ocb"] * self.a3 + b["orad"] * self.a4 + b["ode"] * np.exp(
            -3.0 * (1.0 + b["w0"] + b["wa"]) * self.la - 3.0 * b["wa"] * self.one_minus_a)
        ok = inside & (b["Omega_b"][:, 0] > 0) & (b["ocb"] >= b["Omega_b"])[:, 0] & np.all(e2 > 0, axis=1)
        b["e"] = np.sqrt(np.maximum(e2, _E2_FLOOR))
        return b, ok

    def _e_early(self, b, a):
        """E(a) at per-walker scale factors a (W, N) (same model as the fixed grid)."""
        e2 = b["ocb"] / a**3 + b["orad"] / a**4 + b["ode"] * _cpl(b["w0"], b["wa"], a)
        return np.sqrt(np.maximum(e2, _E2_FLOOR))

    def _dm_over_dh0(self, b):
        """D_C / (c/H0) at the SN then BAO redshifts: cumulative GL + cubic Hermite."""
        g = self.two_over_s3 / b["e"][:, : self.n_fix]
        n_gl = 4 * self.n_int
        xk = np.zeros((g.shape[0], self.n_int + 1))
        np.cumsum(g[:, :n_gl].reshape(-1, self.n_int, 4) @ self.gl_w, axis=1, out=xk[:, 1:])
        gk, k = g[:, n_gl:], self.k
        h00, h10, h01, h11 = self.herm
        return h00 * xk[:, k] + h10 * gk[:, k] + h01 * xk[:, k + 1] + h11 * gk[:, k + 1]

    # -- components ----------------------------------------------------------------------------
    def _sn(self, b, x):
        mu = 5.0 * np.log10((1.0 + self.zhel) * b["dh0"] * x[:, : self.zhel.size]) + 25.0
        r = self.sn_mag - mu - b["M"]
        return -0.5 * (_chi2(r, self.sn_cinv) + self.sn_norm)  # one BLAS product, all walkers

    def _rd(self, b):
        """Sound horizon at the drag epoch [Mpc]: Aizpuru+2021 z_drag, exact r_s integral."""
        wb, wm = b["Omega_b"] * b["h2"], b["Omega_m"] * b["h2"]
        zd = (1.0 + 428.169 * wb**0.256459 * wm**0.616388 + 925.56 * wm**0.751615) / wm**0.714129
        x, w = self.gl48
        half = 0.5 / np.sqrt(1.0 + zd)  # nodes on [0, s_drag]
        s = half * (x + 1.0)
        r_b = 0.75 * b["Omega_b"] / b["og"]
        f = 2.0 / (s**3 * self._e_early(b, s * s) * np.sqrt(3.0 * (1.0 + r_b * s * s)))
        return b["dh0"][:, 0] * half[:, 0] * (f @ w)

    def _bao(self, b, x):
        dm = b["dh0"] * x[:, self.zhel.size:]
        dh = b["dh0"] / b["e"][:, self.n_fix + self.n_cc: self.n_fix + self.n_cc + self.n_bao]
        dv = np.cbrt(self.bao_z * dm * dm * dh)
        table = np.stack([dm, dh, dv], axis=1) / self._rd(b)[:, None, None]  # (W, 3, n_z)
        r = self.bao_d - table[:, self.bao_kind, self.bao_idx]
        return -0.5 * (_chi2(r, self.bao_cinv) + self.bao_norm)

    def _cc(self, b):
        r = self.cc_d - b["H0"] * b["e"][:, self.n_fix: self.n_fix + self.n_cc]
        return -0.5 * (_chi2(r, self.cc_cinv) + self.cc_norm)

    def _planck(self, b):
        """Chen, Huang & Wang 2019 conventions (hicosmo_nb.likelihoods.cmb, chen2019)."""
        om, h2 = b["Omega_m"], b["h2"]
        wb, wm, theta4 = b["Omega_b"] * h2, om * h2, (T_CMB / 2.7) ** 4
        o_r = om / (1.0 + 2.5e4 * wm / theta4)
        o_de = 1.0 - om - o_r

        def e(s):
            a = s * s
            e2 = o_r / a**4 + om / a**3 + o_de * _cpl(b["w0"], b["wa"], a)
            return np.sqrt(np.maximum(e2, _E2_FLOOR))

        g1 = 0.0783 * wb**-0.238 / (1.0 + 39.5 * wb**0.763)
        g2 = 0.560 / (1.0 + 21.1 * wb**1.81)
        s_star = 1.0 / np.sqrt(1.0 + 1048.0 * (1.0 + 0.00124 * wb**-0.738) * (1.0 + g1 * wm**g2))
        xg, wg = self.gl64
        half, mid = 0.5 * (1.0 - s_star), 0.5 * (1.0 + s_star)  # D_M: [s_*, 1]
        s = mid + half * xg
        x = half[:, 0] * ((2.0 / (s**3 * e(s))) @ wg)
        s = 0.5 * s_star * (xg + 1.0)  # r_s: [0, s_*]
        cs = 1.0 / np.sqrt(3.0 * (1.0 + 31500.0 * wb / theta4 * s * s))
        rs = 0.5 * s_star[:, 0] * ((2.0 * cs / (s**3 * e(s))) @ wg)
        vec = np.stack([np.sqrt(om[:, 0]) * x, np.pi * x / rs, wb[:, 0]], axis=1)[:, self.cmb_order]
        r = self.cmb_d - vec
        return -0.5 * (_chi2(r, self.cmb_cinv) + self.cmb_norm)

    def components(self, theta) -> dict[str, np.ndarray]:
        """Per-likelihood log L (sn, desi, cc, planck), -inf where outside the box or unphysical."""
        with np.errstate(all="ignore"):
            b, ok = self._background(theta)
            x = self._dm_over_dh0(b)
            out = {"sn": self._sn(b, x), "desi": self._bao(b, x), "cc": self._cc(b),
                   "planck": self._planck(b)}
        return {k: np.where(ok & np.isfinite(v), v, -np.inf) for k, v in out.items()}

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        """Log posterior (flat priors, unnormalized) for theta (W, 6) or (6,): shape (W,)."""
        return sum(self.components(theta).values())


def _points(n: int, seed: int = 0) -> np.ndarray:
    """Points spread around the joint posterior (ranges of the task's accuracy check)."""
    lo, hi = np.array([63, 0.29, 0.045, -1.1, -2.0, -19.5]), np.array([70, 0.35, 0.055, -0.5, 0.3, -19.35])
    return lo + (hi - lo) * np.random.default_rng(seed).random((n, 6))


def _setup():
    from hicosmo_nb import likelihoods

    from _problems import pantheon_sized_data  # uses ../shared/data when that folder exists

    data = pantheon_sized_data()
    lk = (likelihoods.sn_likelihood(data, marginalize_M=False) + likelihoods.get("desi_dr2_bao")
          + likelihoods.get("cc") + likelihoods.get("planck18_priors", parametrization="density"))
    return data, lk, {n: (PARAMETERS[n].lower, PARAMETERS[n].upper) for n in NAMES}


def check(max_points: int = 30, tol: float = 1e-3) -> dict:
    """Max |Delta ln L| per component and in total against the JAX likelihoods (m_nu = 0)."""
    data, lk, bounds = _setup()
    peer, pts = NumpyJoint(data, bounds), _points(max_points)
    mine = peer.components(pts)
    ref = np.array([[float(leaf({**dict(zip(NAMES, p)), "m_nu": 0.0})) for leaf in lk.leaves] for p in pts])
    err = {k: float(np.max(np.abs(mine[k] - ref[:, i]))) for i, k in enumerate(mine)}
    err["total"] = float(np.max(np.abs(peer(pts) - ref.sum(1))))
    for k, v in err.items():
        print(f"  {k:7s} max |dlnL| = {v:.2e}")
    assert all(v < tol for v in err.values()), err
    bad = peer(np.array([[67.0, 0.3, 0.29, -1, 0, -19.4], [67.0, 1.2, 0.05, -1, 0, -19.4]]))
    assert np.all(bad == -np.inf), bad  # Omega_cb < Omega_b; outside the box
    return err


def timing(walkers: int = 32, calls: int = 50) -> dict:
    """Median seconds per call for ``walkers`` walkers, total and per stage."""
    data, _, bounds = _setup()
    peer, pts = NumpyJoint(data, bounds), _points(walkers, seed=1)
    b, _ = peer._background(pts)
    x = peer._dm_over_dh0(b)
    stages = {"total": lambda: peer(pts), "background": lambda: peer._background(pts),
              "D_M grid": lambda: peer._dm_over_dh0(b), "sn": lambda: peer._sn(b, x),
              "desi": lambda: peer._bao(b, x), "cc": lambda: peer._cc(b), "planck": lambda: peer._planck(b)}
    out = {}
    for name, fn in stages.items():
        ts = []
        for _ in range(calls):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        out[name] = float(np.median(ts))
        print(f"  {name:10s} {out[name] * 1e3:8.3f} ms")
    return out


if __name__ == "__main__":
    check()
    timing()

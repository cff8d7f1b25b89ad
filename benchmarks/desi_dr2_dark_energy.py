"""DESI DR2 + compressed CMB prior (+ SNe): LCDM vs w0waCDM with hicosmo_nb.compare, next to the
published DESI DR2 numbers (run once for the report; not part of the library).

    HICOSMO_NB_DATA_DIR=../shared/data python benchmarks/desi_dr2_dark_energy.py [--nuts] [SN ...]

SN: any of none, union3, desy5, pantheon_plus (default all); a set whose files are missing is
skipped with the reason.

Published (DESI DR2 Results II, arXiv:2503.14738, the w0waCDM table of Sec. VII and the abstract;
DESI + CMB there is the full Planck PR4 CamSpec + lensing likelihood, not the compressed prior):
posterior means and 68% limits, and the Delta chi^2_MAP preference over LCDM.
Maximum likelihood here (several starts around a Planck-like point; compare() maximizes),
Laplace errors; ``--nuts`` adds short NUTS posterior means.
"""

from __future__ import annotations

import os
import pathlib
import sys
import time

import jax
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HICOSMO_NB_DATA_DIR", str(ROOT.parent / "shared" / "data"))

from _common import print_load  # noqa: E402

from hicosmo_nb import likelihoods as L  # noqa: E402
from hicosmo_nb.compare import compare  # noqa: E402
from hicosmo_nb.inference import Problem, Uniform, run_nuts  # noqa: E402

# (Omega_m, sd), (w0, sd), (wa, +err, -err), sigma of the w0waCDM preference
PUBLISHED = {
    "none": ((0.353, 0.021), (-0.42, 0.21), (-1.75, 0.58, 0.58), 3.1),
    "pantheon_plus": ((0.3114, 0.0057), (-0.838, 0.055), (-0.62, 0.22, 0.19), 2.8),
    "union3": ((0.3275, 0.0086), (-0.667, 0.088), (-1.09, 0.31, 0.27), 3.8),
    "desy5": ((0.3191, 0.0056), (-0.752, 0.057), (-0.86, 0.23, 0.20), 4.2),
}
LCDM_PRIORS = {"H0": Uniform(20.0, 100.0), "Omega_m": Uniform(0.01, 0.99), "Omega_b": Uniform(0.005, 0.2)}
DE_PRIORS = {**LCDM_PRIORS, "w0": Uniform(-3.0, 1.0), "wa": Uniform(-3.0, 2.0)}


def starts(names, n=200, seed=0):
    """Draws around a Planck-like point: only optimizer starts (compare() maximizes from them)."""
    rng = np.random.default_rng(seed)
    centre = {"H0": (67.0, 1.5), "Omega_m": (0.31, 0.01), "Omega_b": (0.049, 0.001), "w0": (-0.8, 0.15),
              "wa": (-0.6, 0.4)}
    return {k: rng.normal(*centre[k], n) for k in names}


def main(nuts: bool, which) -> None:
    print_load("before")
    for sn in which:
        om, w0, wa, sig = PUBLISHED[sn]
        lk = L.get("desi_dr2_bao") + L.get("desi_dr2_cmb_prior")
        if sn != "none":
            try:
                lk = lk + L.get(sn)
            except FileNotFoundError as err:
                print(f"\n{sn}: skipped, {str(err).splitlines()[0]}")
                continue
        t = time.perf_counter()
        table = compare({"LCDM": (Problem(lk, LCDM_PRIORS), starts(LCDM_PRIORS)),
                         "w0waCDM": (Problem(lk, DE_PRIORS), starts(DE_PRIORS))}, num_starts=3)
        row = table["w0waCDM"]
        b, s = row.fit.best, row.fit.sigma
        print(f"\nDESI + CMB(compressed){'' if sn == 'none' else ' + ' + sn}  ({time.perf_counter() - t:.0f} s)")
        print(f"  best fit : Omega_m {b['Omega_m']:.4f} +- {s['Omega_m']:.4f}  w0 {b['w0']:.3f} +- {s['w0']:.3f}  "
              f"wa {b['wa']:.2f} +- {s['wa']:.2f}  dchi2 {row.delta_chi2:.2f} -> {row.sigma:.2f} sigma  "
              f"ln B (Laplace) {row.ln_bayes_factor:.2f}")
        if nuts:
            res = run_nuts(Problem(lk, DE_PRIORS), key=jax.random.PRNGKey(20), num_chains=2, num_warmup=300,
                           num_samples=600, progress=False, warn=False)
            m = {k: float(np.mean(v)) for k, v in res.samples.items()}
            sd = {k: float(np.std(v)) for k, v in res.samples.items()}
            print(f"  NUTS mean: Omega_m {m['Omega_m']:.4f} +- {sd['Omega_m']:.4f}  w0 {m['w0']:.3f} +- "
                  f"{sd['w0']:.3f}  wa {m['wa']:.2f} +- {sd['wa']:.2f}")
        print(f"  published: Omega_m {om[0]} +- {om[1]}  w0 {w0[0]} +- {w0[1]}  wa {wa[0]} +{wa[1]}/-{wa[2]}  "
              f"{sig} sigma")
    print_load("after")


if __name__ == "__main__":
    chosen = [a for a in sys.argv[1:] if not a.startswith("--")]
    main("--nuts" in sys.argv, chosen or list(PUBLISHED))

"""Luminosity distances at 1000 redshifts, flat LCDM with radiation: hicosmo_nb vs the peers.

Runs every peer in this one process on the same cosmology (H0 = 67.36, Omega_m = 0.3153,
T_cmb = 2.7255 K, N_eff = 3.046, massless neutrinos so that astropy's physics is identical) and
prints the time per call, the ratio to ours and the max relative error against a scipy quad
reference (epsrel 1e-12). Ours comes in two forms: ``cosmology.luminosity_distance(params, z)``
for arbitrary redshift arrays (placed in fixed panels inside jit), and ``cosmology.DistanceEvaluator(z)`` for a
redshift array known at build time (what likelihoods use; the background is computed on every
call). Ours is timed after compilation; the compile time is printed apart. Also prints the cost
of the full Jacobian (jacfwd w.r.t. all 9 parameters) relative to the value, and the machine load
(figures from a loaded machine are not comparable).

    python benchmarks/distances.py [--n 1000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import print_load  # noqa: E402


def best_time(fn, repeat: int, number: int = 1) -> float:
    """Best wall time of ``number`` calls, over ``repeat`` tries (seconds per call)."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    print_load("before")

    import jax
    import jax.numpy as jnp
    from scipy.integrate import quad

    from hicosmo_nb import cosmology as cosmo

    params = {"H0": 67.36, "Omega_m": 0.3153, "m_nu": 0.0}
    z = np.geomspace(1e-3, 1100.0, args.n)
    zj = jnp.asarray(z)

    # Reference: scipy quad on the same E(z) (astropy's, identical physics, tested to 1e-9).
    ap_cosmo = cosmo.to_astropy(params)  # astropy's FlatLambdaCDM with our physics
    d = cosmo.density_parameters(params)
    dh0 = cosmo.C_KM_S / params["H0"]
    ref = np.array([(1 + zi) * dh0 * quad(ap_cosmo.inv_efunc, 0, zi, epsabs=0, epsrel=1e-12, limit=500)[0] for zi in z])

    rows = []

    def record(name, seconds, values, note=""):
        err = np.max(np.abs(np.asarray(values) / ref - 1)) if values is not None else np.nan
        rows.append({"name": name, "seconds": seconds, "max_rel_err": err, "note": note})

    # ours
    dl = jax.jit(cosmo.luminosity_distance)
    pj = {k: jnp.float64(v) for k, v in params.items()}
    t0 = time.perf_counter()
    dl(pj, zj).block_until_ready()
    compile_s = time.perf_counter() - t0
    ours = best_time(lambda: dl(pj, zj).block_until_ready(), args.repeat, 10)
    record("hicosmo_nb (jit)", ours, dl(pj, zj), f"compile {compile_s:.2f} s")
    ev = cosmo.DistanceEvaluator(z)
    dl_fixed = jax.jit(ev.luminosity_distance)
    t0 = time.perf_counter()
    dl_fixed(pj).block_until_ready()
    compile_fixed = time.perf_counter() - t0
    fixed = best_time(lambda: dl_fixed(pj).block_until_ready(), args.repeat, 10)
    record("hicosmo_nb DistanceEvaluator (jit)", fixed, dl_fixed(pj),
           f"z fixed at build time; compile {compile_fixed:.2f} s")

    names = ["H0", "Omega_m", "Omega_b", "Omega_k", "w0", "wa", "T_cmb", "N_eff", "m_nu"]
    theta = jnp.asarray([67.36, 0.3153, 0.0493, 0.0, -1.0, 0.0, 2.7255, 3.046, 0.0])
    f = lambda t: cosmo.luminosity_distance(dict(zip(names, t)), zj)  # noqa: E731
    fv, jac = jax.jit(f), jax.jit(jax.jacfwd(f))
    fv(theta).block_until_ready()
    jac(theta).block_until_ready()
    t_val = best_time(lambda: fv(theta).block_until_ready(), args.repeat, 10)
    t_jac = best_time(lambda: jac(theta).block_until_ready(), args.repeat, 3)
    g = lambda t: ev.luminosity_distance(dict(zip(names, t)))  # noqa: E731
    gv, gjac = jax.jit(g), jax.jit(jax.jacfwd(g))
    gv(theta).block_until_ready()
    gjac(theta).block_until_ready()
    t_val_fixed = best_time(lambda: gv(theta).block_until_ready(), args.repeat, 10)
    t_jac_fixed = best_time(lambda: gjac(theta).block_until_ready(), args.repeat, 3)

    # astropy
    t_ap = best_time(lambda: ap_cosmo.luminosity_distance(z), max(5, args.repeat // 2))
    record("astropy FlatLambdaCDM", t_ap, ap_cosmo.luminosity_distance(z).value)

    # scipy quad loop on astropy's compiled inverse E(z)
    def quad_loop():
        return np.array([(1 + zi) * dh0 * quad(ap_cosmo.inv_efunc, 0, zi)[0] for zi in z])

    record("scipy quad loop", best_time(quad_loop, 3), quad_loop())

    # CAMB
    try:
        import camb

        cp = camb.CAMBparams()
        h = params["H0"] / 100
        cp.set_cosmology(H0=params["H0"], ombh2=0.0493 * h * h, omch2=float(d["Omega_cb"]) * h * h - 0.0493 * h * h,
                         mnu=0.0, num_massive_neutrinos=0, nnu=3.046, TCMB=2.7255)

        def camb_full():
            return camb.get_background(cp).luminosity_distance(z)

        res = camb.get_background(cp)
        record("CAMB get_background + D_L", best_time(camb_full, 5), camb_full())
        record("CAMB D_L only (background ready)", best_time(lambda: res.luminosity_distance(z), 5),
               res.luminosity_distance(z), "interpolates its precomputed background")
    except Exception as exc:  # noqa: BLE001 - report, never hide
        rows.append({"name": "CAMB", "seconds": np.nan, "max_rel_err": np.nan, "note": f"unavailable: {exc}"})

    try:
        import jax_cosmo  # noqa: F401

        rows.append({"name": "jax-cosmo", "seconds": np.nan, "max_rel_err": np.nan, "note": "installed but not benchmarked"})
    except Exception as exc:  # noqa: BLE001
        rows.append({"name": "jax-cosmo", "seconds": np.nan, "max_rel_err": np.nan,
                     "note": f"does not import here ({type(exc).__name__}: {exc})"})

    print(f"luminosity distance, {args.n} redshifts in [1e-3, 1100], flat LCDM + radiation (massless nu)")
    print(f"{'method':36s} {'time/call':>12s} {'x ours':>9s} {'max rel err':>12s}  note")
    for r in rows:
        ratio = r["seconds"] / ours if np.isfinite(r["seconds"]) else np.nan
        print(f"{r['name']:36s} {r['seconds'] * 1e3:10.3f} ms {ratio:9.1f} {r['max_rel_err']:12.2e}  {r['note']}")
    print(f"jacobian (jacfwd, {len(names)} params x {args.n} z): {t_jac * 1e3:.3f} ms = {t_jac / t_val:.2f} x the value "
          f"({t_val * 1e3:.3f} ms)")
    print(f"jacobian, DistanceEvaluator: {t_jac_fixed * 1e3:.3f} ms = {t_jac_fixed / t_val_fixed:.2f} x the value "
          f"({t_val_fixed * 1e3:.3f} ms)")
    by_name = {r["name"]: r["seconds"] for r in rows}
    targets = [("astropy FlatLambdaCDM", ours, "arbitrary z", 100),
               ("CAMB get_background + D_L", ours, "arbitrary z", 10),
               ("CAMB D_L only (background ready)", fixed, "fixed z, incl. our background", 1)]
    for peer, mine, form, target in targets:
        if np.isfinite(by_name.get(peer, np.nan)):
            print(f"speed-up vs {peer:34s} ({form}): {by_name[peer] / mine:7.1f} x  (target >= {target})")
    print_load("after")
    return rows


if __name__ == "__main__":
    main()

"""Speed claims from JAX teaching material, measured on this machine.

Teaching material states speedups without measuring them. Each function below measures one
claim here and returns the numbers (seconds per call and ratios); :func:`claims_table` runs them
all and prints the claim next to what was measured, with the machine load. ``fast=True`` (CI,
``HICOSMO_NB_FAST=1``) shrinks repeats and sizes, never the comparison itself.

    python benchmarks/claims.py [--fast]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import pathlib
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import interleaved, machine_load, print_load  # noqa: E402
from _problems import pantheon_sized_data  # noqa: E402
import distances as _distances  # noqa: E402
from nbody import measure_forces  # noqa: E402

from hicosmo_nb import cosmology, data, likelihoods  # noqa: E402
from hicosmo_nb.inference import Uniform, run_nuts  # noqa: E402
from hicosmo_nb.keys import KeyManager  # noqa: E402

__all__ = ["sn_likelihood_claim", "distances_claim", "vmap_claim", "forces_claim", "gradient_claim",
           "chains_claim", "devices_claim", "claims_table", "CLAIMS", "MEASURE"]

CLAIMS = {
    "sn": "supernova likelihood ~50 ms -> ~0.05 ms, 1000x",
    "distances": "1000 distances 150 ms -> 20 ms",
    "vmap": "vmap over 1000 points: loop ~50 ms, NumPy ~2 ms, JAX ~0.1 ms",
    "forces": "N-body forces ~40x with one decorator",
    "gradient": "gradients 400x faster than finite differences at d = 1000; gradient <= ~4x the function",
    "chains": "vectorized chains: more chains cost little extra per chain-draw",
    "devices": "GPU/TPU faster than CPU",
}
_FIDUCIAL = {"H0": 67.36, "Omega_m": 0.3153, "m_nu": 0.0}


def _rounds(fast: bool) -> dict:
    return {"rounds": 3, "min_time": 0.01} if fast else {"rounds": 9, "min_time": 0.05}


def sn_likelihood_claim(fast: bool = False) -> dict:
    """Pantheon+-sized SN likelihood (N = 1590, dense covariance, offset marginalized).

    Peers on the same physics (astropy's flat LCDM with radiation, massless neutrinos): a SciPy
    ``quad`` per supernova, and astropy's vectorized distances; both followed by the dense
    ``a - b^2/e`` with a precomputed inverse covariance. Ours: jitted value and value+grad of the
    default (compressed) form and of the dense form. The peers' chi^2 is checked against ours.
    """
    from scipy.integrate import quad

    sn = pantheon_sized_data()
    ours = {m: likelihoods.sn_likelihood(sn, method=m) for m in ("compressed", "inverse")}
    ap = cosmology.to_astropy(_FIDUCIAL)  # astropy's FlatLambdaCDM with our physics
    cinv = np.linalg.inv(sn.cov)
    e = cinv.sum()
    z, zh, mag, dh0 = np.asarray(sn.z), np.asarray(sn.z_hel), np.asarray(sn.mag), cosmology.C_KM_S / 67.36

    def chi2(dl):
        r = mag - (5 * np.log10(dl) + 25)
        b = np.sum(cinv @ r)
        return r @ cinv @ r - b * b / e

    def quad_loop():
        return chi2((1 + zh) * dh0 * np.array([quad(ap.inv_efunc, 0, zi)[0] for zi in z]))

    def vectorized():
        return chi2((1 + zh) / (1 + z) * ap.luminosity_distance(z).value)

    p = {k: jnp.float64(v) for k, v in _FIDUCIAL.items()}
    ours_chi2 = float(-2 * ours["inverse"](p) - ours["inverse"].metadata["chi2_offset"])
    assert abs(quad_loop() - ours_chi2) < 1e-3 * abs(ours_chi2), (quad_loop(), ours_chi2)
    vg = {m: jax.jit(jax.value_and_grad(lambda q, lk=lk: lk(q))) for m, lk in ours.items()}
    cases = [(quad_loop, ()), (vectorized, ()), (ours["compressed"], (p,)), (vg["compressed"], (p,)),
             (ours["inverse"], (p,)), (vg["inverse"], (p,))]
    t = interleaved(cases, **_rounds(fast))
    return dict(zip(["scipy_quad_loop_s", "astropy_vectorized_s", "ours_compressed_s", "ours_compressed_grad_s",
                     "ours_dense_s", "ours_dense_grad_s"], t), n=int(sn.n))


def distances_claim(fast: bool = False) -> dict:
    """Luminosity distance at 1000 redshifts: ours (jit) vs astropy, a scipy quad loop, CAMB
    (``benchmarks/distances.py`` run in-process, its table captured)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rows = _distances.main(["--n", "1000", "--repeat", "3" if fast else "20"])
    return {r["name"]: r["seconds"] for r in rows if np.isfinite(r["seconds"])}


def vmap_claim(fast: bool = False, n: int = 1000) -> dict:
    """``D_L(z=1)`` at ``n`` values of ``Omega_m`` (flat LCDM, 64-node Gauss-Legendre in z): a Python
    loop over a NumPy function, NumPy broadcasting, ``jit(vmap(f))`` of the same formula, and
    ``jit(vmap(...))`` of the library's ``luminosity_distance``."""
    x, w = np.polynomial.legendre.leggauss(64)
    zn, wn = 0.5 * (x + 1.0), 0.5 * w  # nodes on [0, 1]
    dh0 = cosmology.C_KM_S / 67.36
    om = np.linspace(0.2, 0.4, n)

    def f_np(o):
        return 2.0 * dh0 * np.sum(wn / np.sqrt(o * (1 + zn) ** 3 + 1 - o))

    def loop(oms):
        return np.array([f_np(o) for o in oms])

    def broadcast(oms):
        return 2.0 * dh0 * np.sum(wn / np.sqrt(oms[:, None] * (1 + zn) ** 3 + 1 - oms[:, None]), axis=1)

    zj, wj = jnp.asarray(zn), jnp.asarray(wn)
    f_jax = jax.jit(jax.vmap(lambda o: 2.0 * dh0 * jnp.sum(wj / jnp.sqrt(o * (1 + zj) ** 3 + 1 - o))))
    lib = jax.jit(jax.vmap(lambda o: cosmology.luminosity_distance({**_FIDUCIAL, "Omega_m": o}, 1.0)))
    omj = jnp.asarray(om)
    np.testing.assert_allclose(np.asarray(f_jax(omj)), loop(om), rtol=1e-12)
    np.testing.assert_allclose(broadcast(om), loop(om), rtol=1e-12)
    t = interleaved([(loop, (om,)), (broadcast, (om,)), (f_jax, (omj,)), (lib, (omj,))], **_rounds(fast))
    return dict(zip(["python_loop_s", "numpy_s", "jax_vmap_s", "library_vmap_s"], t), n=n)


def forces_claim(fast: bool = False) -> dict:
    """Pairwise forces for 200 bodies (100 when fast): see ``benchmarks/nbody.py``."""
    return measure_forces(100 if fast else 200, fast=fast)


def gradient_claim(fast: bool = False, dims=(10, 100, 1000)) -> list[dict]:
    """Cost of value, reverse-mode gradient and central finite differences vs the dimension ``d``.

    ``f(theta) = -1/2 |y - tanh(X theta)|^2`` with ``X`` of shape ``(N, d)`` (N = 2000, 500 fast):
    value and gradient both cost O(N d), finite differences 2d values. Finite differences are
    timed both as 2d calls of the jitted value and as one vmapped batch of 2d values.
    """
    n_data = 200 if fast else 2000
    key = KeyManager(0).key("bench/gradient")
    rows = []
    for d in dims:
        kx, ky, kt = jax.random.split(jax.random.fold_in(key, d), 3)
        X = jax.random.normal(kx, (n_data, d)) / np.sqrt(d)
        y = jax.random.normal(ky, (n_data,))
        theta = jax.random.normal(kt, (d,))

        def f(t):
            r = y - jnp.tanh(X @ t)
            return -0.5 * jnp.dot(r, r)

        value, grad = jax.jit(f), jax.jit(jax.grad(f))
        h = 1e-6
        steps = h * jnp.eye(d)
        fd_batch = jax.jit(lambda t: (jax.vmap(f)(t + steps) - jax.vmap(f)(t - steps)) / (2 * h))

        def fd_loop(t):
            return np.array([(value(t + s) - value(t - s)) / (2 * h) for s in steps])

        err = float(np.max(np.abs(np.asarray(fd_batch(theta)) - np.asarray(grad(theta)))))
        t_v, t_g, t_b = interleaved([(value, (theta,)), (grad, (theta,)), (fd_batch, (theta,))], **_rounds(fast))
        t_l = interleaved([(fd_loop, (theta,))], rounds=1 if fast else 3, min_time=0.0)[0]
        rows.append({"d": d, "value_s": t_v, "grad_s": t_g, "grad_over_value": t_g / t_v, "fd_loop_s": t_l,
                     "fd_vmap_s": t_b, "fd_loop_over_grad": t_l / t_g, "fd_vmap_over_grad": t_b / t_g,
                     "fd_max_abs_err": err})
    return rows


def chains_claim(fast: bool = False, chains=(1, 4, 16, 64, 256)) -> list[dict]:
    """Vectorized NUTS on DESI DR2 BAO (Omega_m, h r_d): sampling seconds per chain-draw vs the
    number of chains (compilation timed apart by the runner)."""
    if fast:
        chains = (1, 32)
    warm, draws = (20, 20) if fast else (200, 200)
    lk = likelihoods.get("desi_dr2_bao", rd="free")
    priors = {"Omega_m": Uniform(0.1, 0.6), "hrd": Uniform(80.0, 120.0)}
    rows = []
    for n in chains:
        r = run_nuts(lk, priors, key=KeyManager(0).key("bench/chains"), num_chains=n, num_warmup=warm,
                     num_samples=draws, chain_method="vectorized", progress=False, warn=False,
                     init={"Omega_m": 0.30, "hrd": 101.5})
        t = r.manifest["timings_s"]
        rows.append({"chains": n, "sampling_s": t["sampling"], "compile_s": t["compile"],
                     "s_per_chain_draw": t["sampling"] / (n * (warm + draws))})
    return rows


def devices_claim(fast: bool = False) -> list[dict]:
    """The vmap workload (``D_L`` at 100k values of ``Omega_m``) on every platform present."""
    n = 20_000 if fast else 100_000
    lib = jax.jit(jax.vmap(lambda o: cosmology.luminosity_distance({**_FIDUCIAL, "Omega_m": o}, 1.0)))
    rows = []
    for platform in sorted({d.platform for d in jax.devices()} | {"cpu"}):
        dev = jax.devices(platform)[0]
        om = jax.device_put(jnp.linspace(0.2, 0.4, n), dev)
        rows.append({"platform": platform, "device": str(dev), "n": n,
                     "seconds": interleaved([(lib, (om,))], **_rounds(fast))[0]})
    return rows


def _ms(s: float) -> str:
    return f"{s * 1e3:.3g} ms"


def _text_sn(r):
    return (f"N={r['n']}: scipy quad loop {_ms(r['scipy_quad_loop_s'])}, astropy vectorized "
            f"{_ms(r['astropy_vectorized_s'])}; ours compressed {_ms(r['ours_compressed_s'])} "
            f"(+grad {_ms(r['ours_compressed_grad_s'])}), dense {_ms(r['ours_dense_s'])} "
            f"(+grad {_ms(r['ours_dense_grad_s'])}); quad loop / ours compressed = "
            f"{r['scipy_quad_loop_s'] / r['ours_compressed_s']:.0f}x, astropy / ours = "
            f"{r['astropy_vectorized_s'] / r['ours_compressed_s']:.0f}x")


def _text_distances(r):
    ours = r["hicosmo_nb (jit)"]
    return f"ours {_ms(ours)}; " + ", ".join(f"{k} {_ms(v)} ({v / ours:.0f}x)" for k, v in r.items()
                                            if k != "hicosmo_nb (jit)")


def _text_vmap(r):
    return (f"loop {_ms(r['python_loop_s'])}, NumPy {_ms(r['numpy_s'])}, JAX jit(vmap) "
            f"{_ms(r['jax_vmap_s'])} (library D_L {_ms(r['library_vmap_s'])}); loop/JAX "
            f"{r['python_loop_s'] / r['jax_vmap_s']:.0f}x, NumPy/JAX {r['numpy_s'] / r['jax_vmap_s']:.1f}x")


def _text_forces(r):
    return (f"{r['n']} bodies: JAX no jit {_ms(r['jax_eager_s'])} -> @jit {_ms(r['jax_jit_s'])} "
            f"({r['jax_eager_s'] / r['jax_jit_s']:.0f}x); NumPy loop {_ms(r['loop_s'])} "
            f"({r['loop_s'] / r['jax_jit_s']:.0f}x), NumPy vectorized {_ms(r['numpy_s'])} "
            f"({r['numpy_s'] / r['jax_jit_s']:.1f}x)")


def _text_gradient(rows):
    return "; ".join(f"d={g['d']}: grad/value {g['grad_over_value']:.1f}, FD loop/grad "
                     f"{g['fd_loop_over_grad']:.0f}x, FD vmap/grad {g['fd_vmap_over_grad']:.0f}x" for g in rows)


def _text_chains(rows):
    return ", ".join(f"{c['chains']} chains {c['s_per_chain_draw'] * 1e6:.0f} us" for c in rows) + " per chain-draw"


def _text_devices(rows):
    text = ", ".join(f"{d['platform']} {_ms(d['seconds'])}" for d in rows)
    return text + ("" if len(rows) > 1 else " (no GPU/TPU on this machine: not measurable here)")


MEASURE = {"sn": sn_likelihood_claim, "distances": distances_claim, "vmap": vmap_claim, "forces": forces_claim,
           "gradient": gradient_claim, "chains": chains_claim, "devices": devices_claim}
_TEXT = {"sn": _text_sn, "distances": _text_distances, "vmap": _text_vmap, "forces": _text_forces,
         "gradient": _text_gradient, "chains": _text_chains, "devices": _text_devices}


def claims_table(fast: bool | None = None, results: dict | None = None) -> list[dict]:
    """Print each claim next to what was measured here (with the load), and return the rows.

    Parameters
    ----------
    fast : bool, optional
        Default: ``HICOSMO_NB_FAST`` is set (and not "0").
    results : dict, optional
        ``{claim key: result of MEASURE[key]}`` already measured (e.g. in a notebook); the others
        are measured now.
    """
    if fast is None:
        fast = os.environ.get("HICOSMO_NB_FAST", "") not in ("", "0")
    results = dict(results or {})
    print_load("before")
    t0 = time.perf_counter()
    rows = []
    for key, fn in MEASURE.items():
        if key not in results:
            results[key] = fn(fast)
        load, cores = machine_load()
        measured = _TEXT[key](results[key])
        rows.append({"claim": CLAIMS[key], "measured": measured, "load": load, "cores": cores})
        print(f"CLAIM    {CLAIMS[key]}\nMEASURED {measured}\n         (load {load:.1f} on {cores} cores)\n")
    print(f"table done in {time.perf_counter() - t0:.0f} s (fast={fast})")
    print_load("after")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true")
    claims_table(ap.parse_args().fast)

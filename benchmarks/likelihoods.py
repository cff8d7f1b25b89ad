"""Pantheon+-sized SN likelihood: ours (value, value+grad, vmap batch of 32) vs numpy and scipy.

Run ``python benchmarks/likelihoods.py`` (about a minute). The peers are the bare quadratic form
``r @ Cinv @ r`` with a precomputed inverse (numpy; the memory-bandwidth floor on CPU) and
``r @ cho_solve(L, r)`` (scipy), on the same N = 1590 dense covariance: the real Pantheon+
STAT+SYS matrix when the data directory has it, else the dense synthetic one of
``_problems.pantheon_sized_data`` (also used by ``sampling.py``). Ours evaluates
the whole likelihood: 1590 distance moduli (with their integrals), the physical guard and the
quadratic form. Printed ratios are ours / peer, or single / per-point batch.

Methods: ``compressed`` (the default: the quadratic form reduced exactly to (2K+1)^2 knot
coordinates, see :mod:`hicosmo_nb.likelihoods.sn`), and the dense ``inverse`` and ``cholesky``.
Targets (issue 3): value+grad <= 1.3x numpy's bare quadratic form; value+grad <= 2x value;
batch-of-32 per-point cost >= 4x below a single evaluation (for the dense forms, which share one
matrix read across the batch).

Then the joint w0waCDM likelihood of ``sampling.py`` case (b) (that SN + DESI DR2 BAO + CC +
Planck priors; issue 22): the combination (one cosmology check for all parts, and one evaluation
of E(z) on one set of nodes for the SN and BAO distances) against the sum of its parts each with
its own check and its own distance nodes (what a combination did before), with the number of ``E(z)^2``
evaluations per call (counted while tracing: load-independent) and XLA op counts.
``--joint`` runs only that part.
"""

from __future__ import annotations

import pathlib
import sys

import jax
import jax.numpy as jnp
import numpy as np
from scipy.linalg import cho_factor, cho_solve

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import interleaved, print_load  # noqa: E402
from _problems import pantheon_sized_data  # noqa: E402  (sets the data dir if ../shared/data exists)

from hicosmo_nb import data  # noqa: E402
from hicosmo_nb.data import SNData  # noqa: E402
from hicosmo_nb.likelihoods import sn_likelihood  # noqa: E402


def pantheon_sized() -> tuple[SNData, str]:
    """The real Pantheon+ (zHD > 0.01) with STAT+SYS if present, else the sampling benchmark's
    dense synthetic twin (:func:`_problems.pantheon_sized_data`)."""
    try:
        return data.load_pantheon_plus(download=False), "real STAT+SYS covariance"
    except FileNotFoundError:
        return pantheon_sized_data(), "synthetic dense covariance (STAT+SYS file absent)"


def count_e2_evaluations(fn, *args) -> int:
    """``E(z)^2`` values one call of ``fn`` computes (every node of every integral and check),
    counted while tracing it, by wrapping the package's ``E^2`` functions where they are used."""
    import importlib

    from hicosmo_nb.cosmology import densities

    count = [0]
    targets = {"e2_of_a": densities.e2_of_a, "e2_and_partials": densities.e2_and_partials,
               "dark_energy_ratio": densities.dark_energy_ratio}

    def counted(real, pos):
        def wrapper(*a, **kw):
            count[0] += int(np.size(a[pos]))
            return real(*a, **kw)
        return wrapper

    patched = []
    for modname in [m for m in sys.modules if m.startswith("hicosmo_nb")]:
        mod = importlib.import_module(modname)
        for attr, real in targets.items():
            # dark_energy_ratio counts only where E^2 is written out (the CMB prior's own E(a));
            # elsewhere it is called from e2_of_a, already counted
            if getattr(mod, attr, None) is real and (attr != "dark_energy_ratio"
                                                     or modname.endswith("likelihoods.cmb")):
                patched.append((mod, attr, real))
                setattr(mod, attr, counted(real, 1))
    try:
        jax.clear_caches()  # trace afresh: a cached trace would run no Python
        jax.make_jaxpr(fn)(*args)
    finally:
        for mod, attr, real in patched:
            setattr(mod, attr, real)
    return count[0]


def xla_ops(fn, *args) -> int:
    """Instructions in the optimized XLA program of ``jit(fn)`` (load-independent size)."""
    text = jax.jit(fn).lower(*args).compile().as_text()
    return sum(1 for line in text.splitlines() if " = " in line and not line.lstrip().startswith("//"))


def joint_ab() -> None:
    """Case (b)'s joint likelihood: combination vs the sum of its parts (each guarded alone)."""
    from hicosmo_nb import likelihoods

    sn = likelihoods.sn_likelihood(pantheon_sized_data(), marginalize_M=False)
    parts = [sn, likelihoods.get("desi_dr2_bao"), likelihoods.get("cc"),
             likelihoods.get("planck18_priors", parametrization="density")]
    joint = likelihoods.combine(*parts)

    def separate(p):  # each part with its own check and nodes: the combination before issue 22
        return sum(lk.loglike(p) for lk in parts)

    p = {k: jnp.asarray(v) for k, v in {"H0": 67.5, "Omega_m": 0.31, "Omega_b": 0.049, "w0": -0.9,
                                         "wa": -0.3, "M": -19.4, "m_nu": 0.0}.items()}
    batch = {k: v + jnp.linspace(-1e-3, 1e-3, 32) for k, v in p.items()}
    print(f"\njoint w0waCDM likelihood of sampling.py case (b): {' + '.join(lk.name for lk in parts)}")
    print(f"  |joint - sum of parts| at a test point: {abs(float(joint(p) - separate(p))):.1e}")
    rows = {}
    for label, fn in (("joint (one check, one E grid)", joint.loglike), ("sum of parts (their own each)", separate)):
        rows[label] = {"value": (jax.jit(fn), (p,)), "value+grad": (jax.jit(jax.value_and_grad(fn)), (p,)),
                       "vmap 32": (jax.jit(jax.vmap(fn)), (batch,))}
        e2 = count_e2_evaluations(fn, p)
        ops = xla_ops(fn, p), xla_ops(jax.value_and_grad(fn), p)
        print(f"  {label:<30} E(z)^2 evaluations/call {e2:5d}; XLA ops value {ops[0]:5d}, "
              f"value+grad {ops[1]:5d}")
    flat = [(lab, k, case) for lab, r in rows.items() for k, case in r.items()]
    times = interleaved([case for _, _, case in flat], rounds=15)
    print(f"  {'':<30} {'value':>10} {'value+grad':>11} {'vmap 32':>10}   [ms, best of 15 rounds]")
    for lab in rows:
        t = [1e3 * tt for (l2, _, _), tt in zip(flat, times) if l2 == lab]
        print(f"  {lab:<30} {t[0]:10.3f} {t[1]:11.3f} {t[2]:10.3f}")
    ratio = [a / b for a, b in zip(times[:3], times[3:])]
    print(f"  joint / sum of parts: value {ratio[0]:.2f}, value+grad {ratio[1]:.2f}, vmap 32 {ratio[2]:.2f}")


def main() -> None:
    if "--joint" in sys.argv[1:]:
        print_load("before")
        joint_ab()
        print_load("after")
        return
    print_load("before")
    d, label = pantheon_sized()
    n = d.n
    print(f"SN likelihood benchmark: N = {n}, {label}; JAX {jax.__version__} on "
          f"{jax.devices()[0].platform}")
    rng = np.random.default_rng(0)
    r_np = rng.normal(scale=0.15, size=n)
    cinv_np = np.linalg.inv(d.cov)
    cho = cho_factor(d.cov, lower=True)
    cinv_j, r_j = jnp.asarray(cinv_np), jnp.asarray(r_np)
    cases = {
        "numpy  r @ Cinv @ r (bare quadratic form)": (lambda: r_np @ cinv_np @ r_np, ()),
        "scipy  r @ cho_solve(L, r) (bare quadratic form)": (lambda: r_np @ cho_solve(cho, r_np), ()),
        "jax    r @ (Cinv @ r) (bare quadratic form)": (jax.jit(lambda r: r @ (cinv_j @ r)), (r_j,)),
    }
    per_point = set()
    for method in ("compressed", "inverse", "cholesky"):
        for marg in (False, True):
            lk = sn_likelihood(d, marginalize_M=marg, method=method)
            p = {"Omega_m": jnp.asarray(0.33)}
            if not marg:
                p["M"] = jnp.asarray(-19.4)
            batch = {k: v + jnp.linspace(-0.01, 0.01, 32) for k, v in p.items()}
            tag = f"ours ({method}, {'M marginalized' if marg else 'M free'})"
            cases[f"{tag}: value"] = (jax.jit(lk.loglike), (p,))
            cases[f"{tag}: value+grad"] = (jax.jit(jax.value_and_grad(lk.loglike)), (p,))
            cases[f"{tag}: vmap 32, per point"] = (jax.jit(jax.vmap(lk.loglike)), (batch,))
            cases[f"{tag}: vmap 32 value+grad, per point"] = (
                jax.jit(jax.vmap(jax.value_and_grad(lk.loglike))), (batch,))
            per_point |= {f"{tag}: vmap 32, per point", f"{tag}: vmap 32 value+grad, per point"}
    times = dict(zip(cases, interleaved(list(cases.values()))))
    for k in per_point:
        times[k] /= 32
    width = max(len(k) for k in times)
    print(f"\n{'what':<{width}}  {'time [ms]':>10}")
    for name, t in times.items():
        print(f"{name:<{width}}  {1e3 * t:10.3f}")

    t_np = times["numpy  r @ Cinv @ r (bare quadratic form)"]
    t_sp = times["scipy  r @ cho_solve(L, r) (bare quadratic form)"]
    t_jq = times["jax    r @ (Cinv @ r) (bare quadratic form)"]
    for method in ("compressed", "inverse"):
        print(f"\nratios (method={method!r}{', the default' if method == 'compressed' else ', dense'})")
        for marg in (False, True):
            tag = f"ours ({method}, {'M marginalized' if marg else 'M free'})"
            t_v, t_vg = times[f"{tag}: value"], times[f"{tag}: value+grad"]
            t_b = times[f"{tag}: vmap 32, per point"]
            label = "M marginalized" if marg else "M free"
            print(f"  [{label}] value+grad / numpy bare quadratic form : {t_vg / t_np:5.2f}  (target <= 1.3)")
            print(f"  [{label}] value+grad / jax bare quadratic form   : {t_vg / t_jq:5.2f}")
            print(f"  [{label}] value+grad / scipy cho_solve form       : {t_vg / t_sp:5.2f}")
            print(f"  [{label}] value+grad / value                       : {t_vg / t_v:5.2f}  (target <= 2)")
            print(f"  [{label}] single / batch-32 per point              : {t_v / t_b:5.2f}")
            if method == "inverse":
                chol = times[tag.replace("inverse", "cholesky") + ": value"]
                print(f"  [{label}] cholesky / inverse method (value)        : {chol / t_v:5.2f}")
    joint_ab()
    print_load("after")


if __name__ == "__main__":
    main()

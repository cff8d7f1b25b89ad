"""Sampling benchmark: hicosmo_nb NUTS vs raw NumPyro NUTS vs emcee (vectorize=True), side by side.

Problems (one process; ours and raw NumPyro run on the same jitted likelihood):

(a) Pantheon+-sized SN likelihood, flat LCDM, free (Omega_m, M): the real Pantheon+ redshifts
    and magnitudes (zHD > 0.01, 1590 SNe) with a *synthetic* dense 1590 x 1590 covariance
    (diagonal errors + a smooth redshift-correlated systematic + survey-like offsets; the released
    STAT+SYS covariance is not available here). Radiation is off (``T_cmb = 0``) so that emcee's
    pure-numpy version of the likelihood (``NumpySN``) is the same model to ~1e-9.
(b) Joint flat w0waCDM: that SN likelihood + DESI DR2 BAO (r_d computed) + 32 cosmic chronometers
    + Planck 2018 distance priors: free (H0, Omega_m, Omega_b, w0, wa, M), m_nu = 0 fixed. The
    numpy peer is ``_numpy_peer.NumpyJoint`` (|Delta ln L| < 1e-6 from ours).

The likelihood is the library's: ``sn_likelihood`` compresses the dense quadratic form onto
knots by default (``method="compressed"``, |Delta ln L| < 1e-4 from the dense form; a (2K+1)^2
product instead of N^2). The emcee peers are the dense numpy likelihood an emcee user writes
(``emcee_numpy``: the peer the targets refer to) and, to separate sampler from likelihood, our
compressed JAX likelihood vmapped over walkers (``emcee_jax_vmapped``). On (a) ours also runs on
the dense JAX form (``ours_dense``: same likelihood cost as ``emcee_numpy``).

NUTS runs (ours and raw NumPyro) use a dense mass matrix: with Omega_m and M correlated at 0.8 it
gave ~3x the ESS per second of a diagonal one on (a). Ours runs in three chain layouts: ``ours``
is ``concurrent`` (one unbatched chain per host thread on one XLA device: what
``chain_method="auto"`` picks on a CPU with one device), ``ours_vectorized`` is the layout of raw
NumPyro's fastest one-device method (``vectorized``, for the overhead ratio) and
``ours_parallel`` shards chains over one XLA host device per core.

Reported: wall time with and without compilation, min over parameters of bulk ESS and ESS per
second (sampling time incl. warmup/burn-in, excluding compilation), max R-hat, our overhead vs
raw NumPyro (whole run, and per leapfrog step), the time to a first converged result for (a)
in a fresh process (cold and warm compilation cache), and the cost per chain-draw for 1..256
vectorized chains.

Usage::

    python benchmarks/sampling.py                # everything (tens of minutes on 2 CPU cores)
    python benchmarks/sampling.py --cases ab     # f: first result, a, b, s: chain scaling
    python benchmarks/sampling.py --quick --cases a
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

T_START = time.perf_counter()
# Compilation times in this process are cold-compile times: no persistent cache here (the fresh-
# process first-result runs set their own cache folder).
os.environ["HICOSMO_NB_JAX_CACHE"] = "off"
# One XLA host device per core, for the chain_method="parallel" runs. Must precede importing JAX.
N_DEV = os.cpu_count() or 1
USER_XLA_FLAGS = os.environ.get("XLA_FLAGS")
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={N_DEV}").strip()

import arviz as az  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import hicosmo_nb  # noqa: E402,F401
from hicosmo_nb import likelihoods  # noqa: E402
from hicosmo_nb.data import SNData  # noqa: E402
from hicosmo_nb.inference import NutsSettings, Problem, Uniform, default_priors, run_nuts, sampler_for  # noqa: E402
from hicosmo_nb.inference.init import initial_positions  # noqa: E402

from _common import print_load  # noqa: E402
from _numpy_peer import NumpyJoint  # noqa: E402
from _problems import HERE, pantheon_sized_data  # noqa: E402

C_KM_S = 299792.458


class NumpySN:
    """The (a) likelihood in numpy, vectorized over walkers: flat LCDM without radiation."""

    def __init__(self, data: SNData, h0: float, bounds: dict):
        self.mag, self.zhel, self.h0 = data.mag, data.z_hel, h0
        self.cinv = np.linalg.inv(data.cov)
        self.norm = data.n * np.log(2 * np.pi) + np.linalg.slogdet(data.cov)[1]
        self.grid = np.linspace(0.0, data.z.max() * 1.0001, 4001)
        idx = np.clip(np.searchsorted(self.grid, data.z) - 1, 0, self.grid.size - 2)
        self.idx, self.frac = idx, (data.z - self.grid[idx]) / (self.grid[idx + 1] - self.grid[idx])
        self.lo = np.array([bounds["Omega_m"][0], bounds["M"][0]])
        self.hi = np.array([bounds["Omega_m"][1], bounds["M"][1]])

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        om, m = theta[:, :1], theta[:, 1:2]
        inside = np.all((theta > self.lo) & (theta < self.hi), axis=1)
        om = np.where(inside[:, None], om, 0.3)
        inv_e = 1.0 / np.sqrt(om * (1 + self.grid) ** 3 + 1 - om)  # (W, G)
        dz = np.diff(self.grid)
        mid = 1.0 / np.sqrt(om * (1 + 0.5 * (self.grid[1:] + self.grid[:-1])) ** 3 + 1 - om)
        # cumulative Simpson per grid interval (midpoint rule inside), linear interpolation
        dc = np.concatenate([np.zeros((len(om), 1)),
                             np.cumsum(dz / 6 * (inv_e[:, 1:] + 4 * mid + inv_e[:, :-1]), 1)], 1)
        d = dc[:, self.idx] * (1 - self.frac) + dc[:, self.idx + 1] * self.frac
        mu = 5 * np.log10((1 + self.zhel) * C_KM_S / self.h0 * d) + 25
        r = self.mag - mu - m
        chi2 = np.sum((r @ self.cinv) * r, axis=1)  # one BLAS matrix product for all walkers
        return np.where(inside, -0.5 * (chi2 + self.norm), -np.inf)


def ess_stats(samples: dict) -> tuple[float, float]:
    ess = min(float(az.ess(np.asarray(v))) for v in samples.values())
    rhat = max(float(az.rhat(np.asarray(v))) for v in samples.values())
    return ess, rhat


SEEDS = 3  # ESS per second varies by tens of percent between keys: averaged over this many (--seeds)


def mean_over_seeds(runs: list[dict]) -> dict:
    """Numbers averaged over the seeds (R-hat: the worst); the ESS/s of each seed kept too."""
    out = {k: v for k, v in runs[0].items() if not isinstance(v, (int, float))}
    for k, v in runs[0].items():
        if isinstance(v, (int, float)):
            vals = [r[k] for r in runs]
            out[k] = max(vals) if k == "max_rhat" else float(np.mean(vals))
    out["ess_per_s_each"] = [r["ess_per_s"] for r in runs]
    return out


def run_ours(lk, priors, fixed, *, warmup, samples, dense, chain_method, sampler=None):
    problem = sampler.problem if sampler is not None else Problem(lk, priors, fixed)
    nuts = NutsSettings(dense_mass=dense)
    s = sampler_for(problem, warmup, nuts)  # the problem keeps it: every run below reuses its programs
    kw = dict(num_chains=4, num_warmup=warmup, num_samples=samples, nuts=nuts,
              chain_method=chain_method, progress=False, warn=False)
    first = run_nuts(problem, key=jax.random.PRNGKey(0), **kw)  # compiles
    t = first.manifest["timings_s"]
    layout = first.manifest["chain_layout"]
    runs = []
    for seed in range(SEEDS):
        t0 = time.perf_counter()
        warm = run_nuts(problem, key=jax.random.PRNGKey(seed), **kw)  # compiled programs reused
        wall = time.perf_counter() - t0
        ess, rhat = ess_stats(warm.samples)
        work = warm.manifest["work"]
        grads = work["warmup_leapfrog_steps"] + work["sampling_leapfrog_steps"]
        sampling = warm.manifest["timings_s"]["sampling"]
        runs.append({"gradient_evals": grads, "ess_per_1k_evals": 1e3 * ess / grads, "wall_warm_s": wall,
                     "sampling_s": sampling, "min_ess": ess, "ess_per_s": ess / sampling, "max_rhat": rhat,
                     "sample_leapfrogs": work["sampling_leapfrog_steps"]})
    where = f"{layout['method']}, {layout['num_devices']} device(s), {layout['threads']} thread(s)"
    return s, {"layout": where,
               "wall_first_s": t["total"], "compile_s": t["compile"], "map_s": t["init_map"],
               **mean_over_seeds(runs)}


def run_numpyro(sampler, priors, *, warmup, samples, dense, chain_method):
    from numpyro.infer import MCMC, NUTS

    def start(seed):  # the same start and initial (Laplace) metric as ours: identical algorithm
        z0, info = initial_positions(sampler, priors, key=jax.random.PRNGKey(seed), num_chains=4)
        imm = info["inverse_mass_matrix"]  # at the MAP: the same for every key
        return jnp.asarray(z0), None if imm is None else jnp.asarray(imm)

    z0, imm = start(0)
    mcmc = MCMC(NUTS(potential_fn=sampler.potential, dense_mass=dense, inverse_mass_matrix=imm),
                num_warmup=warmup, num_samples=samples, num_chains=4, chain_method=chain_method,
                progress_bar=False)

    def run(seed, z0):
        t0 = time.perf_counter()
        mcmc.run(jax.random.PRNGKey(seed + 1), init_params=z0, extra_fields=("num_steps",))
        jax.block_until_ready(mcmc.get_samples())
        return time.perf_counter() - t0

    first = run(0, z0)  # compiles
    runs = []
    for seed in range(SEEDS):
        wall = run(seed, start(seed)[0])
        z = np.asarray(mcmc.get_samples(group_by_chain=True))
        vals = jax.vmap(jax.vmap(sampler.constrain))(jnp.asarray(z))
        ess, rhat = ess_stats({k: np.asarray(v) for k, v in vals.items()})
        runs.append({"wall_warm_s": wall, "min_ess": ess, "ess_per_s": ess / wall, "max_rhat": rhat,
                     "sample_leapfrogs": int(np.asarray(mcmc.get_extra_fields()["num_steps"]).sum())})
    return {"wall_first_s": first, **mean_over_seeds(runs)}


def run_emcee(logpost, center, scale, *, walkers, burn, steps):
    import emcee

    logpost(np.tile(center, (walkers, 1)))  # warm up (JAX compile for the vmapped version)
    runs = []
    for seed in range(SEEDS):
        rng = np.random.default_rng(seed)
        p0 = center + 0.1 * scale * rng.normal(size=(walkers, len(center)))
        sampler = emcee.EnsembleSampler(walkers, len(center), logpost, vectorize=True)
        sampler.random_state = np.random.RandomState(seed)
        t0 = time.perf_counter()
        sampler.run_mcmc(p0, burn + steps, progress=False)
        wall = time.perf_counter() - t0
        chain = sampler.get_chain(discard=burn)  # (steps, walkers, d)
        ess, rhat = ess_stats({f"p{i}": chain[:, :, i].T for i in range(chain.shape[2])})
        evals = walkers * (burn + steps)
        runs.append({"wall_s": wall, "min_ess": ess, "ess_per_s": ess / wall, "max_rhat": rhat,
                     "likelihood_evals": evals, "ess_per_1k_evals": 1e3 * ess / evals, "walkers": walkers,
                     "steps": burn + steps, "acceptance": float(np.mean(sampler.acceptance_fraction))})
    return mean_over_seeds(runs)


def jax_vmapped_logpost(sampler, priors, fixed):
    names = list(priors)
    lo = np.array([priors[n].bounds[0] for n in names])
    hi = np.array([priors[n].bounds[1] for n in names])
    f = jax.jit(jax.vmap(lambda th: sampler.loglike({n: th[i] for i, n in enumerate(names)})))

    def logpost(theta):
        theta = np.atleast_2d(theta)
        inside = np.all((theta > lo) & (theta < hi), axis=1)
        ll = np.asarray(f(jnp.asarray(np.where(inside[:, None], theta, 0.5 * (lo + hi)))))
        return np.where(inside & np.isfinite(ll), ll, -np.inf)  # flat priors

    return logpost


# Our chain layouts. "ours" is what chain_method="auto" picks on a CPU with one XLA device: one
# unbatched chain per host thread. This process has N_DEV XLA host devices, where "auto" would
# pick "parallel", so the layouts are named explicitly.
OUR_LAYOUTS = {"ours": "concurrent", "ours_vectorized": "vectorized", "ours_parallel": "parallel"}
# Raw NumPyro in its fastest one-device layout (its "sequential" took 2x as long on (a)).
NUMPYRO_LAYOUTS = {"numpyro": "vectorized"}


def run_layouts(res: dict, lk, priors, fixed, *, warmup, samples):
    """Ours in each layout and raw NumPyro in its one-device layouts, all on one sampler."""
    sampler = None
    for label, method in OUR_LAYOUTS.items():
        if method != "parallel" or N_DEV > 1:
            sampler, res[label] = run_ours(lk, priors, fixed, warmup=warmup, samples=samples, dense=True,
                                           chain_method=method, sampler=sampler)
    for label, method in NUMPYRO_LAYOUTS.items():
        res[label] = run_numpyro(sampler, priors, warmup=warmup, samples=samples, dense=True,
                                 chain_method=method)
    return sampler


def case_a(args):
    data = pantheon_sized_data()
    lk = likelihoods.sn_likelihood(data, marginalize_M=False)
    lk_dense = likelihoods.sn_likelihood(data, marginalize_M=False, method="inverse")
    priors = {"Omega_m": Uniform(0.01, 0.99), "M": Uniform(-21.0, -18.0)}
    fixed = {"T_cmb": 0.0}
    np_lk = NumpySN(data, 67.36, {k: v.bounds for k, v in priors.items()})
    pts = np.array([[0.3, -19.4], [0.25, -19.3], [0.4, -19.5]])
    jax_ll = np.array([float(lk({"Omega_m": a, "M": b, **fixed})) for a, b in pts])
    res = {"likelihood_method": lk.metadata["method"],
           "numpy_vs_jax_max_abs_dloglike": float(np.max(np.abs(np_lk(pts) - jax_ll)))}
    w, s = (300, 500) if args.quick else (500, 1000)
    print("(a) Pantheon+-sized SN: numpy (dense) vs our JAX log-likelihood max |diff|:",
          res["numpy_vs_jax_max_abs_dloglike"], flush=True)
    sampler = run_layouts(res, lk, priors, fixed, warmup=w, samples=s)
    for label, method in (("ours_dense", "vectorized"), ("ours_dense_concurrent", "concurrent")):
        _, res[label] = run_ours(lk_dense, priors, fixed, warmup=w, samples=s, dense=True, chain_method=method)
    center = np.array([0.33, -19.42])
    scale = np.array([0.02, 0.01])
    burn, steps = (300, 1000) if args.quick else (1000, 4000)
    res["emcee_numpy"] = run_emcee(np_lk, center, scale, walkers=32, burn=burn, steps=steps)
    res["emcee_jax_vmapped"] = run_emcee(jax_vmapped_logpost(sampler, priors, fixed), center, scale,
                                         walkers=32, burn=burn, steps=steps)
    return res, lk, priors, fixed


def case_b(args):
    data = pantheon_sized_data()
    sn = likelihoods.sn_likelihood(data, marginalize_M=False)
    lk = (sn + likelihoods.get("desi_dr2_bao") + likelihoods.get("cc")
          + likelihoods.get("planck18_priors", parametrization="density"))
    priors = default_priors(["H0", "Omega_m", "Omega_b", "w0", "wa", "M"])
    fixed = {"m_nu": 0.0}
    peer = NumpyJoint(data, {k: v.bounds for k, v in priors.items()})
    res = {"params": list(priors), "likelihood_method": sn.metadata["method"]}
    # burn-in 20% of the run for every sampler (emcee: 2000 of 10000 steps)
    w, s = (300, 1200) if args.quick else (500, 2000)
    sampler = run_layouts(res, lk, priors, fixed, warmup=w, samples=s)
    z0, info = initial_positions(sampler, priors, key=jax.random.PRNGKey(0), num_chains=1)
    center = np.array([info["start"][n] for n in priors])
    ll = float(lk({**info["start"], **fixed}))
    res["numpy_vs_jax_dloglike_at_map"] = float(peer(center)[0] - ll)
    print("(b) numpy peer vs our JAX log-likelihood at the MAP:", res["numpy_vs_jax_dloglike_at_map"], flush=True)
    scale = np.abs(center) * 0.001 + 1e-4
    burn, steps = (500, 2000) if args.quick else (2000, 8000)
    res["emcee_numpy"] = run_emcee(peer, center, scale, walkers=32, burn=burn, steps=steps)
    res["emcee_jax_vmapped"] = run_emcee(jax_vmapped_logpost(sampler, priors, fixed), center, scale,
                                         walkers=32, burn=burn, steps=steps)
    return res


def scaling(lk, priors, fixed, n: int) -> dict:
    """Vectorized chains: a batched NUTS step costs the deepest tree among the chains."""
    r = run_nuts(lk, priors, fixed=fixed, key=jax.random.PRNGKey(1), num_chains=n, num_warmup=100,
                 num_samples=100, nuts=NutsSettings(dense_mass=True), chain_method="vectorized",
                 progress=False, warn=False, chunk_size=100)
    t = r.manifest["timings_s"]["sampling"]  # compilation is timed apart
    depth = r.to_arviz()["sample_stats"]["tree_depth"].values
    return {"s_per_chain_draw": t / (n * 200), "sampling_s": t, "compile_s": r.manifest["timings_s"]["compile"],
            "mean_max_depth": float(depth.max(axis=0).mean())}


def first_result(cache_dir: str) -> dict:
    """Fresh process: import, build (a), compile, 4 chains x 1000 draws; seconds and breakdown.

    Imports what a user imports (the library, not this benchmark's peers). ``cache_dir`` is the
    persistent compilation cache (``HICOSMO_NB_JAX_CACHE``): empty for a cold start.
    """
    code = f"""
import time; t0 = time.perf_counter()
import json, sys; sys.path.insert(0, {HERE!r})
import jax
from hicosmo_nb import likelihoods
from hicosmo_nb.inference import NutsSettings, Uniform, run_nuts
from _problems import pantheon_sized_data
t1 = time.perf_counter()
lk = likelihoods.sn_likelihood(pantheon_sized_data(), marginalize_M=False)
pri = {{"Omega_m": Uniform(0.01, 0.99), "M": Uniform(-21.0, -18.0)}}
t2 = time.perf_counter()
r = run_nuts(lk, pri, key=jax.random.PRNGKey(0), fixed={{"T_cmb": 0.0}}, num_chains=4,
             num_warmup=500, num_samples=1000, nuts=NutsSettings(dense_mass=True), progress=False)
d = r.diagnostics()
print("FIRST", json.dumps({{"seconds": time.perf_counter() - t0, "import_s": t1 - t0, "build_s": t2 - t1,
      **{{k + "_s": v for k, v in r.manifest["timings_s"].items() if k != "total"}},
      "max_rhat": max(d["rhat"].values()), "min_ess_bulk": min(d["ess_bulk"].values())}}))
"""
    env = {**os.environ, "HICOSMO_NB_JAX_CACHE": cache_dir}  # and a user's single CPU device:
    env.pop("XLA_FLAGS")
    if USER_XLA_FLAGS is not None:
        env["XLA_FLAGS"] = USER_XLA_FLAGS
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("FIRST")]
    if not line:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(line[0][6:])


def each(run: dict) -> str:
    return "[" + " ".join(f"{x:.0f}" for x in run["ess_per_s_each"]) + "]"


def print_case(case: str, r: dict) -> None:
    print(f"\n({case}) means over {SEEDS} keys; ESS: min over parameters; [ESS/s of each key]")
    print(f"    {'sampler':24s} {'first[s]':>9s} {'warm[s]':>8s} {'minESS':>7s} {'ESS/s':>8s} {'Rhat':>6s}  layout")
    ours = [k for k in (*OUR_LAYOUTS, "ours_dense", "ours_dense_concurrent") if k in r]
    for k in ours:
        o = r[k]
        print(f"    {k:24s} {o['wall_first_s']:9.2f} {o['sampling_s']:8.2f} "
              f"{o['min_ess']:7.0f} {o['ess_per_s']:8.1f} {o['max_rhat']:6.3f}  {o['layout']} {each(o)}")
    for k in NUMPYRO_LAYOUTS:
        n = r[k]
        print(f"    {k:24s} {n['wall_first_s']:9.2f} {n['wall_warm_s']:8.2f} "
              f"{n['min_ess']:7.0f} {n['ess_per_s']:8.1f} {n['max_rhat']:6.3f}  {NUMPYRO_LAYOUTS[k]} {each(n)}")
    emcees = [k for k in ("emcee_numpy", "emcee_jax_vmapped") if k in r]
    for k in emcees:
        e = r[k]
        print(f"    {k:24s} {'':9s} {e['wall_s']:8.2f} {e['min_ess']:7.0f} {e['ess_per_s']:8.1f} "
              f"{e['max_rhat']:6.3f}  32 walkers {each(e)}")
    for mine in ("ours_vectorized", "ours"):  # the overhead: the same layout as NumPyro's
        o, n = r[mine], r["numpyro"]
        per_step = (o["sampling_s"] / o["sample_leapfrogs"]) / (n["wall_warm_s"] / n["sample_leapfrogs"])
        print(f"    time ratio {mine} / numpyro: whole run {o['sampling_s'] / n['wall_warm_s']:.3f}x, "
              f"per leapfrog step {per_step:.3f}x")
    for k in emcees:
        for mine in ours:
            if k == "emcee_numpy" or not mine.startswith("ours_dense"):
                print(f"    ESS/s ratio {mine} / {k}: {r[mine]['ess_per_s'] / r[k]['ess_per_s']:.2f}x")
    print(f"    efficiency (load-independent): ours {r['ours']['ess_per_1k_evals']:.1f} ESS per 1000 gradient "
          f"evaluations (per chain), emcee {r[emcees[0]]['ess_per_1k_evals']:.1f} ESS per 1000 likelihood "
          "evaluations")
    sys.stdout.flush()


def main() -> None:
    global SEEDS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer draws")
    p.add_argument("--cases", default="fabs", help="f: first result, a, b, s: chain scaling (default all)")
    p.add_argument("--scaling-chains", default="1,4,16,64,256")
    p.add_argument("--seeds", type=int, default=SEEDS, help="keys per sampler for ESS/s (default 3)")
    p.add_argument("--json", help="also write the numbers to this file")
    args = p.parse_args()
    SEEDS = args.seeds
    report = {"load_before": print_load("before")}
    report |= {"seeds": SEEDS, "device": str(jax.devices()[0]), "num_devices": len(jax.devices()),
              "cpu_count": os.cpu_count(), "jax": jax.__version__}
    if "f" in args.cases:
        with tempfile.TemporaryDirectory() as cache:
            for label in ("cold", "warm"):  # empty compilation cache, then the one the cold run filled
                v = report[f"first_result_a_{label}_cache"] = first_result(cache)
                print(f"(a) time to first converged result (fresh process, {label} compilation cache): "
                      f"{v['seconds']:.1f} s  {v}", flush=True)
    lk_a = None
    if "a" in args.cases:
        report["a"], lk_a, priors, fixed = case_a(args)
        print_case("a", report["a"])
    if "b" in args.cases:
        report["b"] = case_b(args)
        print_case("b", report["b"])
    if "s" in args.cases:
        if lk_a is None:
            lk_a = likelihoods.sn_likelihood(pantheon_sized_data(), marginalize_M=False)
            priors, fixed = {"Omega_m": Uniform(0.01, 0.99), "M": Uniform(-21.0, -18.0)}, {"T_cmb": 0.0}
        print("\n(a) vectorized chains (100 warmup + 100 draws each): cost per chain-draw", flush=True)
        report["scaling_a"] = {}
        for n in map(int, args.scaling_chains.split(",")):
            v = report["scaling_a"][n] = scaling(lk_a, priors, fixed, n)
            print(f"    {n:4d} chains  {v['s_per_chain_draw'] * 1e3:9.3f} ms/chain-draw  "
                  f"(sampling {v['sampling_s']:.1f} s, mean tree depth of the deepest chain "
                  f"{v['mean_max_depth']:.2f})", flush=True)
    report["load_after"] = print_load("after")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()

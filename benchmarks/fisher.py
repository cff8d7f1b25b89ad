"""Fisher matrices by autodiff vs numpy finite differences: time and accuracy vs the exact answer.

Model with a known Fisher matrix, for n = 2, 6, 20 parameters: ``N`` data points
``m(x) = A exp(sum_k theta_k f_k(x))`` with ``f_k(x) = cos(k pi x) / (k + 1)`` (nonlinear and
coupled), a dense exponential-kernel covariance ``C``, and noise-free data ``d = m(theta_0)``.
At ``theta_0`` the residual vanishes, so the observed Fisher ``-hessian(ln L)`` equals the
expected one, ``J^T C^-1 J`` with the analytic Jacobian ``J_ik = m(x_i) f_k(x_i)``.

Methods, run side by side in one process:

- ``jax.hessian``: ``-hessian`` of the jitted log-likelihood (observed Fisher).
- ``jacfwd J^T C^-1 J``: the expected Fisher from ``jax.jacfwd`` of the model.
- ``hicosmo fisher_observed`` / ``fisher_expected``: the library calls end to end, on a
  :class:`~hicosmo_nb.likelihoods.base.Likelihood` (they trace and compile on every call).
- ``numpy FD``: central finite differences of a numpy log-likelihood (``2 n^2 + 1`` calls), as
  done by hand today, with relative step 1e-3 (and 1e-4 for comparison).

For the jitted ones "compiled" is the steady-state time (best of repeats), "first" includes
tracing and compilation. Run: ``python benchmarks/fisher.py [--n-data 400]``.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
import warnings

import jax
import jax.numpy as jnp
import numpy as np

import hicosmo_nb  # noqa: F401  (float64)
from hicosmo_nb.fisher import fisher_expected, fisher_observed
from hicosmo_nb.likelihoods.base import Likelihood

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import print_load  # noqa: E402


def make_problem(n_par: int, n_data: int):
    x = np.linspace(0.0, 1.0, n_data)
    basis = np.stack([np.cos(k * np.pi * x) / (k + 1) for k in range(n_par)], axis=1)  # (N, n)
    theta0 = 0.3 * np.sin(np.arange(n_par) + 1.0)
    amp = 10.0
    model0 = amp * np.exp(basis @ theta0)
    cov = 0.05**2 * np.exp(-np.abs(x[:, None] - x[None, :]) / 0.05) + np.diag(np.full(n_data, 0.02**2))
    chol = np.linalg.cholesky(cov)
    jac = model0[:, None] * basis
    exact = jac.T @ np.linalg.solve(cov, jac)
    return x, basis, theta0, amp, model0, cov, chol, exact


def timeit(fn, repeat=200, budget=0.5):
    """Best of up to ``repeat`` calls within ~``budget`` seconds (the best is the least disturbed
    by other processes on a shared machine)."""
    out = fn()
    times = []
    start = time.perf_counter()
    while len(times) < repeat and (len(times) < 3 or time.perf_counter() - start < budget):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return float(np.min(times)), out


def numpy_fd_fisher(loglike, theta0, rel_step):
    n = theta0.size
    h = rel_step * np.maximum(np.abs(theta0), 1.0)
    f0 = loglike(theta0)
    F = np.empty((n, n))
    for i in range(n):
        e_i = np.zeros(n)
        e_i[i] = h[i]
        F[i, i] = -(loglike(theta0 + e_i) - 2 * f0 + loglike(theta0 - e_i)) / h[i] ** 2
        for j in range(i):
            e_j = np.zeros(n)
            e_j[j] = h[j]
            d = (loglike(theta0 + e_i + e_j) - loglike(theta0 + e_i - e_j)
                 - loglike(theta0 - e_i + e_j) + loglike(theta0 - e_i - e_j))
            F[i, j] = F[j, i] = -d / (4 * h[i] * h[j])
    return F


def accuracy(F, exact):
    rel = np.max(np.abs(F - exact)) / np.max(np.abs(exact))
    try:
        sig = np.sqrt(np.diag(np.linalg.inv(F)))
        sig_exact = np.sqrt(np.diag(np.linalg.inv(exact)))
        sig_err = float(np.max(np.abs(sig / sig_exact - 1)))
    except np.linalg.LinAlgError:
        sig_err = float("nan")
    return float(rel), sig_err


def run(n_par: int, n_data: int):
    x, basis, theta0, amp, model0, cov, chol, exact = make_problem(n_par, n_data)
    basis_j, chol_j, data_j = jnp.asarray(basis), jnp.asarray(chol), jnp.asarray(model0)

    def model_jax(theta):
        return amp * jnp.exp(basis_j @ theta)

    def loglike_jax(theta):
        r = jax.scipy.linalg.solve_triangular(chol_j, model_jax(theta) - data_j, lower=True)
        return -0.5 * jnp.sum(r**2)

    cov_inv = np.linalg.inv(cov)  # precomputed once, as users do

    def loglike_np(theta):
        r = amp * np.exp(basis @ theta) - model0
        return -0.5 * r @ cov_inv @ r

    rows = []
    th = jnp.asarray(theta0)

    t = time.perf_counter()
    hess = jax.jit(jax.hessian(loglike_jax))
    F = -np.asarray(hess(th))
    first = time.perf_counter() - t
    steady, F = timeit(lambda: -np.asarray(hess(th)))
    rows.append(("jax.hessian", first, steady, *accuracy(F, exact)))

    cov_j = jnp.asarray(cov)

    def expected(theta):
        J = jax.jacfwd(model_jax)(theta)
        W = jax.scipy.linalg.solve_triangular(chol_j, J, lower=True)
        return W.T @ W

    t = time.perf_counter()
    exp_fn = jax.jit(expected)
    F = np.asarray(exp_fn(th))
    first = time.perf_counter() - t
    steady, F = timeit(lambda: np.asarray(exp_fn(th)))
    rows.append(("jacfwd J^T C^-1 J", first, steady, *accuracy(F, exact)))

    names = tuple(f"t{k}" for k in range(n_par))
    unpack = lambda p: jnp.stack([p[k] for k in names])  # noqa: E731
    lk = Likelihood(jax.jit(lambda p: loglike_jax(unpack(p))), names, "bench",
                    data=data_j, cov=cov_j, theory=lambda p: model_jax(unpack(p)))
    fid = dict(zip(names, theta0.tolist()))
    for label, fn in (("hicosmo fisher_observed", fisher_observed), ("hicosmo fisher_expected", fisher_expected)):
        t = time.perf_counter()
        F = fn(lk, fid).matrix
        first = time.perf_counter() - t
        rows.append((label, first, float("nan"), *accuracy(F, exact)))

    for step in (1e-3, 1e-4):
        elapsed, F = timeit(lambda: numpy_fd_fisher(loglike_np, theta0, step))
        rows.append((f"numpy FD (step {step:g})", elapsed, elapsed, *accuracy(F, exact)))
    return rows


def run_cosmology():
    """Roman-like SN survey, w0waCDM: ours vs astropy distances + numpy finite differences."""
    from astropy.cosmology import Flatw0waCDM

    from hicosmo_nb.fisher import ROMAN_LIKE

    names = ["Omega_m", "w0", "wa", "M"]
    fid = {"H0": 70.0, "Omega_m": 0.3, "w0": -1.0, "wa": 0.0, "M": -19.3, "T_cmb": 0.0}
    z, err = ROMAN_LIKE.z, ROMAN_LIKE.errors()
    t = time.perf_counter()
    with warnings.catch_warnings():  # sigma(wa) > its prior range: the boundary warning is expected
        warnings.simplefilter("ignore")
        ours = ROMAN_LIKE.fisher(fid, names)
    first = time.perf_counter() - t
    lk = ROMAN_LIKE.likelihood(fid)
    theta0 = jnp.asarray([fid[n] for n in names])
    jac_fn = jax.jit(jax.jacfwd(lambda th: lk.theory({**fid, **dict(zip(names, th))})))
    steady, jac = timeit(lambda: np.asarray(jac_fn(theta0)))

    def model_np(th):
        c = Flatw0waCDM(H0=70.0, Om0=th[0], w0=th[1], wa=th[2], Tcmb0=0.0)
        return c.distmod(z).value + th[3]

    def fd_expected():
        th0 = np.array([fid[n] for n in names])
        cols = []
        for i in range(len(names)):
            e = np.zeros(len(names))
            e[i] = 1e-4
            cols.append((model_np(th0 + e) - model_np(th0 - e)) / 2e-4)
        J = np.stack(cols, axis=1)
        return J.T @ (J / err[:, None] ** 2)

    t_fd, F_fd = timeit(fd_expected, repeat=3)
    sig_ours = np.array(list(ours.marginalized_errors().values()))
    sig_fd = np.sqrt(np.diag(np.linalg.inv(F_fd)))
    print("Roman-like SN survey, flat w0waCDM, Fisher in (Omega_m, w0, wa, M):")
    print(f"  hicosmo fisher (first call, incl. compile) {1e3 * first:9.1f} ms")
    print(f"  hicosmo jacfwd (compiled)                  {1e3 * steady:9.3f} ms")
    print(f"  astropy distmod + numpy FD Jacobian        {1e3 * t_fd:9.1f} ms  "
          f"({t_fd / steady:.0f}x the compiled jacfwd)")
    print(f"  max |sigma_ours / sigma_astropyFD - 1| = {np.max(np.abs(sig_ours / sig_fd - 1)):.1e} "
          f"(sigma = {dict(zip(names, np.round(sig_ours, 4)))})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-data", type=int, default=400)
    parser.add_argument("--n-params", type=int, nargs="+", default=[2, 6, 20])
    args = parser.parse_args()
    print_load("before")
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}; N = {args.n_data} data points, "
          "dense covariance\n")
    header = f"{'n':>3}  {'method':<26}{'first [ms]':>11}{'compiled [ms]':>14}{'x FD(1e-3)':>11}" \
             f"{'max rel err F':>15}{'max rel err sigma':>19}"
    print(header)
    print("-" * len(header))
    table = {}
    for n in args.n_params:
        rows = run(n, args.n_data)
        fd = [r for r in rows if r[0].startswith("numpy FD (step 0.001")][0][2]
        for name, first, steady, relF, relS in rows:
            t = steady if np.isfinite(steady) else first
            speed = fd / t
            print(f"{n:>3}  {name:<26}{1e3 * first:>11.2f}{1e3 * steady:>14.3f}{speed:>11.3g}"
                  f"{relF:>15.1e}{relS:>19.1e}")
            table.setdefault(name, []).append((n, steady if np.isfinite(steady) else first))
        print()
    print("growth with the number of parameters (log-log slope of time, n = "
          f"{args.n_params[0]} -> {args.n_params[-1]}):")
    for name, pts in table.items():
        ns, ts = np.array(pts).T
        slope = np.polyfit(np.log(ns), np.log(ts), 1)[0]
        print(f"  {name:<26} time ~ n^{slope:.2f}")
    print()
    run_cosmology()
    print_load("after")


if __name__ == "__main__":
    main()

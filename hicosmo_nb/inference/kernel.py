"""NumPyro's NUTS kernel driven chunk by chunk: :func:`build_sampler` and :class:`Sampler`.

:func:`build_sampler` does the one-off work: the potential ``U(u) = -(log L + log prior)`` on a
flat unconstrained vector ``u``, NumPyro's functional ``hmc(potential, algo="NUTS")`` kernel, and
compiled ``run_chunk`` functions that advance a *batch* of chains ``n`` iterations inside one
``lax.scan``. Because the whole sampler state (``HMCState``: position, adapted step size,
inverse mass matrix, dual-averaging and Welford accumulators, PRNG key) is an explicit pytree
of arrays, a run can stop after any chunk, be written to disk and resume with exactly the
same draws.

The chain layouts (``vectorized``, ``parallel``, ``sequential``, ``concurrent``, batches) are
resolved by :func:`hicosmo_nb.inference.devices.plan_chains`; :meth:`Sampler.run_chunk` runs one
batch in the planned layout (a batch of one chain without ``vmap``).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec
from numpyro.infer.hmc import hmc
from numpyro.infer.util import ParamInfo

from .. import _config  # noqa: F401  (float64)
from .._memory import release_memory
from ..likelihoods.base import Likelihood  # noqa: F401  (doctest)
from . import distributed
from .devices import ChainPlan
from .priors import Prior, Transform
from .problem import Problem
from .settings import NutsSettings, RunSettings, count

__all__ = ["Sampler", "build_sampler", "sampler_for", "chain_keys", "tree_depth", "STAT_FIELDS"]
# Per-draw fields collected from HMCState (z is the unconstrained position).
STAT_FIELDS = ("z", "potential_energy", "energy", "num_steps", "accept_prob", "diverging", "step_size")


@dataclass(eq=False)
class Sampler:
    """Compiled pieces of one sampling problem (built by :func:`build_sampler`; reusable).

    A :class:`~.problem.Problem` keeps its samplers (:func:`sampler_for`), so every run of
    the same problem with the same settings reuses the compiled programs.

    Attributes
    ----------
    problem : Problem
        Likelihood, priors (the free parameters, in the order of ``u``) and fixed values.
    names : tuple of str
    potential : callable
        ``u -> -(log L + log prior(u))`` (``+inf`` where the posterior is zero).
    transform : Transform
        ``constrain``, ``unconstrain``, ``log_prior``, ``log_jacobian`` (:mod:`hicosmo_nb.inference.priors`).
    loglike : callable
        ``{name: value} -> log L`` with the fixed parameters merged in.
    settings : dict
        NUTS settings (num_warmup, dense_mass, target_accept, max_tree_depth).
    compile_seconds : float
        Time spent compiling sampling programs so far.
    compile_wait_seconds : float
        Time runs spent compiling, or waiting for another chain batch's thread to compile.
    """

    problem: Problem
    names: tuple[str, ...]
    potential: Callable
    transform: Transform
    loglike: Callable
    settings: dict
    _init_kernel: Callable = field(repr=False, default=None)
    _sample_kernel: Callable = field(repr=False, default=None)
    compile_seconds: float = 0.0
    compile_wait_seconds: float = 0.0
    _compiled: dict = field(repr=False, default_factory=dict)
    _lock: threading.Lock = field(repr=False, default_factory=threading.Lock)

    @property
    def priors(self) -> Mapping[str, Prior]:
        return self.problem.priors

    @property
    def fixed(self) -> Mapping[str, float]:
        return self.problem.fixed

    @cached_property
    def constrain(self) -> Callable:
        """``u -> {name: value}`` (jitted; also usable inside traced code and under vmap)."""
        return jax.jit(self.transform.constrain)

    @cached_property
    def constrain_many(self) -> Callable:
        """``u (n, d) -> {name: (n,)}`` (jitted vmap of :attr:`constrain`)."""
        return jax.jit(jax.vmap(self.transform.constrain))

    @cached_property
    def unconstrain(self) -> Callable:
        """``{name: value} -> u`` (jitted)."""
        return jax.jit(self.transform.unconstrain)

    def init_state(self, z0: np.ndarray, keys: np.ndarray, *, evaluate: bool = True,
                   inverse_mass_matrix: np.ndarray | None = None):
        """Initial ``HMCState`` for a batch: ``z0`` (b, d) unconstrained, ``keys`` (b, 2) uint32.

        The potential and its gradient at ``z0`` come from :meth:`value_and_grad` (compiled once
        and shared with the MAP search), so this compiles no second copy of the likelihood.
        ``evaluate=False`` fills them with zeros (a template whose leaves are then replaced).
        ``inverse_mass_matrix`` ((d,) diagonal or (d, d) dense) starts the metric (default:
        identity); warmup adapts it.
        """
        s = self.settings
        z0 = np.asarray(z0, dtype=np.float64)
        pe, grad = np.zeros(len(z0)), np.zeros_like(z0)
        if evaluate:
            for c, z in enumerate(z0):
                pe[c], grad[c] = self.value_and_grad(z)
        d = z0.shape[1]
        imm = np.ones(d) if inverse_mass_matrix is None else np.asarray(inverse_mass_matrix, dtype=np.float64)
        if s["dense_mass"] and imm.ndim == 1:
            imm = np.diag(imm)
        expected = (d, d) if s["dense_mass"] else (d,)
        if imm.shape != expected:
            raise ValueError(f"inverse_mass_matrix has shape {imm.shape}; expected {expected}")

        def one(z, p, g, key, m):
            return self._init_kernel(
                ParamInfo(z, p, g), s["num_warmup"], inverse_mass_matrix=m, dense_mass=s["dense_mass"],
                target_accept_prob=s["target_accept"], max_tree_depth=s["max_tree_depth"], rng_key=key,
            )

        fn = self._compiled.get("init")
        if fn is None:
            fn = self._compiled["init"] = jax.jit(jax.vmap(one, in_axes=(0, 0, 0, 0, None)))
        return fn(jnp.asarray(z0), jnp.asarray(pe), jnp.asarray(grad), jnp.asarray(keys, dtype=jnp.uint32),
                  jnp.asarray(imm))

    def value_and_grad(self, u, *, map_objective: bool = False) -> tuple[float, np.ndarray]:
        """Potential and its gradient at one unconstrained point (on the host).

        From the problem's compiled :meth:`~.problem.Problem.terms` (shared with
        :func:`hicosmo_nb.compare.maximize`). ``map_objective=True``
        gives ``-(log L + log prior(x))`` instead, without the Jacobian of ``x(u)``: its
        minimum over ``u`` is the MAP in the original parameters.
        """
        t = self.problem.terms(u=u)
        (lp, lj), (glp, glj) = t.prior, t.prior_grad
        v = -(float(t.loglike) + float(lp))
        g = -(t.dx_du * t.grad + glp)
        if math.isnan(v):
            v = math.inf  # as the potential inside the sampler
        if map_objective:
            return v + float(lj), g + glj
        return v, g

    def _local_chunk(self, state, n_active, length: int):
        # One chain: the unbatched kernel. Under vmap every lax.cond of the NUTS tree builder
        # becomes a select that runs both branches; unbatched, one chain traces, compiles and
        # runs faster per leapfrog step (benchmarks/sampling.py measures by how much).
        single = jax.tree_util.tree_leaves(state)[0].shape[0] == 1
        if single:
            state = jax.tree_util.tree_map(lambda x: x[0], state)
        sample = self._sample_kernel if single else jax.vmap(self._sample_kernel)

        def extract(st):
            return dict(z=st.z, potential_energy=st.potential_energy, energy=st.energy,
                        num_steps=st.num_steps, accept_prob=st.accept_prob,
                        diverging=st.diverging, step_size=st.adapt_state.step_size)

        def step(st):
            st = sample(st)
            return st, extract(st)

        def skip(st):
            return st, jax.tree_util.tree_map(jnp.zeros_like, extract(st))

        def body(st, i):
            return jax.lax.cond(i < n_active, step, skip, st)

        state, out = jax.lax.scan(body, state, jnp.arange(length))
        if single:
            return jax.tree_util.tree_map(lambda x: x[None], state), {k: v[None] for k, v in out.items()}
        return state, {k: jnp.swapaxes(v, 0, 1) for k, v in out.items()}  # (chain, draw, ...)

    def _compile_chunk(self, state, length: int, plan: ChainPlan):
        """Trace, lower and compile the chunk program for ``state``'s batch (timed)."""
        t0 = time.perf_counter()
        if plan.method in _SHARDED:
            spec = PartitionSpec("chains")
            local = jax.shard_map(lambda s, n: self._local_chunk(s, n, length), mesh=_chain_mesh(plan),
                                  in_specs=(spec, PartitionSpec()), out_specs=spec, check_vma=False)
            jitted = jax.jit(local)
        else:
            jitted = jax.jit(lambda s, n: self._local_chunk(s, n, length))
        fn = jitted.lower(state, _count(0, plan)).compile()
        self.compile_seconds += time.perf_counter() - t0
        return fn

    def run_chunk(self, state, n_active: int, length: int, plan: ChainPlan):
        """Advance a batch ``n_active <= length`` iterations; returns ``(state, draws)``.

        ``draws`` has ``length`` entries per chain, the first ``n_active`` valid. One compiled
        program per (layout, batch size, length) serves every chunk of a run (warmup, sampling
        and a shorter last chunk), so a run compiles once, at its first chunk (after the MAP
        search: compiling both at once doubled the peak memory and saved ~5% of a cold start);
        the compilation is timed into :attr:`compile_seconds`, and the time this call spent
        compiling or waiting for another thread's compilation into :attr:`compile_wait_seconds`.
        """
        n_active = _count(n_active, plan)
        if plan.method == "parallel":
            state = jax.device_put(state, NamedSharding(_chain_mesh(plan), PartitionSpec("chains")))
        elif plan.method == "distributed":  # each process places its own shards
            state = distributed.global_state(state, NamedSharding(_chain_mesh(plan), PartitionSpec("chains")))
        cache_key = _chunk_key(plan, int(jax.tree_util.tree_leaves(state)[0].shape[0]), length)
        with self._lock:  # batches may run in several threads (plan.threads): compile once
            fn = self._compiled.get(cache_key)
            if fn is None:
                t0 = time.perf_counter()
                fn = self._compile_chunk(state, length, plan)
                release_memory()  # the compiler's working memory, back to the OS
                self.compile_wait_seconds += time.perf_counter() - t0
                self._compiled[cache_key] = fn
        if plan.method == "distributed":  # every process gets all chains' state and draws
            return distributed.gather(fn(state, n_active))
        return fn(state, n_active)


_SHARDED = ("parallel", "distributed")


def _count(n: int, plan: ChainPlan):
    """The iteration count argument of a chunk (replicated over all processes' devices)."""
    if plan.method == "distributed":
        replicated = NamedSharding(_chain_mesh(plan), PartitionSpec())
        return distributed.global_state(np.asarray(n, dtype=np.int64), replicated)
    return jnp.asarray(n, dtype=jnp.int64)


def _chunk_key(plan: ChainPlan, batch: int, length: int) -> tuple:
    """Key of the compiled chunk program: (sharded?, devices, batch size, chunk length)."""
    return (plan.method if plan.method in _SHARDED else "", len(plan.devices), int(batch), int(length))


def _chain_mesh(plan: ChainPlan) -> Mesh:
    return Mesh(np.array(plan.devices), ("chains",))


def sampler_for(problem: Problem, num_warmup: int, nuts: NutsSettings | None = None) -> Sampler:
    """The compiled sampler of ``problem`` for these settings: built on first use, then reused
    while the problem lives (kept in :meth:`Problem.cached <.problem.Problem.cached>`).

    Raises
    ------
    ValueError
        ``nuts`` that is not a :class:`~.settings.NutsSettings`, or a negative ``num_warmup``.
    """
    nuts = NutsSettings() if nuts is None else nuts
    if not isinstance(nuts, NutsSettings):
        raise ValueError(f"nuts must be a NutsSettings; got {type(nuts).__name__}")
    n = count("num_warmup", num_warmup, 0)
    return problem.cached(("sampler", n, nuts), lambda: build_sampler(problem, num_warmup=n, nuts=nuts))


def build_sampler(problem: Problem, *, num_warmup: int = RunSettings.num_warmup,
                  nuts: NutsSettings | None = None) -> Sampler:
    """Build the potential and NUTS kernel of a :class:`~.problem.Problem` (its free parameters).

    Usually called through :func:`sampler_for`, which keeps one sampler per setting.

    Parameters
    ----------
    problem : Problem
        Validated likelihood, priors (the free parameters, in sampling order) and fixed values.
    num_warmup : int
        Adaptation iterations (NumPyro's adaptation schedule depends on it).
    nuts : NutsSettings, optional

    Examples
    --------
    >>> from hicosmo_nb.inference import Normal, Problem
    >>> lk = Likelihood(lambda p: -0.5 * p["x"] ** 2, ("x",), "toy")
    >>> s = build_sampler(Problem(lk, {"x": Normal(0.0, 10.0)}))
    >>> round(float(s.potential(jnp.zeros(1))), 4)
    3.2215
    """
    nuts = NutsSettings() if nuts is None else nuts
    names = problem.free
    fixed_j = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in problem.fixed.items()}
    transform = problem.transform
    constrain, log_prior = transform.constrain, transform.log_prior
    lk_fn = problem.likelihood.loglike

    def loglike(values):
        return lk_fn({**fixed_j, **values})

    def potential(u):
        v = -(loglike(constrain(u)) + log_prior(u))
        return jnp.where(jnp.isnan(v), jnp.inf, v)

    init_kernel, sample_kernel = hmc(potential, algo="NUTS")
    settings = dict(num_warmup=int(num_warmup), **nuts.as_dict())
    return Sampler(problem, names, potential, transform, loglike, settings,
                   _init_kernel=init_kernel, _sample_kernel=sample_kernel)


def chain_keys(key: jax.Array, num_chains: int) -> np.ndarray:
    """Per-chain raw keys ``(num_chains, 2)`` uint32: chain ``c`` gets ``fold_in(key, c)``.

    So chain ``c`` is the same whatever the layout and however many chains run beside it.
    """
    return np.asarray(_fold_in_range(jnp.asarray(key), num_chains), dtype=np.uint32)


@partial(jax.jit, static_argnums=1)
def _fold_in_range(key: jax.Array, n: int) -> jax.Array:
    """``[fold_in(key, i) for i in range(n)]`` as one compiled call."""
    return jax.vmap(jax.random.fold_in, in_axes=(None, 0))(key, jnp.arange(n, dtype=jnp.uint32))


def tree_depth(num_steps: np.ndarray) -> np.ndarray:
    """NUTS tree depth from the number of leapfrog steps: ``ceil(log2(num_steps + 1))``."""
    return np.ceil(np.log2(np.asarray(num_steps, dtype=np.float64) + 1.0)).astype(np.int64)

"""Multi-chain NUTS on hicosmo_nb likelihoods: problems, step-wise runs, checkpoints, results.

A :class:`Problem` (likelihood, priors, fixed values; validated once) is sampled by a
:class:`Run` that you can start, advance, stop, resume and watch (``on_chunk``);
:func:`run_nuts` and :func:`continue_nuts` do it in one call, and :func:`finish` drives a started
run to its end with their progress bars and convergence warnings.

Built on NumPyro's NUTS kernel and ArviZ diagnostics (nothing of either is re-implemented).

Examples
--------
>>> import jax
>>> from hicosmo_nb.likelihoods.base import Likelihood
>>> from hicosmo_nb.inference import run_nuts, Uniform
>>> lk = Likelihood(lambda p: -0.5 * ((p["Omega_m"] - 0.3) / 0.02) ** 2, ("Omega_m",), "toy")
>>> res = run_nuts(lk, {"Omega_m": Uniform(0.1, 0.5)}, key=jax.random.PRNGKey(1),
...                num_chains=2, num_warmup=200, num_samples=200, progress=False, warn=False)
>>> res.samples["Omega_m"].shape
(2, 200)
"""

from .. import _config  # noqa: F401  (float64)
from .chains import save_chains, to_getdist
from .checkpoint import load_checkpoint
from .diagnostics import ConvergenceWarning, compute_diagnostics, problems
from .devices import CHAIN_METHODS, plan_chains, set_host_device_count
from .kernel import Sampler, build_sampler, sampler_for
from .priors import Normal, Prior, TruncatedNormal, Uniform, default_priors, model_priors
from .problem import PosteriorTerms, Problem
from .results import Result, concat_chains, load, load_chains
from .run import Chunk, Run, RunStatus
from .runner import continue_nuts, finish, run_nuts, run_settings
from .settings import NutsSettings, RunSettings
from .spec import ProblemSpec, build_problem

# Result.continue_run continues through the runner, which sits above results: wired here, where
# the package assembles its modules, so that results imports nothing above it.
Result.continuation = staticmethod(continue_nuts)

__all__ = [
    "Problem",
    "PosteriorTerms",
    "ProblemSpec",
    "build_problem",
    "Run",
    "RunStatus",
    "Chunk",
    "NutsSettings",
    "RunSettings",
    "run_nuts",
    "continue_nuts",
    "finish",
    "run_settings",
    "build_sampler",
    "sampler_for",
    "Sampler",
    "Result",
    "load",
    "concat_chains",
    "save_chains",
    "load_chains",
    "to_getdist",
    "Prior",
    "Uniform",
    "Normal",
    "TruncatedNormal",
    "default_priors",
    "model_priors",
    "ConvergenceWarning",
    "compute_diagnostics",
    "problems",
    "CHAIN_METHODS",
    "plan_chains",
    "set_host_device_count",
    "load_checkpoint",
]

"""Best fits of many dataset combinations, one compiled program per dataset whatever the model.

:class:`CombinationFits` serves the DESI DR2 style table (BAO; + BBN; + BBN + theta_*; + CMB;
+ supernovae) and the combination explorer dashboard. It builds every dataset's likelihood once
and compiles each dataset's ``ln L`` and gradient once (on its first use), over *every* parameter
that dataset reads: the parameters a model holds fixed (``w0 = -1, wa = 0`` in LCDM, ``m_nu``,
``N_eff``, ...) are inputs of that program, not constants compiled into it. So LCDM, wCDM and
w0waCDM fits of a combination share one program per dataset, and a combination sums the ticked
ones: a new combination or a new model is a new optimization, not a new compilation (and each
compilation is one dataset's, which keeps the peak memory of compiling low). Per *structure* (a
model and the free parameters the ticked datasets constrain) only the small programs of the
priors' transform are compiled. Each fit is :func:`~hicosmo_nb.compare.maximize` (maximum likelihood from
several starts, posterior mode, Laplace covariance and ``ln Z``) and is cached by combination.

Structures
    With an early-universe prior ticked (``bbn``, ``theta_star``, ``cmb``) BAO computes r_d from
    ``(H0, Omega_m, Omega_b)``; without one, BAO measures only ``h r_d`` (DESI's "BAO alone"),
    so it is fitted with ``rd="free"`` and ``hrd`` is the free parameter (``H0``, which then
    enters only through the radiation density, is held at its default). Supernovae (offset
    marginalized) read ``Omega_m`` and the dark-energy parameters only.

Examples
--------
>>> fits = CombinationFits(entries=("desi", "bbn"))       # doctest: +SKIP
>>> fits.fit(("desi", "bbn"), "LCDM").sigma["H0"] < 1.0   # doctest: +SKIP
True
"""

from __future__ import annotations

import inspect
from typing import Callable, Mapping, NamedTuple, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401  (float64)
from .. import likelihoods
from ..inference import Problem
from ..inference.priors import build_transform, default_priors
from ..parameters import BASELINE_MODEL, MODELS, NEUTRINO_HIERARCHIES, PARAMETERS, unknown_name_error
from .fit import Maximizer, ModelFit, hessian_from_gradient, maximize, posterior_u
from .table import Comparison, compare

__all__ = ["ENTRIES", "EARLY", "EXCLUSIVE", "CombinationFits", "Program", "Structure"]

# entry -> (label, dataset, options); the combinations of DESI DR2 (arXiv:2503.14738, Sec. V-VII)
ENTRIES: dict[str, tuple[str, str, dict]] = {
    "desi": ("DESI DR2 BAO", "desi_dr2_bao", {}),
    "bbn": ("BBN", "bbn", {}),
    "theta_star": ("θ* (CMB)", "desi_dr2_cmb_prior", {"labels": ("theta_star",)}),
    "cmb": ("CMB (compressed)", "desi_dr2_cmb_prior", {}),
    "union3": ("Union3", "union3", {}),
    "desy5": ("DES-SN5YR", "desy5", {}),
    "pantheon_plus": ("Pantheon+", "pantheon_plus", {}),
}
EARLY = ("bbn", "theta_star", "cmb")  # calibrate r_d: BAO with r_d computed
# groups of which one entry at most may be ticked (theta_* is part of the CMB prior; the SN
# compilations share supernovae, so DESI never combines them)
EXCLUSIVE = (("theta_star", "cmb"), ("union3", "desy5", "pantheon_plus"))
_EXTENSIONS = tuple(dict.fromkeys(p for ps in MODELS.values() for p in ps if p not in MODELS[BASELINE_MODEL]))
_START_SPREAD = 0.01  # start points: registry defaults + N(0, (0.01 x prior width)^2)


class Program(NamedTuple):
    """One dataset's compiled ``ln L`` and gradient, over every parameter it reads."""

    names: tuple            # the parameters, in the order of x
    value_and_grad: Callable  # x (len(names),) -> (ln L, d ln L / dx), jitted


class Structure(NamedTuple):
    """A model, its free parameters and the entries it can tick, with the priors' small programs
    (the datasets' programs are shared by all structures: :class:`Program`)."""

    model: str
    calibrated: bool
    free: tuple
    members: tuple
    fixed: dict
    priors: dict
    prior_vg: Callable  # u -> (ln prior, gradient)
    log_prior_x: Callable
    to_x: Callable
    to_x_jac: Callable  # u -> (x, dx/du)
    to_u: Callable


class CombinationFits:
    """Cached best fits of dataset combinations (module docstring).

    Parameters
    ----------
    entries : sequence of str, optional
        Keys of :data:`ENTRIES` to offer (default: all). Entries whose data files are missing
        are listed in ``unavailable`` (entry -> reason) instead of failing.
    priors : dict, optional
        Priors overriding the flat registry ranges (by parameter name).
    num_starts : int
        Optimizer starts per fit (see :func:`~hicosmo_nb.compare.maximize`).
    neutrino_hierarchy : str
        A static setting passed to every dataset builder that takes it (a key of
        :data:`~hicosmo_nb.parameters.NEUTRINO_HIERARCHIES`).

    Attributes
    ----------
    available : tuple of str
    unavailable : dict
    compiled : int
        Number of datasets' likelihood programs compiled so far (:class:`Program`; one per
        dataset and BAO calibration, whatever the model).
    """

    def __init__(self, entries: Sequence[str] | None = None, *, priors: Mapping | None = None,
                 num_starts: int = 3, neutrino_hierarchy: str = "one"):
        entries = tuple(ENTRIES) if entries is None else tuple(entries)
        bad = [e for e in entries if e not in ENTRIES]
        if bad:
            raise unknown_name_error("dataset entry", bad, ENTRIES)
        if neutrino_hierarchy not in NEUTRINO_HIERARCHIES:
            raise unknown_name_error("neutrino_hierarchy", [str(neutrino_hierarchy)], NEUTRINO_HIERARCHIES)
        self.neutrino_hierarchy = neutrino_hierarchy
        self.num_starts = num_starts
        self.user_priors = dict(priors or {})
        self._lk: dict = {}
        self.unavailable: dict[str, str] = {}
        for e in entries:
            _, name, opts = ENTRIES[e]
            if "neutrino_hierarchy" in inspect.signature(likelihoods.DATASETS[name]).parameters:
                opts = {**opts, "neutrino_hierarchy": neutrino_hierarchy}
            try:
                self._lk[e, True] = likelihoods.get(name, **opts)
                if name.endswith("_bao"):
                    self._lk[e, False] = likelihoods.get(name, **opts, rd="free")
            except (FileNotFoundError, OSError) as exc:
                self.unavailable[e] = str(exc).splitlines()[0]
        self.available = tuple(e for e in entries if e not in self.unavailable)
        self._structures: dict = {}
        self._programs: dict = {}
        self._fits: dict = {}

    @property
    def compiled(self) -> int:
        return len(self._programs)

    # ------------------------------------------------------------------ structures
    def _likelihood(self, entry: str, calibrated: bool):
        return self._lk.get((entry, calibrated), self._lk[entry, True])

    def _free_of(self, model: str, lks) -> tuple:
        wanted = []
        for lk in lks:
            wanted += [*lk.param_names, *(p for p in MODELS[model] if p in lk.reads and p in _EXTENSIONS)]
        order = [*MODELS[model], *wanted]
        return tuple(p for p in dict.fromkeys(order) if p in wanted)

    def check(self, selection: Sequence[str], model: str) -> tuple:
        """Validate a combination; returns it sorted in :data:`ENTRIES` order.

        Raises
        ------
        ValueError
            Empty, unknown or unavailable entries, two entries of one :data:`EXCLUSIVE` group,
            or an unknown model.
        """
        if model not in MODELS:
            raise unknown_name_error("model", [str(model)], MODELS)
        selection = tuple(selection)
        if not selection:
            raise ValueError("tick at least one dataset")
        bad = [e for e in selection if e not in ENTRIES]
        if bad:
            raise unknown_name_error("dataset entry", bad, self.available)
        missing = [e for e in selection if e in self.unavailable]
        if missing:
            raise ValueError(f"{missing[0]} is not available here: {self.unavailable[missing[0]]}")
        for group in EXCLUSIVE:
            both = [e for e in selection if e in group]
            if len(both) > 1:
                raise ValueError(f"pick one of {both}: " + ("theta_* is part of the CMB prior" if "cmb" in group
                                                            else "the SN compilations share supernovae"))
        return tuple(e for e in ENTRIES if e in selection)

    def structure(self, selection: Sequence[str], model: str) -> Structure:
        """The compiled structure serving ``selection`` under ``model`` (compiled on first use)."""
        selection = self.check(selection, model)
        calibrated = any(e in EARLY for e in selection)
        free = self._free_of(model, [self._likelihood(e, calibrated) for e in selection])
        key = (model, calibrated, free)
        if key not in self._structures:
            members = tuple(e for e in self.available if (calibrated or e not in EARLY)
                            and set(self._free_of(model, [self._likelihood(e, calibrated)])) <= set(free))
            self._structures[key] = self._compile(model, calibrated, free, members)
        return self._structures[key]

    def _compile(self, model, calibrated, free, members) -> Structure:
        lks = [self._likelihood(e, calibrated) for e in members]
        reads = set().union(*(lk.reads for lk in lks))
        fixed = {p: float(PARAMETERS[p].default) for p in sorted(reads) if p not in free and p in PARAMETERS}
        priors = {**default_priors(free), **{k: v for k, v in self.user_priors.items() if k in free}}
        transform = build_transform(free, priors)
        dists = [priors[n].distribution() for n in free]

        def log_prior_x(x):
            return sum(d.log_prob(x[i]) for i, d in enumerate(dists))

        def to_x(u):
            c = transform.constrain(u)
            return jnp.stack([c[n] for n in free])

        return Structure(model, calibrated, free, members, fixed, priors,
                         jax.jit(jax.value_and_grad(lambda u: log_prior_x(to_x(u)))), jax.jit(log_prior_x),
                         jax.jit(to_x), jax.jit(lambda u: (to_x(u), jax.jacfwd(to_x)(u))),
                         lambda values: np.asarray(transform.unconstrain(values), dtype=float))

    def program(self, entry: str, calibrated: bool = True) -> Program:
        """The compiled ``ln L`` and gradient of one entry's dataset (compiled on first use)."""
        key = (entry, calibrated) if (entry, calibrated) in self._lk else (entry, True)
        if key not in self._programs:
            lk = self._lk[key]
            names = tuple(sorted(set(lk.reads) | set(lk.param_names)))

            def loglike(x, lk=lk, names=names):
                return lk.loglike({n: x[i] for i, n in enumerate(names)})

            self._programs[key] = Program(names, jax.jit(jax.value_and_grad(loglike)))
        return self._programs[key]

    def _loglike_x(self, s: Structure, ticked, x) -> tuple[float, np.ndarray]:
        """Sum over the ticked entries of ``ln L`` at the free values ``x``, and its gradient in x."""
        values = {**s.fixed, **dict(zip(s.free, np.asarray(x, dtype=float).tolist()))}
        total, grad = 0.0, np.zeros(len(s.free))
        where = {n: i for i, n in enumerate(s.free)}
        for e in ticked:
            prog = self.program(e, s.calibrated)
            v, g = prog.value_and_grad(np.array([values.get(n, PARAMETERS[n].default) for n in prog.names]))
            total += float(v)
            g = np.asarray(g, dtype=float)
            for j, n in enumerate(prog.names):
                if n in where:
                    grad[where[n]] += g[j]
        return total, grad

    # ------------------------------------------------------------------ fits
    def problem(self, selection: Sequence[str], model: str) -> Problem:
        """The :class:`~hicosmo_nb.inference.Problem` of a combination (for NUTS, or compare)."""
        s = self.structure(selection, model)
        lks = [self._likelihood(e, s.calibrated) for e in self.check(selection, model)]
        lk = lks[0] if len(lks) == 1 else likelihoods.combine(*lks)
        return Problem(lk, s.priors, {k: v for k, v in s.fixed.items() if k in lk.reads})

    def _maximizer(self, selection: tuple, s: Structure) -> Maximizer:
        ticked = [e for e in s.members if e in selection]

        def loglike_u(u):  # the chain rule through the priors' transform: d ln L/du = (dx/du)^T d ln L/dx
            x, jac = s.to_x_jac(u)
            value, grad = self._loglike_x(s, ticked, x)
            return value, np.asarray(jac).T @ grad

        logpost_u = posterior_u(loglike_u, s.prior_vg)

        def loglike_x(x):
            return self._loglike_x(s, ticked, x)[0]

        def hessian_x(x):  # from the compiled gradients: a fit compiles nothing of its own
            return hessian_from_gradient(logpost_u, s.to_x, s.to_u({n: x[i] for i, n in enumerate(s.free)}))

        return Maximizer(problem=self.problem(selection, s.model), loglike_u=loglike_u, logpost_u=logpost_u,
                         loglike_x=loglike_x, log_prior_x=s.log_prior_x, to_u=s.to_u, to_x=s.to_x,
                         hessian_x=hessian_x)

    def _starts(self, s: Structure, seed: int) -> dict:
        rng = np.random.default_rng(seed)
        out = {}
        for n in s.free:
            lo, hi = s.priors[n].bounds
            out[n] = np.clip(PARAMETERS[n].default + _START_SPREAD * (hi - lo) * rng.standard_normal(64),
                             lo + 1e-6 * (hi - lo), hi - 1e-6 * (hi - lo))
        return out

    def fit(self, selection: Sequence[str], model: str, *, seed: int = 0) -> ModelFit:
        """Best fit, mode, Laplace covariance and ``ln Z`` of a combination (cached).

        Raises
        ------
        ValueError
            A bad combination (:meth:`check`), or no optimizer start reached a finite likelihood.
        """
        selection = self.check(selection, model)
        key = (selection, model, seed)
        if key not in self._fits:
            s = self.structure(selection, model)
            name = " + ".join(ENTRIES[e][0] for e in selection)
            self._fits[key] = maximize(self._maximizer(selection, s), draws=self._starts(s, seed),
                                       num_starts=self.num_starts, seed=seed, name=name)
        return self._fits[key]

    def is_cached(self, selection: Sequence[str], model: str, *, seed: int = 0) -> bool:
        """Whether :meth:`fit` would return at once."""
        try:
            return (self.check(selection, model), model, seed) in self._fits
        except ValueError:
            return False

    def compare(self, selection: Sequence[str], models: Sequence[str] = (BASELINE_MODEL, "w0waCDM")) -> Comparison:
        """:func:`~hicosmo_nb.compare.compare` of ``models`` on one combination (cached fits):
        Delta chi^2 against the first, its significance, AIC, BIC and Laplace ln Z."""
        return compare({m: self.fit(selection, m) for m in models}, reference=models[0])

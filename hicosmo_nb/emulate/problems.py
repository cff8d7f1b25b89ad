"""Simulate -> train -> infer for BAO + SN: the exact likelihoods' own theory functions are the
simulator, and the surrogate plugs back into :func:`hicosmo_nb.likelihoods.gaussian` as the theory."""

from __future__ import annotations

from typing import Callable, Mapping, NamedTuple

import jax
import jax.numpy as jnp

from .. import _config  # noqa: F401  (float64)
from ..keys import KeyManager
from ..likelihoods import Likelihood, gaussian
from .design import Box, latin_hypercube, simulate_design
from .surrogate import Surrogate, TrainSettings, train_surrogate

__all__ = ["build_emulator", "BaoSnProblem", "bao_sn_problem"]


def build_emulator(simulator: Callable[[Mapping], jax.Array], box: Box, *, n_design: int,
                   keys: KeyManager, settings: TrainSettings = TrainSettings(),
                   prefix: str = "emulate") -> Surrogate:
    """Simulate a Latin-hypercube design under vmap and train a surrogate on it.

    Keys come from ``keys`` by name: ``f"{prefix}/design"`` (the design) and
    ``f"{prefix}/train"`` (split and weights); the manager's manifest is stored on the surrogate.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from hicosmo_nb.keys import KeyManager
    >>> box = Box({"a": (0.0, 1.0)})
    >>> s = build_emulator(lambda p: jnp.stack([p["a"] ** 2, jnp.sin(p["a"])]), box, n_design=64,
    ...                    keys=KeyManager(0), settings=TrainSettings(hidden=(16,), learning_rate=1e-2, max_steps=1000))
    >>> bool(s.validation.rms.max() < 0.02)
    True
    """
    x = latin_hypercube(keys.key(f"{prefix}/design"), box, n_design)
    y = simulate_design(simulator, box, x)
    return train_surrogate(x, y, box, key=keys.key(f"{prefix}/train"), settings=settings,
                           keys=keys.manifest())


class BaoSnProblem(NamedTuple):
    """An emulation problem: the exact likelihood, its simulator, and how to plug a surrogate in.

    ``simulator(params)`` returns the logarithms of the BAO distances times ``h`` (the model for
    ``hrd = 1``) followed by the SN distance moduli for a zero magnitude offset, so that the nuisance parameters ``hrd`` and the
    offset stay exact (applied outside the surrogate) and only the cosmology is emulated.
    """

    box: Box
    exact: Likelihood
    simulator: Callable[[Mapping], jax.Array]
    surrogate_likelihood: Callable[[Surrogate], Likelihood]


def bao_sn_problem(bao: Likelihood, sn: Likelihood, box: Box) -> BaoSnProblem:
    """Set up emulation of a BAO (``rd="free"``) plus SN (offset free) likelihood over ``box``.

    Parameters
    ----------
    bao : Likelihood
        From :func:`~hicosmo_nb.likelihoods.bao_likelihood` with ``rd="free"`` (Gaussian, ``hrd``).
    sn : Likelihood
        From :func:`~hicosmo_nb.likelihoods.sn_likelihood` with ``marginalize_M=False``.
    box : Box
        The cosmology parameters to emulate and their ranges (e.g. ``Omega_m, w0, wa``).

    Raises
    ------
    ValueError
        If a likelihood is not of that kind or the box holds a nuisance parameter.
    """
    if not (bao.is_gaussian and "hrd" in bao.param_names):
        raise ValueError(f"bao must be a Gaussian BAO likelihood with rd='free' (parameter 'hrd'); "
                         f"got {bao.name!r} with parameters {bao.param_names}")
    offset = sn.metadata.get("offset_param")
    if not (sn.is_gaussian and offset in sn.param_names):
        raise ValueError(f"sn must be an SN likelihood with marginalize_M=False (offset free); got "
                         f"{sn.name!r} with parameters {sn.param_names}")
    if {"hrd", offset} & set(box.names):
        raise ValueError(f"the box {box.names} must hold cosmology parameters only, not 'hrd' or {offset!r}")
    n_bao = int(bao.data.shape[0])

    def simulator(params):
        dh = bao.theory({**params, "hrd": 1.0})  # D_X h in Mpc, positive: emulated as a logarithm
        return jnp.concatenate([jnp.log(dh), sn.theory({**params, offset: 0.0})])

    def surrogate_likelihood(s: Surrogate) -> Likelihood:
        if s.box.names != box.names or s.n_outputs != n_bao + int(sn.data.shape[0]):
            raise ValueError(f"surrogate (box {s.box.names}, {s.n_outputs} outputs) was not trained "
                             f"on this problem (box {box.names})")
        extra = tuple(n for n in box.names if n not in bao.param_names)
        lk_bao = gaussian(bao.data, bao.cov, lambda p: jnp.exp(s(p)[:n_bao]) / p["hrd"],
                          param_names=bao.param_names + extra, name=f"{bao.name} (surrogate)",
                          physical=lambda p: s.inside(p) & (p["hrd"] > 0))
        extra = tuple(n for n in box.names if n not in sn.param_names)
        lk_sn = gaussian(sn.data, sn.cov, lambda p: s(p)[n_bao:] + p[offset],
                         param_names=sn.param_names + extra, name=f"{sn.name} (surrogate)",
                         physical=s.inside)
        return lk_bao + lk_sn

    return BaoSnProblem(box, bao + sn, simulator, surrogate_likelihood)

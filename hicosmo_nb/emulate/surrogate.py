"""A small MLP surrogate trained with Optax: standardized inputs and outputs, a held-out validation
set, early stopping on it, and a guard that refuses parameters outside the training box."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .. import _config  # noqa: F401  (float64)
from .design import Box

__all__ = ["TrainSettings", "Validation", "Surrogate", "train_surrogate"]


class TrainSettings(NamedTuple):
    """How to train the surrogate.

    Attributes
    ----------
    hidden : tuple of int
        Widths of the hidden layers (tanh activations; smooth, so the surrogate has gradients).
    learning_rate : float
        Peak Adam learning rate (cosine decay to 1% of it over ``max_steps``).
    max_steps : int
        Full-batch Adam steps at most.
    eval_every : int
        Steps between validation checks (the steps in between run in one ``lax.scan``).
    patience : int
        Stop after this many checks without a better validation loss; the best weights are kept.
    val_fraction : float
        Fraction of the design held out for validation (never trained on).
    baseline_degree : int
        Degree of a polynomial in the standardized inputs fitted first by linear least squares;
        the MLP learns what it leaves (0: no baseline). Smooth observables are mostly captured
        by a low-degree polynomial, so the network only has to learn a small correction.
    """

    hidden: tuple[int, ...] = (32, 32)
    learning_rate: float = 1e-2
    max_steps: int = 2000
    eval_every: int = 100
    patience: int = 5
    val_fraction: float = 0.2
    baseline_degree: int = 4

    def checked(self) -> "TrainSettings":
        if not self.hidden or any(not isinstance(h, int) or h < 1 for h in self.hidden):
            raise ValueError(f"TrainSettings.hidden must be positive ints, got {self.hidden!r}")
        if not 0.0 < self.val_fraction < 1.0:
            raise ValueError(f"TrainSettings.val_fraction must be in (0, 1), got {self.val_fraction!r}")
        for name in ("max_steps", "eval_every", "patience"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"TrainSettings.{name} must be a positive int, got {v!r}")
        if not isinstance(self.baseline_degree, int) or self.baseline_degree < 0:
            raise ValueError(f"TrainSettings.baseline_degree must be an int >= 0, got {self.baseline_degree!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"TrainSettings.learning_rate must be > 0, got {self.learning_rate!r}")
        return self


class Validation(NamedTuple):
    """Errors of the surrogate on the held-out points, in the units of the outputs."""

    n_train: int
    n_val: int
    rms: np.ndarray  # (n_out,) root-mean-square error per output
    max_abs: np.ndarray  # (n_out,) largest absolute error per output
    max_rel: float  # largest |error / true value| over all outputs and points
    steps: int  # Adam steps run (the best weights are from the last improvement)
    history: tuple[float, ...]  # validation loss (standardized MSE) at each check


def _init_mlp(key, sizes):
    params = []
    for k, (n_in, n_out) in zip(jax.random.split(key, len(sizes) - 1), zip(sizes[:-1], sizes[1:])):
        w = jax.random.normal(k, (n_in, n_out)) * np.sqrt(1.0 / n_in)
        params.append((w, jnp.zeros(n_out)))
    return params


def _exponents(dim: int, degree: int) -> np.ndarray:
    """All monomial exponent vectors of total degree <= ``degree`` in ``dim`` variables."""
    grid = np.stack(np.meshgrid(*[np.arange(degree + 1)] * dim, indexing="ij"), -1).reshape(-1, dim)
    return grid[grid.sum(axis=1) <= degree]


def _features(u, exponents):
    """Monomials ``prod_j u_j^e_kj``, shape ``(..., K)``: integer powers by repeated products
    (a gather from ``u^0 .. u^degree``), not by ``**`` with float exponents (exp and log)."""
    powers = [jnp.ones_like(u)]
    for _ in range(int(exponents.max(initial=0))):
        powers.append(powers[-1] * u)
    table = jnp.stack(powers, axis=-1)  # (..., dim, degree + 1)
    return jnp.prod(table[..., np.arange(u.shape[-1]), exponents], axis=-1)


def _mlp(params, u):
    for w, b in params[:-1]:
        u = jnp.tanh(u @ w + b)
    w, b = params[-1]
    return u @ w + b


@dataclass(frozen=True, eq=False)
class Surrogate:
    """A trained surrogate ``params dict -> observable vector`` valid inside :attr:`box`.

    Call it on a dict (``surrogate(params)``) or on an array of box coordinates
    (:meth:`predict`). Eagerly (outside ``jit``) a point outside the box raises ``ValueError``;
    traced (inside a likelihood), the point is clipped into the box so that values and gradients
    stay finite, and :meth:`inside` gives the flag a likelihood uses to return ``-inf`` there.
    """

    box: Box
    weights: list = field(repr=False)
    y_mean: jax.Array = field(repr=False)
    y_std: jax.Array = field(repr=False)
    exponents: np.ndarray = field(repr=False)
    coef: jax.Array = field(repr=False)
    validation: Validation = field(repr=False)
    keys: dict[str, Any] = field(default_factory=dict)

    @property
    def n_outputs(self) -> int:
        return int(self.y_mean.shape[0])

    def predict(self, theta) -> jax.Array:
        """Outputs at box coordinates ``theta`` of shape ``(..., dim)`` (no box check)."""
        u = self.box.to_unit(jnp.asarray(theta))
        return (_features(u, self.exponents) @ self.coef + _mlp(self.weights, u)) * self.y_std + self.y_mean

    def inside(self, params: Mapping) -> jax.Array:
        """True when the dict's box parameters lie inside the training box."""
        return self.box.contains(self.box.vector(params))

    def __call__(self, params: Mapping) -> jax.Array:
        theta = self.box.vector(params)
        if not isinstance(theta, jax.core.Tracer) and not bool(self.box.contains(theta)):
            outside = {n: float(v) for n, v, lo, hi in zip(self.box.names, np.asarray(theta), self.box.lower,
                                                           self.box.upper) if not lo <= v <= hi}
            raise ValueError(f"surrogate called outside its training box: {outside} not in "
                             f"{ {n: self.box.bounds[n] for n in outside} }; retrain on a larger box")
        return self.predict(jnp.clip(theta, self.box.lower, self.box.upper))


def train_surrogate(x: np.ndarray, y: np.ndarray, box: Box, *, key: jax.Array,
                    settings: TrainSettings = TrainSettings(), keys: dict | None = None) -> Surrogate:
    """Train an MLP on design points ``x`` (``(n, dim)``) and simulated outputs ``y`` (``(n, n_out)``).

    Inputs are mapped to ``[-1, 1]`` by the box, outputs standardized per column (mean and std of
    the training part). A random ``val_fraction`` of the points is held out; full-batch Adam
    (Optax) minimizes the standardized mean squared error, and training stops early when the
    validation loss has not improved for ``patience`` checks. The best weights are returned.

    Parameters
    ----------
    x, y : arrays
        Design and outputs (e.g. from :func:`~hicosmo_nb.emulate.latin_hypercube` and
        :func:`~hicosmo_nb.emulate.simulate_design`).
    box : Box
    key : jax.Array
        Key for the train/validation split and the weight initialization.
    settings : TrainSettings
    keys : dict, optional
        Provenance of the keys (e.g. ``KeyManager.manifest()``), stored on the surrogate.

    Returns
    -------
    Surrogate
        With its :class:`Validation` report.
    """
    settings = settings.checked()
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape[1] != box.dim or y.ndim != 2 or y.shape[0] != x.shape[0]:
        raise ValueError(f"need x of shape (n, {box.dim}) and y of shape (n, n_out); got {x.shape}, {y.shape}")
    n = x.shape[0]
    n_val = max(1, int(round(settings.val_fraction * n)))
    if n - n_val < 2:
        raise ValueError(f"{n} design points leave too few to train on; use more points")
    k_split, k_init = jax.random.split(key)
    order = np.asarray(jax.random.permutation(k_split, n))
    val, tr = order[:n_val], order[n_val:]
    y_mean, y_std = y[tr].mean(axis=0), y[tr].std(axis=0)
    y_std = np.where(y_std > 0, y_std, 1.0)
    u = np.asarray(box.to_unit(jnp.asarray(x)))
    ys = (y - y_mean) / y_std
    exponents = _exponents(box.dim, settings.baseline_degree)
    if exponents.shape[0] >= tr.size:
        raise ValueError(f"baseline_degree={settings.baseline_degree} needs more than {exponents.shape[0]} "
                         f"training points, got {tr.size}; lower it or use more points")
    feats = np.asarray(_features(jnp.asarray(u), exponents))
    coef = np.linalg.lstsq(feats[tr], ys[tr], rcond=None)[0] if settings.baseline_degree else \
        np.zeros((1, y.shape[1]))
    ys = ys - feats @ coef  # what the network learns; scale it back to unit variance
    r_std = ys[tr].std(axis=0)
    r_std = np.where(r_std > 0, r_std, 1.0)
    coef, y_std = coef / r_std, y_std * r_std
    ys = ys / r_std
    u_tr, y_tr, u_val, y_val = (jnp.asarray(a) for a in (u[tr], ys[tr], u[val], ys[val]))

    weights = _init_mlp(k_init, (box.dim, *settings.hidden, y.shape[1]))
    schedule = optax.cosine_decay_schedule(settings.learning_rate, settings.max_steps, alpha=0.01)
    opt = optax.adam(schedule)

    def loss(w, uu, yy):
        return jnp.mean((_mlp(w, uu) - yy) ** 2)

    @jax.jit
    def chunk(w, state):
        def step(carry, _):
            w, state = carry
            g = jax.grad(loss)(w, u_tr, y_tr)
            upd, state = opt.update(g, state, w)
            return (optax.apply_updates(w, upd), state), None

        (w, state), _ = jax.lax.scan(step, (w, state), None, length=settings.eval_every)
        return w, state, loss(w, u_val, y_val)

    state = opt.init(weights)
    best, best_w, since, history, steps = np.inf, weights, 0, [], 0
    while steps + settings.eval_every <= settings.max_steps and since < settings.patience:
        weights, state, v = chunk(weights, state)
        steps += settings.eval_every
        history.append(float(v))
        if history[-1] < best:
            best, best_w, since = history[-1], weights, 0
        else:
            since += 1
    err = (np.asarray(_mlp(best_w, u_val)) - ys[val]) * y_std
    truth = y[val]
    report = Validation(
        n_train=int(tr.size), n_val=int(n_val), rms=np.sqrt(np.mean(err**2, axis=0)),
        max_abs=np.max(np.abs(err), axis=0),
        max_rel=float(np.max(np.abs(err) / np.maximum(np.abs(truth), 1e-300))), steps=steps,
        history=tuple(history))
    return Surrogate(box=box, weights=best_w, y_mean=jnp.asarray(y_mean), y_std=jnp.asarray(y_std),
                     exponents=exponents, coef=jnp.asarray(coef), validation=report, keys=dict(keys or {}))

"""hicosmo_nb.nbody: autodiff forces vs a hand-written pairwise sum, leapfrog conservation laws,
vmap ensemble vs a loop, and gradients through the simulation vs finite differences."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb import nbody
from hicosmo_nb.keys import KeyManager

KM = KeyManager(2024)


def _pairwise_forces(x, m, G, eps):
    """Newton's law with Plummer softening, summed pair by pair (independent of autodiff)."""
    f = np.zeros_like(x)
    for i, j in itertools.combinations(range(len(m)), 2):
        sep = x[j] - x[i]
        pull = G * m[i] * m[j] * sep / (np.sum(sep**2) + eps**2) ** 1.5
        f[i], f[j] = f[i] + pull, f[j] - pull
    return f


def _random_system(name, n=7, dim=3):
    ic = nbody.initial_conditions(KM.key(name), n, dim=dim)
    m = 0.5 + jax.random.uniform(KM.key(name + "/m"), (n,))
    return ic, m


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_forces_equal_pairwise_sum_and_newtons_third_law(eps):
    ic, m = _random_system("forces")
    x, mm = np.asarray(ic.positions), np.asarray(m)
    f = np.asarray(nbody.forces(ic.positions, m, G=2.5, eps=eps))
    ref = _pairwise_forces(x, mm, 2.5, eps)
    np.testing.assert_allclose(f, ref, rtol=1e-12, atol=1e-13 * np.abs(ref).max())
    np.testing.assert_allclose(f.sum(axis=0), 0.0, atol=1e-12 * np.abs(f).max())
    assert np.all(np.isfinite(jax.grad(lambda p: nbody.potential(p, m, eps=0.0))(ic.positions)))


def _binary(eps=0.0):
    """Equal-mass eccentric binary (e ~ 0.5), centre-of-mass frame."""
    x = jnp.array([[-0.5, 0.0], [0.5, 0.0]])
    v = jnp.array([[0.0, -0.35], [0.0, 0.35]])
    return x, v, jnp.ones(2)


def test_energy_error_bounded_and_second_order():
    x, v, m = _binary()
    drifts = []
    for dt in (0.004, 0.002):
        n = int(round(40.0 / dt))  # ~ 20 orbits
        tr = nbody.simulate(x, v, m, nbody.NBodyConfig(dt=dt, n_steps=n, eps=0.0))
        e0 = float(nbody.total_energy(nbody.State(x, v), m, eps=0.0))
        rel = np.abs(np.asarray(tr.energy) / e0 - 1.0)
        first, last = rel[: n // 4].max(), rel[-n // 4:].max()
        assert last < 1.5 * first  # oscillates, no secular drift
        drifts.append(rel.max())
    assert drifts[0] < 1e-2
    assert 3.5 < drifts[0] / drifts[1] < 4.5  # dt^2


def test_momentum_conserved_to_rounding():
    ic, m = _random_system("momentum", n=12, dim=3)
    tr = nbody.simulate(ic.positions, ic.velocities, m, nbody.NBodyConfig(dt=0.005, n_steps=400, eps=0.05))
    p0 = np.asarray(nbody.momentum(ic, m))
    scale = float(jnp.sum(m[:, None] * jnp.abs(tr.final.velocities)))
    np.testing.assert_allclose(np.asarray(tr.momentum) - p0, 0.0, atol=1e-12 * scale)


def test_vmap_ensemble_equals_loop():
    keys = KM.split("ensemble", 4)
    m = jnp.ones(5)
    cfg = nbody.NBodyConfig(dt=0.01, n_steps=50)
    batched = nbody.run_ensemble(keys, m, cfg, dim=2)
    for b, key in enumerate(keys):
        ic = nbody.initial_conditions(key, 5, dim=2)
        one = nbody.simulate(ic.positions, ic.velocities, m, cfg)
        np.testing.assert_allclose(batched.final.positions[b], one.final.positions, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(batched.energy[b], one.energy, rtol=1e-12)


def test_gradients_through_simulation_match_finite_differences():
    ic, m = _random_system("grad", n=4, dim=2)
    cfg = nbody.NBodyConfig(dt=0.01, n_steps=60, eps=0.1)
    target = jnp.array([0.3, -0.2])

    @jax.jit
    def loss(x0, masses):
        tr = nbody.simulate(x0, ic.velocities, masses, cfg)
        return jnp.sum((tr.final.positions[0] - target) ** 2) + 0.1 * jnp.sum(tr.final.velocities**2)

    gx, gm = jax.grad(loss, argnums=(0, 1))(ic.positions, m)
    h = 1e-6
    for idx in [(0, 0), (1, 1), (3, 0)]:
        e = jnp.zeros_like(ic.positions).at[idx].set(h)
        fd = (loss(ic.positions + e, m) - loss(ic.positions - e, m)) / (2 * h)
        assert float(gx[idx]) == pytest.approx(float(fd), rel=1e-6, abs=1e-9)
    for i in range(4):
        e = jnp.zeros_like(m).at[i].set(h)
        fd = (loss(ic.positions, m + e) - loss(ic.positions, m - e)) / (2 * h)
        assert float(gm[i]) == pytest.approx(float(fd), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("field, value, match", [
    ("dt", 0.0, "dt > 0"), ("eps", -1.0, "eps >= 0"), ("n_steps", 0, "n_steps must be a positive int"),
    ("G", "one", "G must be a real number"),
])
def test_bad_config_is_named(field, value, match):
    cfg = nbody.NBodyConfig()._replace(**{field: value})
    with pytest.raises(ValueError, match=match):
        nbody.simulate(jnp.zeros((2, 2)), jnp.zeros((2, 2)), jnp.ones(2), cfg)


def test_ensemble_rejects_bad_masses():
    with pytest.raises(ValueError, match="masses must be a 1-d array"):
        nbody.run_ensemble(KM.split("bad", 2), jnp.ones((2, 2)))

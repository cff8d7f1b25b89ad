"""A combined likelihood checks the cosmology once for all its parts, and evaluates E(z) once for
the distances of all its parts (issue 22).

The reference is the sum of the parts, each evaluated alone with its own guard: over a random
sweep that is often unphysical (E(z)^2 < 0 within some parts' redshift ranges only, negative
densities, Omega_b = 0), the combination must give the same value, -inf exactly where some part
is -inf, and finite gradients.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb import cosmology
from hicosmo_nb import likelihoods as L

BOX = {"H0": (40.0, 100.0), "Omega_m": (-0.2, 1.6), "Omega_b": (-0.02, 0.1), "Omega_k": (-0.8, 0.8),
       "w0": (-3.0, 1.5), "wa": (-3.0, 3.0), "hrd": (50.0, 150.0)}


@pytest.fixture(scope="module")
def parts():
    return [L.get("union3"), L.get("desi_dr2_bao"), L.get("cc"), L.get("desi_dr1_bao", rd="free"),
            L.get("planck18_priors", parametrization="density")]


def _points(n, seed=0):
    rng = np.random.default_rng(seed)
    return {k: jnp.asarray(rng.uniform(lo, hi, n)) for k, (lo, hi) in BOX.items()}


@pytest.mark.slow  # ~15 s of compilation (value and gradient, both ways)
def test_joint_equals_sum_of_parts_over_a_sweep(parts):
    joint = L.combine(*parts)
    assert sum(leaf.guard is not None for leaf in joint.leaves) == len(parts)
    pts = _points(400)

    def separate(p):  # the reference: each part with its own check
        return sum(lk.loglike(p) for lk in parts)

    got, ref = jax.jit(jax.vmap(lambda p: (joint(p), separate(p))))(pts)
    got, ref = np.asarray(got), np.asarray(ref)
    assert not np.any(np.isnan(got)) and not np.any(got == np.inf)
    assert np.array_equal(np.isneginf(got), np.isneginf(ref))
    frac = np.mean(np.isneginf(ref))
    assert 0.2 < frac < 0.9, frac  # the sweep exercises both verdicts
    fin = np.isfinite(ref)
    np.testing.assert_allclose(got[fin], ref[fin], rtol=1e-12, atol=1e-9)
    grads, g_ref = jax.jit(jax.vmap(lambda p: (jax.grad(joint)(p), jax.grad(separate)(p))))(pts)
    for k, g in grads.items():
        assert np.all(np.isfinite(np.asarray(g))), k
        np.testing.assert_allclose(np.asarray(g)[fin], np.asarray(g_ref[k])[fin], rtol=1e-9, atol=1e-9)


def test_one_check_per_call(parts, monkeypatch):
    calls = []
    real = cosmology.sanitize

    def counting(*args, **kw):
        calls.append(args[1] if len(args) > 1 else kw.get("z_max"))
        return real(*args, **kw)

    monkeypatch.setattr(cosmology, "sanitize", counting)
    p = {"H0": 68.0, "Omega_m": 0.31, "Omega_b": 0.049, "hrd": 100.0}
    jax.make_jaxpr(L.combine(*parts))(p)
    assert len(calls) == 1 and isinstance(calls[0], tuple)
    calls.clear()
    jax.make_jaxpr(lambda q: sum(lk.body(q) for lk in parts))(p)  # parts alone: one check each
    assert len(calls) == len(parts)


def test_one_distance_integral_per_call(parts, monkeypatch):
    """The parts' distance evaluators (Union3 knots, two BAO sets) share one evaluation of E on
    one set of nodes: one integral over all their redshifts, not one per part."""
    from hicosmo_nb.cosmology import evaluator

    sizes = []
    real = evaluator._comoving_over_dh0

    def counting(params, z, *args, **kw):
        sizes.append(np.size(z))
        return real(params, z, *args, **kw)

    monkeypatch.setattr(evaluator, "_comoving_over_dh0", counting)
    p = {"H0": 68.0, "Omega_m": 0.31, "Omega_b": 0.049, "hrd": 100.0}
    evs = [ev for lk in parts for ev in lk.distances]
    assert len(evs) == 3  # Union3's knots, DESI DR2 and DR1 BAO redshifts
    jax.make_jaxpr(L.combine(*parts))(p)
    assert sizes == [sum(ev.z.size for ev in evs)]
    sizes.clear()
    jax.make_jaxpr(lambda q: sum(lk.body(q) for lk in parts))(p)  # parts alone: one each
    assert sorted(sizes) == sorted(ev.z.size for ev in evs)


def test_shared_distances_errors_and_accuracy():
    a = cosmology.DistanceEvaluator(np.linspace(0.01, 0.5, 20))
    b = cosmology.DistanceEvaluator(np.geomspace(0.1, 1100.0, 50))
    p = {"H0": 67.0, "Omega_m": 0.32, "w0": -0.9, "wa": -0.4, "m_nu": 0.1, "Omega_k": 0.02}

    @jax.jit
    def shared(q):
        with cosmology.shared_distances([a, b]):
            return a.transverse_comoving_distance(q), b.luminosity_distance(q)

    da, db = shared(p)  # a's nodes now span [0, 1100]: the same distances to the rule's precision
    np.testing.assert_allclose(da, a.transverse_comoving_distance(p), rtol=1e-11)
    np.testing.assert_allclose(db, b.luminosity_distance(p), rtol=1e-11)
    user = cosmology.DistanceEvaluator([0.5], de_density=lambda q, z: 1.0 + 0.0 * z)
    with pytest.raises(ValueError, match="different background models"):
        with cosmology.shared_distances([a, user]):
            pass
    with pytest.raises(ValueError, match="given twice"):
        with cosmology.shared_distances([a, a]):
            pass


def test_horizon_tuple_is_the_and_of_each_horizon():
    pts = _points(300, seed=1)
    horizons = (0.5, 2.3, 1100.0)

    def each(p):
        return jnp.all(jnp.stack([cosmology.is_physical(p, h) for h in horizons]))

    def early_each(p):
        return each(p) & cosmology.is_physical(p, 1.0, early=True)

    keep = ("H0", "Omega_m", "Omega_b", "Omega_k", "w0", "wa")
    pts = {k: pts[k] for k in keep}
    for early, ref in ((False, each), (True, early_each)):
        got, want = jax.jit(jax.vmap(
            lambda p: (cosmology.is_physical(p, horizons, early=early), ref(p))))(pts)
        assert np.array_equal(np.asarray(got), np.asarray(want))
        assert 0 < np.mean(np.asarray(want)) < 1


def test_converted_parametrization_keeps_its_own_check():
    lk = L.get("planck18_priors")  # physical parametrization: checks a converted dict
    assert lk.guard is None and L.get("cc").guard is not None

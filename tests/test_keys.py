"""Tests for hicosmo_nb.keys: stable named keys, records, JSON round trip, jit/vmap use."""

import hashlib
import json
import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hicosmo_nb.keys import MAX_SEED, KeyManager, derive_key, name_hash

NAMES = ["nuts", "init/jitter", "mock/0", "mock/1", "ünïcode-名前", "a" * 300]


def _hex(key):
    return "".join(f"{int(w):08x}" for w in np.asarray(key, dtype=np.uint32).ravel())


def test_name_hash_is_first_four_bytes_of_sha256():
    for name in NAMES:
        ref = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")
        assert name_hash(name) == ref
        assert 0 <= name_hash(name) < 2**32


def test_derive_key_is_fold_in_of_seed_key_with_name_hash():
    for seed in (0, 1, 12345, MAX_SEED - 1):
        for name in NAMES:
            ref = jax.random.fold_in(jax.random.PRNGKey(seed), name_hash(name))
            key = derive_key(seed, name)
            assert key.shape == (2,) and key.dtype == jnp.uint32
            np.testing.assert_array_equal(np.asarray(key), np.asarray(ref))


def test_numpy_integer_seed_equals_python_int():
    np.testing.assert_array_equal(derive_key(np.int64(5), "x"), derive_key(5, "x"))


def test_different_names_and_seeds_give_different_keys():
    names = [f"chain/{i}" for i in range(200)] + NAMES
    hexes = {_hex(derive_key(3, n)) for n in names}
    assert len(hexes) == len(names)
    seeds = {_hex(derive_key(s, "nuts")) for s in range(100)}
    assert len(seeds) == 100
    # the raw seed key itself is never handed out under a name
    assert _hex(jax.random.PRNGKey(3)) not in hexes


def test_order_independence_and_repeats():
    a, b = KeyManager(11), KeyManager(11)
    ka = {n: _hex(a.key(n)) for n in NAMES}
    kb = {n: _hex(b[n]) for n in reversed(NAMES)}
    assert ka == kb
    again = a.key("nuts")
    assert _hex(again) == ka["nuts"]
    rec = {r["name"]: r for r in a.records}
    assert rec["nuts"]["count"] == 2 and rec["mock/0"]["count"] == 1
    assert a.counts["nuts"] == 2
    assert [r["name"] for r in a.records] == NAMES  # order of first issue


def test_records_content():
    km = KeyManager(2024)
    km.key("init")
    km.split("nuts", 4)
    km.split("nuts", 4)
    km.split("nuts", 8)
    recs = km.records
    assert recs == [
        {"seed": 2024, "name": "init", "n": None, "key_hex": _hex(derive_key(2024, "init")), "count": 1},
        {"seed": 2024, "name": "nuts", "n": 4, "key_hex": _hex(derive_key(2024, "nuts")), "count": 2},
        {"seed": 2024, "name": "nuts", "n": 8, "key_hex": _hex(derive_key(2024, "nuts")), "count": 1},
    ]
    assert km.counts == {"init": 1, "nuts": 3}
    recs[0]["count"] = 99  # records are copies: the manager is not changed from outside
    assert km.records[0]["count"] == 1
    assert "nuts" in repr(km) and "2024" in repr(km)


def test_split_is_jax_split_of_the_name_key():
    km = KeyManager(9)
    keys = km.split("chains", 16)
    assert keys.shape == (16, 2) and keys.dtype == jnp.uint32
    np.testing.assert_array_equal(keys, jax.random.split(derive_key(9, "chains"), 16))
    assert len({_hex(k) for k in keys}) == 16


def test_json_round_trip_reproduces_keys_and_records():
    km = KeyManager(123456789)
    for n in NAMES:
        km.key(n)
    km.key("nuts")
    km.split("chains", 4)
    text = km.to_json()
    back = KeyManager.from_json(text)
    assert back == km and back.seed == km.seed
    assert back.records == km.records
    assert back.to_json() == text
    for n in NAMES:
        np.testing.assert_array_equal(back.key(n), derive_key(123456789, n))
    np.testing.assert_array_equal(back.split("chains", 4), km.split("chains", 4))
    # the manifest is plain JSON types only
    man = km.manifest()
    assert json.loads(json.dumps(man)) == man
    assert man["seed"] == 123456789 and man["prng_impl"] == "threefry2x32"


def test_same_keys_in_a_fresh_process():
    """Keys depend only on (seed, name): a new process, other hash seed, other order agree."""
    code = (
        "import json, sys; from hicosmo_nb.keys import KeyManager\n"
        "names = json.loads(sys.argv[1]); km = KeyManager(77)\n"
        "out = {n: [int(w) for w in km.key(n)] for n in names}\n"
        "out['split'] = [[int(w) for w in k] for k in km.split('chains', 3)]\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(reversed(NAMES)))],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )
    other = json.loads(proc.stdout.strip().splitlines()[-1])
    km = KeyManager(77)
    for n in NAMES:
        assert other[n] == [int(w) for w in km.key(n)]
    assert other["split"] == [[int(w) for w in k] for k in km.split("chains", 3)]


def test_keys_work_under_jit_and_vmap():
    km = KeyManager(0)

    def sampler(key):
        return jax.random.normal(key, (5,)) * 2.0 + 1.0

    keys = km.split("chains", 8)
    batched = jax.vmap(sampler)(keys)
    looped = np.stack([sampler(k) for k in keys])
    np.testing.assert_allclose(batched, looped, rtol=1e-15, atol=0)
    assert batched.shape == (8, 5) and np.unique(batched[:, 0]).size == 8

    traces = []

    @jax.jit
    def jitted(key):
        traces.append(1)  # runs once per trace
        return sampler(key)

    np.testing.assert_allclose(jitted(km.key("x")), sampler(km.key("x")), rtol=1e-15, atol=0)
    jitted(km.key("y"))  # a new key of the same shape does not retrace
    assert len(traces) == 1


def test_keys_drive_numpyro():
    numpyro = pytest.importorskip("numpyro")
    import numpyro.distributions as dist

    def model():
        return numpyro.sample("x", dist.Normal(0.0, 1.0))

    km = KeyManager(5)
    draw = numpyro.handlers.seed(model, rng_seed=km.key("prior"))()
    again = numpyro.handlers.seed(model, rng_seed=derive_key(5, "prior"))()
    assert float(draw) == float(again)


@pytest.mark.parametrize(
    "seed, match",
    [
        (True, r"seed must be a non-negative int below 2\*\*63; got True of type bool"),
        (1.0, r"got 1\.0 of type float \(bools and floats are not allowed\)"),
        ("3", r"got '3' of type str"),
        (None, r"got None of type NoneType"),
        (-1, r"seed must be a non-negative int below 2\*\*63; got -1$"),
        (2**63, r"got 9223372036854775808$"),
    ],
)
def test_bad_seed_raises(seed, match):
    with pytest.raises(ValueError, match=match):
        derive_key(seed, "x")
    with pytest.raises(ValueError, match=match):
        KeyManager(seed)


@pytest.mark.parametrize("name", ["", 3, None, b"nuts"])
def test_bad_name_raises(name):
    with pytest.raises(ValueError, match=r"key name must be a non-empty str; got"):
        derive_key(0, name)
    with pytest.raises(ValueError, match=r"key name must be a non-empty str"):
        KeyManager(0).key(name)


@pytest.mark.parametrize("n", [0, -2, 2.0, True, "4"])
def test_bad_split_count_raises(n):
    with pytest.raises(ValueError, match=r"n \(number of keys\) must be a positive int; got"):
        KeyManager(0).split("chains", n)


def test_from_json_rejects_bad_input():
    with pytest.raises(ValueError, match=r"needs a JSON string from to_json\(\)"):
        KeyManager.from_json("{not json")
    with pytest.raises(ValueError, match=r"not a KeyManager JSON: format is None"):
        KeyManager.from_json(json.dumps({"seed": 1}))
    km = KeyManager(1)
    km.key("a")
    data = km.manifest()
    data["records"][0]["key_hex"] = "0" * 16
    with pytest.raises(ValueError, match=r"recorded key for 'a' is 0{16} but this JAX derives"):
        KeyManager.from_json(json.dumps(data))
    data = km.manifest()
    del data["records"][0]["count"]
    with pytest.raises(ValueError, match=r"lacks field\(s\) \['count'\]"):
        KeyManager.from_json(json.dumps(data))
    data = km.manifest()
    data["records"][0]["n"] = 0
    with pytest.raises(ValueError, match=r"record 'a' has n=0"):
        KeyManager.from_json(json.dumps(data))
    data = km.manifest()
    data["seed"] = -5
    with pytest.raises(ValueError, match=r"seed must be a non-negative int"):
        KeyManager.from_json(json.dumps(data))

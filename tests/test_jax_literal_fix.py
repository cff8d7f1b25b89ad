"""The lowering fix of hicosmo_nb._config for JAX versions that hash every scalar NumPy constant
alike (JAX 0.7.x, Colab's in 2026; the Colab-like CI job runs these tests on it)."""

import json
import os
import subprocess
import sys

import jax

PROGRAM = r"""
import json, sys
import numpy as np
import hicosmo_nb._config as config
import jax, jax.numpy as jnp

def f(x):
    # scalar NumPy constants: equal values of other dtypes, 0.0 and -0.0, repeated ones
    y = x * np.float64(2.0) + np.float32(2.0) - np.float64(-0.0) + np.float64(0.0)
    for k in range(60):
        y = jnp.sin(y) * np.float64(1.0 + k / 7) + np.float64(1.0 + k / 7)
    return jnp.sum(y * np.int32(3)) + jnp.log1p(jnp.sum(x ** 2))

x = jnp.linspace(0.1, 1.0, 5)
out = {"fix": config.LITERAL_HASH_FIX, "hlo": jax.jit(f).lower(x).compile().as_text(),
       "value": float(jax.jit(f)(x)), "grad": [float(g) for g in jax.jit(jax.grad(f))(x)]}
print(json.dumps(out))
"""


def _lower(setting):
    env = {**os.environ, "HICOSMO_NB_JAX_LITERAL_FIX": setting, "HICOSMO_NB_JAX_CACHE": "off"}
    done = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_fix_is_applied_exactly_where_jax_has_the_cache():
    import hicosmo_nb._config as config
    from jax._src.interpreters import mlir

    has_cache = hasattr(mlir, "HashableLiteral")
    if has_cache:  # the defect: a scalar NumPy constant's wrapper had no data to hash (data None)
        from jax._src import literals
        assert hasattr(literals, "LiteralArray")
    assert config.LITERAL_HASH_FIX is has_cache, (jax.__version__, has_cache)


def test_compiled_programs_are_the_same_with_and_without_the_fix():
    on, off = _lower("on"), _lower("off")
    assert off["fix"] is False
    assert on["fix"] is hasattr(__import__("jax._src.interpreters.mlir", fromlist=["x"]), "HashableLiteral")
    assert on["hlo"] == off["hlo"]
    assert on["value"] == off["value"] and on["grad"] == off["grad"]

"""The test processes compile with LLVM's expensive passes off (conftest.py), to save compile
time. That is only sound while the flag changes nothing but compile time: the same programs, run
here and in a process with XLA's defaults (the users' setting), must give the same bits."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import TEST_XLA_FLAGS

TESTS = pathlib.Path(__file__).resolve().parent


def digests() -> dict[str, str]:
    """sha256 of what a cosmology, a joint likelihood and a short NUTS run compute."""
    import hashlib

    import jax
    import numpy as np

    from hicosmo_nb import cosmology, likelihoods
    from hicosmo_nb.inference import run_nuts

    def digest(*arrays) -> str:
        h = hashlib.sha256()
        for a in arrays:
            h.update(np.ascontiguousarray(np.asarray(a, dtype=np.float64)).tobytes())
        return h.hexdigest()

    p = {"H0": 67.36, "Omega_m": 0.3153, "Omega_b": 0.0493, "w0": -0.9, "wa": -0.3, "m_nu": 0.06}
    z = np.geomspace(1e-3, 1100.0, 500)

    def d_l(h0, om):
        return cosmology.luminosity_distance({**p, "H0": h0, "Omega_m": om}, z)

    out = {"distances": digest(jax.jit(d_l)(67.0, 0.31)),
           "jacobian": digest(*jax.jit(jax.jacfwd(d_l, argnums=(0, 1)))(67.0, 0.31))}
    joint = likelihoods.combine(likelihoods.get("desi_dr2_bao"), likelihoods.get("union3"),
                                likelihoods.get("cc"))
    value, grad = jax.jit(jax.value_and_grad(joint))({**p, "H0": 67.0, "Omega_m": 0.31})
    out["joint likelihood"] = digest(value, *(grad[k] for k in sorted(grad)))
    res = run_nuts(likelihoods.get("union3"), key=jax.random.PRNGKey(7), num_chains=2,
                   num_warmup=60, num_samples=40, progress=False, warn=False)
    out["nuts draws"] = digest(*(res.samples[k] for k in sorted(res.samples)))
    return out


def test_the_test_flag_changes_no_result(user_xla_flags):
    if TEST_XLA_FLAGS in user_xla_flags.split():
        pytest.skip(f"XLA_FLAGS sets {TEST_XLA_FLAGS} already: no run with XLA's defaults to compare")
    assert TEST_XLA_FLAGS in os.environ["XLA_FLAGS"].split()
    env = {**os.environ, "XLA_FLAGS": user_xla_flags, "HICOSMO_NB_JAX_CACHE": "off"}
    code = f"import json, sys; sys.path.insert(0, {str(TESTS)!r}); " \
           "from test_compile_flags import digests; print(json.dumps(digests()))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with_defaults = json.loads(done.stdout.strip().splitlines()[-1])
    assert digests() == with_defaults

"""The one place where hicosmo_nb configures JAX.

Importing :mod:`hicosmo_nb` (any submodule) runs this module first. It

- turns on 64-bit floats (``jax_enable_x64``): distances are tested to 1e-8 relative accuracy
  and the Pantheon+ covariance has a condition number near 1e9, neither of which survives
  float32. JAX reads the flag at the first array creation, so import hicosmo_nb (or set
  ``JAX_ENABLE_X64=1``) before making arrays;
- turns on JAX's persistent compilation cache, so that a notebook restart or a second CLI run
  reuses the compiled likelihoods and samplers (the NUTS program of a Pantheon+-sized fit takes
  ~6 s to compile on a 2-core CPU and ~0.3 s to load). The cache lives in
  ``$HICOSMO_NB_JAX_CACHE`` if set, else ``$XDG_CACHE_HOME/hicosmo_nb/jax`` (``~/.cache/...``);
  ``HICOSMO_NB_JAX_CACHE=off`` disables it, and a cache directory you configured for JAX yourself
  (``JAX_COMPILATION_CACHE_DIR``) is left alone. Cached programs are bitwise the programs a fresh
  compilation gives; JAX keys them by the program, the JAX version and the device;
- on JAX versions whose lowering to XLA hashes every scalar NumPy constant of a program to the same
  value (JAX 0.7.x, the version Colab ships in 2026), gives those constants their real hash. There
  the lowering compares each constant with all earlier ones, so compiling a likelihood with its
  gradient spent most of its time in that comparison (``build_problem("LCDM", ["desi_dr2_bao",
  "bbn", "union3"])`` took 2.6 times as long). The fix is applied only when a probe shows the
  defect (newer JAX has no such cache). It changes no compiled program: the lowered text now
  shares a constant between uses of equal type, shape, dtype and bytes, as JAX already did for
  other constants, and XLA's optimized program is the same (tests/test_jax_literal_fix.py).
  ``LITERAL_HASH_FIX`` says whether it was applied; ``HICOSMO_NB_JAX_LITERAL_FIX=off`` leaves JAX
  untouched.

Importing never starts the JAX backend. Nothing else in the package touches global JAX settings.
"""

import os
import warnings

import jax

jax.config.update("jax_enable_x64", True)

CACHE_ENV = "HICOSMO_NB_JAX_CACHE"


def _compilation_cache() -> str | None:
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.lower() in ("off", "0", "false", "no") or jax.config.jax_compilation_cache_dir:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = setting or os.path.join(base, "hicosmo_nb", "jax")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as err:
        warnings.warn(f"hicosmo_nb: no persistent JAX compilation cache ({path!r}: {err}); set "
                      f"{CACHE_ENV} to a writable folder, or to 'off'", stacklevel=2)
        return None
    jax.config.update("jax_compilation_cache_dir", path)
    # 0.1 s: the MAP start's small programs (transforms, jitter, NUTS init) are kept too, so a
    # warm fresh process compiles none of them (benchmarks/sampling.py case f measures it); 0
    # would also keep every eager operation's program (tens of tiny files).
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)
    return path


COMPILATION_CACHE = _compilation_cache()

LITERAL_FIX_ENV = "HICOSMO_NB_JAX_LITERAL_FIX"


def _literal_hash_fix() -> bool:
    """Hash scalar NumPy constants by their bytes in JAX's lowering cache when it hashes them all
    alike (see the module docstring); True when applied."""
    if os.environ.get(LITERAL_FIX_ENV, "").strip().lower() in ("off", "0", "false", "no"):
        return False
    try:
        import numpy as np
        from jax._src import core, literals
        from jax._src.interpreters import mlir

        hashable, literal_array = mlir.HashableLiteral, literals.LiteralArray
        probe = hashable(core.Literal(literal_array(np.array(1.0), False), core.ShapedArray((), np.float64)))
    except (ImportError, AttributeError, TypeError):
        return False  # no such cache or no such constants: nothing to fix
    if probe.data is not None:
        return False
    original = hashable.__init__

    def __init__(self, value):
        original(self, value)
        if self.data is None and type(value.val) is literal_array:
            arr = value.val.val
            self.data = (arr.dtype.str, arr.shape, arr.tobytes())

    hashable.__init__ = __init__
    return True


LITERAL_HASH_FIX = _literal_hash_fix()

FAST_ENV = "HICOSMO_NB_FAST"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def fast_mode() -> bool:
    """True when ``HICOSMO_NB_FAST`` asks for the fast setting (tests, CI): notebooks and examples
    shrink sample counts and grids, never skip a cell. The one reader of that variable.

    ``1``/``true``/``yes``/``on`` mean fast, unset/empty/``0``/``false``/``no``/``off`` mean the
    full setting (case-insensitive); anything else raises ``ValueError``.

    Examples
    --------
    >>> from hicosmo_nb import fast_mode
    >>> isinstance(fast_mode(), bool)
    True
    """
    value = os.environ.get(FAST_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{FAST_ENV}={os.environ[FAST_ENV]!r} is not understood; use 1/true/yes/on for the fast "
        "setting or 0/false/no/off (or leave it unset) for the full one"
    )

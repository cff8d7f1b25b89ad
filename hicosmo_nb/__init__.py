"""hicosmo_nb: Jupyter-centric cosmology inference on JAX.

Layers (each imports only the ones before it): :mod:`~hicosmo_nb.data` ->
:mod:`~hicosmo_nb.cosmology` -> :mod:`~hicosmo_nb.likelihoods` -> :mod:`~hicosmo_nb.inference`
and :mod:`~hicosmo_nb.fisher` -> :mod:`~hicosmo_nb.plots` -> :mod:`~hicosmo_nb.facade` (the one-line facade:
``hicosmo_nb.fit(model, datasets)``, or ``hicosmo_nb.start_fit(model, datasets)`` for a run to
step); :mod:`~hicosmo_nb.keys` is usable by all.

Importing the package enables float64 in JAX (see :mod:`hicosmo_nb._config`; the command line
``python -m hicosmo_nb`` does so only once its arguments are checked). Subpackages and the
convenience names below load on first use, so ``import hicosmo_nb`` stays light (NumPyro, ArviZ
and matplotlib are imported only when a sampler or a plot is asked for).

Examples
--------
>>> import hicosmo_nb as hc
>>> p = {"H0": 67.36, "Omega_m": 0.3153, "Omega_b": 0.0493}
>>> round(float(hc.cosmology.sound_horizon_drag(p)), 1)
147.1
>>> lk = hc.likelihoods.get("desi_dr2_bao", rd="free")
>>> lk.param_names
('Omega_m', 'hrd')
"""

from __future__ import annotations

import importlib
import os
import sys


def _cli_start() -> bool:
    """True while ``python -m hicosmo_nb`` or ``hicosmo-nb`` imports the package: the command line
    checks its arguments before JAX is imported (every subpackage imports ``_config`` itself)."""
    orig = getattr(sys, "orig_argv", [])
    as_module = "-m" in orig and orig.index("-m") + 1 < len(orig) and orig[orig.index("-m") + 1] == __name__
    return as_module or os.path.basename(sys.argv[0] if sys.argv else "") == "hicosmo-nb"


if not _cli_start():
    from . import _config  # noqa: F401  (must run before any array is created)

__version__ = "0.1.0"

_SUBMODULES = (
    "cosmology", "compare", "data", "facade", "fisher", "inference", "keys", "likelihoods", "parameters", "plots",
    "nbody", "emulate",
)
# convenience name -> module that defines it
_NAMES = {
    "fit": "hicosmo_nb.facade",
    "start_fit": "hicosmo_nb.facade",
    "start_problem": "hicosmo_nb.facade",
    "KeyManager": "hicosmo_nb.keys",
    "Problem": "hicosmo_nb.inference",
    "Run": "hicosmo_nb.inference",
    "NutsSettings": "hicosmo_nb.inference",
    "RunSettings": "hicosmo_nb.inference",
    "build_problem": "hicosmo_nb.inference",
    "run_nuts": "hicosmo_nb.inference",
    "continue_nuts": "hicosmo_nb.inference",
    "finish": "hicosmo_nb.inference",
    "load_result": ("hicosmo_nb.inference", "load"),
    "Uniform": "hicosmo_nb.inference",
    "Normal": "hicosmo_nb.inference",
    "TruncatedNormal": "hicosmo_nb.inference",
    "Likelihood": "hicosmo_nb.likelihoods",
    "combine": "hicosmo_nb.likelihoods",
    "get_likelihood": ("hicosmo_nb.likelihoods", "get"),
    "FisherMatrix": "hicosmo_nb.fisher",
    "fisher_observed": "hicosmo_nb.fisher",
    "fisher_expected": "hicosmo_nb.fisher",
    "corner_plot": "hicosmo_nb.plots",
    "fisher_triangle": "hicosmo_nb.plots",
    "set_data_dir": "hicosmo_nb.data",
    "get_data_dir": "hicosmo_nb.data",
    "fast_mode": "hicosmo_nb._config",
}

__all__ = ["__version__", *_SUBMODULES, *_NAMES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        target = _NAMES[name]
        module, attr = target if isinstance(target, tuple) else (target, name)
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'hicosmo_nb' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)

"""Era 3, learned surrogates: simulate -> train -> infer.

1. **Simulate**: a Latin-hypercube design over a parameter :class:`Box` (from a named key), with
   the library's own exact theory functions evaluated under :func:`jax.vmap`
   (:func:`simulate_design`).
2. **Train**: a small tanh MLP in JAX with Optax's Adam, standardized inputs and outputs, a held-out
   validation set and early stopping (:func:`train_surrogate`, :class:`TrainSettings`); the
   :class:`Surrogate` carries its :class:`Validation` report and the keys it used.
3. **Infer**: the surrogate is a theory function for :func:`hicosmo_nb.likelihoods.gaussian`, so
   NUTS runs on it unchanged (:func:`bao_sn_problem` wires DESI BAO + a SN set). Outside its
   training box it refuses: ``ValueError`` when called directly, ``-inf`` inside a likelihood.

Teaching module: it sits beside the core and reuses the likelihood layer.

Examples
--------
>>> from hicosmo_nb.emulate import Box, latin_hypercube
>>> from hicosmo_nb.keys import KeyManager
>>> latin_hypercube(KeyManager(1).key("emulate/design"), Box({"Omega_m": (0.2, 0.4)}), 8).shape
(8, 1)
"""

from .. import _config  # noqa: F401
from .design import Box, latin_hypercube, simulate_design
from .problems import BaoSnProblem, bao_sn_problem, build_emulator
from .surrogate import Surrogate, TrainSettings, Validation, train_surrogate

__all__ = [
    "Box", "BaoSnProblem", "Surrogate", "TrainSettings", "Validation", "bao_sn_problem",
    "build_emulator", "latin_hypercube", "simulate_design", "train_surrogate",
]

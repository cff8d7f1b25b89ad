"""hicosmo_nb: Jupyter-centric cosmology inference on JAX.

Importing the package enables float64 in JAX (see :mod:`hicosmo_nb._config`).
"""

from . import _config  # noqa: F401  (must run before any array is created)

__version__ = "0.1.0"

__all__ = ["__version__"]

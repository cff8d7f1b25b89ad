"""The one place where hicosmo_nb configures JAX.

Importing :mod:`hicosmo_nb` (any submodule) runs this module first. It turns on 64-bit floats
(``jax_enable_x64``): distances are tested to 1e-8 relative accuracy and the Pantheon+ covariance
has a condition number near 1e9, neither of which survives float32. JAX reads the flag at the
first array creation, so import hicosmo_nb (or set ``JAX_ENABLE_X64=1``) before making arrays.

Nothing else in the package touches global JAX settings.
"""

import jax

jax.config.update("jax_enable_x64", True)

"""Parameter names, LaTeX labels, defaults, default prior ranges and the model registry.

Every layer reads parameter metadata from here, so a label or default is written once.

Conventions (the same as CAMB's and Planck's):

- ``H0`` in km/s/Mpc; ``h = H0 / 100``.
- ``Omega_m`` is *all* matter that is non-relativistic today: CDM + baryons + massive neutrinos
  (``Omega_m h^2 = omega_b + omega_c + omega_nu``, ``omega_nu`` the non-relativistic-limit density,
  proportional to ``m_nu`` and zero at zero mass). This is what Planck and DESI quote.
- ``Omega_k`` is the curvature density; dark energy closes the budget with the actual densities
  today, ``Omega_de = 1 - Omega_cb - Omega_k - Omega_gamma - Omega_nu`` (``Omega_nu``: the exact
  Fermi-Dirac density of all three neutrino states).
- Radiation follows from ``T_cmb`` (K) and ``N_eff``; ``T_cmb = 0`` switches radiation off.
- ``m_nu`` is the sum of neutrino masses in eV, carried by one massive eigenstate unless the
  ``neutrino_hierarchy`` setting (a static option, not a parameter) says otherwise.

The defaults of the primary parameters (``H0``, ``Omega_m``, ``Omega_b``, ``m_nu``, ``N_eff``,
``T_cmb``, ``rd``) are typed here; those of the derived ones (``h``, ``omega_b``, ``omega_c``,
``omega_m``, ``hrd``) follow from them by :func:`derived_parameters`, the one place of their
definitions. The neutrinos' non-relativistic-limit density that ``Omega_m`` counts
(:func:`neutrino_matter_density`, with the constants it needs) is part of that definition, so it
lives here too and :mod:`hicosmo_nb.cosmology` takes it from here.

Examples
--------
>>> from hicosmo_nb.parameters import PARAMETERS, MODELS
>>> PARAMETERS["Omega_m"].latex
'\\\\Omega_m'
>>> MODELS["LCDM"]
('H0', 'Omega_m')
>>> PARAMETERS["hrd"].default == PARAMETERS["h"].default * PARAMETERS["rd"].default
True
"""

from __future__ import annotations

from . import _names, _registry
from ._names import *  # noqa: F401,F403 (checking users' names: closest, unknown_name_error, ...)
from ._registry import *  # noqa: F401,F403 (the specs, constants and models)

__all__ = _registry.__all__ + _names.__all__

"""Background cosmology: pure, differentiable functions of a parameter dict.

Parameters (see :mod:`hicosmo_nb.parameters` for conventions and defaults): ``H0``, ``Omega_m``
required; ``Omega_b``, ``Omega_k``, ``w0``, ``wa``, ``T_cmb``, ``N_eff``, ``m_nu`` optional, plus
the static ``neutrino_hierarchy`` setting (``"one"``, ``"degenerate"``, ``"normal"``,
``"inverted"``; :class:`~hicosmo_nb.cosmology.neutrinos.NeutrinoHierarchy` under ``jax.jit``). Models
are choices of which ones vary: flat/curved LCDM, wCDM, w0waCDM (CPL); a user dark-energy density
(``de_density=``) or a whole ``E(z)`` (``efunc=``) plugs into every function. For redshifts known
in advance (likelihoods, surveys, widgets), :class:`DistanceEvaluator` gives the same distances
faster and is a pure function of the parameters.

Unphysical input, one contract for every function (:mod:`.validity`): :func:`validity` returns
a traced flag and the individual checks (``H0 > 0``, CDM + baryons ``>= 0``, ``m_nu, T_cmb,
N_eff >= 0``, finite values, ``z >= 0``, ``E(z)^2 > 0`` over the redshifts integrated; with
early-universe physics also ``Omega_b > 0``, ``Omega_b <= Omega_m - Omega_nu``, ``T_cmb > 0``).

- Called eagerly with concrete values, unphysical parameters or ``z < 0`` raise ``ValueError``
  naming the parameter, its value and the allowed range.
- Under ``jax.jit``/``vmap``/``grad`` the result (value and derivatives) is ``NaN`` where the
  check fails, never a finite number.
- Likelihoods call :func:`sanitize` (flag + a safe parameter point), evaluate on the safe point
  and return ``-inf`` with finite gradients. ``Omega_b`` is checked only where it is read.

Examples
--------
>>> import jax
>>> from hicosmo_nb import cosmology as cosmo
>>> p = {"H0": 67.36, "Omega_m": 0.3153, "Omega_b": 0.0493}
>>> round(float(cosmo.luminosity_distance(p, 1.0)), 1)
6804.8
>>> grad = jax.grad(lambda om: cosmo.distance_modulus({**p, "Omega_m": om}, 1.0))(0.3153)
>>> bool(grad < 0)
True
>>> cosmo.luminosity_distance({"H0": -70.0, "Omega_m": 0.3}, 1.0)
Traceback (most recent call last):
...
ValueError: luminosity_distance: H0 = -70.0 is unphysical; allowed: H0 > 0 (km/s/Mpc)
>>> bool(jax.numpy.isnan(jax.jit(cosmo.luminosity_distance)({"H0": -70.0, "Omega_m": 0.3}, 1.0)))
True
"""

from .background import (
    E,
    H,
    age,
    angular_diameter_distance,
    comoving_distance,
    distance_modulus,
    hubble_distance,
    lookback_time,
    luminosity_distance,
    transverse_comoving_distance,
    volume_averaged_distance,
)
from .evaluator import DistanceEvaluator, shared_distances
from .interop import to_astropy
from .integrals import curvature_step, sinc_curvature
from .validity import Check, assume_physical, is_physical, require_physical, safe_point, sanitize, validity
from .densities import (
    C_KM_S,
    check_params,
    density_parameters,
    from_physical,
    omega_gamma,
    omega_nu,
    omega_nu_nr,
    split_params,
)
from .early import (
    DH_over_rd,
    DM_over_rd,
    DV_over_rd,
    acoustic_scale,
    shift_parameter,
    sound_horizon,
    sound_horizon_drag,
    hu_sugiyama_z_star,
    theta_star,
    z_drag,
    z_star,
)

__all__ = [
    "C_KM_S",
    "E",
    "H",
    "age",
    "angular_diameter_distance",
    "comoving_distance",
    "distance_modulus",
    "hubble_distance",
    "is_physical",
    "lookback_time",
    "luminosity_distance",
    "sanitize",
    "transverse_comoving_distance",
    "volume_averaged_distance",
    "sinc_curvature",
    "curvature_step",
    "DistanceEvaluator",
    "shared_distances",
    "Check",
    "validity",
    "require_physical",
    "safe_point",
    "assume_physical",
    "check_params",
    "density_parameters",
    "from_physical",
    "omega_gamma",
    "omega_nu",
    "omega_nu_nr",
    "split_params",
    "DH_over_rd",
    "DM_over_rd",
    "DV_over_rd",
    "acoustic_scale",
    "shift_parameter",
    "sound_horizon",
    "sound_horizon_drag",
    "theta_star",
    "z_drag",
    "z_star",
    "hu_sugiyama_z_star",
    "to_astropy",
]

"""The same cosmology in another code: :func:`to_astropy`.

One mapping from a hicosmo_nb parameter dict to an astropy cosmology, used by the notebooks, the
tests and the benchmarks alike (astropy is imported only when it is called). The two codes then
solve the same equations:

- astropy's ``Om0`` is CDM + baryons *without* neutrinos, so it gets our ``Omega_cb``
  (``Omega_m`` minus the neutrinos' non-relativistic-limit density; at ``m_nu = 0`` that is
  ``Omega_m`` itself, exactly what a new user would pass);
- the three eigenstate masses of the ``neutrino_hierarchy`` setting go to ``m_nu``, each state with
  ``N_eff / 3`` of the relativistic density (as astropy does);
- curvature is ours exactly: a flat class when ``Omega_k == 0``, else ``Ode0`` chosen so that
  astropy's ``Ok0`` equals ``Omega_k``.

astropy describes massive neutrinos with the Komatsu et al. (2011) fit to the Fermi-Dirac integral
where we integrate it exactly, so with massive neutrinos ``E(z)`` agrees only to that fit's
accuracy (relative 2e-5 at 0.06 eV and 7e-5 at 0.3 eV near z = 100-1100, where the neutrinos
turn relativistic; distances to 3e-6 and 8e-6; ``tests/test_cosmology_interop.py`` pins the
figures); with massless neutrinos the two agree to 1e-9 or better.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .. import _config  # noqa: F401
from ..parameters import COSMOLOGY_DEFAULTS
from .densities import check_params, density_parameters
from .neutrinos import as_hierarchy, neutrino_masses

__all__ = ["to_astropy"]


def _scalar(name: str, value) -> float:
    arr = np.asarray(value)
    if arr.shape != () or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(
            f"to_astropy needs one number per parameter; {name} = {value!r} (shape {arr.shape}) "
            "is not a scalar (call it once per point of a grid)"
        )
    return float(arr)


def to_astropy(params: Mapping, *, name: str = "hicosmo_nb"):
    """The astropy cosmology with the same physics as the parameter dict ``params``.

    Parameters
    ----------
    params : mapping
        hicosmo_nb cosmology parameters (``H0`` and ``Omega_m`` required; others take the Planck
        2018 defaults of :data:`~hicosmo_nb.parameters.COSMOLOGY_DEFAULTS`), plus the optional
        ``neutrino_hierarchy`` setting. Values must be plain numbers, not traced arrays.
    name : str
        The astropy cosmology's name.

    Returns
    -------
    astropy.cosmology.FLRW
        ``FlatLambdaCDM``, ``FlatwCDM`` or ``Flatw0waCDM`` when ``Omega_k == 0``, else
        ``LambdaCDM``, ``wCDM`` or ``w0waCDM``: the simplest class that holds the model.

    Raises
    ------
    ValueError
        For unknown names, array values, or ``T_cmb = 0`` with massive neutrinos (astropy drops
        every neutrino when ``Tcmb0 = 0``).

    Examples
    --------
    >>> from hicosmo_nb import cosmology as cosmo
    >>> p = {"H0": 70.0, "Omega_m": 0.3, "m_nu": 0.0}
    >>> ap = to_astropy(p)
    >>> type(ap).__name__, ap.Om0
    ('FlatLambdaCDM', 0.3)
    >>> bool(abs(ap.luminosity_distance(1.0).value / float(cosmo.luminosity_distance(p, 1.0)) - 1) < 1e-9)
    True
    """
    check_params(params)
    full = {**COSMOLOGY_DEFAULTS, **params}
    hierarchy = as_hierarchy(full.get("neutrino_hierarchy", "one"))
    values = {k: _scalar(k, v) for k, v in full.items() if k != "neutrino_hierarchy"}
    if values["T_cmb"] == 0.0 and values["m_nu"] > 0.0:
        raise ValueError(
            f"to_astropy: T_cmb = 0 with m_nu = {values['m_nu']} eV has no astropy twin (astropy drops "
            "all neutrinos when Tcmb0 = 0); set m_nu = 0 or T_cmb > 0"
        )
    import astropy.cosmology as apc
    import astropy.units as u

    d = density_parameters({**values, "neutrino_hierarchy": hierarchy})
    masses = np.asarray(neutrino_masses(values["m_nu"], hierarchy), dtype=float)
    kw = dict(
        H0=values["H0"], Om0=float(d["Omega_cb"]), Ob0=values["Omega_b"], Tcmb0=values["T_cmb"],
        Neff=values["N_eff"], m_nu=list(masses) * u.eV, name=name,
    )
    w0, wa, ok = values["w0"], values["wa"], values["Omega_k"]
    if wa != 0.0:
        flat_cls, cls, de = apc.Flatw0waCDM, apc.w0waCDM, dict(w0=w0, wa=wa)
    elif w0 != -1.0:
        flat_cls, cls, de = apc.FlatwCDM, apc.wCDM, dict(w0=w0)
    else:
        flat_cls, cls, de = apc.FlatLambdaCDM, apc.LambdaCDM, {}
    flat = flat_cls(**kw, **de)
    if ok == 0.0:
        return flat
    # astropy closes the budget with its own (fitted) neutrino density: match curvature, not Ode0
    return cls(Ode0=1.0 - flat.Om0 - ok - flat.Ogamma0 - flat.Onu0, **kw, **de)

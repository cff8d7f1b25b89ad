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

Examples
--------
>>> from hicosmo_nb.parameters import PARAMETERS, MODELS
>>> PARAMETERS["Omega_m"].latex
'\\\\Omega_m'
>>> MODELS["LCDM"]
('H0', 'Omega_m')
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Mapping

__all__ = [
    "ParamSpec",
    "PARAMETERS",
    "COSMOLOGY_PARAMETERS",
    "COSMOLOGY_DEFAULTS",
    "MODELS",
    "latex_label",
    "closest",
    "unknown_name_error",
]


@dataclass(frozen=True)
class ParamSpec:
    """Metadata of one parameter.

    Attributes
    ----------
    name : str
        Key used in parameter dicts.
    latex : str
        LaTeX label without dollar signs.
    default : float
        Fiducial value (Planck 2018 TT,TE,EE+lowE+lensing where it applies).
    lower, upper : float
        Default flat-prior range: generous, physically allowed.
    description : str
        One line, with units.
    """

    name: str
    latex: str
    default: float
    lower: float
    upper: float
    description: str


def _spec(name, latex, default, lower, upper, description):
    return name, ParamSpec(name, latex, float(default), float(lower), float(upper), description)


# Background cosmology parameters understood by hicosmo_nb.cosmology.
COSMOLOGY_PARAMETERS: dict[str, ParamSpec] = dict(
    [
        _spec("H0", r"H_0", 67.36, 20.0, 120.0, "Hubble constant [km/s/Mpc]"),
        _spec("Omega_m", r"\Omega_m", 0.3153, 0.01, 0.99,
              "total matter density today, CDM + baryons + massive neutrinos"),
        _spec("Omega_b", r"\Omega_b", 0.04930, 0.005, 0.25, "baryon density today"),
        _spec("Omega_k", r"\Omega_k", 0.0, -0.5, 0.5, "curvature density today"),
        _spec("w0", r"w_0", -1.0, -3.0, 1.0, "dark-energy equation of state today (CPL)"),
        _spec("wa", r"w_a", 0.0, -3.0, 2.0, "CPL slope: w(a) = w0 + wa (1 - a)"),
        _spec("T_cmb", r"T_{\rm CMB}", 2.7255, 0.0, 10.0, "CMB temperature today [K]"),
        _spec("N_eff", r"N_{\rm eff}", 3.046, 0.0, 10.0, "effective number of neutrino species"),
        _spec("m_nu", r"\sum m_\nu", 0.06, 0.0, 5.0, "sum of neutrino masses [eV], one massive state"),
    ]
)

COSMOLOGY_DEFAULTS: dict[str, float] = {k: s.default for k, s in COSMOLOGY_PARAMETERS.items()}

# Nuisance and alternative parameters used by likelihoods and the sampler.
_OTHER: dict[str, ParamSpec] = dict(
    [
        _spec("h", r"h", 0.6736, 0.2, 1.2, "H0 / (100 km/s/Mpc)"),
        _spec("omega_b", r"\Omega_b h^2", 0.02237, 0.005, 0.1, "physical baryon density"),
        _spec("omega_c", r"\Omega_c h^2", 0.1200, 0.01, 0.5, "physical CDM density"),
        _spec("omega_m", r"\Omega_m h^2", 0.1430, 0.01, 0.6, "physical matter density"),
        _spec("M", r"M_B", -19.25, -21.0, -18.0, "SN Ia absolute magnitude [mag]"),
        _spec("dM", r"\Delta M", 0.0, -2.0, 2.0,
              "SN magnitude offset of data sets with an arbitrary zero point (Union3, DES-SN5YR) [mag]"),
        _spec("rd", r"r_d", 147.09, 100.0, 200.0, "sound horizon at the drag epoch [Mpc]"),
        _spec("hrd", r"h\,r_d", 99.08, 50.0, 150.0, "h times r_d [Mpc]"),
    ]
)

PARAMETERS: dict[str, ParamSpec] = {**COSMOLOGY_PARAMETERS, **_OTHER}

# Model name -> the cosmological parameters that are free by default. Parameters not listed keep
# their COSMOLOGY_DEFAULTS value (flat: Omega_k = 0; LCDM: w0 = -1, wa = 0).
MODELS: dict[str, tuple[str, ...]] = {
    "LCDM": ("H0", "Omega_m"),
    "kLCDM": ("H0", "Omega_m", "Omega_k"),
    "wCDM": ("H0", "Omega_m", "w0"),
    "kwCDM": ("H0", "Omega_m", "Omega_k", "w0"),
    "w0waCDM": ("H0", "Omega_m", "w0", "wa"),
    "kw0waCDM": ("H0", "Omega_m", "Omega_k", "w0", "wa"),
}


def latex_label(name: str) -> str:
    """LaTeX label of ``name`` wrapped in dollars, or ``name`` itself if it is not registered."""
    spec = PARAMETERS.get(name)
    return f"${spec.latex}$" if spec else name


def closest(name: str, valid: Iterable[str]) -> str | None:
    """The entry of ``valid`` closest to ``name`` (case-insensitive), or None."""
    valid = list(valid)
    lowered = {v.lower(): v for v in valid}
    if name.lower() in lowered:
        return lowered[name.lower()]
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else None


def unknown_name_error(kind: str, names: Iterable[str], valid: Iterable[str] | Mapping) -> ValueError:
    """A ``ValueError`` naming unknown ``names``, listing ``valid`` ones and the closest match.

    Examples
    --------
    >>> str(unknown_name_error("model", ["LCMD"], MODELS))  # doctest: +ELLIPSIS
    "unknown model 'LCMD' (did you mean 'LCDM'?); valid: ..."
    """
    valid = sorted(valid)
    parts = []
    for n in names:
        hint = closest(n, valid)
        parts.append(f"{n!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    plural = "s" if len(parts) > 1 else ""
    return ValueError(f"unknown {kind}{plural} {', '.join(parts)}; valid: {', '.join(valid)}")

"""The registry: parameter specs (names, LaTeX labels, defaults, prior ranges), the physical
constants and derived-parameter definitions, the model registry and the other names of
parameters. Imported through :mod:`hicosmo_nb.parameters` (its docstring: the conventions)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

__all__ = [
    "ParamSpec",
    "PARAMETERS",
    "COSMOLOGY_PARAMETERS",
    "COSMOLOGY_DEFAULTS",
    "MODELS",
    "latex_label",
    "ALIASES",
    "ALTERNATIVE_NAMES",
    "NEUTRINO_HIERARCHIES",
    "MARGINALIZED_OFFSETS",
    "H_UNIT",
    "C_KM_S",
    "OMEGA_GAMMA_H2_PER_T4",
    "NU_PER_SPECIES",
    "T_NU_OVER_T_CMB",
    "KT_NU_PER_T_CMB",
    "FERMI_DIRAC_F0",
    "NR_SLOPE",
    "neutrino_matter_density",
    "derived_parameters",
    "BASELINE_MODEL",
]

# How the neutrino mass sum splits into states: the static ``neutrino_hierarchy`` setting (not a
# parameter). Defined here, import-light, so the command line can check it before JAX loads.
NEUTRINO_HIERARCHIES = ("one", "degenerate", "normal", "inverted")


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

# ------------------------------------------------------------------ defining relations
H_UNIT = 100.0  # km/s/Mpc: h = H0 / H_UNIT

# CODATA 2018 constants and the IAU parsec (SI), for the photon and neutrino densities.
_K_B = 1.380649e-23
_HBAR = 1.054571817e-34
_C = 299792458.0
C_KM_S = _C / 1000.0  # speed of light [km/s]
_G = 6.67430e-11
_MPC = 3.0856775814913673e22
_EV = 1.602176634e-19
_H100 = 1.0e5 / _MPC  # 100 km/s/Mpc in 1/s
_RHO_CRIT_100 = 3.0 * _H100**2 / (8.0 * math.pi * _G)  # kg/m^3 for h = 1
_ZETA3 = 1.2020569031595942

# Photon density Omega_gamma h^2 per K^4 of T_cmb: (pi^2/15) (k T)^4 / (hbar c)^3 / (c^2 rho_crit,100).
OMEGA_GAMMA_H2_PER_T4 = (math.pi**2 / 15.0) * _K_B**4 / (_HBAR**3 * _C**5) / _RHO_CRIT_100
NU_PER_SPECIES = 7.0 / 8.0 * (4.0 / 11.0) ** (4.0 / 3.0)  # relativistic nu / photon density, one species
T_NU_OVER_T_CMB = (4.0 / 11.0) ** (1.0 / 3.0)  # neutrino / photon temperature after e+e- annihilation
KT_NU_PER_T_CMB = _K_B * T_NU_OVER_T_CMB / _EV  # k T_nu0 [eV] per K of T_cmb
FERMI_DIRAC_F0 = 7.0 * math.pi**4 / 120.0  # F(0) of F(y) = int q^2 sqrt(q^2 + y^2) / (e^q + 1) dq
NR_SLOPE = 1.5 * _ZETA3 / FERMI_DIRAC_F0  # F(y)/F(0) -> NR_SLOPE * y for y >> 1


def neutrino_matter_density(m_nu, N_eff, T_cmb):
    """The neutrinos' part of ``Omega_m h^2``: their non-relativistic-limit density ``omega_nu,nr``.

    Three states at ``T_nu0 = (4/11)^(1/3) T_cmb``, together ``N_eff`` species of relativistic
    density, in the limit ``F(y) -> (3/2) zeta(3) y`` of masses summing to ``m_nu`` [eV]:
    ``omega_nu,nr = (N_eff / 3) NU_PER_SPECIES OMEGA_GAMMA_H2_PER_T4 T_cmb^4 NR_SLOPE m_nu / (k T_nu0)``
    (CAMB 1.x's ``omnuh2``), about ``m_nu / 92.6 eV`` for ``N_eff = 3.046``. Proportional to the
    mass sum, so independent of how it splits into states; zero at ``m_nu = 0`` and at
    ``T_cmb = 0`` (written with ``T_cmb^3``, no division). Plain arithmetic: floats or JAX arrays.

    Examples
    --------
    >>> round(neutrino_matter_density(0.06, 3.046, 2.7255), 7)
    0.0006476
    """
    return NU_PER_SPECIES * N_eff / 3.0 * OMEGA_GAMMA_H2_PER_T4 * T_cmb**3 * NR_SLOPE * m_nu / KT_NU_PER_T_CMB


def derived_parameters(params: Mapping) -> dict:
    """The derived parameters of primary ones, by their definitions (the package's one place).

    ``h = H0 / 100``, ``omega_b = Omega_b h^2``, ``omega_m = Omega_m h^2``, ``omega_c = omega_m -
    omega_b - omega_nu,nr`` (:func:`neutrino_matter_density`; the convention of the module
    docstring, the inverse of :func:`hicosmo_nb.cosmology.from_physical`) and, where ``params``
    has ``rd``, ``hrd = h rd``. ``params`` needs ``H0``, ``Omega_b``, ``Omega_m``, ``m_nu``,
    ``N_eff`` and ``T_cmb``. Plain arithmetic: floats or JAX arrays. The registry's defaults of the
    derived parameters are this function of the primary defaults.

    Examples
    --------
    >>> d = derived_parameters({**COSMOLOGY_DEFAULTS, "rd": 147.09})
    >>> round(d["h"], 4), round(d["omega_b"], 5), round(d["omega_c"], 4), round(d["hrd"], 2)
    (0.6736, 0.02237, 0.12, 99.08)
    """
    h = params["H0"] / H_UNIT
    omega_b, omega_m = params["Omega_b"] * h**2, params["Omega_m"] * h**2
    out = {"h": h, "omega_b": omega_b,
           "omega_c": omega_m - omega_b - neutrino_matter_density(params["m_nu"], params["N_eff"], params["T_cmb"]),
           "omega_m": omega_m}
    if "rd" in params:
        out["hrd"] = h * params["rd"]
    return out


_RD_DEFAULT = 147.09  # Planck 2018 TT,TE,EE+lowE+lensing r_drag [Mpc]
_DERIVED_DEFAULTS = derived_parameters({**COSMOLOGY_DEFAULTS, "rd": _RD_DEFAULT})

# Nuisance and alternative parameters used by likelihoods and the sampler; the defaults of the
# derived ones (h, omega_b, omega_c, omega_m, hrd) follow from the primary defaults.
_OTHER: dict[str, ParamSpec] = dict(
    [
        _spec("h", r"h", _DERIVED_DEFAULTS["h"], 0.2, 1.2, "H0 / (100 km/s/Mpc)"),
        _spec("omega_b", r"\Omega_b h^2", _DERIVED_DEFAULTS["omega_b"], 0.005, 0.1, "physical baryon density"),
        _spec("omega_c", r"\Omega_c h^2", _DERIVED_DEFAULTS["omega_c"], 0.01, 0.5, "physical CDM density"),
        _spec("omega_m", r"\Omega_m h^2", _DERIVED_DEFAULTS["omega_m"], 0.01, 0.6, "physical matter density"),
        _spec("M", r"M_B", -19.25, -21.0, -18.0, "SN Ia absolute magnitude [mag]"),
        _spec("dM", r"\Delta M", 0.0, -2.0, 2.0,
              "SN magnitude offset of data sets with an arbitrary zero point (Union3, DES-SN5YR) [mag]"),
        _spec("rd", r"r_d", _RD_DEFAULT, 100.0, 200.0, "sound horizon at the drag epoch [Mpc]"),
        _spec("hrd", r"h\,r_d", _DERIVED_DEFAULTS["hrd"], 50.0, 150.0, "h times r_d [Mpc]"),
    ]
)

PARAMETERS: dict[str, ParamSpec] = {**COSMOLOGY_PARAMETERS, **_OTHER}

# The SN magnitude offsets (``M`` of data sets in apparent magnitude, ``dM`` of those with an
# arbitrary zero point). The SN likelihoods as built by default (``marginalize_M=True``, e.g.
# ``likelihoods.get("union3")``) integrate them out analytically, so they are not parameters of
# those likelihoods: a fit or an observed Fisher matrix of real data leaves them out, while a mock
# survey (:class:`~hicosmo_nb.fisher.SNSurvey`) varies ``M`` explicitly.
MARGINALIZED_OFFSETS: frozenset[str] = frozenset({"M", "dM"})

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

# The model the others extend and are compared against (Delta chi^2, significance, Bayes factor),
# as DESI and Planck quote their preferences.
BASELINE_MODEL = "LCDM"


def latex_label(name: str) -> str:
    """LaTeX label of ``name`` wrapped in dollars, or ``name`` itself if it is not registered."""
    spec = PARAMETERS.get(name)
    return f"${spec.latex}$" if spec else name


# Common spellings of registered names from other codes and papers (keys normalized: lower
# case, no underscores). Only used when the target is among the valid names.
ALIASES: dict[str, str] = {
    "om": "Omega_m", "om0": "Omega_m", "omegam0": "Omega_m", "omm": "Omega_m",
    "ob": "Omega_b", "ob0": "Omega_b", "omb": "Omega_b",
    "ok": "Omega_k", "ok0": "Omega_k", "omk": "Omega_k",
    "w": "w0", "w_0": "w0", "mnu": "m_nu", "summnu": "m_nu", "neff": "N_eff", "tcmb": "T_cmb",
    "hubble": "H0", "rs": "rd", "rdrag": "rd", "mb": "M", "ombh2": "omega_b", "omch2": "omega_c",
}


# Other names of one quantity in other units: name -> (parameter, factor), parameter = factor *
# name. Values given under such a name are translated where the parameter is what is read.
ALTERNATIVE_NAMES: dict[str, tuple[str, float]] = {"h": ("H0", H_UNIT)}

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

import difflib
import math
from dataclasses import dataclass
from typing import Iterable, Mapping

__all__ = [
    "ParamSpec",
    "PARAMETERS",
    "COSMOLOGY_PARAMETERS",
    "COSMOLOGY_DEFAULTS",
    "MODELS",
    "latex_label",
    "ALIASES",
    "ALTERNATIVE_NAMES",
    "canonical_values",
    "refuse_alternative_names",
    "closest",
    "unknown_name_error",
    "check_scalar_params",
    "as_names",
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


def _other_name_of(name: str, reads) -> tuple[str, float] | None:
    """``(parameter, factor)`` if ``name`` (not itself read) is another name of a read parameter."""
    if name in reads or not isinstance(name, str):
        return None
    target, factor = ALTERNATIVE_NAMES.get(name, (None, 1.0))
    if target is None:
        target = ALIASES.get(_norm(name))
    return (target, factor) if target in reads else None


def _relation(name: str, target: str, factor: float) -> str:
    return f"{target} = {factor:g} {name}" if factor != 1.0 else f"{name!r} is a common spelling of {target!r}"


def refuse_alternative_names(names: Iterable[str], reads: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` if a name in ``names`` is another name of a parameter in ``reads``.

    For names that cannot be translated (free parameters, priors, traced values): ``h`` where
    ``H0`` is read, ``Om`` where ``Omega_m`` is read.

    Examples
    --------
    >>> refuse_alternative_names(["h"], ["H0", "Omega_m"], "free")
    Traceback (most recent call last):
    ...
    ValueError: free: 'h' is another name of 'H0' (H0 = 100 h), which is what is read; use 'H0'
    """
    reads = tuple(reads)
    for n in names:
        other = _other_name_of(n, reads)
        if other:
            raise ValueError(f"{what}: {n!r} is another name of {other[0]!r} "
                             f"({_relation(n, *other)}), which is what is read; use {other[0]!r}")


def canonical_values(values: Mapping, reads: Iterable[str], what: str) -> dict:
    """``values`` with other names of read parameters translated (``h`` -> ``H0 = 100 h``).

    A common spelling (:data:`ALIASES`, ``Om`` for ``Omega_m``) is refused rather than guessed.
    Two names of one quantity that disagree are an error naming both; agreeing ones are merged.
    Names unrelated to ``reads`` are kept as they are (the caller decides about them).

    Raises
    ------
    ValueError
        A refused spelling, or ``H0`` and ``h`` that disagree.

    Examples
    --------
    >>> canonical_values({"h": 0.7, "Omega_m": 0.3}, ["H0", "Omega_m"], "fixed")
    {'Omega_m': 0.3, 'H0': 70.0}
    """
    reads = tuple(reads)
    out = {k: v for k, v in values.items() if not _other_name_of(k, reads)}
    for name, value in values.items():
        other = _other_name_of(name, reads)
        if not other:
            continue
        target, factor = other
        if factor == 1.0:
            refuse_alternative_names([name], reads, what)
        converted = factor * float(value)
        if target in out and not math.isclose(float(out[target]), converted, rel_tol=1e-12):
            raise ValueError(f"{what}: {target}={out[target]!r} and {name}={value!r} name one quantity "
                             f"({_relation(name, target, factor)}) and disagree; give only {target!r}")
        out.setdefault(target, converted)
    return out


def _norm(name: str) -> str:
    return name.lower().replace("_", "").replace(" ", "")


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()  # case-sensitive tie-breaker


def closest(name: str, valid: Iterable[str], *, cutoff: float = 0.5) -> str | None:
    """The entry of ``valid`` that ``name`` most likely means, or None.

    In order: a case-insensitive exact match, then a match ignoring case and underscores
    (``Omegam`` -> ``Omega_m``), then a common alias (:data:`ALIASES`: ``Om``, ``Ob``, ``Ok``,
    ``mnu``, ...), then the closest spelling (``difflib``, ``cutoff``). Where several valid
    names differ from ``name`` only by case (``Omega_m`` and ``omega_m``), the one spelled most
    like ``name`` wins, so ``Omega_M`` suggests ``Omega_m``, not the physical density ``omega_m``.

    Examples
    --------
    >>> closest("Omega_M", PARAMETERS), closest("Om", PARAMETERS), closest("h0", PARAMETERS)
    ('Omega_m', 'Omega_m', 'H0')
    """
    valid = [v for v in valid if isinstance(v, str)]
    if name in valid:
        return name
    for same in (lambda v: v.lower() == name.lower(), lambda v: _norm(v) == _norm(name)):
        hits = [v for v in valid if same(v)]
        if hits:
            return max(hits, key=lambda v: _similarity(name, v))
    alias = ALIASES.get(_norm(name))
    if alias in valid:
        return alias
    lowered = sorted({v.lower() for v in valid})
    match = difflib.get_close_matches(name.lower(), lowered, n=1, cutoff=cutoff)
    if not match:
        return None
    return max((v for v in valid if v.lower() == match[0]), key=lambda v: _similarity(name, v))


def _case_variants(hint: str, name: str, valid: Iterable[str]) -> str:
    """" 'omega_m' (physical matter density) is a different parameter" or ""."""
    others = [v for v in valid if v not in (hint, name) and _norm(v) == _norm(hint)]
    if not others:
        return ""
    desc = [f"{v!r}" + (f" ({PARAMETERS[v].description})" if v in PARAMETERS else "") for v in others]
    verb = "is a different parameter" if len(others) == 1 else "are different parameters"
    return f" {', '.join(desc)} {verb}"


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
        parts.append(f"{n!r}" + (f" (did you mean {hint!r}?{_case_variants(hint, n, valid)})" if hint else ""))
    plural = "s" if len(parts) > 1 else ""
    return ValueError(f"unknown {kind}{plural} {', '.join(parts)}; valid: {', '.join(valid)}")


def as_names(names: str | Iterable[str], what: str) -> tuple[str, ...]:
    """``names`` as a tuple of str: one string is one name (never split into letters).

    Examples
    --------
    >>> as_names("H0", "param_names"), as_names(["H0", "M"], "param_names")
    (('H0',), ('H0', 'M'))
    """
    if isinstance(names, str):
        return (names,)
    try:
        out = tuple(names)
    except TypeError:
        raise ValueError(f"{what} must be a parameter name or a sequence of names, got "
                         f"{type(names).__name__}") from None
    bad = [n for n in out if not isinstance(n, str)]
    if bad:
        raise ValueError(f"{what} must be parameter names (str), got {bad[0]!r} in {list(out)}")
    return out


def check_scalar_params(params: Mapping, names: Iterable[str], where: str) -> None:
    """Raise ``ValueError`` if a parameter among ``names`` is not a scalar.

    Works on concrete values and on JAX tracers alike (it reads only the static shape), so it
    can run inside ``jax.jit`` at trace time; under ``jax.vmap`` the traced function sees the
    per-example shape, so batched calls pass.

    Examples
    --------
    >>> check_scalar_params({"H0": [70.0, 71.0]}, ["H0"], "likelihood 'sn'")
    Traceback (most recent call last):
    ...
    ValueError: likelihood 'sn': parameter 'H0' must be a scalar, got shape (2,); to evaluate several points use jax.vmap
    """
    import numpy as np  # local: parameters stays import-light

    for n in names:
        if n not in params:
            continue
        v = params[n]
        if isinstance(v, (list, tuple)):  # inside jit a list arrives as a list of tracers
            shape = (len(v),)
        elif hasattr(v, "shape"):
            shape = tuple(v.shape)
        else:
            shape = np.shape(v)
        if shape != ():
            raise ValueError(f"{where}: parameter {n!r} must be a scalar, got shape {shape}; "
                             "to evaluate several points use jax.vmap")

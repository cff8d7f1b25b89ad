"""Checking names given by users: the closest valid name, "unknown name" errors that suggest it,
other names of read parameters (``h`` for ``H0``) and scalar-parameter checks. Import-light
(no JAX), so the command line can check names before JAX loads."""

from __future__ import annotations

import difflib
import math
from typing import Iterable, Mapping

from ._registry import ALIASES, ALTERNATIVE_NAMES, MODELS, PARAMETERS  # noqa: F401 (MODELS: a doctest)

__all__ = ["canonical_values", "refuse_alternative_names", "closest", "unknown_name_error",
           "check_scalar_params", "as_names"]


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

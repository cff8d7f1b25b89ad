"""Inverting and marginalizing Fisher matrices, with errors that say what is unconstrained.

Degeneracy is judged on the matrix scaled to unit diagonal, ``U = D^-1/2 F D^-1/2``, whose
eigenvalues are independent of the parameters' units: an eigenvalue ``lambda`` of ``U`` means
that some combination of parameters has a marginalized error ``1/sqrt(lambda)`` times its
conditional one. Below ``DEGENERATE_RTOL`` (relative to the largest eigenvalue; a condition
number above 1e8, errors inflated by more than 1e4) the combination is treated as flat: at that
level the "information" is rounding in the Jacobian or a physically irrelevant effect, and
inverting it gives nonsense such as ``sigma(H0) = 1.7e4``. Example: SNe measure ``M`` and ``H0``
only through ``M - 5 log10 H0``, but the radiation density depends on ``h`` and lifts the
degeneracy, to a relative eigenvalue of 3e-10 to 1.4e-9 for the ``(H0, M)`` block of the SN
presets (and 1e-11 with ``Omega_m``). The most degenerate physical combination we met, SNe
alone on ``(M, Omega_m, Omega_k, w0, wa)``, sits at 1.3e-7 (LSST-like) to 2e-6.

An eigenvalue cannot separate every such case: BAO with ``H0`` and ``hrd`` free see ``H0`` only
through the radiation density, at 3e-6. So a Fisher matrix is also refused where a registered
parameter's marginalized error exceeds ``RANGE_FACTOR`` times its allowed range
(:data:`~hicosmo_nb.parameters.PARAMETERS`), a criterion in the parameter's own units.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..parameters import PARAMETERS

__all__ = ["DEGENERATE_RTOL", "RANGE_FACTOR", "check_invertible", "inverse", "schur_marginal"]

DEGENERATE_RTOL = 1e-8  # eigenvalue of the unit-diagonal matrix (relative to the largest) = flat
# A registered parameter whose marginalized error exceeds this many times its allowed range
# (PARAMETERS lower..upper) is unconstrained too, whatever the eigenvalue: BAO with H0 and hrd
# free see H0 only through the radiation density (relative eigenvalue 3e-6, above
# DEGENERATE_RTOL and above physical SN degeneracies), giving sigma(H0) = 6e4 km/s/Mpc and a
# w0-wa figure of merit of 0.38 instead of 6.3 (issue 21).
RANGE_FACTOR = 10.0
_COUPLING_RTOL = 1e-3  # |F_km v| (unit-diagonal) above which a flat dropped direction is not flat


def _direction(vec: np.ndarray, names: Sequence[str]) -> str:
    order = np.argsort(-np.abs(vec))
    terms = [f"{vec[i]:+.2f}*{names[i]}" for i in order if abs(vec[i]) > 0.1]
    return " ".join(terms) if terms else "(none)"


def _unit(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = 1.0 / np.sqrt(np.diag(matrix))
    return matrix * scale[:, None] * scale[None, :], scale


def _no_information(matrix: np.ndarray, names: Sequence[str], label: str) -> None:
    bad = [n for n, d in zip(names, np.diag(matrix)) if not d > 0]
    if bad:
        raise ValueError(
            f"{label} has no information on {', '.join(map(repr, bad))} (diagonal entry <= 0): "
            f"the data do not constrain {'it' if len(bad) == 1 else 'them'}. "
            f"Add a prior with .add_prior({{{bad[0]!r}: sigma}}) or remove it with "
            f".fix([{bad[0]!r}])."
        )


def check_invertible(matrix: np.ndarray, names: Sequence[str], label: str) -> None:
    """Raise a ValueError that names the unconstrained combination, or return None.

    Singular means an eigenvalue of the unit-diagonal matrix at or below ``DEGENERATE_RTOL``
    times the largest (condition number >= 1e8), not just an exactly zero one.
    """
    _no_information(matrix, names, label)
    unit, _ = _unit(matrix)
    evals, evecs = np.linalg.eigh(unit)
    if evals[0] <= DEGENERATE_RTOL * evals[-1]:
        kind = "not positive definite" if evals[0] < -DEGENERATE_RTOL * evals[-1] else "singular"
        hint = (
            " An observed Fisher matrix away from the likelihood maximum can be indefinite: "
            "evaluate it at the best fit, or use fisher_expected."
            if kind == "not positive definite"
            else ""
        )
        raise ValueError(
            f"{label} is {kind}: the combination {_direction(evecs[:, 0], names)} is "
            f"unconstrained (eigenvalue {evals[0]:.3g} of the unit-diagonal matrix, condition "
            f"number {evals[-1] / max(abs(evals[0]), 1e-300):.3g} >= {1 / DEGENERATE_RTOL:.0e}). "
            f"Add a prior (.add_prior) on one of these parameters or fix one (.fix).{hint}"
        )


def _range_flat(cov: np.ndarray, names: Sequence[str]):
    """``(name, sigma, ratio, lam, vec, scale)`` of the worst registered parameter whose error in
    ``cov`` exceeds ``RANGE_FACTOR`` times its allowed range (``vec``: the covariance's top
    direction in units of ``scale``, the ranges; ``lam`` its variance in those units), or None."""
    widths = np.array([PARAMETERS[n].upper - PARAMETERS[n].lower if n in PARAMETERS else np.nan
                       for n in names])
    sig = np.sqrt(np.maximum(np.diag(cov), 0.0))
    ratio = np.where(np.isfinite(widths), sig / np.where(np.isfinite(widths), widths, 1.0), 0.0)
    if not ratio.size or not np.max(ratio) > RANGE_FACTOR:
        return None
    i = int(np.argmax(ratio))
    scale = np.where(np.isfinite(widths), widths, np.where(sig > 0, sig, 1.0))
    evals, evecs = np.linalg.eigh(cov / scale[:, None] / scale[None, :])
    return names[i], sig[i], ratio[i], evals[-1], evecs[:, -1], scale


def _range_flat_message(label: str, names: Sequence[str], flat) -> str:
    name, sig, ratio, _, vec, _ = flat
    spec = PARAMETERS[name]
    hint = (" BAO with hrd = h r_d free measure hrd, not H0: fix H0."
            if name == "H0" and "hrd" in names else "")
    return (f"{label} is singular: the combination {_direction(vec, names)} (in units of the "
            f"parameters' allowed ranges) is unconstrained: the marginalized error of {name} would be "
            f"{sig:.3g}, {ratio:.0f} times its allowed range [{spec.lower:g}, {spec.upper:g}] (the "
            "data see it only through a physically negligible effect). Fix it (.fix) or add a prior "
            f"(.add_prior).{hint}")


def inverse(matrix: np.ndarray, names: Sequence[str], label: str, *, is_fisher: bool = True) -> np.ndarray:
    """Inverse of a symmetric positive-definite matrix, scaled to unit diagonal for accuracy.

    Raises ValueError naming the direction if the matrix is singular (:func:`check_invertible`)
    or, for a Fisher matrix (``is_fisher``: the inverse is a covariance), a registered
    parameter's error exceeds ``RANGE_FACTOR`` times its allowed range.
    """
    check_invertible(matrix, names, label)
    unit, scale = _unit(matrix)
    chol = np.linalg.cholesky(unit)
    inv_chol = np.linalg.solve(chol, np.eye(len(names)))
    inv = inv_chol.T @ inv_chol * scale[:, None] * scale[None, :]
    flat = _range_flat(inv, list(names)) if is_fisher else None
    if flat:
        raise ValueError(_range_flat_message(label, list(names), flat))
    return inv


def schur_marginal(matrix: np.ndarray, keep: Sequence[int], drop: Sequence[int],
                   names: Sequence[str], label: str) -> np.ndarray:
    """``F_kk - F_km F_mm^+ F_mk``: the Fisher matrix of ``keep`` with ``drop`` integrated out.

    Directions of the dropped block that are flat (relative eigenvalue of its unit-diagonal
    form <= ``DEGENERATE_RTOL``) are projected out, i.e. treated as exactly unconstrained: that
    is the limit of any prior on them, and it is exact when they do not touch the kept
    parameters, which the positive-semidefiniteness of ``F`` guarantees for a truly flat
    direction. A flat dropped direction that is still coupled to the kept parameters (only
    possible for an indefinite matrix) raises ValueError naming it.
    """
    keep, drop = list(keep), list(drop)
    f_kk = matrix[np.ix_(keep, keep)]
    if not drop:
        return f_kk.copy()
    dnames = [names[i] for i in drop]
    f_mm = matrix[np.ix_(drop, drop)]
    _no_information(f_mm, dnames, f"the block of {label} being marginalized")
    unit_mm, s_m = _unit(f_mm)
    evals, evecs = np.linalg.eigh(unit_mm)
    if evals[0] < -DEGENERATE_RTOL * evals[-1]:
        check_invertible(f_mm, dnames, f"the block of {label} being marginalized")  # raises
    flat = evals <= DEGENERATE_RTOL * evals[-1]
    s_k = 1.0 / np.sqrt(np.diag(f_kk))
    coupling = (matrix[np.ix_(keep, drop)] * s_k[:, None] * s_m[None, :]) @ evecs[:, flat]
    if coupling.size and np.max(np.abs(coupling)) > _COUPLING_RTOL:
        j = int(np.argmax(np.max(np.abs(coupling), axis=0)))
        raise ValueError(
            f"cannot marginalize {label} over {dnames}: the combination "
            f"{_direction(evecs[:, flat][:, j], dnames)} is unconstrained yet correlated with "
            f"the kept parameters {[names[i] for i in keep]}. Add a prior (.add_prior) on it."
        )
    vec = evecs[:, ~flat]
    pinv_unit = (vec / evals[~flat]) @ vec.T
    f_km = matrix[np.ix_(keep, drop)] * s_m[None, :]
    wide = _range_flat(pinv_unit * s_m[:, None] * s_m[None, :], dnames)
    if wide:  # integrating out a direction the data do not constrain: fine only if it is decoupled
        _, _, _, lam, v, scale = wide
        t = matrix[np.ix_(keep, drop)] @ (scale * v)
        with np.errstate(divide="ignore", invalid="ignore"):  # a kept parameter without information
            coupled = not np.max(lam * t**2 / np.diag(f_kk)) <= _COUPLING_RTOL
        if coupled:
            raise ValueError(_range_flat_message(f"the block of {label} being marginalized", dnames, wide))
    out = f_kk - f_km @ pinv_unit @ f_km.T
    return 0.5 * (out + out.T)

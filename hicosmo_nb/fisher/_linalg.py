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
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["DEGENERATE_RTOL", "check_invertible", "inverse", "schur_marginal"]

DEGENERATE_RTOL = 1e-8  # eigenvalue of the unit-diagonal matrix (relative to the largest) = flat
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


def inverse(matrix: np.ndarray, names: Sequence[str], label: str) -> np.ndarray:
    """Inverse of a symmetric positive-definite matrix, scaled to unit diagonal for accuracy."""
    check_invertible(matrix, names, label)
    unit, scale = _unit(matrix)
    chol = np.linalg.cholesky(unit)
    inv_chol = np.linalg.solve(chol, np.eye(len(names)))
    inv = inv_chol.T @ inv_chol
    return inv * scale[:, None] * scale[None, :]


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
    out = f_kk - f_km @ pinv_unit @ f_km.T
    return 0.5 * (out + out.T)

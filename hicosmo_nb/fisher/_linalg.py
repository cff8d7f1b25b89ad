"""Inverting Fisher matrices with errors that say which parameters are unconstrained."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["check_invertible", "inverse"]

_DEGENERATE_RTOL = 1e-12  # eigenvalue of the unit-diagonal matrix below which F is singular


def _direction(vec: np.ndarray, names: Sequence[str]) -> str:
    order = np.argsort(-np.abs(vec))
    terms = [f"{vec[i]:+.2f}*{names[i]}" for i in order if abs(vec[i]) > 0.1]
    return " ".join(terms) if terms else "(none)"


def check_invertible(matrix: np.ndarray, names: Sequence[str], label: str) -> None:
    """Raise a ValueError that says which parameters are unconstrained, or return None."""
    diag = np.diag(matrix)
    bad = [n for n, d in zip(names, diag) if not d > 0]
    if bad:
        raise ValueError(
            f"{label} has no information on {', '.join(map(repr, bad))} (diagonal entry <= 0): "
            f"the data do not constrain {'it' if len(bad) == 1 else 'them'}. "
            f"Add a prior with .add_prior({{{bad[0]!r}: sigma}}) or remove it with "
            f".fix([{bad[0]!r}])."
        )
    scale = 1.0 / np.sqrt(diag)
    unit = matrix * scale[:, None] * scale[None, :]
    evals, evecs = np.linalg.eigh(unit)
    if evals[0] <= _DEGENERATE_RTOL * evals[-1]:
        kind = "not positive definite" if evals[0] < -_DEGENERATE_RTOL * evals[-1] else "singular"
        hint = (
            " An observed Fisher matrix away from the likelihood maximum can be indefinite: "
            "evaluate it at the best fit, or use fisher_expected."
            if kind == "not positive definite"
            else ""
        )
        raise ValueError(
            f"{label} is {kind}: the combination {_direction(evecs[:, 0], names)} is "
            f"unconstrained (eigenvalue {evals[0]:.3g} of the unit-diagonal matrix). "
            f"Add a prior (.add_prior) on one of these parameters or fix one (.fix).{hint}"
        )


def inverse(matrix: np.ndarray, names: Sequence[str], label: str) -> np.ndarray:
    """Inverse of a symmetric positive-definite matrix, scaled to unit diagonal for accuracy."""
    check_invertible(matrix, names, label)
    scale = 1.0 / np.sqrt(np.diag(matrix))
    unit = matrix * scale[:, None] * scale[None, :]
    chol = np.linalg.cholesky(unit)
    inv_chol = np.linalg.solve(chol, np.eye(len(names)))
    inv = inv_chol.T @ inv_chol
    return inv * scale[:, None] * scale[None, :]

"""The :class:`FisherMatrix`: an immutable, named Gaussian approximation of a posterior.

Every operation returns a new object; nothing is modified in place. The linear algebra is plain
NumPy in float64 (the matrices are small): the Fisher matrix itself comes from JAX
(:mod:`hicosmo_nb.fisher.compute`), what is done with it afterwards needs no tracing.

Conventions (the textbook ones, e.g. Coe 2009, arXiv:0906.4123):

- *marginalize* over a parameter: integrate it out. Invert ``F``, take the block of the kept
  parameters, invert back; computed here as the equivalent Schur complement
  ``F_kk - F_km F_mm^-1 F_mk``, which also works when the kept block alone is degenerate.
- *fix* (condition on) a parameter: hold it at its fiducial value. Take the block of ``F``.
- marginalized errors ``sqrt(diag(F^-1))`` are never smaller than conditional ones
  ``1 / sqrt(diag(F))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _config  # noqa: F401  (float64)
from ..parameters import as_names, check_scalar_params, unknown_name_error
from ._linalg import inverse as _inverse
from ._linalg import schur_marginal as _schur_marginal

__all__ = ["FisherMatrix", "combine_fishers"]

_SYM_RTOL = 1e-8  # relative asymmetry accepted as rounding


@dataclass(frozen=True, eq=False)
class FisherMatrix:
    """A Fisher matrix with parameter names and the fiducial point it was computed at.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Symmetric Fisher information matrix (inverse covariance).
    names : sequence of str
        Parameter names, in the order of the rows.
    fiducial : mapping
        Parameter values at which the matrix was evaluated; must contain every name. Extra
        entries (parameters held fixed) are kept for reference.
    name : str
        Label for legends and reports.

    Raises
    ------
    ValueError
        If the matrix is not square, not finite, not symmetric (beyond rounding), does not match
        ``names``, or a name is repeated or missing from ``fiducial``.

    Examples
    --------
    >>> F = FisherMatrix([[4.0, 0.0], [0.0, 1.0]], ["a", "b"], {"a": 0.0, "b": 1.0})
    >>> F.marginalized_errors()
    {'a': 0.5, 'b': 1.0}
    """

    matrix: np.ndarray
    names: tuple[str, ...]
    fiducial: Mapping[str, float]
    name: str = "Fisher"

    def __post_init__(self):
        names = as_names(self.names, "names")
        mat = np.array(self.matrix, dtype=np.float64)
        if mat.ndim != 2 or mat.shape[0] != mat.shape[1]:
            raise ValueError(f"Fisher matrix must be square, got shape {mat.shape}")
        if mat.shape[0] != len(names):
            raise ValueError(
                f"Fisher matrix is {mat.shape[0]}x{mat.shape[0]} but {len(names)} names were "
                f"given: {names}"
            )
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"parameter names must be unique, repeated: {dup}")
        if not np.all(np.isfinite(mat)):
            bad = sorted({names[i] for i, j in zip(*np.nonzero(~np.isfinite(mat)))})
            raise ValueError(f"Fisher matrix has NaN or inf entries in the rows of {bad}")
        asym = np.max(np.abs(mat - mat.T), initial=0.0)
        size = np.max(np.abs(mat), initial=0.0)
        if asym > _SYM_RTOL * size:
            i, j = np.unravel_index(np.argmax(np.abs(mat - mat.T)), mat.shape)
            raise ValueError(
                f"Fisher matrix is not symmetric: F[{names[i]}, {names[j]}] = {mat[i, j]:.6g} "
                f"but F[{names[j]}, {names[i]}] = {mat[j, i]:.6g} (max |F - F^T| = {asym:.3g}, "
                f"relative {asym / size:.3g}). If this is rounding, pass (F + F.T) / 2."
            )
        mat = 0.5 * (mat + mat.T)
        mat.setflags(write=False)
        missing = [n for n in names if n not in self.fiducial]
        if missing:
            raise ValueError(f"fiducial is missing values for {missing}; it has {sorted(self.fiducial)}")
        check_scalar_params(self.fiducial, self.fiducial.keys(), "FisherMatrix fiducial")
        fid = MappingProxyType({k: float(v) for k, v in self.fiducial.items()})  # read-only
        object.__setattr__(self, "matrix", mat)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "fiducial", fid)

    # ----------------------------------------------------------------------------- basics
    @classmethod
    def from_covariance(cls, cov, names: Sequence[str], fiducial: Mapping[str, float],
                        name: str = "Fisher") -> "FisherMatrix":
        """The Fisher matrix whose inverse is ``cov`` (e.g. a posterior sample covariance)."""
        names = as_names(names, "names")
        cov = np.array(cov, dtype=np.float64)
        if cov.shape != (len(names), len(names)):
            raise ValueError(f"covariance shape {cov.shape} does not match {len(names)} names")
        return cls(_inverse(0.5 * (cov + cov.T), names, "covariance", is_fisher=False), names, fiducial, name)

    @property
    def size(self) -> int:
        """Number of parameters."""
        return len(self.names)

    def index(self, names: str | Iterable[str]) -> list[int]:
        """Row indices of ``names``; raises ValueError naming unknown ones."""
        names = as_names(names, "parameters")
        unknown = [n for n in names if n not in self.names]
        if unknown:
            raise unknown_name_error("parameter", unknown, self.names)
        return [self.names.index(n) for n in names]

    def _new(self, matrix, names, fiducial=None, name=None) -> "FisherMatrix":
        fid = dict(self.fiducial if fiducial is None else fiducial)
        return FisherMatrix(matrix, tuple(names), fid, self.name if name is None else name)

    @property
    def covariance(self) -> np.ndarray:
        """The inverse ``F^-1``; raises ValueError naming the unconstrained direction."""
        return _inverse(self.matrix, self.names, f"Fisher matrix {self.name!r}")

    def marginalized_errors(self) -> dict[str, float]:
        """1-sigma errors with every other parameter marginalized: ``sqrt(diag(F^-1))``."""
        return dict(zip(self.names, np.sqrt(np.diag(self.covariance)).tolist()))

    def conditional_errors(self) -> dict[str, float]:
        """1-sigma errors with every other parameter fixed: ``1 / sqrt(diag(F))``."""
        diag = np.diag(self.matrix)
        bad = [n for n, d in zip(self.names, diag) if not d > 0]
        if bad:
            raise ValueError(f"no information on {bad} (diagonal entry <= 0); add a prior")
        return dict(zip(self.names, (1.0 / np.sqrt(diag)).tolist()))

    def correlation(self) -> np.ndarray:
        """Correlation matrix of the parameters (from the covariance ``F^-1``)."""
        cov = self.covariance
        s = np.sqrt(np.diag(cov))
        return cov / s[:, None] / s[None, :]

    def figure_of_merit(self, params: Sequence[str] = ("w0", "wa")) -> float:
        """DETF figure of merit ``1 / sqrt(det C)`` of the marginalized 2x2 covariance.

        Examples
        --------
        >>> F = FisherMatrix([[4.0, 0.0], [0.0, 25.0]], ["w0", "wa"], {"w0": -1.0, "wa": 0.0})
        >>> round(F.figure_of_merit(), 12)
        10.0
        """
        params = as_names(params, "params")
        if len(params) != 2:
            raise ValueError(f"figure_of_merit needs exactly 2 parameters, got {params}")
        sub = self.marginal(params).covariance  # raises naming the flat direction, if any
        return float(1.0 / np.sqrt(np.linalg.det(sub)))

    # ------------------------------------------------------------------ reduce dimension
    def marginalize(self, params: str | Iterable[str]) -> "FisherMatrix":
        """Integrate out ``params``; the result covers the other parameters.

        Equal to inverting, taking the block of the kept parameters and inverting back, but
        computed as the Schur complement ``F_kk - F_km F_mm^-1 F_mk`` so that only the
        marginalized block needs to be invertible. A flat direction inside the marginalized
        block (e.g. the ``H0``-``M`` degeneracy of SNe) is integrated out exactly: it does not
        touch the kept parameters, so e.g. the ``w0``-``wa`` figure of merit stays finite and
        equals the one with ``H0`` fixed.
        """
        drop = self.index(params)
        keep = [i for i in range(self.size) if i not in drop]
        if not keep:
            raise ValueError(f"cannot marginalize over every parameter {self.names}")
        if not drop:
            return self
        schur = _schur_marginal(self.matrix, keep, drop, self.names, repr(self.name))
        return self._new(schur, [self.names[i] for i in keep])

    def fix(self, params: str | Iterable[str]) -> "FisherMatrix":
        """Condition on ``params`` at their fiducial values (take the block of the others)."""
        drop = self.index(params)
        keep = [i for i in range(self.size) if i not in drop]
        if not keep:
            raise ValueError(f"cannot fix every parameter {self.names}")
        return self._new(self.matrix[np.ix_(keep, keep)], [self.names[i] for i in keep])

    def marginal(self, params: str | Iterable[str]) -> "FisherMatrix":
        """The Fisher matrix of ``params`` alone (in that order), all others marginalized."""
        params = as_names(params, "params")
        self.index(params)
        out = self.marginalize([n for n in self.names if n not in params])
        idx = out.index(params)
        return out._new(out.matrix[np.ix_(idx, idx)], params)

    def conditional(self, params: str | Iterable[str]) -> "FisherMatrix":
        """The Fisher matrix of ``params`` alone (in that order), all others fixed."""
        params = as_names(params, "params")
        idx = self.index(params)
        return self._new(self.matrix[np.ix_(idx, idx)], params)

    # ------------------------------------------------------------------- add information
    def add_prior(self, sigmas: Mapping[str, float]) -> "FisherMatrix":
        """Add independent Gaussian priors of width ``sigmas[name]`` (adds ``1/sigma^2``)."""
        idx = self.index(list(sigmas))
        mat = self.matrix.copy()
        for i, (n, s) in zip(idx, sigmas.items()):
            s = float(s)
            if not (np.isfinite(s) and s > 0):
                raise ValueError(f"prior width for {n!r} must be finite and > 0, got {s}")
            mat[i, i] += 1.0 / s**2
        return self._new(mat, self.names)

    def __add__(self, other: "FisherMatrix") -> "FisherMatrix":
        return combine_fishers(self, other)

    def reparametrize(self, old_from_new: Callable[[dict], Mapping], new_fiducial: Mapping[str, float],
                      *, new_names: Sequence[str] | None = None, name: str | None = None) -> "FisherMatrix":
        """Change variables: ``F_new = J^T F J`` with ``J[i, a] = d old_i / d new_a``.

        Parameters
        ----------
        old_from_new : callable
            Pure jnp function of a dict of new parameters returning a dict with the old ones.
            Old parameters it does not return pass through unchanged when they are also new
            parameters (same name).
        new_fiducial : mapping
            Values of the new parameters; ``old_from_new(new_fiducial)`` must reproduce the
            old fiducial (checked).
        new_names : sequence of str, optional
            Order of the new parameters (default: the keys of ``new_fiducial``).

        Examples
        --------
        >>> F = FisherMatrix([[1e4]], ["h"], {"h": 0.7})
        >>> G = F.reparametrize(lambda p: {"h": p["H0"] / 100}, {"H0": 70.0})
        >>> round(G.marginalized_errors()["H0"], 6)
        1.0
        """
        new_names = as_names(list(new_fiducial) if new_names is None else new_names, "new_names")
        missing = [n for n in new_names if n not in new_fiducial]
        if missing:
            raise ValueError(f"new_fiducial is missing values for {missing}")
        theta = jnp.asarray([float(new_fiducial[n]) for n in new_names])

        def old_vector(t):
            new = dict(zip(new_names, t))
            out = dict(old_from_new(new))
            vals = []
            for n in self.names:
                if n in out:
                    vals.append(jnp.asarray(out[n], dtype=jnp.float64))
                elif n in new:
                    vals.append(new[n])
                else:
                    raise ValueError(
                        f"old_from_new did not return {n!r} and it is not a new parameter; "
                        f"it returned {sorted(out)}"
                    )
            return jnp.stack(vals)

        old0 = np.asarray(old_vector(theta))
        ref = np.array([self.fiducial[n] for n in self.names])
        bad = ~np.isclose(old0, ref, rtol=1e-6, atol=1e-12)
        if np.any(bad):
            i = int(np.argmax(bad))
            raise ValueError(
                f"old_from_new(new_fiducial) gives {self.names[i]} = {old0[i]:.8g} but this "
                f"Fisher matrix was evaluated at {self.names[i]} = {ref[i]:.8g}; the new fiducial "
                "must map onto the old one"
            )
        jac = np.asarray(jax.jacfwd(old_vector)(theta))
        if not np.all(np.isfinite(jac)):
            raise ValueError("the Jacobian of old_from_new at new_fiducial is not finite")
        fid = {**self.fiducial, **{n: float(new_fiducial[n]) for n in new_names}}
        for n in self.names:
            if n not in new_names:
                fid.pop(n, None)
        return FisherMatrix(jac.T @ self.matrix @ jac, new_names, fid, name or self.name)

    def __repr__(self) -> str:
        return f"FisherMatrix(name={self.name!r}, names={self.names})"


def combine_fishers(*fishers: FisherMatrix, name: str | None = None) -> FisherMatrix:
    """Sum Fisher matrices of independent probes over the union of their parameters.

    A parameter missing from one probe contributes no information there. Fiducial values of
    shared parameters must agree (relative 1e-6).

    Examples
    --------
    >>> a = FisherMatrix([[1.0]], ["x"], {"x": 0.0})
    >>> b = FisherMatrix([[3.0]], ["x"], {"x": 0.0})
    >>> (a + b).matrix
    array([[4.]])
    """
    if not fishers:
        raise ValueError("combine_fishers() needs at least one FisherMatrix, got none")
    for i, f in enumerate(fishers):
        if not isinstance(f, FisherMatrix):
            raise ValueError(f"argument {i} is {type(f).__name__}, expected a FisherMatrix")
    names = tuple(dict.fromkeys(n for f in fishers for n in f.names))
    fid: dict[str, float] = {}
    for f in fishers:
        for k, v in f.fiducial.items():
            if k in fid and not np.isclose(fid[k], v, rtol=1e-6, atol=1e-12):
                raise ValueError(
                    f"cannot combine Fisher matrices evaluated at different fiducials: "
                    f"{k} = {fid[k]:.8g} in one and {v:.8g} in {f.name!r}"
                )
            fid.setdefault(k, v)
    total = np.zeros((len(names), len(names)))
    for f in fishers:
        idx = [names.index(n) for n in f.names]
        total[np.ix_(idx, idx)] += f.matrix
    return FisherMatrix(total, names, fid, name or " + ".join(f.name for f in fishers))

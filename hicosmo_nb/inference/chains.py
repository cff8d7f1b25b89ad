"""Chains in the plain-text format GetDist and Cobaya read and write.

A chain set with prefix ``p`` is

- ``p.1.txt``, ``p.2.txt``, ...: one file per chain, one row per draw, columns
  ``weight  -log(posterior)  param1  param2 ...``;
- ``p.paramnames``: one line per parameter, ``name<TAB>LaTeX label`` (no dollars);
- ``p.ranges``: ``name  lower  upper`` for parameters with a bounded prior (``N`` where a side
  is unbounded).

This is GetDist's chain format (https://getdist.readthedocs.io/en/latest/intro.html, "Samples
and chains") and the one Cobaya writes for MCMC output (``# weight minuslogpost ...`` header),
so :func:`save_chains` output opens in GetDist, Cobaya's tools and CosmoMC-era scripts, and
:func:`read_chains` reads chains from those pipelines (draws only: no sampler state, no
diagnostics beyond the draws); :func:`hicosmo_nb.inference.load_chains` makes them a
:class:`~.results.Result` for overlaying with ours. The functions here take a result as any
object with ``names``, ``samples``, ``manifest``, ``to_arviz()``, ``num_chains`` and
``num_draws`` (results sit above this module).

Labels come from :mod:`hicosmo_nb.parameters` (or a prior's own ``label``); ranges from the
priors (the ``priors`` argument, else the problem recorded in the result's manifest).

Examples
--------
>>> import numpy as np, tempfile, os
>>> from hicosmo_nb.inference import Result, Uniform, load_chains
>>> rng = np.random.default_rng(0)
>>> r = Result.from_arrays({"Omega_m": 0.3 + 0.01 * rng.standard_normal((2, 50))})
>>> prefix = os.path.join(tempfile.mkdtemp(), "toy")
>>> files = save_chains(r, prefix, priors={"Omega_m": Uniform(0.1, 0.5)}, warn=False)
>>> [f.name for f in files]
['toy.1.txt', 'toy.2.txt', 'toy.paramnames', 'toy.ranges']
>>> open(prefix + ".paramnames").read()
'Omega_m\\t\\\\Omega_m\\n'
>>> back = load_chains(prefix)
>>> back.samples["Omega_m"].shape, bool(np.allclose(back.samples["Omega_m"], r.samples["Omega_m"]))
((2, 50), True)
"""

from __future__ import annotations

import math
import os
import pathlib
import re
import warnings
from typing import Any, Mapping, NamedTuple

import numpy as np

from ..parameters import latex_label

__all__ = ["ChainFiles", "save_chains", "read_chains", "to_getdist", "chain_ranges"]

_FLOAT = "%.18e"  # round-trips float64 exactly


def _labels(names: list[str], priors: Mapping[str, Any]) -> list[str]:
    """LaTeX labels without dollars: a prior's own label, else the parameter registry's."""
    out = []
    for n in names:
        p = priors.get(n)
        label = p.latex(n) if p is not None else latex_label(n)
        out.append(label[1:-1] if label.startswith("$") and label.endswith("$") else label)
    return out


def _priors_of(result, priors: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if priors is not None:
        return priors
    fit = result.manifest.get("fit")
    if fit:
        from .spec import ProblemSpec

        return ProblemSpec.from_json(fit).priors
    return {}


def chain_ranges(result, priors: Mapping[str, Any] | None = None) -> dict[str, tuple[float, float]]:
    """``{name: (lower, upper)}`` of the sampled parameters with a bounded prior.

    ``priors`` (``{name: Prior}``) if given, else the problem recorded in the manifest (results of
    :func:`hicosmo_nb.fit` and the command line); parameters without a known prior are left out.

    Examples
    --------
    >>> import numpy as np
    >>> from hicosmo_nb.inference import Result, Uniform, Normal
    >>> r = Result.from_arrays({"a": np.zeros((1, 3)), "b": np.zeros((1, 3))})
    >>> chain_ranges(r, {"a": Uniform(0, 1), "b": Normal(0, 1)})
    {'a': (0.0, 1.0)}
    """
    priors = _priors_of(result, priors)
    out = {}
    for n in result.names:
        if n in priors:
            lo, hi = priors[n].bounds
            if math.isfinite(lo) or math.isfinite(hi):
                out[n] = (float(lo), float(hi))
    return out


def _minus_log_post(result, warn: bool) -> np.ndarray:
    dt = result.to_arviz()
    if "sample_stats" in dt.children and "lp" in dt["sample_stats"].data_vars:
        return -np.asarray(dt["sample_stats"]["lp"].values, dtype=np.float64)
    if warn:
        warnings.warn("the result has no sample_stats 'lp' (log posterior), so the chain files' "
                      "-log(posterior) column is 0; results of run_nuts/fit carry it",
                      stacklevel=3)
    return np.zeros((result.num_chains, result.num_draws))


def save_chains(result, prefix: str | os.PathLike, *, priors: Mapping[str, Any] | None = None,
                overwrite: bool = False, warn: bool = True) -> list[pathlib.Path]:
    """Write ``result`` as GetDist/Cobaya plain-text chains (see the module docstring).

    Parameters
    ----------
    result : Result
        The draws; each chain goes to its own file, every row with weight 1.
    prefix : str or path-like
        Files are ``prefix.1.txt`` ... ``prefix.N.txt``, ``prefix.paramnames``, ``prefix.ranges``.
    priors : dict, optional
        ``{name: Prior}`` for the ranges and labels; default: the manifest's problem, if any.
    overwrite : bool
        Replace existing files; otherwise an existing file is an error.
    warn : bool
        Warn when the result has no log posterior to write (the column is then 0).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    FileExistsError
        If a file to write exists and ``overwrite`` is False.
    FileNotFoundError
        If the folder of ``prefix`` does not exist.
    """
    prefix = pathlib.Path(prefix)
    if not prefix.parent.is_dir():
        raise FileNotFoundError(f"folder {str(prefix.parent)!r} of the chain prefix does not exist")
    names = result.names
    samples = result.samples
    for n in names:
        if samples[n].ndim != 2:
            raise ValueError(f"parameter {n!r} has shape {samples[n].shape}; chain files hold "
                             f"scalar parameters of shape (chain, draw) only")
    priors_used = _priors_of(result, priors)
    mlp = _minus_log_post(result, warn)
    paths = [prefix.with_name(f"{prefix.name}.{c + 1}.txt") for c in range(result.num_chains)]
    paths += [prefix.with_name(prefix.name + ".paramnames"), prefix.with_name(prefix.name + ".ranges")]
    existing = [str(p) for p in paths if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"chain files exist: {existing}; pass overwrite=True to replace them")
    header = "weight minuslogpost " + " ".join(names)
    for c in range(result.num_chains):
        cols = [np.ones(result.num_draws), mlp[c]] + [samples[n][c] for n in names]
        np.savetxt(paths[c], np.column_stack(cols), fmt=_FLOAT, header=header)
    labels = _labels(names, priors_used)
    paths[-2].write_text("".join(f"{n}\t{lab}\n" for n, lab in zip(names, labels)))
    side = lambda x: "N" if math.isinf(x) else repr(float(x))  # noqa: E731
    ranges = chain_ranges(result, priors_used)
    paths[-1].write_text("".join(f"{n} {side(lo)} {side(hi)}\n" for n, (lo, hi) in ranges.items()))
    return paths


def _chain_files(prefix: pathlib.Path) -> list[pathlib.Path]:
    pat = re.compile(re.escape(prefix.name) + r"\.(\d+)\.txt$")
    found = sorted(((int(m.group(1)), p) for p in prefix.parent.glob(prefix.name + ".*.txt")
                    if (m := pat.match(p.name))), key=lambda t: t[0])
    return [p for _, p in found]


def _read_names(prefix: pathlib.Path, first: pathlib.Path, ncols: int) -> list[str]:
    pn = prefix.with_name(prefix.name + ".paramnames")
    if pn.is_file():
        names = [line.split()[0].rstrip("*") for line in pn.read_text().splitlines() if line.strip()]
    else:  # Cobaya's header: "#  weight  minuslogpost  name ..."
        with open(first) as f:
            head = f.readline()
        words = head.lstrip("#").split()
        if not (head.startswith("#") and words[:2] == ["weight", "minuslogpost"]):
            raise ValueError(f"no {pn.name!r} beside the chains and {first.name!r} has no Cobaya header "
                             f"'# weight minuslogpost name ...'; cannot name the columns")
        names = words[2:]
    if len(names) != ncols - 2:
        raise ValueError(f"{first.name!r} has {ncols} columns but {len(names)} parameter names "
                         f"(+ weight and -log(posterior) columns expected)")
    return names


class ChainFiles(NamedTuple):
    """Chains read by :func:`read_chains`: ``{name: (chain, draw)}`` draws, the log posterior
    ``lp (chain, draw)`` and a manifest naming the files."""

    posterior: dict
    lp: np.ndarray
    manifest: dict


def read_chains(prefix: str | os.PathLike) -> ChainFiles:
    """Read GetDist/Cobaya chains ``prefix.1.txt`` ... (draws only).

    Integer weights (Cobaya's MCMC multiplicities) are expanded into repeated draws. Chains of
    equal length become separate chains; chains of different lengths are joined into one chain,
    with a warning (R-hat then cannot compare them). ``-log(posterior)`` becomes ``sample_stats.lp``.

    Raises
    ------
    FileNotFoundError
        If no ``prefix.N.txt`` file exists.
    ValueError
        If a file has non-integer weights, too few columns or a column count that does not match
        the parameter names.
    """
    prefix = pathlib.Path(prefix)
    files = _chain_files(prefix)
    if not files:
        raise FileNotFoundError(f"no chain files {str(prefix)!r}.1.txt, .2.txt, ... found")
    chains, lps, names = [], [], None
    for f in files:
        rows = np.loadtxt(f, comments="#", ndmin=2, dtype=np.float64)
        if rows.shape[1] < 3:
            raise ValueError(f"{str(f)!r} has {rows.shape[1]} columns; expected weight, "
                             f"-log(posterior) and at least one parameter")
        names = names or _read_names(prefix, f, rows.shape[1])
        w = rows[:, 0]
        if np.any(w < 0) or not np.all(w == np.round(w)):
            raise ValueError(f"{str(f)!r} has non-integer or negative weights (e.g. {w[w != np.round(w)][:3]}); "
                             f"a Result holds equally weighted draws: resample the chain first")
        reps = w.astype(np.int64)
        chains.append(np.repeat(rows[:, 2:], reps, axis=0))
        lps.append(-np.repeat(rows[:, 1], reps))
    lengths = {len(c) for c in chains}
    if len(lengths) > 1:
        warnings.warn(f"chains {str(prefix)!r} have different lengths {sorted(lengths)}; joined into "
                      f"one chain", stacklevel=3)
        chains, lps = [np.concatenate(chains)], [np.concatenate(lps)]
    draws = np.stack(chains)  # (chain, draw, param)
    posterior = {n: draws[:, :, i] for i, n in enumerate(names)}
    return ChainFiles(posterior, np.stack(lps), {"source": {"chains": str(prefix), "files": len(files)}})


def to_getdist(result, *, priors: Mapping[str, Any] | None = None, label: str | None = None):
    """The draws as a ``getdist.MCSamples`` (names, LaTeX labels, ranges; needs ``getdist``).

    Raises
    ------
    ImportError
        If getdist is not installed (``pip install getdist``).
    """
    try:
        from getdist import MCSamples
    except ImportError as err:
        raise ImportError("Result.to_getdist() needs getdist: pip install getdist") from err
    priors_used = _priors_of(result, priors)
    names = result.names
    s = result.samples
    mlp = _minus_log_post(result, warn=False)
    chains = [np.column_stack([s[n][c] for n in names]) for c in range(result.num_chains)]
    return MCSamples(samples=chains, loglikes=list(mlp), names=names, labels=_labels(names, priors_used),
                     ranges=chain_ranges(result, priors_used), label=label,
                     settings={"ignore_rows": 0})

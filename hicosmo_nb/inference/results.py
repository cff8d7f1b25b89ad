"""The sampling result: an ArviZ DataTree plus its manifest and the final sampler state.

:class:`Result` wraps one ``xarray.DataTree`` with the ArviZ groups ``posterior``,
``sample_stats`` (``lp``, ``energy``, ``diverging``, ``tree_depth``, ``n_steps``,
``step_size``, ``acceptance_rate``) and, when asked for, ``log_likelihood``; a
``sampler_state`` group holds the final NUTS state so a loaded run can be continued without
warmup; the run manifest is JSON text in ``attrs["hicosmo_nb_manifest"]``. Files are netCDF-4
(h5netcdf), never pickle.

Examples
--------
>>> import numpy as np, tempfile, os
>>> r = Result.from_arrays({"x": np.zeros((2, 5))}, manifest={"note": "toy"})
>>> path = os.path.join(tempfile.mkdtemp(), "r.nc")
>>> _ = r.save(path)
>>> load(path).manifest["note"], load(path).samples["x"].shape
('toy', (2, 5))
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping

import numpy as np

from .chains import read_chains, save_chains, to_getdist
from .checkpoint import SamplerState, atomic_write
from .diagnostics import compute_diagnostics, problems

if TYPE_CHECKING:  # xarray and arviz_base are imported where used: the import (xarray pulls in
    import xarray as xr  # pandas) then overlaps a run's MAP search (diagnostics.preload_stats)

__all__ = ["Result", "load", "load_chains", "concat_chains", "concat_draws"]

MANIFEST_ATTR = "hicosmo_nb_manifest"
STATE_GROUP = "sampler_state"


def _state_dataset(state: SamplerState) -> xr.Dataset:
    """The arrays of :meth:`SamplerState.to_arrays`: the leaves as variables, the 0-d ones as attrs."""
    import xarray as xr
    data, attrs = {}, {}
    for k, x in state.to_arrays().items():
        if x.ndim == 0:
            attrs[k] = x.item()
        else:
            data[k] = (tuple(f"{k}_d{j}" for j in range(x.ndim)), x)
    return xr.Dataset(data, attrs=attrs)


def _state_from_dataset(ds: xr.Dataset) -> SamplerState:
    return SamplerState.from_arrays({**ds.attrs, **{k: v.values for k, v in ds.data_vars.items()}})


class Result:
    """Posterior draws with diagnostics, manifest, plotting and netCDF I/O.

    Parameters
    ----------
    datatree : xarray.DataTree
        With at least a ``posterior`` group of ``(chain, draw)`` variables.
    state : SamplerState, optional
        Final sampler state, for continuing.
    """

    continuation: ClassVar[Callable[..., "Result"] | None] = None
    """What :meth:`continue_run` calls: :func:`hicosmo_nb.inference.continue_nuts`, set where
    :mod:`hicosmo_nb.inference` assembles its modules (the runner sits above results, so
    results does not import it)."""

    def __init__(self, datatree: xr.DataTree, state: SamplerState | None = None):
        if "posterior" not in datatree.children:
            raise ValueError(f"a Result needs a 'posterior' group; got groups {list(datatree.children)}")
        if state is None and STATE_GROUP in datatree.children:
            state = _state_from_dataset(datatree[STATE_GROUP].to_dataset())
        self._dt = datatree
        self.state = state

    @classmethod
    def from_arrays(cls, posterior: Mapping[str, np.ndarray], *, sample_stats=None,
                    log_likelihood=None, manifest: Mapping | None = None, state=None) -> "Result":
        """Build from ``{name: (chain, draw) array}`` dicts.

        Raises
        ------
        ValueError
            If an array is not at least 2-D ``(chain, draw, ...)`` or the arrays disagree on
            ``(chain, draw)`` (arviz would pad the shorter ones with NaN).
        """
        groups = {"posterior": {k: np.asarray(v) for k, v in posterior.items()}}
        if sample_stats:
            groups["sample_stats"] = {k: np.asarray(v) for k, v in sample_stats.items()}
        if log_likelihood:
            groups["log_likelihood"] = {k: np.asarray(v) for k, v in log_likelihood.items()}
        shapes = {f"{g}[{k!r}]" if g != "posterior" else k: v.shape
                  for g, arrays in groups.items() for k, v in arrays.items()}
        flat = [k for k, s in shapes.items() if len(s) < 2]
        if flat:
            raise ValueError(f"{flat[0]} has shape {shapes[flat[0]]}; every array must be "
                             "(chain, draw, ...), e.g. x[None, :] for one chain")
        if len({s[:2] for s in shapes.values()}) > 1:
            listed = ", ".join(f"{k} {s}" for k, s in shapes.items())
            raise ValueError(f"arrays disagree on (chain, draw): {listed}; every parameter needs "
                             "the same number of chains and draws")
        from arviz_base import from_dict

        dt = from_dict(groups)
        dt.attrs[MANIFEST_ATTR] = json.dumps(dict(manifest or {}), sort_keys=True)
        return cls(dt, state)

    # -- access --------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Sampled parameter names."""
        return list(self._dt["posterior"].data_vars)

    @property
    def samples(self) -> dict[str, np.ndarray]:
        """``{name: numpy array (chain, draw)}``."""
        post = self._dt["posterior"]
        return {k: np.asarray(post[k].values) for k in post.data_vars}

    @property
    def manifest(self) -> dict[str, Any]:
        """The run manifest (versions, data checksums, keys, settings, timings)."""
        return json.loads(self._dt.attrs.get(MANIFEST_ATTR, "{}"))

    @property
    def num_chains(self) -> int:
        return int(self._dt["posterior"].sizes["chain"])

    @property
    def num_draws(self) -> int:
        return int(self._dt["posterior"].sizes["draw"])

    def to_arviz(self) -> xr.DataTree:
        """The ArviZ 1.x DataTree (posterior, sample_stats, optional log_likelihood)."""
        return self._dt

    def mean(self) -> dict[str, float]:
        return {k: float(v.mean()) for k, v in self.samples.items()}

    def std(self) -> dict[str, float]:
        return {k: float(v.std(ddof=1)) for k, v in self.samples.items()}

    # -- reporting -----------------------------------------------------------------------------
    def summary(self, *, ci_prob: float = 0.68, ci_kind: str = "eti", **kwargs):
        """``arviz.summary`` table (mean, sd, interval, bulk/tail ESS, R-hat, MCSE).

        The interval is the central (equal-tailed) 68% one by default, cosmology's convention
        (ArviZ's own default is an 89% HDI); the column names say which (``eti68_lb``,
        ``eti68_ub``). Other keywords go to :func:`arviz_stats.summary`.

        Raises
        ------
        ValueError
            If ``ci_prob`` is not strictly between 0 and 1 or ``ci_kind`` is not "eti"/"hdi".
        """
        import arviz_stats

        if not (isinstance(ci_prob, (int, float)) and 0.0 < ci_prob < 1.0):
            raise ValueError(f"ci_prob must be a probability strictly between 0 and 1 (e.g. 0.68, "
                             f"0.95), got {ci_prob!r}")
        if ci_kind not in ("eti", "hdi"):
            raise ValueError(f"ci_kind must be 'eti' (central) or 'hdi' (highest density), got {ci_kind!r}")
        return arviz_stats.summary(self._dt, ci_prob=ci_prob, ci_kind=ci_kind, **kwargs)

    def diagnostics(self) -> dict[str, Any]:
        """R-hat, bulk/tail ESS, divergences, E-BFMI and the advice for failed checks."""
        depth = self.manifest.get("settings", {}).get("max_tree_depth")
        d = compute_diagnostics(self._dt, max_tree_depth=depth)
        d["problems"] = problems(d)
        return d

    def corner(self, **kwargs):
        """Corner plot of the posterior (:func:`hicosmo_nb.plots.corner_plot`); returns the figure."""
        from ..plots import corner_plot  # plots sit above inference: imported on use

        return corner_plot(self._dt, **kwargs)

    def trace(self, **kwargs):
        """Trace plot of every chain (:func:`hicosmo_nb.plots.trace_plot`); returns the figure."""
        from ..plots import trace_plot

        return trace_plot(self._dt, **kwargs)

    def continue_run(self, num_samples: int, problem=None, **options) -> "Result":
        """``num_samples`` more draws per chain, without a new warmup
        (:func:`~hicosmo_nb.inference.continue_nuts`; facade and CLI results need no ``problem``)."""
        return type(self).continuation(self, num_samples, problem, **options)

    # -- I/O -----------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> pathlib.Path:
        """Write netCDF-4 (h5netcdf) atomically; refuses to replace a file unless ``overwrite``.

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is False.
        """
        path = pathlib.Path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{str(path)!r} exists; pass overwrite=True to replace it")
        import xarray as xr

        dt = self._dt.copy()
        if self.state is not None:
            dt[STATE_GROUP] = xr.DataTree(_state_dataset(self.state))
        atomic_write(path, lambda tmp: dt.to_netcdf(tmp, engine="h5netcdf"))
        return path

    def save_chains(self, prefix: str | os.PathLike, **options) -> list[pathlib.Path]:
        """Write GetDist/Cobaya plain-text chains ``prefix.1.txt``..., ``.paramnames``, ``.ranges``
        (:func:`hicosmo_nb.inference.chains.save_chains`, which takes ``options``)."""
        return save_chains(self, prefix, **options)

    def to_getdist(self, **options):
        """The draws as a ``getdist.MCSamples`` with names, LaTeX labels and prior ranges
        (:func:`hicosmo_nb.inference.chains.to_getdist`; needs getdist)."""
        return to_getdist(self, **options)

    def __repr__(self) -> str:
        m = self.manifest
        lk = m.get("likelihood", {}).get("name", "?")
        return (f"Result({lk!r}: {self.num_chains} chains x {self.num_draws} draws of "
                f"{', '.join(self.names)})")


def load(path: str | os.PathLike) -> Result:
    """Read a :class:`Result` written by :meth:`Result.save`, or GetDist/Cobaya chains.

    When ``path`` is not a file but ``path.1.txt`` exists, ``path`` is read as the prefix of
    plain-text chains (:func:`load_chains`; draws only).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist (neither a file nor a chain prefix).
    ValueError
        If the file is not netCDF-4/HDF5 (e.g. truncated, or another format), has no
        ``posterior`` group, or its sampler state is malformed; the message names the file.
    """
    path = pathlib.Path(path)
    if path.is_dir():
        found = sorted(p.name for p in path.glob("*.nc"))
        raise FileNotFoundError(f"result file {str(path)!r} is a folder; give the .nc file in it"
                                + (f" ({', '.join(found)})" if found else " (it holds no .nc file)"))
    if not path.is_file() and path.with_name(path.name + ".1.txt").is_file():
        return load_chains(path)
    if not path.is_file():
        raise FileNotFoundError(f"result file {str(path)!r} does not exist (nor chain files "
                                f"{str(path)!r}.1.txt, ...)")
    import xarray as xr

    expected = "a netCDF-4 (HDF5) file written by Result.save"
    try:
        with xr.open_datatree(path, engine="h5netcdf") as dt:
            dt = dt.load()
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as err:  # h5py/h5netcdf errors
        raise ValueError(f"result file {str(path)!r} is not readable as {expected} (truncated, "
                         f"or another format?): {type(err).__name__}: {err}") from err
    dt = dt.copy()
    if "posterior" not in dt.children:
        raise ValueError(f"result file {str(path)!r} has no 'posterior' group (it has "
                         f"{sorted(dt.children)}); expected {expected}")
    state = None
    if STATE_GROUP in dt.children:
        try:
            state = _state_from_dataset(dt[STATE_GROUP].to_dataset())
        except (KeyError, ValueError, TypeError) as err:
            raise ValueError(f"result file {str(path)!r}: its {STATE_GROUP!r} group is "
                             f"malformed ({type(err).__name__}: {err})") from err
        dt = dt.drop_nodes(STATE_GROUP)
    return Result(dt, state)


def load_chains(prefix: str | os.PathLike) -> Result:
    """Read GetDist/Cobaya chains ``prefix.1.txt`` ... into a :class:`Result` (draws only; see
    :func:`hicosmo_nb.inference.chains.read_chains` for the format and what it refuses).

    Raises
    ------
    FileNotFoundError
        If no ``prefix.N.txt`` file exists.
    ValueError
        A malformed file (named in the message).
    """
    c = read_chains(prefix)
    return Result.from_arrays(c.posterior, sample_stats={"lp": c.lp}, manifest=c.manifest)


def concat_chains(*results: Result) -> Result:
    """Join results of the same problem along ``chain`` (e.g. one per host or per run).

    Raises
    ------
    ValueError
        If fewer than one result is given or the parameter names / draw counts differ.
    """
    if not results:
        raise ValueError("concat_chains() needs at least one Result")
    names, draws = results[0].names, results[0].num_draws
    for r in results[1:]:
        if r.names != names or r.num_draws != draws:
            raise ValueError(f"cannot join results with parameters {r.names} x {r.num_draws} draws "
                             f"and {names} x {draws} draws")
    import xarray as xr

    groups = [g for g in results[0].to_arviz().children if g != STATE_GROUP]
    out = xr.DataTree()
    for g in groups:
        parts = [r.to_arviz()[g].to_dataset() for r in results]
        ds = xr.concat(parts, dim="chain").assign_coords(chain=np.arange(sum(p.sizes["chain"] for p in parts)))
        out[g] = xr.DataTree(ds)
    manifest = dict(results[0].manifest)
    manifest["joined"] = [r.manifest for r in results]
    out.attrs[MANIFEST_ATTR] = json.dumps(manifest, sort_keys=True)
    return Result(out)


def concat_draws(old: Result, new: Result) -> Result:
    """Append ``new``'s draws to ``old``'s along ``draw`` (a continued run); keeps ``new``'s
    manifest and sampler state."""
    import xarray as xr

    dt_old, dt_new = old.to_arviz(), new.to_arviz()
    out = xr.DataTree()
    for g in dt_new.children:
        ds = xr.concat([dt_old[g].to_dataset(), dt_new[g].to_dataset()], dim="draw")
        out[g] = xr.DataTree(ds.assign_coords(draw=np.arange(ds.sizes["draw"])))
    out.attrs.update(dt_new.attrs)
    return Result(out, new.state)

"""MCMC diagnostic plots (trace, rank) drawn by ArviZ 1.x (``arviz_plots``).

Thin wrappers: they convert the usual hicosmo_nb sample containers to an ArviZ DataTree, call
:func:`arviz_plots.plot_trace_dist` / :func:`arviz_plots.plot_rank` with the matplotlib backend,
and return the matplotlib Figure (ArviZ lays out its own grid, so there is no ``fig=``/``ax=``;
pass ``figsize=``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import arviz as az
import arviz_plots as azp
import numpy as np
from matplotlib.figure import Figure

from ..parameters import unknown_name_error

__all__ = ["trace_plot", "rank_plot", "to_datatree"]


def to_datatree(samples: Any):
    """An ArviZ DataTree from a DataTree, an object with ``to_arviz()``, or a dict of
    ``(chain, draw)`` arrays."""
    if hasattr(samples, "to_arviz"):
        samples = samples.to_arviz()
    if hasattr(samples, "children") and "posterior" in samples.children:
        return samples
    if isinstance(samples, Mapping):
        post = {}
        for k, v in samples.items():
            arr = np.asarray(v, dtype=np.float64)
            if arr.ndim < 2:
                raise ValueError(
                    f"samples[{k!r}] has shape {arr.shape}; diagnostics need (chain, draw) arrays"
                )
            post[str(k)] = arr
        shapes = {k: v.shape[:2] for k, v in post.items()}
        if len(set(shapes.values())) > 1:
            raise ValueError(f"every parameter needs the same (chain, draw) shape, got {shapes}")
        return az.from_dict({"posterior": post})
    raise ValueError(
        f"samples must be an ArviZ DataTree, a Result with to_arviz(), or a dict of (chain, draw) "
        f"arrays; got {type(samples).__name__}"
    )


def _figure(pc) -> Figure:
    return pc.viz["figure"].item()


def _check_vars(dt, var_names):
    if var_names is None:
        return None
    var_names = [var_names] if isinstance(var_names, str) else list(var_names)
    have = list(dt["posterior"].data_vars)
    bad = [v for v in var_names if v not in have]
    if bad:
        raise unknown_name_error("var_names entry (not in the posterior)", bad, have)
    return var_names


def trace_plot(samples: Any, *, var_names: Sequence[str] | None = None,
               figsize: tuple[float, float] | None = None, **kwargs) -> Figure:
    """Trace and marginal density per parameter and chain (:func:`arviz_plots.plot_trace_dist`).

    Examples
    --------
    >>> import numpy as np
    >>> fig = trace_plot({"x": np.random.default_rng(0).normal(size=(2, 100))})
    >>> len(fig.axes)
    2
    """
    dt = to_datatree(samples)
    fk = {"figure_kwargs": {"figsize": figsize}} if figsize else {}
    pc = azp.plot_trace_dist(dt, var_names=_check_vars(dt, var_names), backend="matplotlib",
                             **fk, **kwargs)
    return _figure(pc)


def rank_plot(samples: Any, *, var_names: Sequence[str] | None = None,
              figsize: tuple[float, float] | None = None, **kwargs) -> Figure:
    """Fractional-rank ECDF plot per chain (:func:`arviz_plots.plot_rank`): well-mixed chains
    stay inside the envelope.

    Examples
    --------
    >>> import numpy as np
    >>> fig = rank_plot({"x": np.random.default_rng(0).normal(size=(2, 100))})
    >>> len(fig.axes)
    1
    """
    dt = to_datatree(samples)
    fk = {"figure_kwargs": {"figsize": figsize}} if figsize else {}
    pc = azp.plot_rank(dt, var_names=_check_vars(dt, var_names), backend="matplotlib", **fk, **kwargs)
    return _figure(pc)

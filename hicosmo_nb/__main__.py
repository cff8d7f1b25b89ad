"""Command line: ``python -m hicosmo_nb fit|continue|list`` (also installed as ``hicosmo-nb``).

``fit`` runs :func:`hicosmo_nb.facade.fit` headless (flags not given take its defaults:
``RunSettings()``, a dense mass matrix, seed 0) and writes, into ``--out``:
``posterior.nc`` (ArviZ DataTree, netCDF-4), ``summary.csv`` and ``summary.txt`` (ArviZ
summary), ``corner.png`` and ``manifest.json``. It refuses to overwrite any of them unless
``--overwrite`` is given. While it runs, ``--out/checkpoint.npz`` (or ``--checkpoint``) holds
the run so far: after Ctrl-C (exit status 130) the same command resumes from it; it is removed
once the outputs are written. ``continue RESULT.nc --samples N`` adds draws to a saved run
(no new warmup) and rewrites its outputs (in another ``--out`` folder that holds outputs,
only with ``--overwrite``). ``list`` prints the models and datasets.

Arguments are checked before JAX is imported, so a typo fails at once (exit status 2).

``--distributed`` joins a multi-process run (:mod:`hicosmo_nb.inference.distributed`; the
cluster is detected under SLURM, Open MPI and cloud TPU): the chains are spread over every
process's devices and process 0 writes the outputs, e.g.
``srun --nodes=4 --ntasks-per-node=1 python -m hicosmo_nb fit LCDM desi_dr2_bao cc --chains 16
--distributed --out results/bao_cc``.

Examples
--------
::

    python -m hicosmo_nb fit LCDM desi_dr2_bao cc --free H0 Omega_m --out results/bao_cc
    python -m hicosmo_nb fit LCDM desi_dr2_bao --option desi_dr2_bao:rd=free \\
        --prior Omega_m=uniform:0.1:0.6 --samples 2000 --out results/bao
    python -m hicosmo_nb continue results/bao/posterior.nc --samples 1000
    python -m hicosmo_nb list
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import sys
from typing import Sequence

from .parameters import NEUTRINO_HIERARCHIES

OUTPUTS = ("posterior.nc", "summary.csv", "summary.txt", "corner.png", "manifest.json")
CHECKPOINT = "checkpoint.npz"
_PRIORS = {"uniform": ("Uniform", 2), "normal": ("Normal", 2), "truncnormal": ("TruncatedNormal", 4)}


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _pairs(items: Sequence[str], what: str) -> dict[str, str]:
    out = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"{what} {item!r} must look like NAME=VALUE")
        out[name] = value
    return out


def _number(flag: str, name: str, text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise ValueError(f"{flag} {name}={text!r} must be a finite number")
    return x


def _prior(name: str, text: str) -> tuple[str, list[float]]:
    """``(prior class name, numbers)`` from ``uniform:LO:HI`` etc. (built after JAX is imported)."""
    kind, *nums = text.split(":")
    try:
        vals = [float(x) for x in nums]
    except ValueError:
        vals = None
    spec = _PRIORS.get(kind.lower())
    if spec is None or vals is None or len(vals) != spec[1]:
        raise ValueError(f"--prior {name}={text!r} must be uniform:LO:HI, normal:MU:SIGMA or "
                         "truncnormal:MU:SIGMA:LO:HI")
    return spec[0], vals


def _options(items: Sequence[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for item in items or ():
        ds, sep, rest = item.partition(":")
        name, sep2, value = rest.partition("=")
        if not sep or not sep2 or not name:
            raise ValueError(f"option {item!r} must look like DATASET:KEY=VALUE")
        out.setdefault(ds, {})[name] = _value(value)
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hicosmo-nb", description="hicosmo_nb cosmology fits")
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="fit a model to datasets with NUTS and write the results")
    f.add_argument("model", help="model name, e.g. LCDM, wCDM, w0waCDM")
    f.add_argument("datasets", nargs="+", help="dataset names, e.g. desi_dr2_bao cc")
    f.add_argument("--free", nargs="+", help="free parameters (default: the model's and the datasets')")
    f.add_argument("--fixed", nargs="+", metavar="NAME=VALUE", help="fixed parameter values")
    f.add_argument("--prior", nargs="+", metavar="NAME=SPEC", help="uniform:LO:HI, normal:MU:SIGMA, "
                   "truncnormal:MU:SIGMA:LO:HI")
    f.add_argument("--option", nargs="+", metavar="DATASET:KEY=VALUE", help="dataset options (JSON values)")
    f.add_argument("--neutrino-hierarchy", default="one", choices=NEUTRINO_HIERARCHIES,
                   help="how m_nu splits into mass states, for every dataset (static, never sampled)")
    f.add_argument("--allow-overlap", action="store_true", help="combine datasets that share data "
                   "(DESI DR1 and DR2 BAO, two Planck compressions) without the warning")
    # run settings: unset ones take hicosmo_nb.fit's defaults (RunSettings(), NutsSettings(),
    # seed 0), read when the run starts: the defaults are typed once, and not here, where JAX
    # is not imported yet
    f.add_argument("--chains", type=int, help="number of chains (default: RunSettings().num_chains)")
    f.add_argument("--warmup", type=int, help="warmup iterations per chain (default: RunSettings().num_warmup)")
    f.add_argument("--samples", type=int, help="draws per chain (default: RunSettings().num_samples)")
    f.add_argument("--seed", type=int, help="the run key is KeyManager(SEED).key('nuts') (default: fit's)")
    f.add_argument("--chain-method", help="chain layout (default: RunSettings().chain_method)")
    f.add_argument("--distributed", action="store_true", help="one process of a multi-process run "
                   "(SLURM/TPU detected; chains over all processes' devices)")
    f.add_argument("--diagonal-mass", action="store_true", help="diagonal mass matrix (default dense)")
    f.add_argument("--target-accept", type=float, help="NUTS target acceptance (default: NutsSettings())")
    f.add_argument("--checkpoint", help=f"checkpoint .npz (default OUT/{CHECKPOINT}; resumes when it exists)")
    f.add_argument("--out", required=True, help="output folder")
    f.add_argument("--overwrite", action="store_true", help="replace existing result files")
    f.add_argument("--no-progress", action="store_true")
    c = sub.add_parser("continue", help="add draws to a saved run (no new warmup) and rewrite its outputs")
    c.add_argument("result", help="posterior.nc written by `fit` (or Result.save)")
    c.add_argument("--samples", type=int, required=True, help="draws per chain to add")
    c.add_argument("--out", help="output folder (default: the result's folder, whose outputs are replaced)")
    c.add_argument("--overwrite", action="store_true", help="replace result files in an --out folder "
                   "other than the result's own")
    c.add_argument("--chain-method", help="chain layout (default: as Run.continue_from)")
    c.add_argument("--checkpoint", help=f"checkpoint .npz (default OUT/{CHECKPOINT})")
    c.add_argument("--no-progress", action="store_true")
    sub.add_parser("list", help="list models and datasets")
    return p


def _out_dir(out: pathlib.Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} is an existing file; give a folder")
    existing = [n for n in OUTPUTS if (out / n).exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{out} already holds {', '.join(existing)}; pass --overwrite to replace them")


def _checked_fit(args) -> dict:
    """Every ``fit`` argument checked and converted, without importing JAX."""
    out = pathlib.Path(args.out)
    _out_dir(out, args.overwrite)
    for flag, v, minimum in (("--chains", args.chains, 1), ("--samples", args.samples, 1),
                             ("--warmup", args.warmup, 0)):
        if v is not None and v < minimum:
            raise ValueError(f"{flag} must be >= {minimum}; got {v}")
    if args.target_accept is not None and not 0.0 < args.target_accept < 1.0:
        raise ValueError(f"--target-accept must be in (0, 1); got {args.target_accept}")
    given = {"seed": args.seed, "num_chains": args.chains, "num_warmup": args.warmup,
             "num_samples": args.samples, "chain_method": args.chain_method,
             "target_accept": args.target_accept, "dense_mass": False if args.diagonal_mass else None}
    return {"out": out, "fixed": {k: _number("--fixed", k, v) for k, v in _pairs(args.fixed, "--fixed").items()},
            "run": {k: v for k, v in given.items() if v is not None},  # fit's keywords; unset: its defaults
            "priors": {k: _prior(k, v) for k, v in _pairs(args.prior, "--prior").items()},
            "options": _options(args.option),
            "checkpoint": pathlib.Path(args.checkpoint) if args.checkpoint else out / CHECKPOINT}


def _write(res, out: pathlib.Path, checkpoint: pathlib.Path, default_checkpoint: bool) -> None:
    import matplotlib

    matplotlib.use("Agg")
    out.mkdir(parents=True, exist_ok=True)
    res.save(out / "posterior.nc", overwrite=True)
    table = res.summary()
    table.to_csv(out / "summary.csv")
    (out / "summary.txt").write_text(table.to_string() + "\n")
    res.corner().savefig(out / "corner.png", dpi=120)
    (out / "manifest.json").write_text(json.dumps(res.manifest, indent=1, sort_keys=True) + "\n")
    if default_checkpoint and checkpoint.exists():  # the result holds the final state now
        checkpoint.unlink()
    print(table.to_string())
    print(f"wrote {', '.join(OUTPUTS)} to {out}")


def _fit(args) -> int:
    a = _checked_fit(args)
    from . import inference
    from .facade import fit

    from .inference import distributed

    if args.distributed:
        distributed.initialize()
    priors = {k: getattr(inference, kind)(*vals) for k, (kind, vals) in a["priors"].items()}
    res = fit(args.model, args.datasets, args.free, priors=priors or None, fixed=a["fixed"] or None,
              options=a["options"] or None, neutrino_hierarchy=args.neutrino_hierarchy,
              allow_overlap=args.allow_overlap, checkpoint=a["checkpoint"],
              progress=False if args.no_progress else None, **a["run"])
    if distributed.is_coordinator():  # every process holds the result; one writes it
        _write(res, a["out"], a["checkpoint"], args.checkpoint is None)
    return 0


def _continue(args) -> int:
    path = pathlib.Path(args.result)
    if not path.is_file():
        raise FileNotFoundError(f"result file {str(path)!r} does not exist")
    if args.samples < 1:
        raise ValueError(f"--samples must be >= 1; got {args.samples}")
    out = pathlib.Path(args.out) if args.out else path.parent
    # the result's own folder is rewritten by design; another run's outputs only with --overwrite
    _out_dir(out, args.overwrite or out.resolve() == path.parent.resolve())
    checkpoint = pathlib.Path(args.checkpoint) if args.checkpoint else out / CHECKPOINT
    from .inference import load

    layout = {"chain_method": args.chain_method} if args.chain_method is not None else {}
    res = load(path).continue_run(args.samples, checkpoint=checkpoint,
                                  progress=False if args.no_progress else None, **layout)
    _write(res, out, checkpoint, args.checkpoint is None)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hicosmo-nb`` / ``python -m hicosmo_nb``; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            from .likelihoods import DATASETS
            from .parameters import MODELS

            for m, ps in MODELS.items():
                print(f"model    {m:10s} {', '.join(ps)}")
            for d in DATASETS:
                print(f"dataset  {d}")
            return 0
        return _fit(args) if args.command == "fit" else _continue(args)
    except FileExistsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:  # PeerFailure: another process of a --distributed run died
        if type(err).__name__ != "PeerFailure":
            raise
        print(f"error: {err}", file=sys.stderr)
        return 4
    except KeyboardInterrupt as err:  # run_nuts says how far it got and where to resume from
        print(str(err) or "interrupted before the first checkpoint; nothing to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m hicosmo_nb fit ...`` (also installed as ``hicosmo-nb``).

``fit`` runs :func:`hicosmo_nb.fit.fit` headless and writes, into ``--out``:
``posterior.nc`` (ArviZ DataTree, netCDF-4), ``summary.csv`` and ``summary.txt`` (ArviZ
summary), ``corner.png`` and ``manifest.json``. It refuses to overwrite any of them unless
``--overwrite`` is given. ``list`` prints the models and datasets.

Examples
--------
::

    python -m hicosmo_nb fit LCDM desi_dr2_bao cc --free H0 Omega_m --out results/bao_cc
    python -m hicosmo_nb fit LCDM desi_dr2_bao --option desi_dr2_bao:rd=free \\
        --prior Omega_m=uniform:0.1:0.6 --samples 2000 --out results/bao
    python -m hicosmo_nb list
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from typing import Sequence

OUTPUTS = ("posterior.nc", "summary.csv", "summary.txt", "corner.png", "manifest.json")


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


def _prior(text: str):
    from .inference import Normal, TruncatedNormal, Uniform

    kind, *nums = text.split(":")
    try:
        vals = [float(x) for x in nums]
    except ValueError:
        vals = None
    kinds = {"uniform": (Uniform, 2), "normal": (Normal, 2), "truncnormal": (TruncatedNormal, 4)}
    if kind.lower() not in kinds or vals is None or len(vals) != kinds[kind.lower()][1]:
        raise ValueError(f"prior {text!r} must be uniform:LO:HI, normal:MU:SIGMA or "
                         "truncnormal:MU:SIGMA:LO:HI")
    return kinds[kind.lower()][0](*vals)


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
    f.add_argument("--chains", type=int, default=4)
    f.add_argument("--warmup", type=int, default=500)
    f.add_argument("--samples", type=int, default=1000)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--chain-method", default="auto")
    f.add_argument("--diagonal-mass", action="store_true", help="diagonal mass matrix (default dense)")
    f.add_argument("--target-accept", type=float, default=0.8)
    f.add_argument("--checkpoint", help="checkpoint .npz (resumes when it exists)")
    f.add_argument("--out", required=True, help="output folder")
    f.add_argument("--overwrite", action="store_true", help="replace existing result files")
    f.add_argument("--no-progress", action="store_true")
    sub.add_parser("list", help="list models and datasets")
    return p


def _options(items: Sequence[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for item in items or ():
        ds, sep, rest = item.partition(":")
        name, sep2, value = rest.partition("=")
        if not sep or not sep2 or not name:
            raise ValueError(f"option {item!r} must look like DATASET:KEY=VALUE")
        out.setdefault(ds, {})[name] = _value(value)
    return out


def _fit(args) -> int:
    out = pathlib.Path(args.out)
    existing = [n for n in OUTPUTS if (out / n).exists()]
    if existing and not args.overwrite:
        print(f"error: {out} already holds {', '.join(existing)}; pass --overwrite to replace them",
              file=sys.stderr)
        return 3
    import matplotlib

    matplotlib.use("Agg")
    from .fit import fit

    fixed = {k: float(v) for k, v in _pairs(args.fixed, "--fixed").items()}
    priors = {k: _prior(v) for k, v in _pairs(args.prior, "--prior").items()}
    res = fit(args.model, args.datasets, args.free, priors=priors or None, fixed=fixed or None,
              options=_options(args.option) or None, seed=args.seed, num_chains=args.chains,
              num_warmup=args.warmup, num_samples=args.samples, chain_method=args.chain_method,
              dense_mass=not args.diagonal_mass, target_accept=args.target_accept,
              checkpoint=args.checkpoint, progress=False if args.no_progress else None)
    out.mkdir(parents=True, exist_ok=True)
    res.save(out / "posterior.nc", overwrite=args.overwrite)
    table = res.summary()
    table.to_csv(out / "summary.csv")
    (out / "summary.txt").write_text(table.to_string() + "\n")
    fig = res.corner()
    fig.savefig(out / "corner.png", dpi=120)
    (out / "manifest.json").write_text(json.dumps(res.manifest, indent=1, sort_keys=True) + "\n")
    print(table.to_string())
    print(f"wrote {', '.join(OUTPUTS)} to {out}")
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
        return _fit(args)
    except (ValueError, FileExistsError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

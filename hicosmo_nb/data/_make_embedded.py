"""Regenerate the embedded tables in ``hicosmo_nb/data/embedded/`` from a data directory.

Run ``python -m hicosmo_nb.data._make_embedded /path/to/shared/data``. Numbers are parsed with
Python's ``float`` and written with ``json`` (shortest round-trip repr), so every embedded value
is bit-identical to the file it came from; ``tests/test_data_embedded.py`` checks this against the
data directory. The Planck priors JSON is copied byte for byte.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import sys

from ._parse import read_flat_covariance, read_matrix, read_whitespace_table
from .paths import sha256sum
from .registry import CITATIONS, FILES

EMBEDDED = pathlib.Path(__file__).parent / "embedded"


def _desi(root: pathlib.Path, folder: str) -> dict:
    out = {"description": f"DESI BAO Gaussian likelihood files ({folder}), numbers copied exactly "
                          "from CobayaSampler/bao_data at commit bb0c1c90",
           "citation": CITATIONS[folder], "files": {}}
    for relpath, spec in FILES.items():
        if not relpath.startswith(folder + "/"):
            continue
        path = root / relpath
        name = relpath.split("/", 1)[1]
        entry = {"sha256": sha256sum(path), "url": spec.url}
        if name.endswith("_mean.txt"):
            rows = [ln.split() for ln in path.read_text().splitlines()
                    if ln.strip() and not ln.startswith("#")]
            entry.update(z=[float(r[0]) for r in rows], values=[float(r[1]) for r in rows],
                         quantities=[r[2] for r in rows])
        else:
            entry["matrix"] = read_matrix(path).tolist()
        out["files"][name] = entry
    return out


def _cc(root: pathlib.Path) -> dict:
    src = root / "cosmic_chronometers/cc_moresco2023_32pts_source.csv"
    cols = read_whitespace_table(src, delimiter=",")
    lines = (root / "cosmic_chronometers/cc_32.txt").read_text().splitlines()
    papers = [ln.split()[-1] for ln in lines if ln.strip() and not ln.startswith("#")]
    return {"description": "32 cosmic-chronometer H(z) points (diagonal errors), numbers copied "
                           "exactly from the source CSV; 'paper' labels inferred from the ref_key "
                           "grouping (see shared data README)",
            "citation": CITATIONS["cc"], "source_file": src.name, "sha256": sha256sum(src),
            "url": FILES["cosmic_chronometers/" + src.name].url,
            "z": [float(v) for v in cols["z"]], "H": [float(v) for v in cols["H"]],
            "sigma_H": [float(v) for v in cols["sigma_H"]], "method": cols["M"],
            "ref_key": cols["reference"], "paper": papers}


def _union3(root: pathlib.Path) -> dict:
    lc, cov = root / "union3/lcparam_full.txt", root / "union3/mag_covmat.txt"
    cols = read_whitespace_table(lc, short_rows=1)
    return {"description": "Union3 (UNITY1.5) 22 compressed magnitude nodes and their covariance, "
                           "numbers copied exactly from CobayaSampler/sn_data Union3/",
            "citation": CITATIONS["union3"],
            "lcparam_full.txt": {"sha256": sha256sum(lc), "url": FILES["union3/lcparam_full.txt"].url,
                                 "name": cols["name"],
                                 **{k: [float(v) for v in cols[k]] for k in ("zcmb", "zhel", "mb", "dmb")}},
            "mag_covmat.txt": {"sha256": sha256sum(cov), "url": FILES["union3/mag_covmat.txt"].url,
                               "matrix": read_flat_covariance(cov).tolist()}}


def main(root: str) -> None:
    """Write the embedded tables from the data directory ``root``."""
    base = pathlib.Path(root)
    EMBEDDED.mkdir(exist_ok=True)
    for fname, obj in (("desi_dr1_bao.json", _desi(base, "desi_dr1_bao")),
                       ("desi_dr2_bao.json", _desi(base, "desi_dr2_bao")),
                       ("cc_moresco2023.json", _cc(base)), ("union3.json", _union3(base))):
        (EMBEDDED / fname).write_text(json.dumps(obj, indent=1) + "\n")
    planck = "planck2018_distance_priors/planck2018_distance_priors_chen2019.json"
    shutil.copyfile(base / planck, EMBEDDED / planck.split("/")[1])


if __name__ == "__main__":
    main(sys.argv[1])

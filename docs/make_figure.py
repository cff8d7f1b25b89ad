"""Make docs/_static/posterior.png, the figure of the README and the landing page.

    python docs/make_figure.py      # ~1 minute on 2 CPU cores; rerun when the plots change

The README quickstart's run (DESI DR2 BAO alone, flat LCDM, Omega_m and h r_d free, 4 chains x
2000 draws, key "nuts" of seed 42) drawn by :meth:`hicosmo_nb.inference.Result.corner`.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")

from hicosmo_nb import likelihoods  # noqa: E402
from hicosmo_nb.inference import Uniform, run_nuts  # noqa: E402
from hicosmo_nb.keys import KeyManager  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent / "_static" / "posterior.png"

lk = likelihoods.get("desi_dr2_bao", rd="free")
priors = {"Omega_m": Uniform(0.1, 0.6), "hrd": Uniform(80.0, 120.0)}
res = run_nuts(lk, priors, key=KeyManager(42).key("nuts"), num_chains=4, num_samples=2000, progress=False)
fig = res.corner(label="DESI DR2 BAO, 4 chains")
fig.savefig(OUT, dpi=90, bbox_inches="tight")
print(OUT, OUT.stat().st_size, "bytes")

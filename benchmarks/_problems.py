"""The Pantheon+-sized SN data set shared by the sampling benchmark and its numpy peer.

Light on purpose (numpy and ``hicosmo_nb.data`` only), so that the fresh-process "time to first
result" measurement imports what a user imports and nothing else.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from hicosmo_nb.data import SNData, load_pantheon_plus

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("HICOSMO_NB_DATA_DIR", os.path.join(HERE, "..", "..", "shared", "data"))


def pantheon_sized_data(seed: int = 0) -> SNData:
    """Real Pantheon+ z, z_hel, m_b (zHD > 0.01) with a synthetic dense SPD covariance.

    Diagonal errors + a smooth redshift-correlated systematic + survey-like calibration offsets
    (the released STAT+SYS covariance is not available here).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loader warns that diagonal errors are not the full cov
        d = load_pantheon_plus(covariance="diagonal")
    rng = np.random.default_rng(seed)
    n, lz = d.n, np.log1p(d.z)
    smooth = 0.03**2 * np.exp(-np.abs(lz[:, None] - lz[None, :]) / 0.05)
    groups = rng.integers(0, 15, n)  # survey-like calibration offsets
    offsets = 0.01**2 * (groups[:, None] == groups[None, :])
    cov = np.diag(np.diag(d.cov)) + smooth + offsets
    return SNData(z=d.z, z_hel=d.z_hel, mag=d.mag, cov=cov, mag_kind="m_b", name="pantheon_sized",
                  covariance="synthetic", files=dict(d.files))

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
SHARED_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))


def use_shared_data_dir() -> None:
    """Point the library at ``../shared/data`` (the development layout) when that folder exists.

    In any other clone nothing is set: the loaders then use ``$HICOSMO_NB_DATA_DIR`` if the user
    set it, else the checksum-verified download cache, and fail with a message naming the file,
    its public address and how to provide it (:func:`hicosmo_nb.data.paths.missing_file_message`).
    The BAO, CC and CMB tables are embedded in the package and need no data directory.
    """
    if not os.environ.get("HICOSMO_NB_DATA_DIR") and os.path.isdir(SHARED_DATA):
        os.environ["HICOSMO_NB_DATA_DIR"] = SHARED_DATA


use_shared_data_dir()


def pantheon_sized_data(seed: int = 0) -> SNData:
    """Real Pantheon+ z, z_hel, m_b (zHD > 0.01) with a synthetic dense SPD covariance.

    Diagonal errors + a smooth redshift-correlated systematic + survey-like calibration offsets
    (the released STAT+SYS covariance is not available here).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loader warns that diagonal errors are not the full cov
        try:
            d = load_pantheon_plus(covariance="diagonal")
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f"the benchmarks need the public Pantheon+ table (Pantheon+SH0ES.dat; the other "
                f"data sets are embedded in the package); the development folder {SHARED_DATA} "
                f"{'has no copy' if os.path.isdir(SHARED_DATA) else 'does not exist'}.\n{err}") from None
    rng = np.random.default_rng(seed)
    n, lz = d.n, np.log1p(d.z)
    smooth = 0.03**2 * np.exp(-np.abs(lz[:, None] - lz[None, :]) / 0.05)
    groups = rng.integers(0, 15, n)  # survey-like calibration offsets
    offsets = 0.01**2 * (groups[:, None] == groups[None, :])
    cov = np.diag(np.diag(d.cov)) + smooth + offsets
    return SNData(z=d.z, z_hel=d.z_hel, mag=d.mag, cov=cov, mag_kind="m_b", name="pantheon_sized",
                  covariance="synthetic", files=dict(d.files))

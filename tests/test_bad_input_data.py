"""Bad input to the data layer: a data-directory setting pointing nowhere, cuts leaving nothing."""

import pytest

from hicosmo_nb.data import paths
from hicosmo_nb.data.supernovae import load_pantheon_plus

REL = "desi_dr2_bao/desi_gaussian_bao_ALL_GCcomb_mean.txt"


def test_env_data_dir_pointing_nowhere_is_rejected_like_set_data_dir(tmp_path, monkeypatch):
    nowhere = tmp_path / "missing"
    monkeypatch.setenv(paths.ENV_VAR, str(nowhere))
    msg = rf"\$HICOSMO_NB_DATA_DIR = '{nowhere}' is not an existing directory; point it at"
    with pytest.raises(ValueError, match=msg):
        paths.get_data_dir()
    with pytest.raises(ValueError, match=msg):
        paths.fetch(REL, download=False)
    with pytest.raises(ValueError, match=rf"set_data_dir: '{nowhere}' is not an existing directory"):
        paths.set_data_dir(nowhere)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    monkeypatch.setenv(paths.ENV_VAR, str(a_file))
    with pytest.raises(ValueError, match="file.txt' is not an existing directory"):
        paths.get_data_dir()


def test_explicit_data_dir_wins_before_a_bad_setting(tmp_path, monkeypatch, shared_data_dir):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "missing"))
    path, _ = paths.fetch(REL, data_dir=shared_data_dir, download=False)
    assert path == shared_data_dir / REL


def test_empty_setting_means_unset(monkeypatch):
    monkeypatch.setenv(paths.ENV_VAR, "")
    assert paths.get_data_dir() is None


def test_pantheon_z_min_leaving_no_rows(shared_data_dir):
    with pytest.raises(ValueError, match=r"z_min = 5 leaves no rows of .*Pantheon\+SH0ES.dat: its "
                                         r"largest zHD is 2.261; choose a smaller z_min"):
        load_pantheon_plus(z_min=5, covariance="diagonal", data_dir=shared_data_dir)


@pytest.mark.parametrize("z_min", [-0.1, float("nan"), "0.01", None, True])
def test_pantheon_bad_z_min(z_min):
    with pytest.raises(ValueError, match=r"z_min must be a finite number >= 0, got"):
        load_pantheon_plus(z_min=z_min)

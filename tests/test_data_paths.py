"""File lookup order, checksum verification and error messages (pooch mocked: no network here)."""

import hashlib
import pathlib
import shutil

import pooch
import pytest

from hicosmo_nb import data
from hicosmo_nb.data import paths
from hicosmo_nb.data.registry import FILES

REL = "desi_dr2_bao/desi_gaussian_bao_ALL_GCcomb_mean.txt"


@pytest.fixture
def no_download(monkeypatch):
    """pooch.retrieve that records its call and fails like a missing network."""
    calls = []

    def fake(url, known_hash, fname, path, progressbar):
        calls.append({"url": url, "known_hash": known_hash, "fname": fname, "path": path})
        raise ConnectionError("no network in tests")

    monkeypatch.setattr(pooch, "retrieve", fake)
    return calls


def _copy(src_dir, dst_dir, rel):
    dst = pathlib.Path(dst_dir) / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pathlib.Path(src_dir) / rel, dst)
    return dst


def test_registry_checksums_match_shared_files(shared_data_dir):
    present = 0
    for rel, spec in FILES.items():
        p = shared_data_dir / rel
        if not p.exists():
            assert rel in ("pantheon_plus/Pantheon+SH0ES_STAT+SYS.cov", "desy5/covsys_000.txt")
            continue
        present += 1
        blob = p.read_bytes()
        assert len(blob) == spec.size, rel
        assert hashlib.sha256(blob).hexdigest() == spec.sha256, rel
    assert present == len(FILES) - 2


def test_set_and_get_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    assert data.get_data_dir() is None
    data.set_data_dir(tmp_path)
    assert data.get_data_dir() == tmp_path
    data.set_data_dir(None)
    assert data.get_data_dir() is None
    with pytest.raises(ValueError, match="is not an existing directory"):
        data.set_data_dir(tmp_path / "nope")


def test_lookup_order(tmp_path, shared_data_dir, monkeypatch, no_download):
    arg_dir, env_dir = tmp_path / "arg", tmp_path / "env"
    a = _copy(shared_data_dir, arg_dir, REL)
    e = _copy(shared_data_dir, env_dir, REL)
    explicit = _copy(shared_data_dir, tmp_path / "explicit", REL)
    monkeypatch.setenv(paths.ENV_VAR, str(env_dir))
    assert data.fetch(REL, path=explicit, data_dir=arg_dir)[0] == explicit
    assert data.fetch(REL, data_dir=arg_dir)[0] == a
    assert data.fetch(REL)[0] == e
    # data_dir argument without the file falls through to the setting (same checksum).
    assert data.fetch(REL, data_dir=tmp_path / "empty")[0] == e
    assert no_download == []
    monkeypatch.delenv(paths.ENV_VAR)
    with pytest.raises(FileNotFoundError, match="download to .* failed"):
        data.fetch(REL)
    assert len(no_download) == 1
    call = no_download[0]
    assert call["url"] == FILES[REL].url
    assert call["known_hash"] == "sha256:" + FILES[REL].sha256
    assert call["fname"] == REL.split("/")[1]
    assert pathlib.Path(call["path"]) == data.cache_dir() / "desi_dr2_bao"


def test_pooch_success_is_verified(tmp_path, shared_data_dir, monkeypatch):
    cached = _copy(shared_data_dir, tmp_path / "cache", REL)
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    monkeypatch.setattr(pooch, "retrieve", lambda *a, **k: str(cached))
    path, sha = data.fetch(REL)
    assert path == cached and sha == FILES[REL].sha256


def test_missing_file_message_names_everything(monkeypatch, no_download):
    rel = "pantheon_plus/Pantheon+SH0ES_STAT+SYS.cov"
    spec = FILES[rel]
    with pytest.raises(FileNotFoundError) as err:
        data.fetch(rel)
    msg = str(err.value)
    for piece in (rel, spec.url, "33,284,960 bytes", spec.sha256, "HICOSMO_NB_DATA_DIR", "Scolnic"):
        assert piece in msg
    with pytest.raises(FileNotFoundError, match="downloads disabled"):
        data.fetch(rel, download=False)


def test_unpinned_file_is_never_downloaded(no_download):
    with pytest.raises(FileNotFoundError, match="no public checksum pins this file"):
        data.fetch("desy5/covsys_000.txt")
    assert no_download == []


def test_explicit_path_must_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="explicit path .* does not exist"):
        data.fetch(REL, path=tmp_path / "missing.txt")


def test_checksum_mismatch_is_an_error(tmp_path, shared_data_dir):
    bad = _copy(shared_data_dir, tmp_path, REL)
    bad.write_text(bad.read_text().replace("7.94167639", "7.94167640"))
    with pytest.raises(ValueError, match=r"checksum mismatch .*expected sha256 9ac154ab.*got "):
        data.fetch(REL, data_dir=tmp_path)
    with pytest.warns(UserWarning, match="not verified"):
        data.fetch(REL, data_dir=tmp_path, verify=False)


def test_unknown_file_key():
    with pytest.raises(ValueError, match="unknown data file 'nope.txt'"):
        data.fetch("nope.txt")


def test_loader_uses_data_dir_argument(tmp_path, shared_data_dir, monkeypatch, no_download):
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    with pytest.raises(FileNotFoundError, match="desi_gaussian_bao_ALL_GCcomb_mean.txt"):
        data.load_desi_bao("dr2", source="files")
    d = data.load_desi_bao("dr2", source="files", data_dir=shared_data_dir)
    assert d.n == 13 and d.files[REL] == FILES[REL].sha256


def test_download_attempt_is_quiet(monkeypatch):
    """pooch's "Downloading data from ..." line would land in a dashboard's output: fetch keeps
    pooch's logger to warnings while it retrieves, and only then."""
    import io
    import logging

    def retrieve(url, **kwargs):
        pooch.get_logger().info("Downloading data from '%s' to file '%s'.", url, kwargs["fname"])
        raise OSError("no network here")

    seen = io.StringIO()
    handler = logging.StreamHandler(seen)
    logger = pooch.get_logger()
    before = logger.level
    logger.addHandler(handler)
    monkeypatch.setattr(paths.pooch, "retrieve", retrieve)
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    try:
        logger.setLevel(logging.INFO)  # pooch's default
        with pytest.raises(FileNotFoundError, match="download to .* failed"):
            data.fetch(REL)
        assert "Downloading" not in seen.getvalue()
        assert logger.filters == []
        with pytest.raises(OSError):  # the same call without the guard is heard (the test can fail)
            retrieve(FILES[REL].url, fname="x")
        assert "Downloading" in seen.getvalue()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)

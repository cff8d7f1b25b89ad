"""The documentation's own machinery: the API pages cover every public name (docs/apigen.py)
and the built-site checker (.ci/check_docs.py) finds broken links. The site itself is built
and checked by .ci/docs (in .ci/run)."""

import importlib
import importlib.util
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


apigen = _load("apigen", ROOT / "docs" / "apigen.py")
check_docs = _load("check_docs", ROOT / ".ci" / "check_docs.py")


def test_every_public_name_of_every_public_module_is_in_the_api_pages(tmp_path):
    apigen.write_pages(tmp_path)
    modules = apigen.public_modules()
    # the public modules are found by walking the package, private ones left out
    assert {"hicosmo_nb", "hicosmo_nb.inference", "hicosmo_nb.inference.chains", "hicosmo_nb.cosmology.background",
            "hicosmo_nb.widgets", "hicosmo_nb.facade"} <= set(modules)
    assert not [m for m in modules if any(p.startswith("_") for p in m.split("."))]
    index = (tmp_path / "index.rst").read_text()
    described = {}  # object described on a page: "module.name" -> page
    for m in modules:
        assert f"   {m}\n" in index, m
        text = (tmp_path / f"{m}.rst").read_text()
        assert f".. automodule:: {m}" in text
        for kind, n in re.findall(r"^\.\. (autoclass|autofunction|py:data):: (\w+)", text, flags=re.M):
            assert f"{m}.{n}" not in described
            described[f"{m}.{n}"] = m
    for m in modules:
        text = (tmp_path / f"{m}.rst").read_text()
        for n in apigen.public_names(m):
            if f"{m}.{n}" in described:
                continue
            link = re.search(rf"^- ``{re.escape(n)}``: (?:alias of |module )?:py:(?:obj|mod):`([\w.]+)`", text, flags=re.M)
            assert link, f"{m}.{n} is neither described nor linked on its module's page"
            target = link.group(1)
            assert target in described or target in modules, f"{m}.{n} links to {target}, described nowhere"


def test_a_public_module_without_all_is_an_error(monkeypatch):
    import types

    fake = types.ModuleType("hicosmo_nb_fake_public")
    monkeypatch.setitem(sys.modules, "hicosmo_nb_fake_public", fake)
    with pytest.raises(ValueError, match="hicosmo_nb_fake_public has no __all__"):
        apigen.public_names("hicosmo_nb_fake_public")


def test_checker_finds_broken_links_and_anchors(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/page.html#here">ok</a> <a href="sub/page.html#gone">bad anchor</a>'
        '<a href="missing.html">bad file</a> <a href="https://example.org/x">external</a>'
        '<img src="sub/fig.png"> <a href="#top">self</a> <p id="top"></p>')
    (tmp_path / "sub" / "page.html").write_text('<h1 id="here">x</h1><a href="../index.html">up</a>')
    (tmp_path / "sub" / "fig.png").write_bytes(b"png")
    (tmp_path / "_static" / "macros.html").write_text('<a href="{{ pathto(x) }}">template</a>')
    bad = check_docs.broken_links(tmp_path)
    assert len(bad) == 2, bad
    assert any("sub/page.html#gone" in b and "no id 'gone'" in b for b in bad)
    assert any("missing.html" in b and "no file" in b for b in bad)
    assert check_docs.main([str(tmp_path / "nowhere")]) == 1

"""Check a built documentation site: internal links and the API reference's coverage.

    python .ci/check_docs.py docs/_build/html

1. Every internal ``href``/``src`` of every HTML page (anything without a scheme: not http:,
   https:, mailto:, data:, javascript:) points at a file of the site, and its ``#anchor``, if any,
   is an ``id`` (or ``name``) in that file.
2. Every name of every public module's ``__all__`` (docs/apigen.py) is in the site: an object of
   ``objects.inv`` under that module, or a link from that module's page to the object's
   description.

Exits 1 with one line per problem. Needs only the standard library, Sphinx (for objects.inv)
and the package.
"""

from __future__ import annotations

import html.parser
import pathlib
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCHEMES = ("http:", "https:", "mailto:", "data:", "javascript:", "ftp:")


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name") if tag != "meta" else ():
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key) and tag not in ("meta",):
                self.links.append(a[key])


def parse(path: pathlib.Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def broken_links(site: pathlib.Path) -> list[str]:
    """``"page: link (why)"`` for every internal link that does not resolve."""
    site = site.resolve()
    # the site's pages; _static/ holds the theme's template fragments, not pages
    pages = {p: parse(p) for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static"}
    bad = []
    for page, parsed in pages.items():
        for link in parsed.links:
            if link.startswith(SCHEMES) or link.startswith("//"):
                continue
            url = urllib.parse.urlsplit(link)
            target = page if not url.path else (page.parent / urllib.parse.unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: {link}"
            if not target.is_file():
                bad.append(f"{where} (no file {target})")
            elif url.fragment and target.suffix == ".html":
                ids = (pages.get(target) or parse(target)).ids
                if urllib.parse.unquote(url.fragment) not in ids:
                    bad.append(f"{where} (no id {url.fragment!r} in {target.relative_to(site)})")
    return bad


def inventory(site: pathlib.Path) -> set[str]:
    """Names of the Python objects in the site's objects.inv."""
    from sphinx.util.inventory import InventoryFile

    with open(site / "objects.inv", "rb") as f:
        inv = InventoryFile.load(f, "", lambda base, uri: uri)
    data = getattr(inv, "data", inv)  # Sphinx >= 8.2: an _Inventory object
    return {name for kind, items in data.items() if kind.startswith("py:") for name in items}


def missing_names(site: pathlib.Path) -> list[str]:
    """``module.name`` for every public name the site does not show."""
    sys.path.insert(0, str(ROOT / "docs"))
    import importlib

    apigen = importlib.import_module("apigen")
    known = inventory(site)
    modules = apigen.public_modules()
    home = apigen.homes(modules)
    out = []
    for m in modules:
        if m not in known:
            out.append(f"{m} (module page missing)")
            continue
        page = site / "api" / f"{m}.html"
        text = page.read_text() if page.is_file() else ""
        mod = importlib.import_module(m)
        for n in apigen.public_names(m):
            obj = getattr(mod, n)
            if f"{m}.{n}" in known:
                continue
            real = getattr(obj, "__name__", n)
            target = obj.__name__ if apigen._kind(obj) == "module" else \
                f"{home.get((real, id(obj)), home.get((n, id(obj)), m))}.{real}"
            if target in known and f"#{target}" in text or f"#module-{target}" in text:
                continue
            out.append(f"{m}.{n} (not described, and no link from {page.name} to {target})")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    site = pathlib.Path(argv[0])
    if not (site / "index.html").is_file():
        print(f"[check_docs] no built site at {site} (index.html missing)", file=sys.stderr)
        return 1
    problems = [f"broken link: {b}" for b in broken_links(site)]
    problems += [f"not in the API reference: {n}" for n in missing_names(site)]
    for p in problems:
        print(f"[check_docs] {p}", file=sys.stderr)
    n_pages = sum(1 for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static")
    print(f"[check_docs] {n_pages} pages, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

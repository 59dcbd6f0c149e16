"""Helpers for the core test modules: in-process builds and models, output folders, links."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conftest import ROOT, Project, links_in, parse_html, resolve_href

from explainer.cli import main
from explainer.content.load import RawDocument, parse_document
from explainer.content.model import Site, SiteConfig
from explainer.content.parse import parse_site
from explainer.core.errors import BuildFailed, Collector
from explainer.link.linking import LinkedArticle, LinkedSite, link_site
from explainer.pages.render import render_pages

TEMPLATES = ROOT / "templates"
CONFIG = SiteConfig(title="Test Site", base_url="https://example.org/news/")

CAMERON = """\
---
name: David Cameron
summary: British Prime Minister from 2010 to 2016.
aliases: [Mr Cameron]
roles:
  - title: Prime Minister
    from: 2010-05-11
    to: 2016-07-13
    aliases: [the Prime Minister]
---
"""

# Holds "the Prime Minister" at the same time as Theresa May, to make the alias ambiguous.
ARDERN = """\
---
name: Jacinda Ardern
summary: Prime Minister of New Zealand from 2017 to 2023.
roles:
  - title: Prime Minister of New Zealand
    from: 2017-10-26
    to: 2023-01-25
    aliases: [the Prime Minister]
---
"""

# A person whose alias is also a month.
MAY_WITH_MONTH_ALIAS = """\
---
name: Theresa May
summary: British Prime Minister from 2016 to 2019.
aliases: [Mrs May, May]
---
"""

ONEILL = """\
---
name: Sinéad O'Neill
summary: A councillor.
aliases: [Ms O’Neill]
---
"""


@dataclass
class Result:
    """What one command-line run printed and returned."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


def run_cli(project: Project, *args: str) -> Result:
    """Run the command line in-process inside the project folder (fast; no traceback check)."""
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(project.root),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse exits on usage errors
            code = exit_.code if isinstance(exit_.code, int) else 1
    return Result(code, out.getvalue(), err.getvalue())


def siblings(folder: Path) -> list[str]:
    """Return the names next to folder, to spot temporary folders left behind.

    The spare an incremental build keeps for the next (`.NAME.spare`) is no leftover.
    """
    spare = f".{folder.name}.spare"
    return sorted(p.name for p in folder.parent.iterdir() if p.name != spare)


def settled_siblings(folder: Path, timeout: float = 10.0) -> list[str]:
    """Return siblings() once no '.<name>.' work folder is left (old ones may go in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        names = siblings(folder)
        busy = [n for n in names if n.startswith(f".{folder.name}.")]
        if not busy or time.monotonic() > deadline:
            return names
        time.sleep(0.05)


# --- Building the model in memory -------------------------------------------------------


def documents(files: Mapping[str, str]) -> list[RawDocument]:
    """Parse 'content/<collection>/<slug>.md' -> text into raw documents."""
    docs = []
    for rel, text in sorted(files.items()):
        parts = Path(rel).parts
        assert parts[0] == "content" and len(parts) == 3, rel
        docs.append(parse_document(text.encode("utf-8"), Path(rel), parts[1]))
    return docs


def site_of(files: Mapping[str, str], collector: Collector | None = None) -> Site:
    """Load and validate content files given as a dict, without touching the disk."""
    collector = collector if collector is not None else Collector()
    site = parse_site(CONFIG, documents(files), collector)
    collector.raise_if_errors()
    return site


@dataclass
class Linked:
    """A linked site plus the diagnostics the link stage reported."""

    site: LinkedSite
    collector: Collector = field(default_factory=Collector)

    @property
    def warnings(self) -> list[str]:
        return [str(d) for d in self.collector.warnings]

    @property
    def errors(self) -> list[str]:
        return [str(d) for d in self.collector.errors]

    def body(self, slug: str) -> str:
        for item in self.site.articles:
            if item.article.slug == slug:
                return item.body_html
        raise AssertionError(f"no published article {slug!r}")

    def item(self, slug: str) -> LinkedArticle:
        for item in self.site.articles:
            if item.article.slug == slug:
                return item
        raise AssertionError(f"no published article {slug!r}")

    def refs(self, slug: str) -> list[tuple[str, str]]:
        """Return (data-ref, link text) for every link in an article body, in order."""
        return [(a["data-ref"], a["_text"]) for a in links_in(self.body(slug)) if "data-ref" in a]

    def backlinks(self, slug: str) -> list[tuple[str, str]]:
        return list(self.site.backlinks.get(slug, ()))


def link_files(files: Mapping[str, str], drafts: bool = False) -> Linked:
    """Load, validate and link content files given as a dict."""
    collector = Collector()
    site = site_of(files, collector)
    linked = link_site(site, collector, drafts=drafts)
    return Linked(linked, collector)


def render_files(
    files: Mapping[str, str], drafts: bool = False, templates: Path = TEMPLATES
) -> dict[str, str]:
    """Render content files given as a dict; return url path -> HTML."""
    linked = link_files(files, drafts=drafts)
    if linked.collector.errors:
        raise BuildFailed(linked.collector.diagnostics)
    return {p.url_path: p.content.decode("utf-8") for p in render_pages(linked.site, templates)}


# --- Reading HTML --------------------------------------------------------------------------


def is_external(href: str) -> bool:
    return href.startswith(("http://", "https://", "mailto:", "//"))


def broken_links(site: Path) -> list[tuple[str, str]]:
    """Return (page, href) for every internal a/link href in site that names no file in it.

    A page with <base href="/..."> (the 404 page) resolves its links from the site root.
    """
    missing = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        url_path = rel.removesuffix("index.html")
        doc = parse_html(path.read_text(encoding="utf-8"))
        base = [el.attrs.get("href", "") for el in doc.all("base")]
        origin = "" if base and base[0].startswith("/") else url_path
        for el in doc.walk():
            href = el.attrs.get("href") if el.tag in ("a", "link") else None
            if href is None or is_external(href) or href.startswith("#"):
                continue
            target = resolve_href(origin, href)
            if target.startswith("../") or not (site / target).is_file():
                missing.append((url_path, href))
    return missing

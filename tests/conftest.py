"""Shared helpers: build tiny sites in tmp_path and run the real command line."""

from __future__ import annotations

import posixpath
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from explainer.link.markup import VOID_TAGS

ROOT = Path(__file__).resolve().parent.parent

# A suite started in the background by a non-interactive shell inherits Ctrl-C
# (SIGINT) ignored, and so would every build and server it starts; the tests of what
# Ctrl-C does need it delivered as it is at a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SITE_YAML = "title: Test Site\nbase_url: https://example.org/news/\n"

MAY = """\
---
name: Theresa May
summary: British Prime Minister from 2016 to 2019.
aliases: [Mrs May]
party: Conservative
roles:
  - title: Home Secretary
    from: 2010-05-12
    to: 2016-07-13
    aliases: [the Home Secretary]
  - title: Prime Minister
    from: 2016-07-13
    to: 2019-07-24
    aliases: [the Prime Minister]
---
Theresa May led the government.
"""

JOHNSON = """\
---
name: Boris Johnson
summary: British Prime Minister from 2019 to 2022.
party: Conservative
roles:
  - title: Foreign Secretary
    from: 2016-07-13
    to: 2018-07-09
    aliases: [the Foreign Secretary]
  - title: Prime Minister
    from: 2019-07-24
    to: 2022-09-06
    aliases: [the Prime Minister]
---
"""


def article(body: str = "Body.", **fields: object) -> str:
    """Return an article file with sensible defaults for the required fields."""
    meta: dict[str, object] = {
        "title": "A story",
        "date": "2017-11-15",
        "summary": "What happened.",
    }
    meta.update(fields)
    lines = ["---"]
    for key, value in meta.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(str(v) for v in value)}]")
        else:
            lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n" + textwrap.dedent(body)


@dataclass
class Project:
    """A tiny project folder with the real templates and static files."""

    root: Path

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def build(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `python build.py ARGS` in the project folder."""
        return subprocess.run(
            [sys.executable, str(ROOT / "build.py"), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def page(self, url_path: str, out: str = "_site") -> str:
        path = self.root / out / url_path
        if url_path.endswith("/") or not url_path:
            path = path / "index.html"
        return path.read_text(encoding="utf-8")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Project]:
    """Return a function that lays out a project from a dict of files."""

    def make(files: Mapping[str, str | bytes]) -> Project:
        return lay_out(tmp_path / "project", files)

    return make


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/pages/golden/ from the example site instead of comparing (`make golden`)",
    )


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the example site (the real site.yaml, content/, templates/, static/) once."""
    from explainer.api import BuildOptions, build

    out = tmp_path_factory.mktemp("example") / "site"
    options = BuildOptions(
        config_path=ROOT / "site.yaml",
        out_dir=out,
        search=False,  # the pages do not depend on the index, and Pagefind is slow
        cache=False,  # nothing is written into the repository's .cache/
        progress=False,
        jobs=1,
    )
    result = build(options)
    assert not result.diagnostics, "\n".join(str(d) for d in result.diagnostics)
    return out


def prose_of(html: str) -> str:
    """Return the HTML inside the first element with class 'prose'."""
    start = html.index('class="prose"')
    start = html.index(">", start) + 1
    end = html.index("</div>", start)
    return html[start:end]


# --- Reading HTML: one small DOM for every test ---------------------------------------


class Node:
    """One element of a parsed HTML page, with just enough of a DOM to query it."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None = None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def iter(self):  # type: ignore[no-untyped-def]
        """Yield this element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def walk(self):  # type: ignore[no-untyped-def]
        """Yield every element inside (not including) this one, in document order."""
        for el in self.iter():
            if el is not self:
                yield el

    def all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Return the elements inside this one that match; attrs use '_' for '-'."""
        return self.find_all(tag, cls, **attrs)

    def inside(self, tag: str | None = None, cls: str | None = None, id: str | None = None) -> bool:  # noqa: A002
        """Return whether an ancestor matches."""
        return any(
            (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and (id is None or node.attrs.get("id") == id)
            for node in self.ancestors()
        )

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Return the elements inside (not including) this one that match."""
        out = []
        for el in self.iter():
            if el is self:
                continue
            if tag is not None and el.tag != tag:
                continue
            if cls is not None and cls not in el.classes:
                continue
            if any(el.attrs.get(k.rstrip("_").replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(el)
        return out

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        """Return the single matching element; fail the test when there is not exactly one."""
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
        return found[0]

    @property
    def raw_text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.raw_text)
        return "".join(parts)

    @property
    def text(self) -> str:
        """The element's text with runs of whitespace collapsed."""
        return " ".join(self.raw_text.split())

    def ancestors(self) -> list[Node]:
        out = []
        node = self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    """Parse a page into a tree of Nodes (the document node is returned)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def links_in(html: str) -> list[dict[str, str]]:
    """Return every <a> in html as a dict of its attributes plus '_text'."""
    return [{**a.attrs, "_text": a.raw_text} for a in parse_html(html).all("a")]


def page_file(url_path: str) -> str:
    """Return the output file of a url path ('' -> 'index.html')."""
    return url_path + "index.html" if url_path.endswith("/") or not url_path else url_path


def resolve_href(page_url: str, href: str) -> str:
    """Return the site-relative file a relative href on page_url points to ('#x' -> the page)."""
    target = href.split("#", 1)[0]
    if not target:
        return page_file(page_url)
    return posixpath.normpath(posixpath.join(posixpath.dirname(page_file(page_url)), target))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under folder (hidden ones too) with its bytes; {} when it is missing."""
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def lay_out(root: Path, files: Mapping[str, str | bytes]) -> Project:
    """Lay out a project in root (like make_project), for module-scoped fixtures."""
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("templates", "static"):
        target = root / folder
        if not target.exists():
            shutil.copytree(ROOT / folder, target)
    project = Project(root)
    if "site.yaml" not in files:
        project.write("site.yaml", SITE_YAML)
    for rel, text in files.items():
        project.write(rel, text)
    return project


def html_pages(project: Project, out: str = "_site"):  # type: ignore[no-untyped-def]
    """Yield (url_path, html) for every HTML page of a built site."""
    root = project.root / out
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        yield rel.removesuffix("index.html"), path.read_text(encoding="utf-8")


def cards_of(page: Node) -> dict[str, dict[str, str]]:
    """Return the hover-card data of a parsed page; fail unless there is exactly one block."""
    import json

    blocks = page.find_all("script", id="explainer-cards")
    assert len(blocks) == 1, f"expected one explainer-cards block, found {len(blocks)}"
    assert blocks[0].get("type") == "application/json"
    data: dict[str, dict[str, str]] = json.loads(blocks[0].raw_text)
    return data


def entity_refs(page: Node, url_path: str) -> dict[str, str]:
    """Map each data-ref slug linking to a person or topic page to the file it resolves to."""
    refs = {}
    for a in page.find_all("a"):
        slug = a.get("data-ref")
        if not slug:
            continue
        target = resolve_href(url_path, a.get("href") or "")
        if target.startswith(("people/", "topics/")):
            refs[slug] = target
    return refs


def assert_card_data(project: Project, out: str = "_site") -> set[str]:
    """Check the card data of every page; return the url paths that carry some."""
    checked = set()
    for url_path, html in html_pages(project, out):
        page = parse_html(html)
        refs = entity_refs(page, url_path)
        if not refs:
            assert page.find("script", id="explainer-cards") is None, url_path
            continue
        checked.add(url_path)
        cards = cards_of(page)
        assert set(cards) == set(refs), url_path
        for slug, card in cards.items():
            assert card["name"], (url_path, slug)
            assert card["summary"], (url_path, slug)
            assert resolve_href(url_path, card["url"]) == refs[slug], (url_path, slug)
            assert (project.root / out / refs[slug]).is_file(), (url_path, slug)
            if refs[slug].startswith("people/"):
                assert card["initials"], (url_path, slug)
                assert "role" in card and "party" in card, (url_path, slug)
    return checked


SCRIPT_DATA_TYPES = frozenset({"application/json", "application/ld+json"})


def assert_no_inline_script(url_path: str, html: str) -> None:
    """Allow only <script src> and JSON data blocks; no event handlers or javascript: URLs."""
    page = parse_html(html)
    for script in page.find_all("script"):
        if script.get("src") is not None:
            assert script.raw_text.strip() == "", url_path
        else:
            assert script.get("type") in SCRIPT_DATA_TYPES, (url_path, script.attrs)
    for el in page.iter():
        for name, value in el.attrs.items():
            assert not name.lower().startswith("on"), (url_path, el)
            if name in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith("javascript:"), (url_path, el)

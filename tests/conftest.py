"""Shared helpers: build tiny sites in tmp_path and run the real command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

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
    meta: dict[str, object] = {"title": "A story", "date": "2017-11-15", "summary": "What happened."}
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
            cwd=self.root, capture_output=True, text=True, timeout=120, check=False,
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
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
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

    return make


class Links(HTMLParser):
    """Collect every <a> with its attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self._open: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            item = {k: v or "" for k, v in attrs}
            item["_text"] = ""
            self.links.append(item)
            self._open.append(item)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for item in self._open:
            item["_text"] += data


def links_in(html: str) -> list[dict[str, str]]:
    """Return every link in html as a dict of attributes plus '_text'."""
    parser = Links()
    parser.feed(html)
    return parser.links


def prose_of(html: str) -> str:
    """Return the HTML inside the first element with class 'prose'."""
    start = html.index('class="prose"')
    start = html.index(">", start) + 1
    end = html.index("</div>", start)
    return html[start:end]

"""Property tests on tiny generated sites: same bytes twice, links resolve, backlinks invert."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, SITE_YAML, parse_html, resolve_href, snapshot
from core_helpers import broken_links
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st


@dataclass(frozen=True)
class Someone:
    slug: str
    name: str
    aliases: tuple[str, ...]
    roles: tuple[tuple[str, str, str | None, str], ...]  # title, from, to, alias

    def file(self) -> str:
        lines = ["---", f"name: {self.name}", f"summary: About {self.name}."]
        if self.aliases:
            lines.append(f"aliases: [{', '.join(self.aliases)}]")
        if self.roles:
            lines.append("roles:")
            for title, start, end, alias in self.roles:
                lines += [f"  - title: {title}", f"    from: {start}"]
                if end:
                    lines.append(f"    to: {end}")
                lines.append(f"    aliases: [{alias}]")
        return "\n".join([*lines, "---", f"{self.name} is a person.", ""])

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *(alias for *_, alias in self.roles))


POOL = (
    Someone(
        "ann-able",
        "Ann Able",
        ("Mrs Able",),
        (("Chancellor", "2016-07-13", "2019-07-24", "the Chancellor"),),
    ),
    Someone(
        "bob-baker",
        "Bob Baker",
        ("Mr Baker", "Baker"),
        (("Chancellor", "2019-07-24", None, "the Chancellor"),),
    ),
    Someone("cy-coe", "Cy Coe", ("Mr Coe",), (("Speaker", "2010-01-01", None, "the Speaker"),)),
    # Shares "the Speaker" with Cy Coe from 2017, so that alias is sometimes ambiguous.
    Someone("di-dee", "Di Dee", (), (("Speaker", "2017-01-01", None, "the Speaker"),)),
)
DATES = ("2016-07-12", "2016-07-13", "2017-11-15", "2019-07-24")
WORDS = ("rain", "talks", "the vote", "Parliament", "said", "later", "a plan")


@st.composite
def sentences(draw: st.DrawFn, people: list[Someone], slugs: list[str]) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["word", "word", "name", "name", "ref", "code", "em"]))
        if kind == "name" and people:
            parts.append(draw(st.sampled_from([w for p in people for w in p.words])))
        elif kind == "ref" and slugs:
            parts.append(f"[[{draw(st.sampled_from(slugs))}]]")
        elif kind == "code" and people:
            parts.append(f"`{draw(st.sampled_from(people)).name}`")
        elif kind == "em":
            parts.append(f"*{draw(st.sampled_from(WORDS))}*")
        else:
            parts.append(draw(st.sampled_from(WORDS)))
    sentence = " ".join(parts)
    return sentence[:1].upper() + sentence[1:] + draw(st.sampled_from([".", "!", "?"]))


@st.composite
def sites(draw: st.DrawFn) -> dict[str, str]:
    people = draw(st.lists(st.sampled_from(POOL), unique=True, max_size=len(POOL)))
    count = draw(st.integers(1, 4))
    article_slugs = [f"story-{i}" for i in range(count)]
    slugs = [p.slug for p in people] + article_slugs
    files = {f"content/people/{p.slug}.md": p.file() for p in people}
    for slug in article_slugs:
        paragraphs = []
        for _ in range(draw(st.integers(1, 3))):
            text = " ".join(draw(st.lists(sentences(people, slugs), min_size=1, max_size=3)))
            paragraphs.append(draw(st.sampled_from(["", "## ", "- "])) + text)
        listed = (
            draw(st.lists(st.sampled_from([p.slug for p in people]), unique=True)) if people else []
        )
        lines = [
            "---",
            f"title: Story {slug}",
            f"date: {draw(st.sampled_from(DATES))}",
            "summary: What happened.",
            f"people: [{', '.join(listed)}]",
            f"draft: {str(draw(st.booleans()) and slug != 'story-0').lower()}",
            "---",
        ]
        files[f"content/articles/{slug}.md"] = (
            "\n".join(lines) + "\n" + "\n\n".join(paragraphs) + "\n"
        )
    return files


@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="explainer-props-") as name:
        root = Path(name)
        for folder in ("templates", "static"):
            shutil.copytree(ROOT / folder, root / folder)
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        yield root


def write_content(root: Path, files: dict[str, str]) -> None:
    shutil.rmtree(root / "content", ignore_errors=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def build_into(root: Path, out: str) -> Path:
    """Build with the real command in a fresh interpreter (so each has its own hash seed)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--out", out],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return root / out


def published_articles(files: dict[str, str]) -> dict[str, list[str]]:
    """Return each published article's slug -> its people list, read back from the files."""
    out = {}
    for rel, text in files.items():
        if rel.startswith("content/articles/") and "draft: true" not in text:
            people = text.split("people: [", 1)[1].split("]", 1)[0]
            out[Path(rel).stem] = [s for s in people.split(", ") if s]
    return out


def check_same_bytes(first: dict[str, bytes], again: dict[str, bytes]) -> None:
    changed = sorted(k for k in first.keys() | again.keys() if first.get(k) != again.get(k))
    assert changed == [], "building twice changed these files"


def check_links_resolve(out: Path) -> None:
    assert broken_links(out) == []


def check_backlinks_invert_links(out: Path, files: dict[str, str]) -> None:
    """Person pages list exactly the articles whose body links them or whose people list them."""
    people = sorted(Path(rel).stem for rel in files if rel.startswith("content/people/"))
    expected: dict[str, set[str]] = {slug: set() for slug in people}
    for slug, listed in published_articles(files).items():
        html = (out / "articles" / slug / "index.html").read_text(encoding="utf-8")
        prose = parse_html(html).one(cls="prose")
        refs = {a.attrs["data-ref"] for a in prose.all("a") if a.attrs.get("data-ref") in expected}
        for person in refs | set(listed):
            expected[person].add(slug)
    for slug in people:
        url_path = f"people/{slug}/"
        html = (out / url_path / "index.html").read_text(encoding="utf-8")
        section = parse_html(html).one(id="appears-in")
        found = {
            resolve_href(url_path, li.all("a")[0].attrs["href"]).split("/")[1]
            for li in section.all("li")
        }
        assert found == expected[slug], f"backlinks of {slug}"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    # Each example is two builds; shrinking would take minutes and the sites are tiny anyway.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(files=sites())
def test_generated_sites(workspace, files):
    """Same bytes twice; every internal link resolves; backlinks are the inverse of links."""
    write_content(workspace, files)
    out = build_into(workspace, "_site")
    check_links_resolve(out)
    check_backlinks_invert_links(out, files)
    # A second build into another folder (each folder keeps its own build cache).
    check_same_bytes(snapshot(out), snapshot(build_into(workspace, "_site2")))

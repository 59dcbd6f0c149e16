"""End to end: build the real content/ with the real command and read the pages it wrote.

The build runs from a scratch project folder (copies of site.yaml, templates/ and static/)
with --content pointing at the real content/, so nothing is written into the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Node, parse_html, resolve_href, snapshot
from core_helpers import broken_links

ARTICLE = "articles/corbyn-russia-evidence/"
SIX = (
    "jeremy-corbyn",
    "theresa-may",
    "vladimir-putin",
    "boris-johnson",
    "alex-salmond",
    "dominic-grieve",
)


def build(project: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--content",
            str(ROOT / "content"),
            "--out",
            str(out),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("real") / "project"
    root.mkdir()
    shutil.copyfile(ROOT / "site.yaml", root / "site.yaml")
    for folder in ("templates", "static"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    out = project.parent / "out"
    result = build(project, out)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built ")
    assert result.stderr == ""  # the real content builds without warnings
    return out


def page(site: Path, url_path: str) -> Node:
    return parse_html((site / url_path / "index.html").read_text(encoding="utf-8"))


def test_the_article_links_all_six_people(site):
    doc = page(site, ARTICLE)
    linked = {resolve_href(ARTICLE, a.attrs["href"]) for a in doc.all("a") if "href" in a.attrs}
    for slug in SIX:
        assert f"people/{slug}/index.html" in linked, slug
        assert (site / "people" / slug / "index.html").is_file()


def test_the_article_links_people_with_data_ref(site):
    doc = page(site, ARTICLE)
    refs = {a.attrs["data-ref"] for a in doc.all("a") if a.attrs.get("data-ref")}
    assert set(SIX) <= refs
    assert doc.one(cls="prose").all("a", data_ref="theresa-may")


@pytest.mark.parametrize("slug", SIX)
def test_each_person_page_links_back_with_an_excerpt(site, slug):
    article_doc = page(site, ARTICLE)
    article_text = " ".join(article_doc.one("main").text.split())
    section = page(site, f"people/{slug}/").one(id="appears-in")
    entries = [
        li
        for li in section.all("li")
        if any(
            resolve_href(f"people/{slug}/", a.attrs.get("href", "")) == f"{ARTICLE}index.html"
            for a in li.all("a")
        )
    ]
    assert len(entries) == 1
    excerpt = entries[0].one("blockquote").text
    assert excerpt
    assert excerpt.removesuffix("…").strip() in article_text


def test_boris_johnson_is_shown_as_foreign_secretary(site):
    section = page(site, ARTICLE).one("section", "people-in-story")
    (entry,) = [
        li
        for li in section.all("li")
        if any(a.attrs.get("data-ref") == "boris-johnson" for a in li.all("a"))
    ]
    assert entry.one(cls="role").text == "Foreign Secretary"


def test_every_internal_link_resolves(site):
    assert broken_links(site) == []


def test_building_twice_gives_identical_bytes(project, site, tmp_path):
    first = snapshot(site)
    again = build(project, site)
    assert again.returncode == 0, again.stderr
    assert snapshot(site) == first
    # A second, separate output folder is built from scratch, not from the first one.
    elsewhere = tmp_path / "elsewhere"
    assert build(project, elsewhere).returncode == 0
    assert snapshot(elsewhere) == first

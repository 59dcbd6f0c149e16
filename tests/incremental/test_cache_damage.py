"""A damaged, stale or foreign cache costs time, never a wrong page.

Every test works on every file under .cache/, whatever the cache's layout, and checks
that the next builds succeed and equal a clean build byte for byte. (tests/incremental/test_cache.py
covers one garbage main file and two damaged shards, and that another package version
gives another code version; here a changed copy of the package builds in another
process, which holds whatever the cache's key is made of.)
"""

from __future__ import annotations

import pickle
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, snapshot
from edit_sequences import Change, Workspace, assert_same_site, newsroom
from figures import record, scaled

from explainer.api import build

ARTICLES = 6
EXTRA = "An edit names Mrs Able."
EDITED = "An adviser, edited."


def cache_files(workspace: Workspace) -> list[Path]:
    found = sorted(p for p in (workspace.root / ".cache").rglob("*") if p.is_file())
    assert found, "a build with the cache on wrote nothing under .cache/"
    return found


class Desk:
    """A built site, edited again and again, each rebuild checked against a clean build."""

    def __init__(self, tmp_path: Path) -> None:
        self.site = newsroom(ARTICLES)
        self.workspace = Workspace(tmp_path / "project")
        self.workspace.sync(self.site.files())
        build(self.workspace.options())

    def edit(self) -> None:
        """Add or take back a sentence in one article and one person's summary."""
        story = self.site.get("articles", "story-01")
        body = story.body[:-1] if story.body[-1] == EXTRA else (*story.body, EXTRA)
        summary = self.site.get("people", "bob-baker").summary
        for change in (
            Change("articles", "story-01", "body", body),
            Change(
                "people", "bob-baker", "summary", EDITED if summary != EDITED else "An adviser."
            ),
        ):
            self.site = self.workspace.step(self.site, change)

    def check(self, what: str) -> None:
        """Rebuild with the cache (it must not fail) and compare with a clean build."""
        build(self.workspace.options())
        clean = self.workspace.clean_build(False)
        assert_same_site(snapshot(self.workspace.root / "_site"), clean, what)


def _halved(data: bytes, rng: random.Random) -> bytes:
    return data[: len(data) // 2]


def _random_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(len(data))


def _another_pickle(data: bytes, rng: random.Random) -> bytes:
    return pickle.dumps({"key": "", "inputs": b"", rng.random(): [None, ()]})


# Damage done to every cache file at once: (name, new bytes from the old).
DAMAGE: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "cut in half": _halved,
    "random bytes": _random_bytes,
    "empty": lambda data, rng: b"",
    "a pickle of something else": _another_pickle,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_every_cache_file_damaged_at_once(tmp_path, damage):
    desk = Desk(tmp_path)
    rng = random.Random(damage)  # the same bytes every run
    rounds = scaled(1, 10)
    for _ in range(rounds):
        for path in cache_files(desk.workspace):
            path.write_bytes(DAMAGE[damage](path.read_bytes(), rng))
        desk.check(f"with every cache file {damage} and nothing edited, _site")
        for path in cache_files(desk.workspace):
            path.write_bytes(DAMAGE[damage](path.read_bytes(), rng))
        desk.edit()
        desk.check(f"with every cache file {damage} and an edit, _site")
        desk.edit()
        desk.check(f"one more edit after the cache files were {damage}, _site")
    record("cache-damage", rebuilds=3 * rounds, identical_to_clean=3 * rounds)


def test_cache_files_deleted_one_at_a_time(tmp_path):
    desk = Desk(tmp_path)
    files = cache_files(desk.workspace)
    for path in files:
        if path.exists():  # the last rebuild wrote a whole cache again
            path.unlink()
        desk.edit()
        desk.check(f"with {path.name} deleted from .cache/, _site")
    record(
        "cache-damage", files_deleted=len(files), rebuilds=len(files), identical_to_clean=len(files)
    )


def test_cache_files_from_an_older_build_one_at_a_time(tmp_path):
    """Each file in turn is put back as an older build left it, the others kept current."""
    desk = Desk(tmp_path)
    older = {path: path.read_bytes() for path in cache_files(desk.workspace)}
    desk.edit()
    desk.check("after one edit, _site")
    desk.edit()
    desk.check("after two edits, _site")
    for path, data in older.items():
        path.write_bytes(data)
        desk.edit()
        desk.check(f"with {path.name} from an older build, _site")
    for path, data in older.items():
        path.write_bytes(data)
    desk.check("with every cache file from an older build and nothing edited since, _site")
    rebuilds = len(older) + 3
    record(
        "cache-damage",
        files_from_older_builds=len(older),
        rebuilds=rebuilds,
        identical_to_clean=rebuilds,
    )


def test_a_cache_left_by_another_site_in_the_same_folder(tmp_path):
    """The project is replaced by another site (as a checkout of another branch would)."""
    desk = Desk(tmp_path)
    other = replace(newsroom(ARTICLES + 3), title="Another Site", tagline="Other news")
    ann = replace(other.get("people", "ann-able"), name="Ann Other", aliases=("Ann",))
    desk.site = other.put(ann)
    desk.workspace.sync(desk.site.files())
    desk.check("after the project was replaced by another site, _site")
    desk.edit()
    desk.check("after another site and an edit, _site")
    record("cache-damage", rebuilds=2, identical_to_clean=2)


def test_a_cache_folder_that_is_a_file(tmp_path):
    desk = Desk(tmp_path)
    folder = desk.workspace.root / ".cache"
    shutil.rmtree(folder)
    folder.write_text("not a folder\n", encoding="utf-8")
    desk.edit()
    desk.check("with .cache a file, _site")
    desk.edit()
    desk.check("with .cache still a file, after another edit, _site")
    record("cache-damage", rebuilds=2, identical_to_clean=2)


# --- A cache written by another version of the code --------------------------------------

FOREIGN_MARK = "<p>made by another version</p>"


def another_version(tmp_path: Path) -> Path:
    """Copy the package with every source file changed; return the folder that holds it."""
    copy = tmp_path / "other-version"
    shutil.copytree(
        ROOT / "explainer", copy / "explainer", ignore=shutil.ignore_patterns("__pycache__")
    )
    for source in (copy / "explainer").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        text = re.sub(r'^__version__ = "([^"]*)"', r'__version__ = "\1+other"', text, flags=re.M)
        source.write_text(f"# another version of explainer\n{text}", encoding="utf-8")
    return copy


def build_with(version: Path, workspace: Workspace) -> None:
    """Build into _site with the cache, by the package in version, whose Markdown
    conversions all end with FOREIGN_MARK: any of its work reused shows in a page."""
    args = ["build", *workspace.cli_args(), "--quiet"]
    script = f"""
import sys
sys.path.insert(0, {str(version)!r})
import markdown
convert = markdown.Markdown.convert
markdown.Markdown.convert = lambda self, source: convert(self, source) + {FOREIGN_MARK!r}
import explainer
assert explainer.__file__.startswith({str(version)!r}), explainer.__file__
from explainer.cli import main
raise SystemExit(main({args!r}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=workspace.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page = (workspace.root / "_site/articles/story-00/index.html").read_text(encoding="utf-8")
    assert FOREIGN_MARK in page, "a build by another version of the code kept this version's pages"


def test_a_cache_written_by_another_version_is_not_used(tmp_path):
    desk = Desk(tmp_path)
    version = another_version(tmp_path)
    build_with(version, desk.workspace)
    desk.check("after a build by another version, nothing edited, _site")
    build_with(version, desk.workspace)
    desk.edit()
    desk.check("after a build by another version and an edit, _site")
    record("cache-damage", other_version_builds=2, rebuilds=2, identical_to_clean=2)

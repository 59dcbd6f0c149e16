"""Determinism: the same input gives the same bytes, whatever the hash seed, the number of
processes, the order the system lists files in, or when the build runs.

Every file is compared, the search index, feed and sitemap included. SOURCE_DATE_EPOCH,
when set, is the time every written file and folder gets.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, Project, lay_out, snapshot
from core_helpers import run_cli, siblings
from figures import record
from test_interrupt import corpus

from explainer.core import processes as parallel
from explainer.incremental import store

# Enough for two processes to share the linking and rendering.
ARTICLES = 2 * parallel.MIN_ITEMS_PER_PROCESS
# PYTHONHASHSEED and --jobs of the builds compared; the first one is the reference.
RUNS = (("0", "1"), ("1", "2"), ("4242", "1"), ("random", "2"))
EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def build(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run build.py in root; fail the test unless it succeeds without a word on stderr."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-q", *args],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """Return the files that are in only one snapshot or differ between the two."""
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = corpus(ARTICLES)
    for path in sorted((ROOT / "content" / "articles").glob("*.md")):  # quotes and claims
        files[f"content/articles/{path.name}"] = path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "content" / "people").glob("*.md")):  # everyone they name
        files[f"content/people/{path.name}"] = path.read_text(encoding="utf-8")
    return lay_out(tmp_path_factory.mktemp("determinism") / "project", files).root


@pytest.fixture(scope="module")
def builds(project: Path) -> dict[str, dict[str, bytes]]:
    """Clean builds of the project, one per run in RUNS, by output folder name."""
    sites = {}
    for seed, jobs in RUNS:
        out = f"_seed-{seed}-jobs-{jobs}"
        build(project, "--no-cache", "--jobs", jobs, "--out", out, PYTHONHASHSEED=seed)
        sites[out] = snapshot(project / out)
    return sites


def test_builds_are_byte_identical_across_hash_seeds_and_processes(builds):
    (reference, first), *others = builds.items()
    assert "pagefind/pagefind-entry.json" in first
    assert {"feed.xml", "sitemap.xml", "robots.txt", "index.html"} <= first.keys()
    found = {out: differences(first, site) for out, site in others}
    record(
        "determinism",
        compared="hash seeds and --jobs",
        builds=len(builds),
        files=len(first),
        files_compared=len(first) * len(others),
        differences=sum(len(d) for d in found.values()),
        seeds=[seed for seed, _ in RUNS],
        jobs=sorted({jobs for _, jobs in RUNS}),
    )
    assert found == {out: [] for out, _ in others}, f"compared with {reference}"


class Listing:
    """Stand-ins for os.scandir and os.listdir that list every folder in another order."""

    def __init__(self, reorder: Callable[[list[Any]], list[Any]]) -> None:
        self.reorder = reorder
        self.scandir = os.scandir
        self.listdir = os.listdir
        self.changed: list[str] = []  # folders whose listing came out in another order

    def _apply(self, path: object, entries: list[Any], names: list[str]) -> list[Any]:
        order = self.reorder(list(range(len(entries))))
        if order != sorted(order):
            self.changed.append(os.fsdecode(path))  # type: ignore[arg-type]
        return [entries[i] for i in order]

    def fake_scandir(self, path: Any = ".") -> _Entries:
        with self.scandir(path) as it:
            entries = list(it)
        return _Entries(self._apply(path, entries, [e.name for e in entries]))

    def fake_listdir(self, path: Any = ".") -> list[str]:
        names = self.listdir(path)
        return self._apply(path, names, names)


class _Entries:
    """An iterator over a listing that also works as the context manager os.scandir returns."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> _Entries:
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self._entries)

    def __enter__(self) -> _Entries:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None


ORDERS: dict[str, Callable[[list[Any]], list[Any]]] = {
    "reversed": lambda items: items[::-1],
    "shuffled": lambda items: random.Random(len(items)).sample(items, len(items)),
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_the_order_files_are_listed_in_does_not_change_a_byte(
    project, builds, monkeypatch, tmp_path, order
):
    """Build in this process with every directory listing reordered; compare with run 1."""
    copy = tmp_path / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("_*", ".cache"))
    listing = Listing(ORDERS[order])
    monkeypatch.setattr(os, "scandir", listing.fake_scandir)
    monkeypatch.setattr(os, "listdir", listing.fake_listdir)
    result = run_cli(Project(copy), "-q", "--no-cache", "--jobs", "1")
    monkeypatch.undo()
    assert result.returncode == 0, result.stderr
    assert "content/articles" in listing.changed  # the order really was another one
    reference = next(iter(builds.values()))
    found = differences(reference, snapshot(copy / "_site"))
    record(
        "determinism",
        compared=f"files listed in {order} order",
        builds=2,
        files=len(reference),
        files_compared=len(reference),
        differences=len(found),
        listings_reordered=len(listing.changed),
    )
    assert found == []


# --- SOURCE_DATE_EPOCH ---------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A project with the real content: quick to build."""
    files = {
        f"content/{path.relative_to(ROOT / 'content').as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "content").rglob("*.md"))
    }
    return lay_out(tmp_path / "project", files).root


def times(folder: Path) -> dict[str, int]:
    """Return the modification time (ns) of every file and folder under folder, and its own."""
    found = {".": folder.stat().st_mtime_ns}
    for path in folder.rglob("*"):
        found[path.relative_to(folder).as_posix()] = path.lstat().st_mtime_ns
    return found


def test_source_date_epoch_is_the_time_of_every_file_and_folder(small):
    started = time.time_ns()
    build(small, "--out", "_now")
    assert min(times(small / "_now").values()) >= started - 10**9  # without it: now

    build(small, "--out", "_a", SOURCE_DATE_EPOCH=str(EPOCH))
    build(small, "--no-cache", "--out", "_b", SOURCE_DATE_EPOCH=str(EPOCH))  # later, afresh
    stamped = {**times(small / "_a"), **{f"_b/{k}": t for k, t in times(small / "_b").items()}}
    off_time = sorted(name for name, ns in stamped.items() if ns != EPOCH * 10**9)
    found = differences(snapshot(small / "_a"), snapshot(small / "_b"))
    found += differences(snapshot(small / "_a"), snapshot(small / "_now"))
    record(
        "determinism",
        compared="SOURCE_DATE_EPOCH: bytes, and the time of every file and folder",
        builds=3,
        files=len(stamped) // 2,
        files_compared=len(stamped),
        differences=len(found),
        times_not_the_epoch=len(off_time),
        epoch=EPOCH,
    )
    assert off_time == []
    assert found == []

    # A rebuild after an edit carries unchanged pages over and stamps them all again.
    story = small / "content" / "articles" / "corbyn-russia-evidence.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build(small, "--out", "_a", SOURCE_DATE_EPOCH=str(EPOCH))
    assert set(times(small / "_a").values()) == {EPOCH * 10**9}
    # Another epoch with the same content is not "up to date": the times change.
    build(small, "--out", "_a", SOURCE_DATE_EPOCH=str(EPOCH + 60))
    assert set(times(small / "_a").values()) == {(EPOCH + 60) * 10**9}


@pytest.mark.parametrize("value", ["yesterday", "-1", "1.5", "10000000000000"])
def test_a_malformed_source_date_epoch_stops_the_build(small, monkeypatch, value):
    project = Project(small)
    assert run_cli(project, "-q").returncode == 0
    before = snapshot(small / "_site")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run_cli(project, "-q")
    assert result.returncode == 1
    assert result.lines == [
        "SOURCE_DATE_EPOCH: expected a whole number of seconds since 1970-01-01 00:00 UTC, "
        f"such as 1700000000, got '{value}'",
        "Build failed: 1 error; _site was left as it was.",
    ]
    assert snapshot(small / "_site") == before
    assert [n for n in siblings(small / "_site") if n.startswith("._site.")] == []


def test_with_source_date_epoch_a_page_left_by_a_killed_build_is_not_reused(small, monkeypatch):
    """Every file has the same time, so a page of the same size must be told apart otherwise.

    A build is stopped after it swapped its site in but before it saved the cache (as by a
    kill at that moment); the content then goes back to what the cache describes.
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    project = Project(small)
    story = small / "content" / "articles" / "corbyn-russia-evidence.md"
    original = story.read_text(encoding="utf-8")
    assert "Western democracies" in original
    assert run_cli(project, "-q").returncode == 0
    page = small / "_site" / "articles" / "corbyn-russia-evidence" / "index.html"
    first = page.read_bytes()

    story.write_text(original.replace("Western democracies", "Eastern democracies"), "utf-8")

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(store, "save", killed)
        result = run_cli(project, "-q")
    assert result.lines == ["Interrupted; the new site was already in place in _site."]
    second = page.read_bytes()
    assert second != first and len(second) == len(first)

    story.write_text(original, encoding="utf-8")
    assert run_cli(project, "-q").returncode == 0
    assert page.read_bytes() == first

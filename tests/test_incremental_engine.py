"""The incremental engine's own decisions: what it redraws, what it patches, what it reads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from conftest import JOHNSON, MAY, article
from hypothesis import given, settings
from hypothesis import strategies as st
from test_serve import Server

from explainer.incremental import Session
from explainer.incremental.engine import patch_rows
from explainer.link import group_rows
from explainer.options import BuildOptions
from explainer.pipeline import build


def options(root: Path, out: str = "_clean") -> BuildOptions:
    return BuildOptions(
        config_path=root / "site.yaml", out_dir=root / out, search=False, cache=False, jobs=1
    )


def edit(path: Path, text: str) -> None:
    """Write text so the change is seen even within one tick of the file system's clock."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def clean_files(root: Path) -> dict[str, bytes]:
    build(options(root))
    out = root / "_clean"
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".explainer-site"
    }


SITE = {
    "content/people/theresa-may.md": MAY,
    "content/people/boris-johnson.md": JOHNSON,
    "content/articles/a.md": article("Theresa May spoke.", title="A", people=["theresa-may"]),
    "content/articles/b.md": article(
        "Boris Johnson spoke.", title="B", date="2019-08-01", people=["boris-johnson"]
    ),
}


def test_a_body_edit_that_changes_no_mention_redraws_only_its_page(make_project):
    project = make_project(SITE)
    session = Session(options(project.root))
    first = session.update()
    assert first.fresh and len(first.rendered) == len(first.pages)
    edit(
        project.root / "content/articles/a.md",
        article("Theresa May spoke.\n\nA second paragraph.", title="A", people=["theresa-may"]),
    )
    update = session.update()
    assert not update.fresh
    assert sorted(update.rendered) == ["articles/a/index.html"]
    assert dict(session.pages) == clean_files(project.root)


def test_a_title_change_redraws_the_pages_that_show_the_title(make_project):
    project = make_project(SITE)
    session = Session(options(project.root))
    session.update()
    edit(
        project.root / "content/articles/a.md",
        article("Theresa May spoke.", title="A new title", people=["theresa-may"]),
    )
    update = session.update()
    drawn = set(update.rendered)
    # the story, the lists of stories, the profile and timeline that list it, the feed
    assert {
        "articles/a/index.html",
        "index.html",
        "articles/index.html",
        "people/theresa-may/index.html",
        "timeline/index.html",
        "feed.xml",
    } <= drawn
    # B's page and Johnson's profile show nothing of A
    assert "articles/b/index.html" not in drawn
    assert "people/boris-johnson/index.html" not in drawn
    assert dict(session.pages) == clean_files(project.root)


def test_touched_files_are_read_again_and_an_unknown_one_makes_it_look_at_everything(
    make_project,
):
    project = make_project(SITE)
    session = Session(options(project.root))
    session.update()
    story = project.root / "content/articles/a.md"
    edit(story, article("Mrs May spoke at last.", title="A", people=["theresa-may"]))
    session.update(touched=[story.resolve()])
    assert b"spoke at last" in session.pages["articles/a/index.html"]
    new = project.root / "content/articles/c.md"
    edit(new, article("Boris Johnson wrote.", title="C", people=["boris-johnson"]))
    session.update(touched=[new.resolve()])
    assert "articles/c/index.html" in session.pages
    assert dict(session.pages) == clean_files(project.root)


@dataclass(frozen=True)
class _Article:
    slug: str
    sort_key: tuple[int, str, str]


@dataclass(frozen=True)
class _Item:
    article: _Article
    keys: tuple[str, ...]


def _rows(item: _Item) -> list[tuple[str, tuple[str, int]]]:
    return [(key, (item.article.slug, i)) for i, key in enumerate(item.keys)]


items = st.dictionaries(
    st.sampled_from([f"a{n}" for n in range(8)]),
    st.tuples(
        st.integers(1, 5), st.lists(st.sampled_from(["p", "q", "r", "s"]), max_size=4)
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(before=items, after=items)
def test_patched_rows_equal_rows_gathered_afresh(before, after):
    def made(spec: dict[str, tuple[int, list[str]]]) -> dict[str, _Item]:
        return {
            slug: _Item(_Article(slug, (-day, slug, slug)), tuple(keys))
            for slug, (day, keys) in spec.items()
        }

    old, new = made(before), made(after)
    for slug in old.keys() & new.keys():  # unchanged articles keep their objects
        if old[slug] == new[slug]:
            new[slug] = old[slug]
    moved = {s for s in old.keys() | new.keys() if old.get(s) is not new.get(s)}
    order = {slug: item.article.sort_key for slug, item in new.items()}
    patched = patch_rows(
        group_rows(old.values(), _rows),  # type: ignore[arg-type]
        old,  # type: ignore[arg-type]
        new,  # type: ignore[arg-type]
        moved,
        _rows,  # type: ignore[arg-type]
        order,
    )
    assert patched == group_rows(new.values(), _rows)  # type: ignore[arg-type]


def test_the_preview_tells_open_pages_which_pages_changed(make_project):
    project = make_project(SITE)
    server = Server(project)
    try:
        version = int(str(server.next_status(-1)["version"]))
        edit(
            project.root / "content/articles/b.md",
            article(
                "Boris Johnson spoke again.", title="B", date="2019-08-01", people=["boris-johnson"]
            ),
        )
        status = server.next_status(version)
        assert status["ok"] is True
        # the story, and the profile that quotes the sentence naming him; no other page
        assert status["changed"] == ["/articles/b/", "/people/boris-johnson/"]
    finally:
        server.stop()

"""The incremental engine's own decisions: what it redraws, what it patches, what it reads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from conftest import JOHNSON, MAY, article
from hypothesis import given, settings
from hypothesis import strategies as st
from serve_helpers import Server

from explainer.api import build
from explainer.core.options import BuildOptions
from explainer.incremental import Session
from explainer.incremental.engine import patch_rows
from explainer.link.linking import group_rows


def options(root: Path, out: str = "_clean") -> BuildOptions:
    return BuildOptions(
        config_path=root / "site.yaml", out_dir=root / out, search=False, cache=False, jobs=1
    )


def edit(path: Path, text: str) -> None:
    """Write text so the change is seen even within one tick of the file system's clock."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def add_to_main(root: Path, template: str, text: str) -> None:
    """Put text at the start of a template's main block."""
    path = root / "templates" / template
    page = path.read_text(encoding="utf-8")
    edit(path, page.replace("{% block main %}", "{% block main %}" + text, 1))


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


# --- Edits that once left an incremental build unlike a clean one -------------------------


def _session_after(make_project, files, edits) -> tuple[Session, Path]:
    project = make_project(files)
    session = Session(options(project.root))
    session.update()
    for rel, text in edits.items():
        edit(project.root / rel, text)
    session.update()
    return session, project.root


def _same_as_clean(session: Session, root: Path) -> None:
    clean = clean_files(root)
    got = dict(session.pages)
    differ = sorted(p for p in clean.keys() | got.keys() if clean.get(p) != got.get(p))
    assert not differ, differ


HEADLINED = """---
title: A story
date: 2017-11-15
summary: What happened.
people: [theresa-may]
related_headlines:
  - title: "BoJo quits"
claims:
  - claim: "BoJo will resign"
    status: asserted
---
Theresa May spoke.
"""


def test_a_new_alias_links_an_unchanged_articles_headlines_and_claims(make_project):
    files = {
        "content/people/theresa-may.md": MAY,
        "content/people/boris-johnson.md": JOHNSON,
        "content/articles/a.md": HEADLINED,
    }
    named = JOHNSON.replace("party: Conservative", "aliases: [BoJo]\nparty: Conservative")
    session, root = _session_after(
        make_project, files, {"content/people/boris-johnson.md": named}
    )
    assert b"No articles mention Boris Johnson" not in session.pages["people/boris-johnson/index.html"]
    _same_as_clean(session, root)


def test_a_headline_that_moves_keeps_its_warning_on_its_line(make_project):
    story = """---
title: A story
date: 2017-11-15
summary: What happened.
related_headlines:
  - title: "See [[d]]"
people: [theresa-may]
---
Theresa May spoke.
"""
    moved = story.replace('related_headlines:\n  - title: "See [[d]]"\n', "").replace(
        "title: A story\n", 'title: A story\nrelated_headlines:\n  - title: "See [[d]]"\n'
    )
    files = {
        "content/people/theresa-may.md": MAY,
        "content/articles/a.md": story,
        "content/articles/d.md": article("A draft.", title="D", draft="true"),
    }
    project = make_project(files)
    session = Session(options(project.root))
    session.update()
    edit(project.root / "content/articles/a.md", moved)
    update = session.update()
    lines = [d.line for d in update.diagnostics if "links to a draft" in d.message]
    clean = build(options(project.root))
    assert lines == [d.line for d in clean.diagnostics if "links to a draft" in d.message] == [4]


def test_a_partial_named_with_dot_slash_is_followed(make_project):
    files = {**SITE}
    project = make_project(files)
    add_to_main(project.root, "person.html", '{% include "./partials/extra.html" %}')
    edit(project.root / "templates/partials/extra.html", "extra v1")
    session = Session(options(project.root))
    session.update()
    edit(project.root / "templates/partials/extra.html", "extra v2")
    session.update()
    assert b"extra v2" in session.pages["people/theresa-may/index.html"]
    _same_as_clean(session, project.root)


def test_templates_compare_and_print_model_objects_as_in_a_clean_build(make_project):
    files = {**SITE}
    project = make_project(files)
    add_to_main(
        project.root,
        "article.html",
        "{% for e in people_in_story %}"
        "[{{ e.person|string|truncate(12, True, '') }}|{{ e.person.slug }}]{% endfor %}",
    )
    session = Session(options(project.root))
    session.update()
    assert b"[Person(slug=|theresa-may]" in session.pages["articles/a/index.html"]
    _same_as_clean(session, project.root)


def test_extra_values_that_compare_equal_but_show_otherwise_are_redrawn(make_project):
    files = {
        **SITE,
        "content/articles/a.md": article(
            "Theresa May spoke.", title="A", people=["theresa-may"], extra="{flag: 1, desk: x}"
        ),
    }
    project = make_project(files)
    add_to_main(project.root, "article.html", "<p>{{ article.extra }}</p>")
    session = Session(options(project.root))
    session.update()
    edit(
        project.root / "content/articles/a.md",
        article(
            "Theresa May spoke.", title="A", people=["theresa-may"], extra="{desk: x, flag: true}"
        ),
    )
    session.update()
    assert b"{&#39;desk&#39;: &#39;x&#39;, &#39;flag&#39;: True}" in session.pages["articles/a/index.html"]
    _same_as_clean(session, project.root)


def test_a_file_rewritten_with_its_old_size_and_time_is_read_again(make_project):
    project = make_project(SITE)
    session = Session(options(project.root))
    session.update()
    story = project.root / "content/articles/b.md"
    before = story.stat()
    story.write_text(story.read_text(encoding="utf-8").replace("spoke", "SPOKE"), encoding="utf-8")
    os.utime(story, ns=(before.st_atime_ns, before.st_mtime_ns))
    session.update()
    assert b"SPOKE." in session.pages["articles/b/index.html"]


def test_a_template_that_counts_the_counts_is_redrawn_when_their_number_changes(make_project):
    nato = "---\nname: NATO\nsummary: A military alliance.\nkind: organisation\n---\n"
    files = {**SITE, "content/topics/nato.md": nato}
    project = make_project(files)
    add_to_main(project.root, "people.html", "<p>{{ counts|length }} named</p>")
    session = Session(options(project.root))
    session.update()
    assert b"<p>2 named</p>" in session.pages["people/index.html"]
    edit(
        project.root / "content/articles/a.md",
        article("Theresa May spoke of NATO.", title="A", people=["theresa-may"]),
    )
    session.update()
    assert b"<p>3 named</p>" in session.pages["people/index.html"]
    _same_as_clean(session, project.root)

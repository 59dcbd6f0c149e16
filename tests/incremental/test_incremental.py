"""Incremental rebuilds equal clean builds, byte for byte, after any edits of any kind.

Each example generates a small site (tests/edit_sequences.py), builds it, then applies
a random sequence of edits; after every step the rebuild (warm cache, through the build
API or the command line, drafts on or off) must equal a clean build, and a step that
writes a content error must be refused with the old site left as it was. The same
sequences run through the preview's in-memory session (explainer.incremental.Session).
"""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import Project, snapshot
from core_helpers import run_cli
from edit_sequences import (
    EDITS,
    MARKER,
    Break,
    Change,
    SiteModel,
    Step,
    Workspace,
    assert_same_site,
    edits,
    newsroom,
    sites,
)
from figures import record, scaled
from hypothesis import HealthCheck, Phase, assume, event, given, settings
from hypothesis import strategies as st

from explainer.api import build
from explainer.core.errors import BuildFailed

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # No explain phase: tracing every build of every shrink takes minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
STEPS = st.integers(1, 6)


def _workspace(tmp: str | Path, site: SiteModel) -> Workspace:
    workspace = Workspace(Path(tmp) / "project")
    workspace.sync(site.files())
    return workspace


# --- The generator itself ----------------------------------------------------------------


def model_problems(site: SiteModel) -> list[str]:
    """What would make the model's files fail to build (the generator must never do it)."""
    slugs = site.slugs()
    problems = [f"slug used twice: {s}" for s in sorted(set(slugs)) if slugs.count(s) > 1]
    people, topics = set(site.slugs("people")), set(site.slugs("topics"))
    bodies = [
        (item.slug, item.body) for c in ("people", "topics", "articles") for item in site.items(c)
    ]
    for slug, body in bodies:
        for ref in re.findall(r"\[\[([^\]|]+)", " ".join(body)):
            problems += [f"{slug}: [[{ref}]] names nothing"] if ref not in slugs else []
    for a in site.articles:
        problems += [f"{a.slug}: unknown person {p}" for p in a.people if p not in people]
        problems += [f"{a.slug}: unknown topic {t}" for t in a.topics if t not in topics]
        problems += [f"{a.slug}: quote by {q.by}" for q in a.quotes if q.by not in people]
        problems += [f"{a.slug}: updated before date"] if a.updated and a.updated < a.date else []
    for person in site.people:
        spans = [(r.start, r.end) for r in person.roles] + [(m.start, m.end) for m in person.party]
        problems += [f"{person.slug}: {s} to {e}" for s, e in spans if s and e and e < s]
    return problems


@settings(SETTINGS, max_examples=scaled(30, 300))
@given(site=sites(), data=st.data())
def test_generated_edits_keep_the_site_buildable(site, data):
    """Checked on the model alone, so a generator bug is not taken for an engine bug."""
    assert model_problems(site) == []
    for n in range(6):
        step = data.draw(edits(site), label=f"step {n + 1}")
        site = step.edit.apply(site)
        assert model_problems(site) == [], step
        assert site.files()


# --- Through the build API and the command line ------------------------------------------


def rebuild(workspace: Workspace, drafts: bool, via: str) -> list[str]:
    """Build into _site with the cache; return the errors when the content was refused."""
    if via == "api":
        try:
            build(workspace.options(drafts))
        except BuildFailed as failure:
            return [str(error) for error in failure.errors]
        return []
    result = run_cli(Project(workspace.root), "build", *workspace.cli_args(drafts), "--quiet")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode == 1:
        assert "Build failed" in result.stderr, result.stderr
        return result.lines
    return []


def draw_steps(data: st.DataObject, site: SiteModel, plan: Iterable[Iterable[str]]) -> list[Step]:
    """Draw one edit per step of the plan, of the kinds it lists, each applying to the site
    the steps before it made (all drawn before any build, so no draw wastes a build)."""
    steps = []
    for n, kinds in enumerate(plan, 1):
        step = data.draw(edits(site, kinds), label=f"step {n}")
        event(step.kind)
        site = step.edit.apply(site)
        steps.append(step)
    return steps


def check_rebuilds(site: SiteModel, data: st.DataObject, plan: Iterable[Iterable[str]]) -> None:
    """Build, then rebuild after each edit of the plan, and compare with a clean build."""
    steps = draw_steps(data, site, plan)
    builds = data.draw(
        st.lists(
            st.tuples(st.booleans(), st.sampled_from(["api", "cli"])),
            min_size=len(steps) + 1,
            max_size=len(steps) + 1,
        ),
        label="each build's drafts and way in (the first build's, then each step's)",
    )
    with tempfile.TemporaryDirectory(prefix="explainer-edits-") as tmp:
        workspace = _workspace(tmp, site)
        drafts, via = builds[0]
        assert rebuild(workspace, drafts, via) == []
        out = workspace.root / "_site"
        refused = 0
        for n, (step, (drafts, via)) in enumerate(zip(steps, builds[1:], strict=True), 1):
            before = snapshot(out)
            site = workspace.step(site, step.edit)
            errors = rebuild(workspace, drafts, via)
            if isinstance(step.edit, Break):
                assert errors, f"step {n} wrote a content error, yet the build succeeded"
                assert snapshot(out) == before, f"step {n}: a refused build changed _site"
                refused += 1
                continue
            assert not errors, f"step {n} ({step.kind}) does not build:\n" + "\n".join(errors)
            clean = workspace.clean_build(drafts)
            assert_same_site(snapshot(out), clean, f"after step {n} ({step.kind}), _site")
        if isinstance(step.edit, Break):  # the last step broke the site: now fix it
            workspace.sync(site.files())
            assert rebuild(workspace, drafts, via) == []
            assert_same_site(snapshot(out), workspace.clean_build(drafts), "after the fix, _site")
    record(
        "incremental",
        edit_sequences=1,
        rebuilds=len(steps),
        identical_to_clean=1,
        content_errors_refused=refused,
    )


@settings(SETTINGS, max_examples=scaled(10, 150))
@given(site=sites(), data=st.data())
def test_incremental_builds_equal_clean_builds(site, data):
    """After every step of a random edit sequence, a cached rebuild equals a clean build."""
    check_rebuilds(site, data, [EDITS] * data.draw(STEPS, label="steps"))


def _applicable(kind: str, site: SiteModel) -> bool:
    return EDITS[kind](site) is not None


@pytest.mark.parametrize("kind", sorted(EDITS))
@settings(SETTINGS, max_examples=scaled(2, 8))
@given(site=sites(), data=st.data())
def test_every_kind_of_edit_rebuilds_like_a_clean_build(kind, site, data):
    """Edits of each kind, every run (hypothesis's first example is its simplest, so two)."""
    assume(_applicable(kind, site))
    check_rebuilds(site, data, [[kind]])
    record("incremental", edit_kinds=1)


# --- Through the preview's in-memory session ---------------------------------------------


def updated(session: Any) -> dict[str, bytes]:
    """Run session.update() and check what it says changed against what did; return the pages."""
    before = dict(session.pages)
    update = session.update()
    after = dict(session.pages)
    changed, removed = set(update.changed), set(update.removed)
    differ = sorted(p for p in after if before.get(p) != after[p])
    unreported = sorted(set(differ) - changed)
    assert not unreported, f"pages changed but are not in update.changed: {unreported}"
    assert changed <= set(after), (
        f"update.changed names pages it does not have: {sorted(changed - set(after))}"
    )
    assert removed == set(before) - set(after), (
        f"update.removed is {sorted(removed)}; the pages that went are {sorted(set(before) - set(after))}"
    )
    return after


def without_marker(files: Mapping[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path != MARKER}


def check_session(
    session_class: type, site: SiteModel, data: st.DataObject, plan: Iterable[Iterable[str]]
) -> None:
    """Update one session after each edit of the plan, and compare with a clean build."""
    steps = draw_steps(data, site, plan)
    drafts = data.draw(st.booleans(), label="drafts")
    with tempfile.TemporaryDirectory(prefix="explainer-session-") as tmp:
        workspace = _workspace(tmp, site)
        session = session_class(workspace.options(drafts))
        pages = updated(session)
        clean = without_marker(workspace.clean_build(drafts))
        assert_same_site(pages, clean, "the first session.pages")
        for n, step in enumerate(steps, 1):
            site = workspace.step(site, step.edit)
            if isinstance(step.edit, Break):
                with pytest.raises(BuildFailed):
                    session.update()
                assert dict(session.pages) == pages, f"step {n}: a refused update changed the pages"
                continue
            pages = updated(session)
            clean = without_marker(workspace.clean_build(drafts))
            assert_same_site(pages, clean, f"after step {n} ({step.kind}), session.pages")
        if isinstance(step.edit, Break):  # the last step broke the site: now fix it
            workspace.sync(site.files())
            clean = without_marker(workspace.clean_build(drafts))
            assert_same_site(updated(session), clean, "after the fix, session.pages")
    record("preview-session", edit_sequences=1, updates=len(steps), identical_to_clean=1)


@settings(SETTINGS, max_examples=scaled(10, 150))
@given(site=sites(), data=st.data())
def _session_matches_clean_builds(session_class, site, data):
    check_session(session_class, site, data, [EDITS] * data.draw(STEPS, label="steps"))


@settings(SETTINGS, max_examples=scaled(2, 8))
@given(site=sites(), data=st.data())
def _session_handles_one_kind(session_class, kind, site, data):
    assume(_applicable(kind, site))
    check_session(session_class, site, data, [[kind]])


@functools.cache
def _session_class() -> type:
    """The new engine's Session (an ImportError until it lands), once seen to start: a
    missing or broken engine then fails each test at once, not after a long shrink."""
    from explainer.incremental import Session

    with tempfile.TemporaryDirectory(prefix="explainer-session-") as tmp:
        Session(_workspace(tmp, newsroom(2)).options()).update()
    return Session


def test_session_pages_equal_clean_builds():
    """After every step of a random edit sequence, the session's pages equal a clean build."""
    _session_matches_clean_builds(_session_class())


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_every_kind_of_edit_updates_the_session_like_a_clean_build(kind):
    _session_handles_one_kind(_session_class(), kind)


# --- How much an edit redoes ------------------------------------------------------------


def quiet_edit(site: SiteModel) -> Change:
    """A body edit that changes no mention: a sentence that names nobody."""
    mention, refs = site.get("articles", "story-07").body
    return Change(
        "articles", "story-07", "body", (mention, refs.replace("Rain fell", "Rain stopped"))
    )


def test_a_quiet_body_edit_changes_only_that_articles_page(tmp_path):
    """The site itself: such an edit changes the bytes of one page (what a session must redo at least)."""
    site = newsroom()
    workspace = _workspace(tmp_path, site)
    first = build(workspace.options())
    before = workspace.clean_build(False)
    workspace.step(site, quiet_edit(site))
    again = build(workspace.options())
    after = workspace.clean_build(False)
    assert_same_site(snapshot(workspace.root / "_site"), after, "after the quiet edit, _site")
    differ = sorted(p for p in after if before.get(p) != after[p])
    assert differ == ["articles/story-07/index.html"]
    record("incremental", pages_reused_after_a_quiet_edit=f"{again.reused} of {first.pages}")


def test_a_quiet_body_edit_re_renders_that_article_and_no_other():
    """A session redoes the edited article's page and none of the other articles' pages."""
    session_class = _session_class()
    with tempfile.TemporaryDirectory(prefix="explainer-session-") as tmp:
        site = newsroom()
        workspace = _workspace(tmp, site)
        session = session_class(workspace.options())
        updated(session)
        workspace.step(site, quiet_edit(site))
        update = session.update()
        assert_same_site(
            dict(session.pages), without_marker(workspace.clean_build(False)), "session.pages"
        )
    target = "articles/story-07/index.html"
    others = {f"articles/{a.slug}/index.html" for a in site.articles} - {target}
    assert target in update.changed
    assert sorted(others & set(update.changed)) == []
    assert not update.removed

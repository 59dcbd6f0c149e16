"""The build cache: rebuilds reuse work, yet always equal a clean build, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import JOHNSON, MAY, article, snapshot
from figures import record, scaled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.api import BuildOptions, build
from explainer.incremental import build_key as incremental_key
from explainer.incremental import store as cache_module
from explainer.incremental.store import cache_path


def options(root: Path, out: str, cache: bool = True) -> BuildOptions:
    return BuildOptions(
        config_path=root / "site.yaml", out_dir=root / out, cache=cache, search=False, jobs=1
    )


def edit(path: Path, text: str) -> None:
    """Write text so the change is visible even within one clock tick."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_no_op_rebuild_is_up_to_date_and_keeps_warnings(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/story.md": article("Text.", people=["theresa-may"]),
        }
    )
    first = build(options(project.root, "_site"))
    second = build(options(project.root, "_site"))
    assert not first.up_to_date and second.up_to_date
    assert second.diagnostics == first.diagnostics
    assert [d.message for d in second.warnings] == [d.message for d in first.warnings]


def test_edit_rebuild_reuses_unchanged_pages(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/articles/a.md": article("Theresa May spoke.", people=["theresa-may"]),
            "content/articles/b.md": article(
                "Boris Johnson spoke.", title="B", people=["boris-johnson"]
            ),
        }
    )
    build(options(project.root, "_site"))
    edit(
        project.root / "content/articles/a.md",
        article("Theresa May spoke again, twice.", people=["theresa-may"]),
    )
    result = build(options(project.root, "_site"))
    assert result.reused > 0
    assert "spoke again, twice." in project.page("articles/a/")
    clean = build(options(project.root, "_clean", cache=False))
    assert clean.reused == 0
    assert snapshot(project.root / "_site") == snapshot(project.root / "_clean")


def test_corrupt_cache_is_ignored(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/a.md": article("Theresa May spoke.", people=["theresa-may"]),
        }
    )
    build(options(project.root, "_site"))
    path = cache_path(project.root, project.root / "_site")
    assert path.is_file()
    path.write_bytes(b"\x80\x04not a pickle at all")
    edit(project.root / "content/articles/a.md", article("Mrs May spoke.", people=["theresa-may"]))
    result = build(options(project.root, "_site"))
    assert not result.up_to_date and result.reused == 0
    build(options(project.root, "_clean", cache=False))
    assert snapshot(project.root / "_site") == snapshot(project.root / "_clean")


def test_hand_edited_output_is_rebuilt(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/a.md": article("Theresa May spoke.", people=["theresa-may"]),
        }
    )
    build(options(project.root, "_site"))
    page = project.root / "_site/people/theresa-may/index.html"
    page.write_text("tampered", encoding="utf-8")
    result = build(options(project.root, "_site"))
    assert not result.up_to_date
    assert "tampered" not in page.read_text(encoding="utf-8")


PEOPLE = {
    "theresa-may": MAY,
    "boris-johnson": JOHNSON,
    "dominic-grieve": "---\nname: Dominic Grieve\nsummary: Chair of the committee.\n"
    "aliases: [Mr Grieve]\n---\nA lawyer.\n",
}
BODIES = [
    "The Prime Minister met Mr Grieve.",
    "Theresa May and Boris Johnson disagreed. [[dominic-grieve]] agreed.",
    "Nobody was named.",
    "Mrs May said [[a0|the first story]] was wrong.",
    "The Foreign Secretary spoke to the Prime Minister.",
]
DATES = ["2016-01-10", "2017-11-15", "2019-07-24", "2020-02-02"]

edits = st.lists(
    st.one_of(
        st.tuples(
            st.just("article"),
            st.integers(0, 3),
            st.sampled_from(BODIES),
            st.sampled_from(DATES),
            st.lists(st.sampled_from(sorted(PEOPLE)), unique=True),
        ),
        st.tuples(st.just("delete"), st.integers(1, 3)),
        st.tuples(
            st.just("alias"),
            st.sampled_from(sorted(PEOPLE)),
            st.sampled_from(["Mrs May", "Mr Grieve", "Boris"]),
        ),
        st.tuples(
            st.just("summary"),
            st.sampled_from(sorted(PEOPLE)),
            st.text("abc xyz", min_size=1, max_size=12),
        ),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=scaled(12, 100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=edits)
def test_incremental_build_equals_clean_build(make_project, steps):
    """After any sequence of edits, a cached rebuild equals a clean build of the same content."""
    files = {f"content/people/{slug}.md": text for slug, text in PEOPLE.items()}
    files["content/articles/a0.md"] = article(
        "Theresa May spoke.", title="First", people=["theresa-may"]
    )
    project = make_project(files)
    for folder in ("_site", "_clean", ".cache"):
        import shutil

        shutil.rmtree(project.root / folder, ignore_errors=True)
    for path in (project.root / "content/articles").glob("a[1-9].md"):
        path.unlink()
    for slug, text in PEOPLE.items():
        edit(project.root / f"content/people/{slug}.md", text)
    assert build(options(project.root, "_site")).pages > 0
    for step in steps:
        if step[0] == "article":
            _, n, body, day, people = step
            edit(
                project.root / f"content/articles/a{n}.md",
                article(body, title=f"Story {n}", date=day, people=people or []),
            )
        elif step[0] == "delete":
            (project.root / f"content/articles/a{step[1]}.md").unlink(missing_ok=True)
        elif step[0] == "alias":
            _, slug, alias = step
            text = PEOPLE[slug].replace("summary:", f"aliases: [{alias}]\nsummary:", 1)
            if alias in PEOPLE[slug]:
                text = PEOPLE[slug].replace(alias, f"{alias} Senior", 1)
            elif "aliases:" in PEOPLE[slug]:
                text = PEOPLE[slug].replace("aliases: [", f"aliases: [{alias}, ", 1)
            edit(project.root / f"content/people/{slug}.md", text)
        else:
            _, slug, summary = step
            text = PEOPLE[slug].replace("summary: ", f"summary: {summary.strip() or 'x'} ", 1)
            edit(project.root / f"content/people/{slug}.md", text)
        incremental = build(options(project.root, "_site"))
        assert incremental.pages > 0 or incremental.up_to_date
    build(options(project.root, "_clean", cache=False))
    assert snapshot(project.root / "_site") == snapshot(project.root / "_clean")
    record("cache", edit_sequences=1, rebuilds=len(steps), identical_to_clean=1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_parallel_build_equals_serial_build(make_project, jobs, monkeypatch):
    from explainer.core import processes as parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_PROCESS", 1)
    files = {f"content/people/{slug}.md": text for slug, text in PEOPLE.items()}
    for n, body in enumerate(BODIES):
        files[f"content/articles/a{n}.md"] = article(
            body, title=f"Story {n}", people=["theresa-may"]
        )
    project = make_project(files)
    opts = BuildOptions(
        config_path=project.root / "site.yaml",
        out_dir=project.root / f"_j{jobs}",
        cache=False,
        search=False,
        jobs=jobs,
    )
    build(opts)
    serial = BuildOptions(
        config_path=project.root / "site.yaml",
        out_dir=project.root / "_serial",
        cache=False,
        search=False,
        jobs=1,
    )
    build(serial)
    assert snapshot(project.root / f"_j{jobs}") == snapshot(project.root / "_serial")


def test_progress_line_only_on_a_terminal():
    import io

    from explainer.core.progress import Progress

    quiet = io.StringIO()
    Progress(stream=quiet)("Rendering pages", 1, 10)  # StringIO is not a terminal
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    line = Progress(stream=shown, enabled=True, delay=0)
    line("Rendering pages", 5, 10)
    line("Rendering pages", 10, 10)
    line.clear()
    assert shown.getvalue().startswith("\rRendering pages 5/10")
    assert "\rRendering pages 10/10" in shown.getvalue()
    assert shown.getvalue().endswith("\r")


def test_a_damaged_state_costs_only_time(make_project):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            **{
                f"content/articles/a{n}.md": article(
                    f"Theresa May and Boris Johnson met {n}.", people=["theresa-may", "boris-johnson"]
                )
                for n in range(12)
            },
        }
    )
    build(options(project.root, "_site"))
    state = cache_path(project.root, project.root / "_site")
    data = state.read_bytes()
    state.write_bytes(data[: len(data) // 2])
    edit(project.root / "content/people/theresa-may.md", MAY.replace("[Mrs May]", "[Mrs May, Theresa]"))
    result = build(options(project.root, "_site"))
    assert not result.up_to_date and result.reused == 0
    build(options(project.root, "_clean", cache=False))
    assert snapshot(project.root / "_site") == snapshot(project.root / "_clean")


def test_package_versions_are_read_as_the_package_metadata_gives_them():
    from importlib import metadata

    installed = cache_module.installed_versions()
    for name in cache_module.PACKAGES:
        assert installed[cache_module.dist_key(name)] == metadata.version(name), name


def test_another_version_of_a_package_is_another_cache(monkeypatch):
    before = cache_module.code_version()
    installed = cache_module.installed_versions()
    upgraded = {**installed, "markdown": installed["markdown"] + ".post1"}
    monkeypatch.setattr(cache_module, "installed_versions", lambda: upgraded)
    assert cache_module.code_version() != before
    monkeypatch.setattr(cache_module, "installed_versions", lambda: {})  # found no other way
    assert cache_module.code_version() == before  # the versions then come from the metadata


@pytest.mark.parametrize("search", [False, True])
def test_the_manifest_names_every_file_of_the_output(make_project, search):
    """The no-op check looks at exactly the files a build left, found without a walk."""
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/articles/a.md": article("Theresa May spoke.", people=["theresa-may"]),
            "content/articles/b.md": article("Theresa May wrote.", title="B"),
        }
    )
    chosen = BuildOptions(
        config_path=project.root / "site.yaml", out_dir=project.root / "_site", search=search
    )
    for step in range(2):  # a clean build, then an edit
        if step:
            edit(project.root / "content/articles/b.md", article("Mrs May wrote more.", title="B"))
        build(chosen)
        manifest = cache_module.load_manifest(
            cache_path(project.root, chosen.out), incremental_key(chosen)
        )
        assert manifest is not None
        assert sorted(manifest.outputs) == sorted(snapshot(project.root / "_site"))


SETTINGS = "title: Test Site\nbase_url: https://example.org/news/\n"


@pytest.mark.parametrize(
    ("link", "target", "before", "after"),
    [
        ("static/extra.css", "shared/extra.css", "p {}\n", "p { color: red }\n"),
        ("site.yaml", "settings/site.yaml", SETTINGS, SETTINGS.replace("Test", "Other")),
    ],
)
def test_an_edit_to_the_file_a_link_leads_to_is_a_change(make_project, link, target, before, after):
    """A static file or the settings may be a link to a file elsewhere in the project."""
    project = make_project({"content/people/theresa-may.md": MAY, target: before})
    (project.root / link).unlink(missing_ok=True)
    (project.root / link).symlink_to(project.root / target)
    build(options(project.root, "_site"))
    edit(project.root / target, after)
    result = build(options(project.root, "_site"))
    assert not result.up_to_date, f"an edit to {target}, which {link} leads to, went unseen"
    build(options(project.root, "_clean", cache=False))
    assert snapshot(project.root / "_site") == snapshot(project.root / "_clean")


def test_a_link_between_content_files_is_rebuilt_when_kept_in_memory(make_project):
    """As the build daemon keeps it: an edit to a file another one links to changes both."""
    from explainer.core.progress import Progress
    from explainer.incremental import CachedBuild

    project = make_project({"content/people/theresa-may.md": MAY})
    project.write("content/articles/b.md", article("Theresa May spoke.", title="B"))
    (project.root / "content/articles/a.md").symlink_to("b.md")
    builder = CachedBuild(options(project.root, "_site"))
    builder.run(0.0, Progress(enabled=False))
    edit(project.root / "content/articles/b.md", article("Mrs May wrote more.", title="B"))
    builder.run(0.0, Progress(enabled=False))
    assert "wrote more." in project.page("articles/a/")
    assert "wrote more." in project.page("articles/b/")

"""Command line: build and check, options, exit codes, and every kind of bad input."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import JOHNSON, MAY, ROOT, SITE_YAML, Project, article, snapshot
from core_helpers import ARDERN, run_cli, siblings

GOOD = {
    "content/people/theresa-may.md": MAY,
    "content/people/boris-johnson.md": JOHNSON,
    "content/articles/story.md": article(
        "Theresa May met the Foreign Secretary.\n", people=["theresa-may"]
    ),
}
SUMMARY_RE = re.compile(r"Built (\d+) pages? into (.+) in \d+\.\d\d s, (\d+) warnings?\.\n\Z")
CHECKED_RE = re.compile(r"Checked (\d+) pages? in \d+\.\d\d s: no errors, (\d+) warnings?\.\n\Z")
FAILED = "Build failed: 1 error; _site was left as it was."


def summary(stdout: str) -> tuple[str, str, str]:
    """Return (pages, output folder, warnings) from the one-line build summary."""
    match = SUMMARY_RE.match(stdout)
    assert match, stdout
    return match.group(1), match.group(2), match.group(3)


@pytest.fixture
def project(make_project: Callable[[Mapping[str, str | bytes]], Project]) -> Project:
    return make_project(GOOD)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good project built once; tests that need a previous site work on a copy."""
    root = tmp_path_factory.mktemp("built") / "project"
    root.mkdir()
    for folder in ("templates", "static"):
        shutil.copytree(ROOT / folder, root / folder)
    project = Project(root)
    project.write("site.yaml", SITE_YAML)
    for rel, text in GOOD.items():
        project.write(rel, text)
    result = run_cli(project)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def rebuilt(built: Path, tmp_path: Path) -> Project:
    """A copy of the built project, previous output included."""
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    return Project(root)


# --- Success -------------------------------------------------------------------------------


def test_build_prints_one_summary_line(project):
    result = run_cli(project)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    match = SUMMARY_RE.match(result.stdout)
    assert match, result.stdout
    assert int(match.group(1)) >= 6
    assert (match.group(2), match.group(3)) == ("_site", "0")
    assert (project.root / "_site" / "articles" / "story" / "index.html").is_file()
    assert (project.root / "_site" / "people" / "theresa-may" / "index.html").is_file()


STAGES_RE = re.compile(r"Time by stage: ((?:[a-z ]+ \d+\.\d\d s(?:, )?)+)\.\n\Z")


def test_verbose_says_what_was_reused_and_where_time_went(rebuilt):
    assert run_cli(rebuilt).returncode == 0  # the cache is kept per project folder
    rebuilt.write(
        "content/articles/story.md",
        article("Theresa May met the Foreign Secretary again.\n", people=["theresa-may"]),
    )
    result = run_cli(rebuilt, "build", "--verbose")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines(keepends=True)
    assert len(lines) == 3, result.stdout
    built = re.fullmatch(r"Built (\d+) pages into _site, (\d+) unchanged in .+\n", lines[0])
    assert built, lines[0]
    reused = re.fullmatch(r"(\d+) pages carried over unchanged from the previous build\.\n", lines[1])
    assert reused and reused.group(1) == built.group(2), lines[1]
    assert 5 <= int(reused.group(1)) < int(built.group(1))
    stages = STAGES_RE.match(lines[2])
    assert stages, lines[2]
    names = [part.rsplit(" ", 2)[0] for part in stages.group(1).split(", ")]
    # in the order they ran; a stage that took no measurable time is left out
    order = ["cache", "load", "parse", "link", "compare", "render", "write", "search", "swap"]
    assert names == [n for n in order if n in names], names
    assert {"render", "search"} <= set(names), names


def test_build_is_the_default_command(rebuilt):
    first = snapshot(rebuilt.root / "_site")
    assert run_cli(rebuilt, "build").returncode == 0
    assert snapshot(rebuilt.root / "_site") == first


def test_build_via_the_real_script(project):
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert SUMMARY_RE.match(result.stdout), result.stdout
    assert "Traceback" not in result.stderr


def test_check_validates_and_writes_nothing(project):
    before = snapshot(project.root)
    result = run_cli(project, "check")
    assert result.returncode == 0, result.stderr
    assert CHECKED_RE.match(result.stdout), result.stdout
    assert snapshot(project.root) == before
    assert sorted(p.name for p in project.root.iterdir()) == [
        "content",
        "site.yaml",
        "static",
        "templates",
    ]


def test_check_leaves_an_existing_site_alone(rebuilt):
    project = rebuilt
    before = snapshot(project.root / "_site")
    project.write("content/articles/new.md", article("New.", title="New"))
    assert run_cli(project, "check").returncode == 0
    assert snapshot(project.root / "_site") == before


def test_check_reports_errors_without_mentioning_the_output(project):
    project.write("content/articles/bad.md", article(titel="x"))
    result = run_cli(project, "check")
    assert result.returncode == 1
    assert result.lines == [
        "content/articles/bad.md:5: unknown field 'titel' (did you mean 'title'?)",
        "Build failed: 1 error.",
    ]


def test_content_out_and_config_options(make_project):
    project = make_project(
        {
            "elsewhere/people/theresa-may.md": MAY,
            "elsewhere/articles/story.md": article("Theresa May spoke."),
            "other.yaml": "title: Other Site\nbase_url: https://other.example/\n",
        }
    )
    result = run_cli(project, "--content", "elsewhere", "--out", "public", "--config", "other.yaml")
    assert result.returncode == 0, result.stderr
    assert summary(result.stdout)[1] == "public"
    home = (project.root / "public" / "index.html").read_text(encoding="utf-8")
    assert "Other Site" in home
    assert 'href="https://other.example/"' in home
    assert not (project.root / "_site").exists()


def test_out_may_be_an_empty_folder(project):
    (project.root / "public").mkdir()
    result = run_cli(project, "--out", "public")
    assert result.returncode == 0, result.stderr
    assert (project.root / "public" / "index.html").is_file()


def test_drafts_are_published_only_when_asked(project):
    project.write("content/articles/secret.md", article("Hush.", title="Secret", draft="true"))
    assert run_cli(project).returncode == 0
    assert not (project.root / "_site" / "articles" / "secret").exists()
    assert run_cli(project, "--drafts").returncode == 0
    assert (project.root / "_site" / "articles" / "secret" / "index.html").is_file()


def test_warnings_are_printed_and_counted(project):
    project.write("content/people/jacinda-ardern.md", ARDERN)
    project.write("content/articles/story.md", article("Then the Prime Minister spoke.\n"))
    result = run_cli(project)
    assert result.returncode == 0
    assert (
        "content/articles/story.md:6: warning: 'the Prime Minister' could mean "
        "jacinda-ardern, theresa-may; it is left unlinked. List exactly one of them in people "
        "(or topics), or write [[slug|the Prime Minister]]"
    ) in result.lines
    assert all(": warning: " in line for line in result.lines)
    assert summary(result.stdout)[2] == str(len(result.lines))


def test_strict_turns_warnings_into_failure(rebuilt):
    project = rebuilt
    before = snapshot(project.root / "_site")
    project.write("content/people/jacinda-ardern.md", ARDERN)
    project.write("content/articles/story.md", article("Then the Prime Minister spoke.\n"))
    result = run_cli(project, "--strict")
    assert result.returncode == 1
    assert result.stdout == ""
    warned = [line for line in result.lines if ": warning: " in line]
    assert len(warned) >= 1
    assert result.lines[-1] == (
        f"Build failed: {len(warned)} warnings (--strict); _site was left as it was."
    )
    assert snapshot(project.root / "_site") == before


@pytest.mark.parametrize(
    "args",
    [("--bogus",), ("publish",), ("--out",), ("build", "check")],
    ids=["unknown-option", "unknown-command", "missing-value", "two-commands"],
)
def test_usage_errors_exit_2(project, args):
    result = run_cli(project, *args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: build.py")
    assert not (project.root / "_site").exists()


USAGE_HINTS = [
    (("biuld",), "build.py: error: unknown command 'biuld' (did you mean 'build'?); the commands are build, check, serve and new"),
    (("chek", "--strict"), "build.py: error: unknown command 'chek' (did you mean 'check'?); the commands are build, check, serve and new"),
    (("--strict", "serv"), "build.py: error: unknown command 'serv' (did you mean 'serve'?); the commands are build, check, serve and new"),
    (("--content", "content", "nwe", "person", "X"), "build.py: error: unknown command 'nwe' (did you mean 'new'?); the commands are build, check, serve and new"),
    (("publish",), "build.py: error: unknown command 'publish'; the commands are build, check, serve and new"),
    (("--stirct",), "build.py build: error: unrecognized arguments: --stirct (did you mean '--strict'?)"),
    (("check", "--darfts", "--verbsoe"), "build.py check: error: unrecognized arguments: --darfts (did you mean '--drafts'?) --verbsoe (did you mean '--verbose'?)"),
    (("serve", "--out", "x"), "build.py serve: error: unrecognized arguments: --out (--out belongs to build) x"),
    (("build", "check"), "build.py build: error: unrecognized arguments: check (give one command at a time)"),
    (("--bogus",), "build.py build: error: unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize(("args", "last_line"), USAGE_HINTS)
def test_mistyped_commands_and_options_get_a_suggestion(project, args, last_line):
    result = project.build(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: build.py")
    assert result.stderr.splitlines()[-1] == last_line
    assert not (project.root / "_site").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--strict", "check"),
        ("check", "--strict"),
        ("--strict", "--content", "content", "check", "--jobs", "1"),
        ("--cont", "content", "--strict", "check"),  # an option cut short, with its value
        ("--jobs=1", "check", "--strict"),
    ],
)
def test_options_work_before_or_after_the_command(make_project, args):
    # Nobody mentions Jacinda Ardern: one warning; --strict adds one for each office that
    # cites no source (five here), and makes them a failure.
    project = make_project({**GOOD, "content/people/jacinda-ardern.md": ARDERN})
    result = project.build(*args)
    assert result.returncode == 1  # --strict: the warnings fail the check
    assert sum("cites no source" in line for line in result.stderr.splitlines()) == 5
    assert result.stderr.splitlines()[-1] == "Build failed: 6 warnings (--strict)."
    assert not (project.root / "_site").exists()  # it was a check, not a build


def test_options_before_new_and_serve(make_project):
    project = make_project({})
    done = project.build("--content", "elsewhere", "new", "topic", "NATO")
    assert (done.returncode, done.stdout, done.stderr) == (0, "elsewhere/topics/nato.md\n", "")


@pytest.mark.parametrize(
    "args", [("--version",), ("check", "--version"), ("--strict", "--version", "serve")]
)
def test_version(project, args):
    result = project.build(*args)
    assert (result.returncode, result.stdout, result.stderr) == (0, "explainer 0.1.0\n", "")


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with none of the project's packages, as `python3` is outside .venv."""
    import venv

    folder = tmp_path_factory.mktemp("bare") / "env"
    venv.EnvBuilder(with_pip=False).create(folder)
    return folder / "bin" / "python"


def test_outside_its_environment_build_py_says_how_to_run_it(project, bare_python):
    # The project as a newsroom has it: build.py and the package beside the content.
    shutil.copy(ROOT / "build.py", project.root / "build.py")
    shutil.copytree(ROOT / "explainer", project.root / "explainer")
    packages = "|".join(["jinja2", "markupsafe", "markdown", "yaml", "pagefind", "watchfiles", "nh3"])

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bare_python), "build.py", *args],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=60,
            env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        )

    before_venv = run("check", "--strict")
    assert (before_venv.returncode, before_venv.stdout) == (1, "")
    assert re.fullmatch(
        re.escape(f"error: {bare_python} cannot run the build: the package '")
        + f"({packages})"
        + re.escape(
            "' is not installed for it. Run `make site` (it sets up the project's own Python "
            "in .venv and builds the site); then `.venv/bin/python build.py check --strict` "
            "runs this command with it.\n"
        ),
        before_venv.stderr,
    ), before_venv.stderr

    (project.root / ".venv" / "bin").mkdir(parents=True)
    (project.root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    for args in (("serve", "--port", "0"), ("--drafts",), ("new", "person", "Ed Miliband")):
        done = run(*args)
        assert (done.returncode, done.stdout) == (1, ""), args
        shown = " ".join(args).replace("Ed Miliband", "'Ed Miliband'")
        assert done.stderr.endswith(
            "' is not installed for it. Run `make site` (it sets up the project's own Python "
            "in .venv and builds the site); or run this command with the project's Python: "
            f"`.venv/bin/python build.py {shown}`.\n"
        ), done.stderr
        assert "Traceback" not in done.stderr
    assert not (project.root / "_site").exists()
    # What needs none of the packages still works.
    assert run("--version").stdout == "explainer 0.1.0\n"


# --- Bad input: one line per problem, exit 1, no traceback, old site untouched -------------


BAD_INPUT = {
    "yaml-syntax": (
        {
            "content/articles/story.md": "---\ntitle: T\ndate: 2017-11-15\nsummary: Labour said: no\n---\n"
        },
        [
            "content/articles/story.md:4: YAML syntax error: mapping values are not allowed in "
            "this context; put quotes around text that contains ': '"
        ],
    ),
    "not-a-mapping": (
        {"content/articles/story.md": "---\n- title\n- date\n---\nBody.\n"},
        [
            "content/articles/story.md:2: front matter must be a mapping of 'key: value' lines, "
            "got a list"
        ],
    ),
    "no-closing-line": (
        {"content/articles/story.md": "---\ntitle: T\ndate: 2017-11-15\nsummary: S\nBody.\n"},
        [
            "content/articles/story.md:1: front matter opened here is never closed; add a line "
            "'---' after the last field"
        ],
    ),
    "empty-file": (
        {"content/articles/story.md": ""},
        [
            "content/articles/story.md:1: file is empty; it needs front matter between two "
            "'---' lines"
        ],
    ),
    "not-utf8": (
        {"content/articles/story.md": article("Caf\xe9 society.").encode("latin-1")},
        [
            "content/articles/story.md:6: file is not valid UTF-8: it looks like Windows-1252, "
            "the encoding of Word and older Windows editors (there byte 0xe9 is é, as in Café). "
            "Re-save it as UTF-8: in VS Code, click the encoding in the status bar, then 'Save "
            "with Encoding' and 'UTF-8'; in Notepad, File > Save As with Encoding 'UTF-8'; in "
            "TextEdit, Format > Make Plain Text, then save with 'Unicode (UTF-8)'"
        ],
    ),
    "missing-field": (
        {"content/articles/story.md": "---\ntitle: T\ndate: 2017-11-15\n---\nBody.\n"},
        ["content/articles/story.md:1: missing required field 'summary'"],
    ),
    "unknown-field": (
        {"content/articles/story.md": article(titel="T")},
        ["content/articles/story.md:5: unknown field 'titel' (did you mean 'title'?)"],
    ),
    "wrong-type": (
        {"content/articles/story.md": article(draft="maybe")},
        ["content/articles/story.md:5: draft: expected true or false, got 'maybe'"],
    ),
    "bad-date": (
        {"content/people/theresa-may.md": MAY.replace("2010-05-12", "2016-13-01")},
        [
            "content/people/theresa-may.md:8: roles[0].from: expected a date like 2016-07-13, "
            "got '2016-13-01'"
        ],
    ),
    "role-dates-reversed": (
        {"content/people/theresa-may.md": MAY.replace("to: 2016-07-13", "to: 2009-01-01")},
        [
            "content/people/theresa-may.md:9: roles[0].to: role ends (2009-01-01) before it "
            "starts (2010-05-12); swap the dates"
        ],
    ),
    "unknown-person": (
        {"content/articles/story.md": article(people=["theresa-mya"])},
        [
            "content/articles/story.md:5: people[0]: unknown person 'theresa-mya' (did you mean "
            "'theresa-may'?); add content/people/theresa-mya.md or fix the slug"
        ],
    ),
    "broken-ref": (
        {"content/articles/story.md": article("One.\n\nTwo [[boris-jonson]].\n")},
        [
            "content/articles/story.md:8: broken link [[boris-jonson]]: no article, person or "
            "topic has that slug (did you mean 'boris-johnson'?)"
        ],
    ),
    "bad-file-name": (
        {"content/articles/Story_2.md": article()},
        [
            "content/articles/Story_2.md:1: file name 'Story_2.md' is not a valid slug; rename "
            "it to 'story-2.md' (lowercase letters, digits and single hyphens)"
        ],
    ),
    "slug-twice": (
        {"content/topics/theresa-may.md": "---\nname: T\nsummary: S\nkind: concept\n---\n"},
        [
            "content/topics/theresa-may.md:1: slug 'theresa-may' is already used by "
            "content/people/theresa-may.md; slugs must be unique across articles, people and "
            "topics, so rename one file"
        ],
    ),
    "yaml-tag": (
        {
            "content/articles/story.md": (
                "---\ntitle: !!python/object/apply:os.system ['echo pwned']\n"
                "date: 2017-11-15\nsummary: S\n---\n"
            )
        },
        [
            "content/articles/story.md:2: YAML syntax error: YAML tags are not allowed; remove "
            "the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
        ],
    ),
    "site-settings": (
        {"site.yaml": "title: Test Site\nbase_url: example.org\n"},
        [
            "site.yaml:2: base_url: expected an absolute http(s) URL ending in '/', like "
            "'https://example.org/', got 'example.org'"
        ],
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_reported_and_the_old_site_kept(rebuilt, case):
    project = rebuilt
    files, expected = BAD_INPUT[case]
    before = snapshot(project.root / "_site")
    for rel, text in files.items():
        project.write(rel, text)
    result = run_cli(project)
    assert result.returncode == 1
    assert result.stdout == ""
    # Advice warnings may accompany the errors; the errors and the verdict are what count.
    assert [line for line in result.lines if ": warning: " not in line] == [*expected, FAILED]
    assert snapshot(project.root / "_site") == before
    assert ".explainer-site" in before
    assert not [n for n in siblings(project.root / "_site") if n.startswith("._site")]


@pytest.mark.parametrize("case", ["yaml-tag", "not-utf8", "bad-date", "broken-ref"])
def test_bad_input_never_shows_a_traceback(rebuilt, case):
    # One case per stage through the real script (slower than in-process, so only a few).
    project = rebuilt
    files, expected = BAD_INPUT[case]
    for rel, text in files.items():
        project.write(rel, text)
    result = project.build()
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout) == (1, "")
    lines = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    assert lines == [*expected, FAILED]


def test_every_error_of_a_stage_is_listed_in_one_run(rebuilt):
    project = rebuilt
    before = snapshot(project.root / "_site")
    project.write("content/people/theresa-may.md", MAY.replace("2010-05-12", "2016-13-01"))
    project.write("content/articles/story.md", article(titel="x"))
    project.write("content/articles/other.md", article(draft="maybe"))
    result = run_cli(project)
    assert result.returncode == 1
    assert result.lines == [
        "content/articles/other.md:5: draft: expected true or false, got 'maybe'",
        "content/articles/story.md:5: unknown field 'titel' (did you mean 'title'?)",
        "content/people/theresa-may.md:8: roles[0].from: expected a date like 2016-07-13, "
        "got '2016-13-01'",
        "Build failed: 3 errors; _site was left as it was.",
    ]
    assert snapshot(project.root / "_site") == before


def test_errors_from_different_stages_are_listed_in_one_run(project):
    project.write("content/articles/empty.md", "")
    project.write("content/articles/story.md", article(titel="x"))
    result = run_cli(project)
    assert result.lines == [
        "content/articles/empty.md:1: file is empty; it needs front matter between two '---' lines",
        "content/articles/story.md:5: unknown field 'titel' (did you mean 'title'?)",
        "Build failed: 2 errors; _site was left as it was.",
    ]


# --- The output folder ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            ".",
            ".: refusing to build here: the output folder would contain the project folder (.); "
            "choose another --out, such as _site",
        ),
        (
            "content",
            "content: refusing to build here: the output folder would contain the content "
            "folder (content); choose another --out, such as _site",
        ),
        (
            "content/people",
            "content/people: refusing to build inside the content folder (content); choose "
            "another --out, such as _site",
        ),
        (
            "templates",
            "templates: refusing to build here: the output folder would contain the templates "
            "folder (templates); choose another --out, such as _site",
        ),
        (
            "static",
            "static: refusing to build here: the output folder would contain the static folder "
            "(static); choose another --out, such as _site",
        ),
        (
            "notes",
            "notes: refusing to replace a folder that was not made by explainer and is not "
            "empty; choose another --out, or empty the folder first",
        ),
        (
            "site.yaml",
            "site.yaml: refusing to build here: it is a file, not a folder",
        ),
    ],
)
def test_refuses_to_write_over_sources_or_foreign_folders(project, out, message):
    project.write("notes/todo.txt", "keep me")
    before = snapshot(project.root)
    result = run_cli(project, "--out", out)
    assert result.returncode == 1
    assert result.lines == [
        message,
        f"Build failed: 1 error; {out} was left as it was.",
    ]
    assert snapshot(project.root) == before


def test_refusing_the_output_folder_never_shows_a_traceback(project):
    project.write("notes/todo.txt", "keep me")
    before = snapshot(project.root)
    result = project.build("--out", "notes")
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    assert snapshot(project.root) == before


# --- Files the build does not read -------------------------------------------------------


def test_a_file_with_another_ending_is_warned_about_and_never_asked_for_again(make_project):
    may = MAY.replace("Theresa May led the government.", "Profile.")
    project = make_project(
        {
            "content/people/theresa-may.MD": may,
            "content/people/Boris-Johnson.md": JOHNSON,
            "content/articles/story.md": article(
                "Theresa May met Boris Johnson.\n", people=["theresa-may", "boris-johnson"]
            ),
        }
    )
    result = project.build()
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "content/articles/story.md:5: people[0]: unknown person 'theresa-may'; "
        "content/people/theresa-may.MD is not read because of its name: rename it to "
        "theresa-may.md",
        "content/articles/story.md:5: people[1]: unknown person 'boris-johnson'; "
        "content/people/Boris-Johnson.md is not read because of its name: rename it to "
        "boris-johnson.md",
        "content/people/Boris-Johnson.md:1: file name 'Boris-Johnson.md' is not a valid slug; "
        "rename it to 'boris-johnson.md' (lowercase letters, digits and single hyphens)",
        "content/people/theresa-may.MD:1: warning: this file is not read: only names ending in "
        ".md (in lowercase) are read; rename it to theresa-may.md",
        "Build failed: 3 errors; _site was left as it was.",
    ]
    (project.root / "content/people/theresa-may.MD").rename(
        project.root / "content/people/theresa-may.md"
    )
    (project.root / "content/people/Boris-Johnson.md").rename(
        project.root / "content/people/boris-johnson.md"
    )
    result = project.build("--no-search")
    assert (result.returncode, result.stderr) == (0, "")


def test_an_unread_file_nobody_refers_to_is_a_warning_only(make_project):
    project = make_project({**GOOD, "content/articles/notes.txt": "ideas\n"})
    result = project.build("--no-search")
    assert result.returncode == 0
    assert result.stderr == (
        "content/articles/notes.txt:1: warning: this file is not read: only names ending in .md "
        "(in lowercase) are read; rename it to notes.md\n"
    )
    assert project.build("--strict", "--no-search").returncode == 1

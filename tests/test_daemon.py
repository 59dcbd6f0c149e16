"""The build daemon: builds served from memory are the builds made without it.

Every test runs the real command line (`build.py --daemon`) in a tiny project, as an
author's terminal would, and compares the site with a clean build byte for byte.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import JOHNSON, MAY, ROOT, Project, article, snapshot
from PIL import Image as PILImage

from explainer.output.write import MARKER

PID_RE = re.compile(r"Built by the build daemon \(process (\d+)\)")
LEFT_RE = re.compile(r"Left a build daemon \(process (\d+)\)")


@pytest.fixture
def daemons() -> Iterator[set[int]]:
    """The daemons a test saw; each is stopped when the test ends, whatever happened."""
    seen: set[int] = set()
    yield seen
    for pid in seen:
        _kill(pid)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    _wait_gone(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not yet reaped by init) has finished too
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _story(n: int, body: str) -> str:
    day = f"2017-{1 + n // 28:02d}-{1 + n % 28:02d}"
    return article(body, title=f"Story {n}", date=day, people="[theresa-may]")


def _picture(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def _with_picture(n: int, title: str) -> str:
    image = "\n  src: images/lead.jpg\n  alt: A red square.\n  credit: The site."
    return article("Theresa May spoke.\n", title=title, people="[theresa-may]", image=image)


def _project(make_project: Callable[..., Project], stories: int = 3) -> Project:
    files = {
        "content/people/theresa-may.md": MAY,
        "content/people/boris-johnson.md": JOHNSON,
    }
    for n in range(stories):
        files[f"content/articles/story-{n}.md"] = _story(
            n, f"Theresa May spoke on day {n}. The Prime Minister was firm.\n"
        )
    return make_project(files)


class Desk:
    """A project built through the daemon, each build checked against a clean build."""

    def __init__(self, project: Project, daemons: set[int], idle: float = 120) -> None:
        self.project = project
        self.daemons = daemons
        self.env = {**os.environ, "EXPLAINER_DAEMON_IDLE": str(idle)}
        self.env.pop("CI", None)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), *args],
            cwd=self.project.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=self.env,
        )
        for pattern in (PID_RE, LEFT_RE):
            found = pattern.search(result.stdout)
            if found:
                self.daemons.add(int(found.group(1)))
        return result

    def build(self) -> tuple[subprocess.CompletedProcess[str], int | None]:
        """Build with --daemon; return the run and the daemon that served it (None: none)."""
        result = self.run("--daemon", "-v")
        assert result.returncode == 0, result.stderr
        found = PID_RE.search(result.stdout)
        return result, int(found.group(1)) if found else None

    def assert_same_as_clean(self, what: str) -> None:
        clean = self.run("--no-cache", "--no-search", "--out", "_clean")
        assert clean.returncode == 0, clean.stderr
        built = _site_files(self.project.root / "_site")
        expected = _site_files(self.project.root / "_clean")
        assert built.keys() == expected.keys(), what
        for name, data in expected.items():
            assert built[name] == data, f"{what}: {name} differs from a clean build"


def _site_files(folder: Path) -> dict[str, bytes]:
    # The search index is Pagefind's, built the same way with or without the daemon.
    return {
        name: data
        for name, data in snapshot(folder).items()
        if name != MARKER and not name.startswith("pagefind/")
    }


def test_the_next_build_is_served_from_memory_and_equals_a_clean_build(make_project, daemons):
    desk = Desk(_project(make_project), daemons)
    first, served = desk.build()
    assert served is None, "the first build has no daemon to go to"
    assert len(daemons) == 1, "the first build left no daemon"
    story = desk.project.root / "content/articles/story-1.md"
    edits: list[tuple[str, Callable[[], object]]] = [
        ("a body edit", lambda: story.write_text(_story(1, "Mrs May said more.\n"))),
        (
            "a role's new title",
            lambda: desk.project.write(
                "content/people/theresa-may.md", MAY.replace("title: Prime Minister", "title: PM")
            ),
        ),
        (
            "a new story",
            lambda: desk.project.write(
                "content/articles/story-9.md", _story(9, "Boris Johnson wrote.\n")
            ),
        ),
        ("a story deleted", lambda: (desk.project.root / "content/articles/story-0.md").unlink()),
        (
            "a lead picture added",
            lambda: (
                desk.project.write("static/images/lead.jpg", _picture((900, 600), (200, 0, 0))),
                story.write_text(_with_picture(1, "Story 1")),
            ),
        ),
        (
            "the picture's file edited",
            lambda: desk.project.write("static/images/lead.jpg", _picture((500, 500), (0, 0, 200))),
        ),
        ("a headline changed (a new card)", lambda: story.write_text(_story(1, "Plain again.\n"))),
        (
            "another headline changed",
            lambda: (desk.project.root / "content/articles/story-2.md").write_text(
                _story(2, "Theresa May spoke on day 2.\n").replace("Story 2", "A new headline")
            ),
        ),
    ]
    pids = set()
    for what, edit in edits:
        edit()
        result, served = desk.build()
        assert served is not None, f"after {what}, the build was not served by the daemon"
        pids.add(served)
        desk.assert_same_as_clean(f"after {what} through the daemon, _site")
    assert len(pids) == 1, "one daemon served every build"
    result, served = desk.build()
    assert "is up to date: nothing changed" in result.stdout
    assert served == pids.pop()


def test_content_errors_read_the_same_and_the_daemon_stays(make_project, daemons):
    desk = Desk(_project(make_project), daemons)
    desk.build()
    bad = desk.project.write("content/articles/story-2.md", "---\ntitle: [\n---\nBody.\n")
    through = desk.run("--daemon", "-v")
    assert through.returncode == 1
    assert "Build failed: 1 error; _site was left as it was." in through.stderr
    bad.write_text(_story(2, "Fixed.\n"), encoding="utf-8")
    _, served = desk.build()
    assert served is not None, "a content error sent the daemon away"
    desk.assert_same_as_clean("after an error and its fix, _site")
    bad.write_text("---\ntitle: [\n---\nBody.\n", encoding="utf-8")
    without = desk.run("--no-daemon")
    assert without.returncode == 1
    assert without.stderr == through.stderr


def test_the_daemon_lets_go_of_the_commands_output(make_project, daemons):
    """A script reading the build's output to its end is not kept waiting by the daemon."""
    desk = Desk(_project(make_project), daemons)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--daemon", "-q"],
        cwd=desk.project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=desk.env,
    )
    _, err = process.communicate(timeout=60)  # reads both pipes until every writer closed
    assert process.returncode == 0, err
    assert time.monotonic() - started < 60
    _, served = desk.build()
    assert served is not None, "no daemon was left behind"


def test_no_daemon_stops_it_and_builds_here(make_project, daemons):
    desk = Desk(_project(make_project), daemons)
    desk.build()
    desk.project.write("content/articles/story-1.md", _story(1, "More.\n"))
    _, served = desk.build()
    assert served is not None
    desk.project.write("content/articles/story-1.md", _story(1, "Less.\n"))
    result = desk.run("--no-daemon", "-v")
    assert result.returncode == 0, result.stderr
    assert "build daemon" not in result.stdout
    assert _wait_gone(served), "--no-daemon left the daemon running"
    desk.assert_same_as_clean("after --no-daemon, _site")


def test_an_idle_daemon_goes_away(make_project, daemons):
    desk = Desk(_project(make_project), daemons, idle=1)
    desk.build()
    desk.project.write("content/articles/story-1.md", _story(1, "More.\n"))
    _, served = desk.build()
    assert served is not None
    assert _wait_gone(served, 15), "the daemon outlived its idle time"
    desk.project.write("content/articles/story-1.md", _story(1, "Less.\n"))
    result, again = desk.build()
    assert again is None, f"a build found a daemon that should be gone: {result.stdout}"
    desk.assert_same_as_clean("after the daemon went away, _site")


def test_other_options_get_a_daemon_of_their_own(make_project, daemons):
    desk = Desk(_project(make_project), daemons)
    desk.build()
    desk.project.write("content/articles/story-1.md", _story(1, "More.\n"))
    drafts = desk.run("--daemon", "-v", "--drafts")
    assert drafts.returncode == 0, drafts.stderr
    assert not PID_RE.search(drafts.stdout), "a build with --drafts used the daemon of one without"
    plain = desk.run("--daemon", "-v", "--drafts")
    assert PID_RE.search(plain.stdout), "the --drafts build left no daemon of its own"


def test_a_daemon_for_other_settings_goes_when_replaced(make_project, daemons):
    """A build with other --jobs leaves its own daemon at the address: the first one goes."""
    from explainer.core.options import default_jobs

    desk = Desk(_project(make_project), daemons)
    desk.build()
    (first,) = daemons
    desk.project.write("content/articles/story-1.md", _story(1, "More.\n"))
    other = desk.run("--daemon", "-v", "--jobs", str(default_jobs() + 1))
    assert other.returncode == 0, other.stderr
    assert not PID_RE.search(other.stdout), "a build with other --jobs used the daemon"
    assert LEFT_RE.search(other.stdout), "the build with other --jobs left no daemon"
    assert _wait_gone(first, 15), "the daemon nobody can reach any more stayed"


def test_a_killed_command_leaves_a_whole_site(make_project, daemons):
    """The daemon finishes a build whose command was killed: the site is whole and new."""
    desk = Desk(_project(make_project, stories=60), daemons)
    desk.build()
    for n in range(60):
        desk.project.write(f"content/articles/story-{n}.md", _story(n, f"Edited {n}.\n"))
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--daemon"],
        cwd=desk.project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=desk.env,
    )
    time.sleep(0.3)
    process.kill()
    process.wait(timeout=30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        result, served = desk.build()
        if "is up to date" in result.stdout or served is not None:
            break
    desk.assert_same_as_clean("after the command was killed mid-build, _site")


def test_a_folder_open_to_others_gets_no_daemon(tmp_path, monkeypatch):
    import tempfile

    from explainer import daemon
    from explainer.core.options import BuildOptions

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    options = BuildOptions(config_path=tmp_path / "site.yaml")
    where = daemon.address(options)
    assert where is not None and where.parent.stat().st_mode & 0o777 == 0o700
    where.parent.chmod(0o777)
    assert daemon.address(options) is None
    where.parent.chmod(0o700)
    assert daemon.address(options) == where


def test_at_a_terminal_the_daemon_is_the_default_and_never_in_ci(monkeypatch):
    from explainer import cli, daemon

    parser = cli.make_parser()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert daemon.in_terminal()
    assert cli._daemon_wanted(parser.parse_args(["build"]))
    assert not cli._daemon_wanted(parser.parse_args(["build", "--no-daemon"]))
    assert not cli._daemon_wanted(parser.parse_args(["build", "--no-cache"]))
    assert not cli._daemon_wanted(parser.parse_args(["check"]))
    monkeypatch.setenv("CI", "true")
    assert not cli._daemon_wanted(parser.parse_args(["build"]))
    assert cli._daemon_wanted(parser.parse_args(["build", "--daemon"]))

"""Fuzzing: whatever the content, a build ends in a site or in `path:line: message` errors.

Every example lays out a small site (the real templates and static files), builds it
in-process with the real command line (`build --no-search --no-cache --jobs 1`) and
checks the outcome: exit 0 with the summary line and only well-formed warnings, or
exit 1 with well-formed diagnostics for the files written and the failure line. An
exception out of the build, or a build still running after HANG_SECONDS, fails the
test with the input that caused it.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import io
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest
from conftest import JOHNSON, MAY, lay_out
from figures import record, scaled
from hypothesis import HealthCheck, settings

import explainer.cli
import explainer.pipeline
import explainer.render

EXAMPLES = scaled(2_000, 20_000)
HANG_SECONDS = 30.0
BUILD = ("build", "--no-search", "--no-cache", "--jobs", "1")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)

TOPIC = """\
---
name: Brexit
summary: The United Kingdom leaving the European Union.
kind: event
aliases: [leaving the EU]
date: 2020-01-31
links:
  Wikipedia: https://en.wikipedia.org/wiki/Brexit
---
Brexit took years.
"""
STORY = """\
---
title: The vote
date: 2017-11-15
updated: 2017-11-16
summary: What happened in the vote.
people: [theresa-may, boris-johnson]
topics: [brexit]
source:
  name: The Paper
  url: https://example.org/story
  author: A Writer
related_headlines:
  - Earlier story
  - title: Another
    url: https://example.org/other
quotes:
  - by: theresa-may
    text: Brexit means Brexit
claims:
  - claim: The vote was close.
    by: boris-johnson
    status: disputed
    evidence:
      - label: The count
        url: https://example.org/count
      - A witness
    note: Recounted twice.
---
Theresa May said "Brexit means Brexit" as [[boris-johnson]] listened. The Prime Minister
spoke about [[brexit|leaving the EU]].
"""
BASE: dict[str, str] = {
    "content/people/theresa-may.md": MAY,
    "content/people/boris-johnson.md": JOHNSON,
    "content/topics/brexit.md": TOPIC,
    "content/articles/the-vote.md": STORY,
}
SLUGS = ("theresa-may", "boris-johnson", "brexit", "the-vote")

SUCCESS_RE = re.compile(r"Built \d+ pages? into _site in \d+\.\d\d s, \d+ warnings?\.\n")
FAILURE_RE = re.compile(
    r"Build failed: (?:(?P<errors>\d+) errors?|\d+ warnings? \(--strict\)); "
    r"_site was left as it was\."
)
# Shown escaped in diagnostics, so that each stays on one line.
BREAKING_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")
AFTER_PATH_RE = re.compile(r":(?P<line>\d+): (?P<warning>warning: )?(?P<message>\S.*)")


# --- Running one build ----------------------------------------------------------------


class Hung(BaseException):
    """A build ran past HANG_SECONDS (BaseException, so the code under test cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block with Hung after `seconds`."""

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise Hung

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    # Should the alarm never get through (stuck outside Python code), end the run loudly.
    faulthandler.dump_traceback_later(seconds + 60, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float


def run_build(root: Path, files: Mapping[str, bytes], args: tuple[str, ...] = ()) -> Outcome:
    """Replace the content folder with files, build in-process, return what happened."""
    for name in ("content", "_site"):
        shutil.rmtree(root / name, ignore_errors=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    try:
        with (
            time_limit(HANG_SECONDS),
            contextlib.chdir(root),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = explainer.cli.main([*BUILD, *args])
    except Hung:
        raise AssertionError(f"the build was still running after {HANG_SECONDS} s") from None
    except Exception as exc:
        raise AssertionError(f"the build raised {type(exc).__name__}: {exc}") from exc
    except SystemExit as exc:
        raise AssertionError(f"the build exited with {exc.code!r} instead of returning") from exc
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - started)


def line_count(data: bytes) -> int:
    """Count lines the way an editor does: \\n, \\r\\n and \\r all end one."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def check_diagnostic(line: str, files: Mapping[str, bytes]) -> str:
    """Assert line is `path:line: message` for a file written; return 'error' or 'warning'."""
    assert not BREAKING_RE.search(line), f"a line break or control character in: {line!r}"
    for path in sorted(files, key=len, reverse=True):
        shown = BREAKING_RE.sub(lambda m: repr(m.group())[1:-1], path)
        if not line.startswith(shown):
            continue
        found = AFTER_PATH_RE.fullmatch(line, len(shown))
        if not found:
            continue
        number = int(found["line"])
        assert 1 <= number <= line_count(files[path]), f"line {number} is not in {path}: {line!r}"
        assert "Traceback" not in line, line
        return "warning" if found["warning"] else "error"
    raise AssertionError(f"not a `path:line: message` diagnostic for a file written: {line!r}")


def check_outcome(root: Path, files: Mapping[str, bytes], outcome: Outcome) -> bool:
    """Assert the build either succeeded or failed cleanly; return whether it succeeded."""
    shown = f"\n--- exit {outcome.code}; stdout:\n{outcome.stdout}--- stderr:\n{outcome.stderr}"
    lines = outcome.stderr.split("\n")
    assert lines[-1] == "", f"stderr does not end with a newline{shown}"
    lines.pop()
    leftovers = [p.name for p in root.iterdir() if p.name.startswith("._site.")]
    assert not leftovers, f"work folders left behind: {leftovers}{shown}"
    if outcome.code == 0:
        assert SUCCESS_RE.fullmatch(outcome.stdout), shown
        severities = [check_diagnostic(line, files) for line in lines]
        assert "error" not in severities, shown
        assert (root / "_site" / "index.html").is_file(), shown
        return True
    assert outcome.code == 1, shown
    assert outcome.stdout == "", shown
    assert lines, shown
    summary = FAILURE_RE.fullmatch(lines[-1])
    assert summary, shown
    severities = [check_diagnostic(line, files) for line in lines[:-1]]
    expected_errors = int(summary["errors"]) if summary["errors"] else 0
    assert severities.count("error") == expected_errors, shown
    assert severities, shown
    assert not (root / "_site").exists(), f"a failed build wrote _site{shown}"
    return False


@dataclass
class Tally:
    """What one property saw, for the reliability figures."""

    examples: int = 0
    built: int = 0
    failed: int = 0
    slowest: float = 0.0
    seconds: float = 0.0

    def add(self, built: bool, seconds: float) -> None:
        self.examples += 1
        self.seconds += seconds
        self.built += built
        self.failed += not built
        self.slowest = max(self.slowest, seconds)

    def record(self, check: str) -> None:
        record(
            check,
            examples=self.examples,
            builds_succeeded=self.built,
            builds_with_errors=self.failed,
            tracebacks=0,
            hangs=0,
            slowest_example_seconds=round(self.slowest, 3),
            build_seconds=round(self.seconds, 1),
        )


@dataclass(frozen=True)
class Fuzzer:
    """Build sites in one project folder; count what happened."""

    root: Path
    tally: Tally

    def __call__(self, files: Mapping[str, str | bytes], args: tuple[str, ...] = ()) -> Outcome:
        """Build files (paths relative to the project folder); check and count the outcome."""
        data = {rel: t if isinstance(t, bytes) else t.encode("utf-8") for rel, t in files.items()}
        data.setdefault("site.yaml", (self.root / "site.yaml").read_bytes())
        outcome = run_build(self.root, data, args)
        self.tally.add(check_outcome(self.root, data, outcome), outcome.seconds)
        return outcome


@pytest.fixture(scope="module")
def fast_builds() -> Iterator[None]:
    """Compile the templates, digest the package and make the parser once, not once per build.

    All three are the same for every build here; remaking them is most of a small build's time.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(explainer.cli, "make_parser", functools.cache(explainer.cli.make_parser))
        patch.setattr(
            explainer.render, "make_environment", functools.cache(explainer.render.make_environment)
        )
        patch.setattr(
            explainer.pipeline, "code_version", functools.cache(explainer.pipeline.code_version)
        )
        yield


@pytest.fixture
def fuzzer(tmp_path: Path, fast_builds: None) -> Iterator[Fuzzer]:
    """A project folder with the real templates; in memory where the system has /dev/shm.

    Thousands of builds each write and delete a site; on a disk that is most of the time.
    """
    memory = Path("/dev/shm")
    scratch = memory if memory.is_dir() and os.access(memory, os.W_OK) else tmp_path
    with tempfile.TemporaryDirectory(dir=scratch, prefix="explainer-fuzz-") as folder:
        yield Fuzzer(lay_out(Path(folder) / "site", {}).root, Tally())


# --- Inputs that once broke the build or its messages ------------------------------------


def test_values_with_line_breaks_are_shown_on_one_line(fuzzer: Fuzzer) -> None:
    done = fuzzer({**BASE, "content/articles/fuzzed.md": '---\n"a\\nb\\r\\x1b"\n---\n'})
    assert done.stderr == (
        "content/articles/fuzzed.md:2: front matter must be a mapping of 'key: value' lines, "
        "got 'a\\nb\\r\\x1b'\n"
        "Build failed: 1 error; _site was left as it was.\n"
    )


def test_a_value_its_yaml_tag_cannot_read_is_an_error(fuzzer: Fuzzer) -> None:
    text = "---\ntitle: T\nclaims: !!float nope\nextra: !!bool maybe\n---\n"
    done = fuzzer({**BASE, "content/articles/fuzzed.md": text})
    assert done.stderr == (
        "content/articles/fuzzed.md:3: YAML syntax error: 'nope' is not a valid !!float value; "
        "remove the tag\n"
        "Build failed: 1 error; _site was left as it was.\n"
    )


def test_yaml_only_line_breaks_do_not_shift_line_numbers(fuzzer: Fuzzer) -> None:
    # U+0085, U+2028 and U+2029 end a line for YAML, not for the author's editor.
    text = '---\ntitle: "A\x85B\u2028C\u2029D"\ndate: 2017-11-15\nsummary: S.\nupdated: nope\n---\n'
    done = fuzzer({**BASE, "content/articles/fuzzed.md": text})
    assert done.stderr == (
        "content/articles/fuzzed.md:5: updated: expected a date like 2016-07-13, got 'nope'\n"
        "Build failed: 1 error; _site was left as it was.\n"
    )


def test_a_very_long_alias_builds(fuzzer: Fuzzer) -> None:
    alias = " ".join(["word"] * 2_000)
    topic = f"---\nname: A thing\nsummary: S.\nkind: concept\naliases: ['{alias}']\n---\n"
    done = fuzzer({**BASE, "content/topics/fuzzed.md": topic})
    assert done.code == 0, done.stderr


@pytest.mark.parametrize(
    "nested",
    [
        "".join("    " * i + "1. x\n" for i in range(300)),  # recursion in Markdown itself
        "> - " * 1_000 + "x\n",  # recursion in the mention walker
    ],
    ids=["ordered-lists", "quoted-lists"],
)
def test_markdown_nested_hundreds_deep_is_an_error(fuzzer: Fuzzer, nested: str) -> None:
    text = "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\n---\n" + nested
    done = fuzzer({**BASE, "content/articles/fuzzed.md": text})
    assert done.code == 1
    assert (
        "content/articles/fuzzed.md:6: lists, quotes or indented blocks are nested too deeply "
        "to convert; flatten them"
    ) in done.stderr.splitlines()


@pytest.mark.parametrize(
    ("paragraph", "unclosed"),
    [
        ("[x " * 50_000, 50_000),
        ("<a " * 50_000, 50_000),
        ("[x " * 300 + "word " * 20_000, 300),
        ("[x](" * 300 + "word " * 20_000, 300),
    ],
    ids=["brackets", "tags", "few-brackets-long-paragraph", "parentheses"],
)
def test_a_paragraph_of_unclosed_brackets_is_an_error_not_a_hang(
    fuzzer: Fuzzer, paragraph: str, unclosed: int
) -> None:
    # Markdown reads from each unclosed opener to the end of its paragraph: the first
    # of these would take hours, the others tens of seconds.
    body = "Theresa May spoke.\n\n" + paragraph + "\n"
    text = "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\n---\n" + body
    done = fuzzer({**BASE, "content/articles/fuzzed.md": text})
    assert done.code == 1
    assert (
        f"content/articles/fuzzed.md:8: this paragraph has {unclosed:,} '[', '(' or '<' that "
        "are never closed, and Markdown reads to its end from each; close them, write them "
        "as \\[, \\( or &lt;, or split the paragraph"
    ) in done.stderr.splitlines()


def test_closed_brackets_in_a_long_paragraph_build(fuzzer: Fuzzer) -> None:
    paragraph = "[[theresa-may]] [a](https://example.org/) <b>x</b> (y) " * 2_000
    text = "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\n---\n" + paragraph + "\n"
    done = fuzzer({**BASE, "content/articles/fuzzed.md": text})
    assert done.code == 0, done.stderr

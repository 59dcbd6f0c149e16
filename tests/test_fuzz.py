"""Fuzzing: whatever the content, a build ends in a site or in `path:line: message` errors.

Four properties build thousands of small sites each: any front matter (plausible,
hostile or not a mapping at all), any Markdown body, any file names, and raw byte
mutations of valid files. Every example replaces the content folder of one project
(the real templates and static files), builds it in-process with the real command
line (`build --no-search --no-cache --jobs 1`) and checks the outcome: exit 0 with
the summary line and only well-formed warnings, or exit 1 with well-formed diagnostics
for the files written, the right error count and no output folder. An exception out
of the build, or a build still running after HANG_SECONDS, fails the test with the
input that caused it. `make test` runs 2,000 examples per property; 20,000 when
EXPLAINER_LONG=1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import faulthandler
import functools
import io
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from conftest import JOHNSON, MAY, lay_out
from core_helpers import siblings
from figures import record, scaled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import explainer.cli
import explainer.incremental
import explainer.pages.render

EXAMPLES = scaled(2_000, 5_000)
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
    leftovers = [n for n in siblings(root / "_site") if n.startswith("._site.")]
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
            explainer.pages.render, "make_environment", functools.cache(explainer.pages.render.make_environment)
        )
        patch.setattr(
            explainer.incremental, "code_version", functools.cache(explainer.incremental.code_version)
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


# --- Strategies: text ------------------------------------------------------------------

ODD_TEXT = (
    "",
    " ",
    "\t",
    "\n",
    "\n\n",
    "\r",
    "\x00",
    "\x07",
    "\x1b[31mred",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u200d",
    "\u200f",
    "\u202e",
    "\u202edesrever",
    "\u0301",
    "\ufffd",
    "\uffff",
    "😀",
    "𝕏𝕐",
    "\U0010ffff",
    "Theresa May",
    "Mrs May",
    "the Prime Minister",
    "Boris Johnson",
    "theresa-may",
    "2016-07-13",
    "2016-13-45",
    "0000-01-01",
    "9999-12-31",
    "yes",
    "false",
    "~",
    "-",
    "---",
    "...",
    "a: b",
    "#",
    "&amp;",
    "<script>alert(1)</script>",
    "</div>",
    "{{ site }}",
    "{% raw %}",
    "[[theresa-may]]",
    "[[nobody]]",
    "https://example.org/",
    "http://",
    "javascript:alert(1)",
    "asserted",
    "event",
)
CHARS = st.characters(exclude_categories=("Cs",))
GOOD_TEXT = st.one_of(
    st.text(CHARS, min_size=1, max_size=30).filter(lambda t: t.strip() and "\x00" not in t),
    st.sampled_from(
        ["A story", "Theresa May", "Sinéad O’Neill", "😀 in 𝕏", "\u202eevil", "a\u200bb\u200db"]
        + ["<script>alert(1)</script>", "{{ site }}", "[[theresa-may]]", "&amp; &lt;", "»«"]
    ),
)
HUGE_TEXT = st.builds(
    lambda s, n: s * n,
    st.sampled_from(["word ", "é", "😀", "a\u200f", "<b>"]),
    st.integers(1_000, 20_000),
)
ODD = st.one_of(
    st.text(CHARS, max_size=30),
    st.sampled_from(ODD_TEXT),
    st.lists(st.sampled_from(ODD_TEXT), min_size=1, max_size=5).map("".join),
)
TEXT = st.one_of(GOOD_TEXT, GOOD_TEXT, GOOD_TEXT, ODD, HUGE_TEXT)
SLUG_TEXT = st.one_of(st.sampled_from(SLUGS), st.sampled_from(["nobody", "Theresa May", ""]), TEXT)
DATE_TEXT = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2016-07-13", "2017-11-15", "2016-02-30", "2016-7-13", "13/07/2016"]),
    st.datetimes().map(str),
    st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
)
URL_TEXT = st.one_of(
    st.sampled_from(
        ["https://example.org/", "http://x", "ftp://x", "https://", "/rel", "https://a b"]
    ),
    st.builds("https://example.org/{}".format, TEXT),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),
    GOOD_TEXT,
    ODD,
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.UTC)),
)
KEYS = st.one_of(
    st.sampled_from(["title", "name", "from", "to", "by", "url", "label", "status", "kind"]),
    st.text(CHARS, min_size=1, max_size=12),
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
# Spellings a YAML dumper never writes but an author might; each replaces one field's value.
RAW_YAML = (
    "",
    "~",
    "null",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "0x1F",
    "0o17",
    "1_000",
    "1e400",
    ".inf",
    "-.NaN",
    "2016-07-13",
    "2016-07-13T10:00:00Z",
    "2001-12-14 21:59:43.10 -5",
    "2016-13-45",
    "!!binary aGVsbG8=",
    "!!timestamp 2016-07-13",
    "!!timestamp 2016-07-13 10:00:00",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1, a: 2]",
    "!!str 2016-07-13",
    "!!int '12'",
    "!!float nope",
    "!!bool maybe",
    "!!int 0x",
    "!!timestamp 2016-99-99",
    '!!binary "é"',
    "!!python/name:os.system",
    "!custom x",
    "&anchor [1, 2]",
    "*nowhere",
    "[a, b",
    "{a: 1",
    "{a: 1, a: 2}",
    "[[theresa-may]]",
    "[theresa-may, theresa-may]",
    "[theresa-may, nobody, 3, null]",
    "{? [a, b] : c}",
    "|\n  multi\n  line",
    ">-\n  folded\n  text",
    "|\n\ttab",
    '"\\x00"',
    '"\\ud800"',
    '"\\U0001F600"',
    '"\\e\\a"',
    '"unterminated',
    "'it''s'",
    "'",
    "x # comment",
    "@reserved",
    "`backtick",
    "%directive",
    "- item",
    "? key",
    ": value",
    "a: b: c",
    "\ttabbed",
    "\n  - one\n  - two",
    "\n  nested: value\n  deeper:\n    - 1",
    "\n  - title: T\n    from: 2016-07-13\n    to: 2010-01-01",
    "\n  - by: theresa-may\n    text: nowhere in the body",
    "\n  - claim: C\n    status: false",
    "\n  - claim: C\n    status: no",
    "\n  when: !!timestamp 2016-07-13 10:00:00\n  bytes: !!binary aGk=\n  set: !!set {a, b}",
    "\n  pairs: !!pairs [a: 1, a: 2]\n  map: !!omap [b: 1]\n  big: 123456789012345678901234567890",
    "\n  1: int key\n  2016-07-13: date key\n  null: null key\n  true: bool key\n  .nan: x",
    "\n  ? [a, b]\n  : a list as a key",
    "\n  ? {a: b}\n  : a mapping as a key",
)
RAW_VALUE = st.sampled_from(RAW_YAML)


# --- Strategies: front matter ------------------------------------------------------------

CLAIM_STATUSES = ("asserted", "disputed", "denied", "unverified", "supported", "false")


def field_values(hostile: bool) -> dict[str, dict[str, st.SearchStrategy[Any]]]:
    """Values for every known field: right ones, or (hostile) anything at all, often."""

    def value(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(right, right, right, VALUES) if hostile else right

    def record(
        fields: Mapping[str, st.SearchStrategy[Any]], required: tuple[str, ...]
    ) -> st.SearchStrategy[Any]:
        @st.composite
        def build(draw: st.DrawFn) -> dict[Any, Any]:
            out: dict[Any, Any] = {}
            for key, right in fields.items():
                odds = (8 if hostile else 10) if key in required else 5
                if draw(st.integers(0, 9)) < odds:
                    out[key] = draw(value(right))
            if hostile and draw(st.integers(0, 4)) == 0:
                out[draw(KEYS)] = draw(VALUES)
            return out

        return st.one_of(build(), build(), build(), VALUES) if hostile else build()

    def listing(item: st.SearchStrategy[Any], unique: bool = False) -> st.SearchStrategy[Any]:
        return value(st.lists(item, max_size=3, unique=unique and not hostile))

    text = TEXT if hostile else st.one_of(GOOD_TEXT, GOOD_TEXT, GOOD_TEXT, HUGE_TEXT)
    day = DATE_TEXT if hostile else st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)).map(str)
    url = URL_TEXT if hostile else st.builds("https://example.org/{}".format, GOOD_TEXT.map(quote))
    person = SLUG_TEXT if hostile else st.sampled_from(["theresa-may", "boris-johnson"])
    topic = SLUG_TEXT if hostile else st.just("brexit")
    status = st.sampled_from([*CLAIM_STATUSES, False]) | (TEXT if hostile else st.nothing())
    links = value(st.dictionaries(GOOD_TEXT, url, max_size=2))
    extra = value(st.dictionaries(KEYS, VALUES, max_size=3))
    aliases = listing(text, unique=True)
    quote_text = st.sampled_from(["Brexit means Brexit", "Theresa May spoke"]) | text
    src = st.sampled_from(["images/missing.jpg", "../site.yaml", "https://example.org/x.jpg"]) | text
    image = value(
        record(
            {"src": src, "alt": text, "credit": text, "licence": text, "licence_url": url},
            ("src", "alt", "credit"),
        )
        | text
    )
    return {
        "articles": {
            "title": value(text),
            "date": value(day),
            "summary": value(text),
            "updated": value(day),
            "people": listing(person, unique=True),
            "topics": listing(topic, unique=True),
            "source": record({"name": text, "url": url, "author": text}, ()),
            "draft": value(st.booleans()),
            "related_headlines": listing(text | record({"title": text, "url": url}, ("title",))),
            "quotes": listing(
                record(
                    {"by": person, "text": quote_text, "via": text, "context": text}, ("by", "text")
                )
            ),
            "claims": listing(
                record(
                    {
                        "claim": text,
                        "by": person,
                        "status": status,
                        "evidence": listing(text | record({"label": text, "url": url}, ("label",))),
                        "note": text,
                    },
                    ("claim", "status"),
                )
            ),
            "image": image,
            "extra": extra,
        },
        "people": {
            "name": value(text),
            "summary": value(text),
            "aliases": aliases,
            "party": value(
                text | listing(record({"name": text, "from": day, "to": day}, ("name",)))
            ),
            "country": value(text),
            "born": value(day),
            "died": value(day),
            "roles": listing(
                record(
                    {"title": text, "from": day, "to": day, "aliases": listing(text, unique=True)},
                    ("title", "from"),
                )
            ),
            "links": links,
            "image": image,
            "extra": extra,
        },
        "topics": {
            "name": value(text),
            "summary": value(text),
            "kind": value(
                st.sampled_from(["organisation", "institution", "concept", "event", "place"])
                | (st.sampled_from(["Event", "thing", "events"]) if hostile else st.nothing())
            ),
            "aliases": aliases,
            "date": value(day),
            "links": links,
            "extra": extra,
        },
    }


RIGHT = field_values(hostile=False)
HOSTILE = field_values(hostile=True)
VALID = {
    "articles": {"title": "A story", "date": "2017-11-15", "summary": "What happened."},
    "people": {"name": "Ann Able", "summary": "A person."},
    "topics": {"name": "A thing", "summary": "A topic.", "kind": "concept"},
}
# The slug of a base file of the collection (replaced) or a new one.
FUZZED_SLUGS = {
    "articles": ("the-vote", "fuzzed-article"),
    "people": ("theresa-may", "fuzzed-person"),
    "topics": ("brexit", "fuzzed-topic"),
}


def dump(meta: Any, draw: st.DrawFn) -> str:
    """Write front matter the ways a YAML dumper can."""
    return yaml.dump(
        meta,
        Dumper=yaml.CSafeDumper,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None, True])),
        sort_keys=False,
        width=draw(st.sampled_from([80, 20, 10_000])),
    )


@st.composite
def front_matter_files(draw: st.DrawFn) -> dict[str, str]:
    """The base site with one or two files whose front matter is plausible, hostile or anything."""
    files = dict(BASE)
    for collection in draw(st.lists(st.sampled_from(sorted(VALID)), min_size=1, max_size=2)):
        slug = draw(st.sampled_from(FUZZED_SLUGS[collection]))
        mode = draw(st.integers(0, 9))
        hostile = mode >= 6
        fields = (HOSTILE if hostile else RIGHT)[collection]
        if mode == 0:  # not a mapping at all, or any mapping
            meta: Any = draw(VALUES)
        else:
            meta = dict(VALID[collection])
            for key in draw(st.lists(st.sampled_from(sorted(fields)), max_size=6, unique=True)):
                meta[key] = draw(fields[key])
        if hostile:
            for key in draw(st.lists(st.sampled_from(sorted(meta)), max_size=2, unique=True)):
                if draw(st.booleans()):
                    del meta[key]
            if draw(st.booleans()):
                meta[draw(KEYS)] = draw(VALUES)
        text = dump(meta, draw)
        if hostile and draw(st.booleans()):
            # Some top-level values in spellings no dumper writes.
            raw = {k: draw(RAW_VALUE) for k in draw(st.lists(st.sampled_from(sorted(fields))))}
            rest = {k: v for k, v in meta.items() if k not in raw}
            text = "".join(f"{k}: {v}\n" for k, v in raw.items()) + (
                dump(rest, draw) if rest else ""
            )
        body = draw(st.sampled_from(["Body.\n", "", "Theresa May spoke: Brexit means Brexit.\n"]))
        files[f"content/{collection}/{slug}.md"] = f"---\n{text}---\n{body}"
    return files


ARGS = st.sampled_from([(), (), ("--drafts",), ("--strict",)])


def test_any_front_matter_builds_or_fails_cleanly(fuzzer: Fuzzer) -> None:
    @FUZZ
    @given(files=front_matter_files(), args=ARGS)
    def run(files: dict[str, str], args: tuple[str, ...]) -> None:
        fuzzer(files, args)

    run()
    assert fuzzer.tally.built and fuzzer.tally.failed
    fuzzer.tally.record("fuzz-front-matter")


# --- Strategies: Markdown bodies ---------------------------------------------------------

NAMES = (
    "Theresa May",
    "Mrs May",
    "May",
    "the Prime Minister",
    "The Prime Minister",
    "the Home Secretary",
    "Boris Johnson",
    "Johnson",
    "Johnson's",
    "the Foreign Secretary",
    "Brexit",
    "leaving the EU",
    "THERESA MAY",
    "Theresa  May",
    "Theresa\nMay",
    "Theresa May’s",
    "Theresa-May",
    "in May",
    "May 2017",
)
# Links that work, or that are not links at all.
REFS = (
    "[[theresa-may]]",
    "[[boris-johnson|Boris]]",
    "[[brexit]]",
    "[[the-vote]]",
    "[[the-vote|The vote]]",
    "[[ theresa-may ]]",
    "[[]]",
    "[[|x]]",
    "[[theresa-may|]]",
    "[[theresa-may",
    "theresa-may]]",
    "[[[theresa-may]]]",
    "[[theresa-may|[[brexit]]]]",
    "[[theresa-may|*em*]]",
    "[[theresa-may|<b>x</b>]]",
    "[[theresa-may]](https://example.org/)",
    "`[[nobody]]`",
)
BROKEN_REFS = (
    "[[nobody]]",
    "[[Theresa May]]",
    "[[a|b|c]]",
    "[[#x]]",
    "[[../etc]]",
    "[[THERESA-MAY]]",
    "[[théresa]]",
    "[[theresa-may\u200b]]",
)
INLINE = (
    "*em*",
    "**strong**",
    "_x_",
    "__x__",
    "***",
    "`code`",
    "`` ` ``",
    "`unclosed",
    "[link](https://example.org/)",
    "[link](javascript:alert(1))",
    "[link][ref]",
    "[ref]",
    '![img](a.png "t")',
    "<https://example.org/>",
    "<b>raw</b>",
    "<span class=x>",
    "</span>",
    "<a href='x'>",
    "<script>alert(1)</script>",
    "<!-- c -->",
    "<!--",
    "&amp;",
    "&#0;",
    "&#x10FFFF;",
    "&#xD800;",
    "&nosuch;",
    "\\",
    "\\[[theresa-may]]",
    "  \n",
    "{: #main .x}",
    "{#appears-in}",
    "[^1]",
    "[^note]",
    "~~strike~~",
    '"quoted',
    "“curly”",
    "(bracket",
    "\x00",
    "\x02",
    "\x03",
    "\x02wzxhzdk:0\x03",
    "\u200f",
    "\u202e",
    "😀",
)
INLINE_TEXT = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(REFS),
    st.sampled_from(INLINE),
    st.text(CHARS, max_size=20),
    st.sampled_from(["said", "the vote", ". ", ", ", "and", " "]),
)
SENTENCE = st.lists(INLINE_TEXT, min_size=1, max_size=6).map(" ".join)


def nested(prefix: Callable[[int], str], deep: bool = False) -> st.SearchStrategy[str]:
    """A few lines nested by prefix(depth): up to 6 levels, or (deep) up to 300."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        depth = draw(st.integers(1, 300 if deep else 6))
        levels = draw(st.sampled_from(["up", "flat", "zigzag"]))
        lines = []
        for i in range(draw(st.integers(1, 6))):
            level = {"up": min(i + 1, depth), "flat": depth, "zigzag": depth if i % 2 else 1}
            lines.append(prefix(level[levels]) + draw(SENTENCE))
        return "\n".join(lines)

    return build()


LIST_ITEM = lambda d: "  " * (d - 1) + "- "  # noqa: E731
ORDERED_ITEM = lambda d: "    " * (d - 1) + "1. "  # noqa: E731
QUOTED = lambda d: "> " * d  # noqa: E731
QUOTED_TIGHT = lambda d: ">" * d  # noqa: E731
QUOTED_ITEM = lambda d: "> - " * d  # noqa: E731
NESTINGS = (LIST_ITEM, ORDERED_ITEM, QUOTED, QUOTED_TIGHT, QUOTED_ITEM)
# Rare, because they are slow to build: very long lines and very deep nesting.
EXTREME_BLOCK = st.one_of(
    *(nested(prefix, deep=True) for prefix in NESTINGS),
    st.builds(lambda s, n: s * n, SENTENCE, st.integers(100, 400)),
    st.builds(lambda n: "a" * n, st.integers(10_000, 50_000)),
    st.builds(lambda n, s: "*" * n + s + "*" * n, st.integers(1, 200), SENTENCE),
    st.builds(lambda n, s: "[" * n + s + "]" * n, st.integers(1, 200), SENTENCE),
    st.builds(lambda n: "<div>" * n + "x" + "</div>" * n, st.integers(1, 200)),
    st.builds(lambda n: "<span>" * n + "Theresa May" + "</span>" * n, st.integers(1, 200)),
)
BLOCK = st.one_of(
    SENTENCE,
    SENTENCE,
    SENTENCE,
    st.builds(
        lambda n, s, a: "#" * n + " " + s + a,
        st.integers(1, 7),
        SENTENCE,
        st.sampled_from(["", " {#who}", " #", " {: .x}"]),
    ),
    st.builds(lambda s: s + "\n" + "=" * 3, SENTENCE),
    *(nested(prefix) for prefix in NESTINGS),
    st.builds(
        lambda f, s, close: f"{f}python\n{s}\n" + (f if close else ""),
        st.sampled_from(["```", "~~~"]),
        SENTENCE,
        st.booleans(),
    ),
    st.builds(lambda s: "    " + s, SENTENCE),
    st.builds(lambda s: f"<div>\n{s}\n</div>", SENTENCE),
    st.builds(lambda s: f'<div markdown="1">\n{s}\n', SENTENCE),
    st.builds(lambda s: f"<table><tr><td>{s}</td></tr></table>", SENTENCE),
    st.builds(lambda s: f"<!-- {s}", SENTENCE),
    st.builds(lambda s: f"<?php {s} ?>", SENTENCE),
    st.builds(lambda s: f"<![CDATA[{s}]]>", SENTENCE),
    st.builds(lambda a, b: f"| {a} | b |\n|---|:-:|\n| {b} | |", SENTENCE, SENTENCE),
    st.sampled_from(["---", "***", "___", "- - -", "* * *"]),
    st.builds(lambda s: f"[^1]: {s}", SENTENCE),
    st.builds(lambda s: f"[^note]: {s}\n    {s}", SENTENCE),
    st.builds(lambda s: f"[ref]: https://example.org/ '{s}'", SENTENCE),
    EXTREME_BLOCK,
)
SEPARATOR = st.sampled_from(["\n\n", "\n", "\n\n\n", "  \n", "\n\t\n", "\r\n\r\n"])


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """Up to five blocks of Markdown, maybe one broken [[link]], with any line breaks."""
    blocks = draw(st.lists(BLOCK, max_size=5))
    if draw(st.integers(0, 3)) == 0:
        blocks.insert(draw(st.integers(0, len(blocks))), draw(st.sampled_from(BROKEN_REFS)))
    out = ""
    for block in blocks:
        out += block + draw(SEPARATOR)
    return out


@st.composite
def body_files(draw: st.DrawFn) -> dict[str, str]:
    """The base site with fuzzed bodies for an article and maybe a person, a topic, another."""
    files = dict(BASE)
    head, _, _ = STORY.partition("\n---\n")
    # The article quotes these words, so its body must hold them.
    files["content/articles/the-vote.md"] = (
        f'{head}\n---\nTheresa May said "Brexit means Brexit".\n\n{draw(bodies())}'
    )
    extra = draw(st.sampled_from(["", "person", "topic", "article"]))
    if extra == "person":
        head, _, _ = MAY.partition("\n---\n")
        files["content/people/theresa-may.md"] = f"{head}\n---\n{draw(bodies())}"
    elif extra == "topic":
        head, _, _ = TOPIC.partition("\n---\n")
        files["content/topics/brexit.md"] = f"{head}\n---\n{draw(bodies())}"
    elif extra == "article":
        files["content/articles/another.md"] = (
            "---\ntitle: Another\ndate: 2019-07-24\nsummary: More.\n---\n" + draw(bodies())
        )
    return files


def test_any_markdown_body_builds_or_fails_cleanly(fuzzer: Fuzzer) -> None:
    @FUZZ
    @given(files=body_files(), args=ARGS)
    def run(files: dict[str, str], args: tuple[str, ...]) -> None:
        fuzzer(files, args)

    run()
    assert fuzzer.tally.built
    fuzzer.tally.record("fuzz-body")


# --- Strategies: file names ---------------------------------------------------------------

NAME_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="/\x00")
ODD_NAMES = (
    "Theresa May",
    "THERESA-MAY",
    "theresa--may",
    "-x",
    "x-",
    "",
    ".",
    "..md",
    ".hidden",
    "a.b",
    "a b",
    "ü",
    "theresa-may",
    "brexit",
    "the-vote",
    "index",
    "404",
    "feed",
    "search",
    "static",
    "people",
    "topics",
    "articles",
    "sitemap",
    "pagefind",
    "_site",
    "con",
    "nul",
    "x\u200b",
    "\u202eevil",
    "tab\there",
    "new\nline",
    "😀",
    "a:1: fake",
    "caf\udce9",  # not UTF-8: the byte 0xE9 of Latin-1 'é'
    "\udcff\udcfe",
)
STEMS = st.one_of(
    st.sampled_from(ODD_NAMES),
    st.text(NAME_CHARS, min_size=1, max_size=40),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=40),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "😀", "-"]), st.integers(50, 260)),
)
SUFFIXES = st.sampled_from(
    [".md", ".md", ".md", ".MD", ".Md", ".md.md", "", ".markdown", ".md~", ".txt"]
)
FOLDERS = st.sampled_from(["", "", "", "sub/", "Sub Dir/", ".hidden/", "a/b/", "é/"])


def fit_name(stem: str, suffix: str) -> str | None:
    """Cut a file name to the 255 bytes a file system allows; None for names it refuses."""
    while len(os.fsencode(stem + suffix)) > 255:
        stem = stem[:-1]
    name = stem + suffix
    return name if name not in ("", ".", "..") else None


def file_for(collection: str, title: str) -> str:
    """A valid file of the collection; the title is quoted YAML so any text fits."""
    quoted = yaml.safe_dump(title or "x", width=10_000).removesuffix("\n...\n").strip()
    if collection == "articles":
        return f"---\ntitle: {quoted}\ndate: 2018-01-01\nsummary: S.\n---\nTheresa May spoke.\n"
    if collection == "people":
        return f"---\nname: {quoted}\nsummary: S.\n---\n"
    return f"---\nname: {quoted}\nsummary: S.\nkind: place\n---\n"


@st.composite
def named_files(draw: st.DrawFn) -> dict[str, str]:
    """The base site plus up to four valid files under any names at all."""
    files = dict(BASE)
    for _ in range(draw(st.integers(1, 4))):
        collection = draw(st.sampled_from(["articles", "people", "topics"]))
        stem = draw(STEMS)
        name = fit_name(stem, draw(SUFFIXES))
        if name is None:
            continue
        rel = f"content/{collection}/{draw(FOLDERS)}{name}"
        if any(rel.startswith(f"{other}/") or other.startswith(f"{rel}/") for other in files):
            continue  # a file where another needs a folder
        title = os.fsencode(stem).decode("utf-8", "replace")  # names need not be UTF-8
        files[rel] = file_for(collection, title)
    return files


def test_any_file_name_builds_or_fails_cleanly(fuzzer: Fuzzer) -> None:
    @FUZZ
    @given(files=named_files())
    def run(files: dict[str, str]) -> None:
        if fuzzer(files).code != 0:
            return
        for rel in files:  # a built site has a page for every file with a valid name
            collection, *_, name = rel.split("/")[1:]
            if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*\.md", name) and "/." not in rel:
                page = fuzzer.root / "_site" / collection / name[:-3] / "index.html"
                assert page.is_file(), f"{rel} was built but {page} is missing"

    run()
    assert fuzzer.tally.built and fuzzer.tally.failed
    fuzzer.tally.record("fuzz-file-names")


# --- Strategies: raw mutations of valid files ----------------------------------------------

TOKENS = (
    b"\x00",
    b"\t",
    b"\r",
    b"\r\n",
    b"\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"\x85",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"\xe2\x80\xae",
    b"---",
    b"---\n",
    b"\n---\n",
    b"...\n",
    b":",
    b": ",
    b"- ",
    b"  ",
    b"[[",
    b"]]",
    b'"',
    b"'",
    b"{",
    b"[",
    b"&a ",
    b"*a",
    b"!!",
    b"|",
    b">",
    b"#",
    b"%",
    b"@",
    b"`",
    b"?",
    b"\\",
)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """Apply 1-5 edits: delete, duplicate or insert bytes, break the '---' fences, change
    the line ends, add a BOM, indent with tabs, cut the file short, swap or upcase lines."""
    for _ in range(draw(st.integers(1, 5))):
        size = len(data)
        at = draw(st.integers(0, size))
        end = draw(st.integers(at, min(size, at + 40)))
        kind = draw(st.integers(0, 11))
        if kind == 0:
            data = data[:at] + data[end:]
        elif kind == 1:
            data = data[:end] + data[at:end] + data[end:]
        elif kind in (2, 3):
            data = data[:at] + draw(st.sampled_from(TOKENS)) + data[at:]
        elif kind == 4:
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif kind == 5:
            broken = draw(
                st.sampled_from([b"--", b"----", b" ---", b"--- x", b"\xe2\x80\x94", b"", b"+++"])
            )
            count = draw(st.sampled_from([1, 2, -1]))
            data = data.replace(b"---", broken, count)
        elif kind == 6:
            data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\x85"])))
        elif kind == 7:
            data = b"\xef\xbb\xbf" + data
        elif kind == 8:
            data = data.replace(b"\n  ", b"\n\t")
        elif kind == 9:
            data = data[:at]
        elif kind == 10:
            lines = data.split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        else:
            data = data[:at] + data[at:end].upper() + data[end:]
    return data


@st.composite
def mutated_files(draw: st.DrawFn) -> dict[str, bytes]:
    """The base site with one or two of its files mutated."""
    files = {rel: text.encode("utf-8") for rel, text in BASE.items()}
    for rel in draw(st.lists(st.sampled_from(sorted(files)), min_size=1, max_size=2, unique=True)):
        files[rel] = draw(mutated(files[rel]))
    return files


def test_any_mutation_of_valid_files_builds_or_fails_cleanly(fuzzer: Fuzzer) -> None:
    @FUZZ
    @given(files=mutated_files())
    def run(files: dict[str, bytes]) -> None:
        fuzzer(files)

    run()
    assert fuzzer.tally.built and fuzzer.tally.failed
    fuzzer.tally.record("fuzz-mutations")

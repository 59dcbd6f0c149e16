"""Whole pages of the example site, compared with the copies kept in tests/pages/golden/.

A change to a template, to how pages are drawn or to the example content shows here
as a diff. When the change is meant, refresh the copies with `make golden` (pytest
tests/pages/test_golden.py --update-golden) and review them in the commit like any other.

The build is deterministic (no clock, sorted listings, search off), so the pages are
compared byte for byte with nothing normalised.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from conftest import ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
DIFF_LINES = 80

# golden file -> the page of the example site it holds
PAGES = {
    "home.html": "index.html",
    "article.html": "articles/corbyn-russia-evidence/index.html",
    "person.html": "people/theresa-may/index.html",
    "topic.html": "topics/nato/index.html",
    "timeline.html": "timeline/index.html",
    "claims.html": "claims/index.html",
    "feed.xml": "feed.xml",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_matches_its_golden_copy(name, example_site, request):
    built = (example_site / PAGES[name]).read_bytes()
    golden = GOLDEN / name
    shown = golden.relative_to(ROOT).as_posix()
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(built)
        return
    if not golden.is_file():
        pytest.fail(f"{shown} is missing; write it with `make golden`", pytrace=False)
    expected = golden.read_bytes()
    if built == expected:
        return
    diff = list(
        difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(keepends=True),
            built.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=shown,
            tofile=f"built {PAGES[name]}",
        )
    )
    more = f"... {len(diff) - DIFF_LINES} more lines of diff\n" if len(diff) > DIFF_LINES else ""
    pytest.fail(
        f"{PAGES[name]} differs from {shown}:\n"
        + "".join(line if line.endswith("\n") else line + "\n" for line in diff[:DIFF_LINES])
        + more
        + "If the change is meant, run `make golden` and commit the updated files.",
        pytrace=False,
    )

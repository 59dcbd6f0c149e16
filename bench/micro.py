#!/usr/bin/env python3
"""Time the refusals of hostile input and the sanitiser, in-process; the tests check the behaviour.

    .venv/bin/python bench/micro.py [--runs 5] [--pages 100] [--out bench/micro-results.json]

Figures, under the ids of the checks in tests/reliability_checks.json:
- limits: how long parsing a billion-laughs file (10^9 values once its YAML aliases are
  expanded) takes to be refused, and how long `check` takes to refuse 10,001 aliases;
- hostile-html: the sanitiser's cost per page on a clean article body (its fast path)
  and on the same body with a <script> added (the full nh3 clean).

Each figure is the median of --runs runs (the sanitiser's: of --pages pages per run),
with the slowest run beside it. They are printed and written to --out as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))  # this checkout's explainer, not an installed one

from explainer.cli import main as cli_main  # noqa: E402
from explainer.content.load import parse_document  # noqa: E402
from explainer.core.errors import ContentError  # noqa: E402
from explainer.link.sanitize import Sanitizer  # noqa: E402

BILLION_LAUGHS = (
    "---\ntitle: T\ndate: 2017-11-15\nsummary: S.\nextra:\n"
    "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(
        f"  {name}: &{name} [{', '.join([f'*{prev}'] * 10)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\nBody.\n"
)  # nine levels of ten: a billion values once the aliases are expanded
TOO_MANY_ALIASES = 10_001
# An article body as the link stage leaves it: paragraphs of text and mention links.
CLEAN_BODY = (
    "<p>" + 'Words and a <a href="../x/index.html" class="mention">link</a>. ' * 40 + "</p>\n"
) * 10


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Return the seconds each of `runs` calls of action took."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return seconds


def summary(seconds: list[float], scale: float, digits: int) -> dict[str, float]:
    """Return the median and the slowest of seconds, times scale (1e3: ms, 1e6: µs)."""
    return {
        "median": round(statistics.median(seconds) * scale, digits),
        "slowest": round(max(seconds) * scale, digits),
    }


def refuse_billion_laughs() -> None:
    try:
        parse_document(BILLION_LAUGHS.encode(), Path("content/articles/bomb.md"), "articles")
    except ContentError as refused:
        assert "front matter expands to too many values" in str(refused), refused
        return
    raise AssertionError("the billion laughs was not refused")


def aliases_project(root: Path) -> Path:
    """Lay out a project whose one person has more aliases than the default limit."""
    for folder in ("templates", "static"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "site.yaml").write_text(
        "title: Test Site\nbase_url: https://example.org/news/\n", encoding="utf-8"
    )
    aliases = ", ".join(f"Alias {i}" for i in range(TOO_MANY_ALIASES))
    person = root / "content" / "people" / "many-names.md"
    person.parent.mkdir(parents=True)
    person.write_text(f"---\nname: Many Names\nsummary: S.\naliases: [{aliases}]\n---\n")
    return root


def refuse_aliases(root: Path) -> None:
    err = io.StringIO()
    with (
        contextlib.chdir(root),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(err),
    ):
        code = cli_main(["check"])
    assert code == 1 and "aliases in all" in err.getvalue(), err.getvalue()


def sanitiser_figures(runs: int, pages: int) -> dict[str, Any]:
    sanitizer = Sanitizer()
    hostile = CLEAN_BODY + "<script>x</script>"
    assert sanitizer.clean(CLEAN_BODY) == (CLEAN_BODY, []), "the clean body was changed"
    assert sanitizer.clean(hostile)[1], "the script was not reported"

    def per_page(body: str) -> list[float]:
        return [t / pages for t in timed(lambda: [sanitizer.clean(body) for _ in range(pages)], runs)]

    return {
        "body_chars": len(CLEAN_BODY),
        "fast_path_us_per_page": summary(per_page(CLEAN_BODY), 1e6, 1),
        "cleaned_us_per_page": summary(per_page(hostile), 1e6, 1),
    }


def git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "explainer")
    return commit + (" with uncommitted changes in explainer/" if dirty else "")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement")
    parser.add_argument("--pages", type=int, default=100, help="pages the sanitiser cleans per run")
    parser.add_argument("--out", type=Path, default=BENCH / "micro-results.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="explainer-micro-") as scratch:
        project = aliases_project(Path(scratch))
        limits = {
            "billion_laughs_ms_to_refuse": summary(
                timed(refuse_billion_laughs, args.runs), 1e3, 3
            ),
            "aliases_10001_ms_to_refuse": summary(
                timed(lambda: refuse_aliases(project), args.runs), 1e3, 1
            ),
        }
    results = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "os": platform.platform(),
        },
        "runs": args.runs,
        "figures": {
            "limits": limits,
            "hostile-html": sanitiser_figures(args.runs, args.pages),
        },
    }
    for check, figures in results["figures"].items():
        for name, value in figures.items():
            print(f"{check:13} {name:28} {value}")
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

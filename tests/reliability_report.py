"""Write docs/reliability.md from a reliability run's figures and test outcomes.

    python tests/reliability_report.py FIGURES.jsonl JUNIT.xml [JUNIT.xml ...] docs/reliability.md

FIGURES.jsonl holds the lines tests/figures.py `record()` wrote; JUNIT.xml is pytest's
--junitxml report of the same run. `make reliability` runs both steps.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

# check id -> what is tried and how it is tested (pytest node ids, comma-separated)
CATALOGUE_FILE = Path(__file__).with_name("reliability_checks.json")


def load_catalogue() -> dict[str, tuple[str, str]]:
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return {check: (entry["fault"], entry["how"]) for check, entry in data.items()}


def read_figures(path: Path) -> dict[str, list[dict[str, object]]]:
    by_check: dict[str, list[dict[str, object]]] = defaultdict(list)
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                by_check[str(entry.pop("check"))].append(entry)
    return by_check


def read_outcomes(path: Path) -> dict[str, str]:
    """Map 'module::test' (parameters dropped) to passed/failed/skipped."""
    outcomes: dict[str, str] = {}
    if not path.is_file():
        return outcomes
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        name = case.get("name", "").split("[", 1)[0]
        key = f"{module}::{name}"
        if case.find("failure") is not None or case.find("error") is not None:
            state = "failed"
        elif case.find("skipped") is not None:
            state = "skipped"
        else:
            state = "passed"
        if outcomes.get(key) != "failed":
            outcomes[key] = state
    return outcomes


# Figures that describe a run rather than count things: shown as the largest seen.
NOT_ADDED = (
    "max",
    "slowest",
    "p50",
    "p99",
    "worst",
    "median",
    "percent",
    "per_second",
    "_ms",
    "seconds",
    "connections",
    "clients",
    "articles",
    "each",
    "epoch",
)


def summarise(entries: list[dict[str, object]]) -> str:
    """Sum numbers across the entries of one check; keep other values as listed."""
    if not entries:
        return "no figures recorded"
    totals: dict[str, object] = {}
    for entry in entries:
        for key, value in entry.items():
            if key == "test":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                totals.setdefault(key, value)
            elif any(part in key for part in NOT_ADDED):
                totals[key] = max(value, totals.get(key, value))  # type: ignore[type-var]
            else:
                totals[key] = totals.get(key, 0) + value  # type: ignore[operator]
    parts = []
    for key, value in totals.items():
        shown = (
            f"{value:,.3g}"
            if isinstance(value, float)
            else f"{value:,}"
            if isinstance(value, int) and not isinstance(value, bool)
            else str(value)
        )
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    runs = f" ({len(entries)} runs)" if len(entries) > 1 else ""
    return "; ".join(parts) + runs


def result_of(how: str, outcomes: dict[str, str]) -> str:
    tests = [t.strip().strip("`") for t in how.split(",") if "::" in t]
    if not tests:
        return ""
    states = {outcomes.get(_key(t), "not run") for t in tests}
    if "failed" in states:
        return "**FAILED**"
    if states == {"passed"}:
        return "passed"
    return ", ".join(sorted(states))


def _key(test: str) -> str:
    path, _, name = test.partition("::")
    return f"{Path(path).stem}::{name}"


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def render(figures: dict[str, list[dict[str, object]]], outcomes: dict[str, str]) -> str:
    catalogue = load_catalogue()
    passed = sum(1 for s in outcomes.values() if s == "passed")
    failed = sum(1 for s in outcomes.values() if s == "failed")
    scale = (
        "long (`make reliability`)"
        if os.environ.get("EXPLAINER_LONG") == "1"
        else "short, as in `make test` (`make reliability RELIABILITY_LONG=0`)"
    )
    lines = [
        "# Reliability and security",
        "",
        "Every fault and bad input the test suite tries, how it is tried, and what happened.",
        "This page is written by `make reliability`, which runs the reliability tests at",
        "their long scale (more fuzzing examples, more kills, longer load) and records the",
        "figures below; `make test` runs the same tests at a short scale on every change.",
        "",
        f"- Run: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}, commit {git_commit()}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- Scale: {scale}",
        f"- Tests: {passed} passed, {failed} failed",
        "",
        "| Fault or input tried | How it is tested | Result | Figures |",
        "|---|---|---|---|",
    ]
    for check, (fault, how) in catalogue.items():
        result = result_of(how, outcomes)
        lines.append(f"| {fault} | {how} | {result} | {summarise(figures.get(check, []))} |")
    unknown = sorted(set(figures) - set(catalogue))
    for check in unknown:
        lines.append(f"| {check} | (recorded by the tests) | | {summarise(figures[check])} |")
    lines += [
        "",
        "How fast hostile input is refused and what the sanitiser costs per page are not",
        "figures of these tests, which check only what happens: `bench/micro.py` measures",
        "them and writes them to bench/micro-results.json.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    figures = read_figures(Path(argv[0]))
    outcomes: dict[str, str] = {}
    for junit in argv[1:-1]:
        for key, state in read_outcomes(Path(junit)).items():
            if outcomes.get(key) != "failed":
                outcomes[key] = state
    Path(argv[-1]).write_text(render(figures, outcomes), encoding="utf-8")
    print(f"wrote {argv[-1]}: {len(figures)} checks with figures, {len(outcomes)} tests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

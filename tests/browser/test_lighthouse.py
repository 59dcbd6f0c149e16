"""Lighthouse (mobile defaults) scores the home, article, person and timeline pages at the top."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROME_FLAGS, CHROMIUM, LIGHTHOUSE, PAGE_TYPES, require_tool

PAGES = ("home", "article", "person", "timeline")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
# Audit modes that can pull a category's score down; the others only inform.
SCORED_MODES = {"binary", "numeric", "metricSavings"}


def run_lighthouse(url: str, report: Path) -> dict[str, Any]:
    """Run the Lighthouse CLI on url, save its JSON report, and return it."""
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    result = subprocess.run(
        [
            str(LIGHTHOUSE), url,
            "--output=json", f"--output-path={report}", "--quiet",
            f"--chrome-flags={' '.join(CHROME_FLAGS)}",
            f"--only-categories={','.join(CATEGORIES)}",
        ],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    if result.returncode != 0 or not report.is_file():
        pytest.fail(f"lighthouse failed on {url}:\n{result.stdout}{result.stderr}", pytrace=False)
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def lighthouse_reports(
    site_url: str, tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Audit the three pages one after another: in parallel they would skew performance."""
    require_tool(LIGHTHOUSE, "Lighthouse (npm package lighthouse)")
    require_tool(CHROMIUM, "Chromium")
    folder = tmp_path_factory.mktemp("lighthouse")
    reports = {}
    for kind in PAGES:
        path = folder / f"{kind}.json"
        reports[kind] = (path, run_lighthouse(site_url + PAGE_TYPES[kind], path))
    return reports


def shortfalls(report: dict[str, Any], category: str) -> list[str]:
    """Name the audits that cost a category points."""
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        score = audit.get("score")
        if ref.get("weight", 0) and audit["scoreDisplayMode"] in SCORED_MODES and score is not None \
                and score < 1:
            detail = audit.get("displayValue") or audit.get("explanation") or ""
            lines.append(f"    {ref['id']} (weight {ref['weight']}): {score} {detail}".rstrip())
    return lines


@pytest.mark.browser
@pytest.mark.parametrize("kind", PAGES)
def test_lighthouse_scores(
    lighthouse_reports: dict[str, tuple[Path, dict[str, Any]]], kind: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, report = lighthouse_reports[kind]
    scores = {name: report["categories"][name]["score"] for name in CATEGORIES}
    with capsys.disabled():
        shown = "  ".join(f"{name} {score}" for name, score in scores.items())
        print(f"\nLighthouse {PAGE_TYPES[kind]}: {shown}  (report: {path})")
    failures = []
    for name, minimum in MINIMUM.items():
        score = scores[name]
        if score is None or score < minimum:
            failures.append(f"{name}: {score} (needs {minimum})")
            failures.extend(shortfalls(report, name))
    warnings = report.get("runWarnings") or []
    assert not failures, (
        f"Lighthouse on {PAGE_TYPES[kind]}:\n" + "\n".join(failures)
        + ("\nrun warnings: " + "; ".join(warnings) if warnings else "")
    )

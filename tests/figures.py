"""Figures for docs/reliability.md, and the long/short scale of the reliability tests.

`make test` runs every reliability test at its short scale. `make reliability` sets
EXPLAINER_LONG=1 (longer runs) and EXPLAINER_FIGURES=<file>; each test then appends
one JSON line per measurement, and tests/reliability_report.py turns them into the
report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def long_run() -> bool:
    """True under `make reliability` (and `make fuzz`): run the long versions."""
    return os.environ.get("EXPLAINER_LONG") == "1"


def scaled(short: int, long: int) -> int:
    """The short figure in `make test`, the long one under `make reliability`."""
    return long if long_run() else short


def record(check: str, **figures: object) -> None:
    """Append one measurement for the report; a no-op unless EXPLAINER_FIGURES is set."""
    target = os.environ.get("EXPLAINER_FIGURES")
    if not target:
        return
    line = json.dumps({"check": check, **figures}, sort_keys=True, default=str)
    with Path(target).open("a", encoding="utf-8") as out:
        out.write(line + "\n")

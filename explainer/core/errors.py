"""Diagnostics: content errors and warnings that point at a file and line."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]
# Characters that would split a diagnostic over lines (or move the cursor) in a terminal
# or an editor's problem list; they are shown escaped, so each problem stays one line.
_BREAKING_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """Return text with line breaks and control characters written as escapes."""
    return _BREAKING_RE.sub(lambda m: repr(m.group())[1:-1], text)


def display_path(path: Path | str) -> str:
    """Return path relative to the working folder when it lies inside it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return text if rel.startswith("..") else rel


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem found in a source file."""

    path: str
    line: int
    message: str
    severity: Severity = "error"
    column: int = 0

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        if self.severity == "warning":
            return one_line(f"{where}warning: {self.message}")
        return one_line(f"{where}{self.message}")


class ContentError(Exception):
    """A single content problem; raised where collecting is not possible."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(message)
        self.diagnostic = Diagnostic(display_path(path), line, message)

    def __str__(self) -> str:
        return str(self.diagnostic)


class BuildFailed(Exception):
    """Raised when a stage found errors; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__(f"{len(self.errors)} error(s)")

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


@dataclass(slots=True)
class Collector:
    """Gather errors and warnings across a stage, then stop if any error was seen."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, path: Path | str, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(display_path(path), line, message))

    def warn(self, path: Path | str, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(display_path(path), line, message, "warning"))

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        """Stop the build after a stage when it found any error."""
        if self.errors:
            raise BuildFailed(self.diagnostics)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""

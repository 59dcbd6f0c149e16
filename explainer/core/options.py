"""What a build is asked to do: where to read and write, and how strict to be."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Diagnostic


def default_jobs() -> int:
    """Return how many processes to use by default: one per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Where to read from and write to, and how strict to be."""

    config_path: Path = Path("site.yaml")
    content_dir: Path | None = None
    out_dir: Path | None = None
    drafts: bool = False
    strict: bool = False
    search: bool = True
    cache: bool = True
    progress: bool = True  # a progress line on a terminal for long builds
    daemon: bool = False  # build through (and leave) a build daemon: see daemon.py
    jobs: int = field(default_factory=default_jobs)

    @property
    def root(self) -> Path:
        return self.config_path.parent

    @property
    def content(self) -> Path:
        return self.content_dir if self.content_dir is not None else self.root / "content"

    @property
    def out(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.root / "_site"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def image_cache(self) -> Path:
        """Where resized pictures and social cards are kept between builds, of any kind."""
        return self.root / ".cache" / "images"

    def protected(self) -> list[tuple[str, Path]]:
        return [
            ("project folder", self.root),
            ("content folder", self.content),
            ("templates folder", self.templates),
            ("static folder", self.static),
        ]


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did."""

    pages: int
    diagnostics: tuple[Diagnostic, ...]
    seconds: float
    up_to_date: bool = False
    reused: int = 0
    stages: str = ""  # where the time went: 'load 0.41 s, link 2.10 s, …'
    daemon: int = 0  # the process id of the build daemon that did the build, if one did
    daemon_left: int = 0  # that of the build daemon this build left behind, if it left one

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")

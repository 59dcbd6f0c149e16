"""One self-rewriting progress line for long builds on a terminal; silent elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Show 'Rendering pages 1200/4600' with a carriage return, only when it helps."""

    def __init__(
        self, stream: TextIO | None = None, enabled: bool | None = None, delay: float = 1.0
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.delay = delay
        self.started = time.monotonic()
        self.last = 0.0
        self.width = 0

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        text = f"{label} {done}/{total}"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def clear(self) -> None:
        """Remove the line, so the summary starts at the left margin."""
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


class Stopwatch:
    """Add up the wall time of each stage of a build, in the order stages first ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.mark = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Charge the time since the last lap (or the start) to stage."""
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.mark
        self.mark = now

    def summary(self) -> str:
        """Return 'load 0.41 s, link 2.10 s, …' for the stages that took any time."""
        return ", ".join(f"{name} {s:.2f} s" for name, s in self.seconds.items() if s >= 0.005)

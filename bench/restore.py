"""Change the benchmark's input files and always put them back, even on Ctrl-C."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while files are put back; deliver them afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)


class FileGuard:
    """Remember each file's contents before its first change and restore them on exit.

    `marker` lists the changed files while any is changed. A run killed before it could
    restore them leaves the marker behind, and the next run regenerates that input.
    """

    def __init__(self, marker: Path) -> None:
        self.marker = marker
        self._originals: dict[Path, bytes] = {}

    def __enter__(self) -> FileGuard:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.restore()

    def _remember(self, path: Path) -> None:
        if path in self._originals:
            return
        self._originals[path] = path.read_bytes()
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.write_text("".join(f"{p}\n" for p in self._originals), encoding="utf-8")

    def write(self, path: Path, data: bytes) -> None:
        """Replace a file's contents (in place, as most editors save)."""
        self._remember(path)
        path.write_bytes(data)

    def append(self, path: Path, data: bytes) -> None:
        """Append to a file with a single write (no moment at which it is empty)."""
        self._remember(path)
        with path.open("ab") as f:
            f.write(data)

    def original(self, path: Path) -> bytes:
        """Return the file's contents before this guard first changed it."""
        return self._originals[path] if path in self._originals else path.read_bytes()

    def restore(self, path: Path | None = None) -> None:
        """Put one changed file back, or every one; drop the marker once none is changed."""
        with signals_held():
            for changed in [path] if path is not None else list(self._originals):
                if changed in self._originals:
                    changed.write_bytes(self._originals[changed])
                    del self._originals[changed]
            if not self._originals:
                self.marker.unlink(missing_ok=True)
            else:
                self.marker.write_text("".join(f"{p}\n" for p in self._originals), encoding="utf-8")

"""Run one command and measure its wall time and memory."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

GNU_TIME = "/usr/bin/time"
SAMPLE_SECONDS = 0.1
# Reading smaps_rollup walks the page tables: ~15 ms per GB mapped. Sample less often for
# big trees so the sampler never takes more than this share of one core from the build.
SAMPLER_SHARE = 0.05
SAMPLING = (
    f"PSS summed over the tree every {SAMPLE_SECONDS} s, or less often for big trees so that "
    f"sampling takes at most {SAMPLER_SHARE:.0%} of one core"
)
PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True, slots=True)
class Sample:
    """What one run of a command took."""

    seconds: float
    max_rss_kb: int  # largest single process of the tree (ru_maxrss, as GNU time reports)
    tree_peak_kb: int  # largest sampled sum over the whole tree (PSS where the kernel has it)
    tree_samples: int
    returncode: int
    rss_source: str
    background_s: float  # how long processes the build left behind ran on after it exited
    timed_out: bool = False  # killed after the time allowed

    def as_dict(self) -> dict[str, Any]:
        """Return the sample as plain JSON-ready data."""
        return asdict(self)


def become_subreaper() -> bool:
    """Adopt this process's orphaned descendants, so work a build leaves running is seen.

    explainer deletes a replaced site in a detached grandchild; as a subreaper we can
    wait for it before the next measurement instead of letting it steal that one's time.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def reap_orphans(timeout: float = 300.0) -> float:
    """Wait for every adopted orphan to exit; return how long that took.

    One still running after `timeout` seconds is killed, with its own children. A build
    daemon (explainer's: the process a build leaves to serve the next one) is meant to
    outlive its build and is not waited for.
    """
    started = time.perf_counter()
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return time.perf_counter() - started
        if pid:
            continue
        waiting = [c for c in child_pids(os.getpid()) if not is_build_daemon(c)]
        if not waiting:
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            for child in waiting:
                kill_tree(child)
        time.sleep(0.01)


DAEMON_NAME = "build daemon"  # the name explainer gives its build daemon (prctl PR_SET_NAME)


def is_build_daemon(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as f:
            return f.read().strip() == DAEMON_NAME
    except OSError:
        return False


def kill_tree(root: int) -> None:
    """SIGKILL a process and every descendant of it, the deepest first."""
    for pid in reversed(tree_pids(root)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def have_gnu_time() -> bool:
    """Tell whether GNU time (Debian's `time` package) is installed."""
    return os.access(GNU_TIME, os.X_OK)


def child_pids(pid: int) -> list[int]:
    """Return the process's children (every thread's), from /proc."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as f:
                found.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return found


def tree_pids(root: int) -> list[int]:
    """Return a process and all its descendants, from /proc."""
    seen: list[int] = []
    todo = [root]
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo.extend(child_pids(pid))
    return seen


def _memory_kb(pid: int) -> int:
    """Return the process's proportional set size (shared pages split), else its RSS."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path, encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


class _TreeSampler(threading.Thread):
    """Poll the summed memory of a process tree until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_kb = 0
        self.samples = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            started = time.perf_counter()
            total = sum(_memory_kb(pid) for pid in tree_pids(self.root))
            cost = time.perf_counter() - started
            self.peak_kb = max(self.peak_kb, total)
            self.samples += 1
            self._done.wait(max(SAMPLE_SECONDS, cost / SAMPLER_SHARE))

    def stop(self) -> None:
        self._done.set()
        self.join()


def run_measured(
    command: list[str],
    cwd: Path,
    log: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Sample:
    """Run command (output to log), returning wall time, peak RSS and exit status.

    After `timeout` seconds the command and everything it started is killed; so is it
    when the wait is interrupted (Ctrl-C), before the interruption goes on.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    use_time = have_gnu_time()
    with tempfile.TemporaryDirectory(prefix="bench-time-") as tmp:
        time_file = Path(tmp) / "rusage"
        argv = [GNU_TIME, "-f", "%M", "-o", str(time_file), *command] if use_time else command
        with log.open("wb") as out:
            started = time.perf_counter()
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            sampler = _TreeSampler(proc.pid)
            sampler.start()
            expired = threading.Event()

            def expire() -> None:
                expired.set()
                kill_tree(proc.pid)

            timer = threading.Timer(timeout, expire) if timeout else None
            if timer is not None:
                timer.daemon = True
                timer.start()
            try:
                # wait4 rather than getrusage(RUSAGE_CHILDREN): the latter is a maximum over
                # every child this process ever had, so it could not tell one run from another.
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:
                kill_tree(proc.pid)
                os.wait4(proc.pid, 0)
                raise
            finally:
                if timer is not None:
                    timer.cancel()
                sampler.stop()
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            background_s = reap_orphans()
        max_rss_kb = 0
        source = "wait4 ru_maxrss"
        if use_time:
            source = "GNU time %M"
            text = time_file.read_text(encoding="utf-8", errors="replace").split()
            # GNU time prints "Command exited with non-zero status N" before the number.
            max_rss_kb = int(text[-1]) if text and text[-1].isdigit() else 0
        if not max_rss_kb:
            max_rss_kb = usage.ru_maxrss
    return Sample(
        seconds=seconds,
        max_rss_kb=max_rss_kb,
        tree_peak_kb=sampler.peak_kb,
        tree_samples=sampler.samples,
        returncode=proc.returncode,
        rss_source=source,
        background_s=background_s,
        timed_out=expired.is_set(),
    )


def clear(path: Path) -> None:
    """Delete a folder (or file) if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()

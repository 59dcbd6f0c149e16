"""Run a preview server and time how long a saved edit takes to be served.

Everything is measured from outside: the server is a child process started as an
author would start it, an edit is a write to a content file, and "visible" means an
HTTP response for the article's page contains the new sentence. This works the same
whether a server builds to disk and serves files or keeps the site in memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import measure
from restore import FileGuard

PR_SET_PDEATHSIG = 1
TICKS = os.sysconf("SC_CLK_TCK")
MEMORY_SECONDS = 0.1  # RSS of every process of the server's tree, this often
PSS_SECONDS = 1.0  # PSS walks the page tables: ~15 ms per GB, so less often


class ServerFailed(Exception):
    """A server did not come up, stopped on its own or never served an edit."""


def free_port(host: str = "127.0.0.1") -> int:
    """Return a port nobody listens on right now (for servers that cannot pick one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _child_setup() -> Callable[[], None]:
    """Return a pre-exec hook: Ctrl-C and SIGTERM stop the child; so does our death.

    A bench started in the background inherits an ignored SIGINT, and so would the
    server; stop() relies on SIGINT stopping it the way Ctrl-C stops an author's.
    """
    prctl = None
    name = ctypes.util.find_library("c")
    if name:
        with contextlib.suppress(OSError, AttributeError):
            prctl = ctypes.CDLL(name, use_errno=True).prctl

    def hook() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    return hook


def _status_kb(pid: int, key: str = "VmRSS:") -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return _status_kb(pid)


def _cpu_ticks(pid: int, with_children: bool = True) -> int:
    """Return the CPU time a process used, plus that of its reaped children, in ticks."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    # Fields 14-17 of proc(5), counted from after the command name: utime stime cutime cstime.
    used = fields[11:15] if with_children else fields[11:13]
    return sum(int(v) for v in used)


def descendants() -> list[int]:
    """Every process below this one: the server's tree and any orphan it left to us."""
    return [pid for pid in measure.tree_pids(os.getpid()) if pid != os.getpid()]


def cpu_seconds() -> float:
    """CPU time used by every descendant, including those that exited and were reaped."""
    own_children = _cpu_ticks(os.getpid()) - _cpu_ticks(os.getpid(), with_children=False)
    return (own_children + sum(_cpu_ticks(pid) for pid in descendants())) / TICKS


def reap_adopted(keep: int) -> None:
    """Wait for orphans that already exited (we are their subreaper), not for `keep`."""
    for pid in measure.child_pids(os.getpid()):
        if pid != keep:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)


def settle(keep: int, quiet_s: float = 0.5, share: float = 0.2, limit: float = 30.0) -> float:
    """Wait until the server and its helpers are idle (below `share` of a core for quiet_s).

    Each edit is timed from a quiet server: work left over from the last rebuild (saving
    a cache, deleting a replaced site) would otherwise be counted against the next one.
    Returns how long it waited; at most `limit`.
    """
    started = time.monotonic()
    before, at = cpu_seconds(), started
    while True:
        time.sleep(quiet_s)
        reap_adopted(keep)
        now_cpu, now = cpu_seconds(), time.monotonic()
        if max(0.0, now_cpu - before) <= share * (now - at) or now - started >= limit:
            return now - started
        before, at = now_cpu, now


@dataclass
class Memory:
    """Peaks of the server's resident memory over its whole run, in kB."""

    main_rss_kb: int = 0  # the server process itself
    children_rss_kb: int = 0  # its child processes, summed at one moment
    largest_child_rss_kb: int = 0
    tree_rss_kb: int = 0  # server and children summed at one moment (shared pages twice)
    tree_pss_kb: int = 0  # the same as PSS: pages shared after a fork counted once
    children_seen: int = 0
    samples: int = 0
    main_after_start_kb: int = 0  # once the first build was served and the server was idle
    main_at_end_kb: int = 0


class MemorySampler(threading.Thread):
    """Sample the RSS of a server and of its children until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.memory = Memory()
        self._children: set[int] = set()
        self._done = threading.Event()

    def run(self) -> None:
        last_pss = 0.0
        m = self.memory
        while not self._done.is_set():
            pids = measure.tree_pids(self.root)
            main = _status_kb(self.root)
            children = [_status_kb(pid) for pid in pids if pid != self.root]
            self._children.update(pid for pid in pids if pid != self.root)
            m.main_rss_kb = max(m.main_rss_kb, main)
            m.children_rss_kb = max(m.children_rss_kb, sum(children))
            m.largest_child_rss_kb = max(m.largest_child_rss_kb, max(children, default=0))
            m.tree_rss_kb = max(m.tree_rss_kb, main + sum(children))
            if time.monotonic() - last_pss >= PSS_SECONDS:
                last_pss = time.monotonic()
                m.tree_pss_kb = max(m.tree_pss_kb, sum(_pss_kb(pid) for pid in pids))
            m.children_seen = len(self._children)
            m.samples += 1
            self._done.wait(MEMORY_SECONDS)

    def now_kb(self) -> int:
        return _status_kb(self.root)

    def stop(self) -> Memory:
        self._done.set()
        if self.is_alive():
            self.join()
        return self.memory


class ServerProcess:
    """A server started in its own process group, its output in a log file."""

    def __init__(
        self, argv: list[str], cwd: Path, log: Path, ready: re.Pattern[str], env: dict[str, str]
    ) -> None:
        self.argv = argv
        self.cwd = cwd
        self.log = log
        self.ready = ready
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            # Its own session: a Ctrl-C meant for the bench reaches the server only through
            # stop(), and stop() can kill the whole group. The death signal covers the
            # bench itself being killed.
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_child_setup(),
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self, doing: str) -> None:
        if not self.alive():
            code = self.proc.returncode if self.proc is not None else None
            raise ServerFailed(f"the server exited (status {code}) while {doing}")

    def wait_ready(self, timeout: float) -> int:
        """Wait for the line that says where it serves; return the port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive("starting")
            found = self.ready.search(self.log.read_text(encoding="utf-8", errors="replace"))
            if found:
                return int(found.group("port"))
            time.sleep(0.05)
        raise ServerFailed(f"it did not say where it serves within {timeout:.0f} s")

    def stop(self, grace: float = 15.0) -> dict[str, Any]:
        """Stop it as Ctrl-C would; kill its whole group if it is not gone within `grace`."""
        how: dict[str, Any] = {"signal": "SIGINT", "left_behind": []}
        if self.proc is None:
            return how
        started = time.monotonic()
        pgid = self.proc.pid  # the leader of its own session and group
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                how["signal"] = f"SIGKILL (still running {grace:.0f} s after SIGINT)"
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=grace)
        else:
            how["signal"] = f"none (it had exited with status {self.proc.returncode})"
        how["returncode"] = self.proc.returncode
        # Whatever of its group outlived it (a worker it did not stop) goes now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        how["left_behind"] = _finish_orphans(pgid, grace)
        how["stop_s"] = round(time.monotonic() - started, 3)
        return how


def _finish_orphans(pgid: int, grace: float) -> list[str]:
    """Wait up to `grace` for processes the server left to us; kill and name any still there."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        reap_adopted(keep=-1)
        if not measure.child_pids(os.getpid()) and not _group_alive(pgid):
            return []
        time.sleep(0.05)
    left = []
    for pid in descendants():
        left.append(f"{pid} {_command(pid)}")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    time.sleep(0.2)
    reap_adopted(keep=-1)
    return left


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


class Page:
    """GET one page again and again over one keep-alive connection."""

    def __init__(self, port: int, path: str, host: str = "127.0.0.1", timeout: float = 10.0):
        self.port, self.path, self.host, self.timeout = port, path, host, timeout
        self._conn: http.client.HTTPConnection | None = None
        self.connections = 0

    def get(self) -> tuple[int, bytes] | None:
        """Return (status, body), or None if the server could not be reached this time."""
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connections += 1
        try:
            self._conn.request("GET", self.path, headers={"Cache-Control": "no-cache"})
            response = self._conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return None
        if response.will_close:
            self.close()
        return response.status, body

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass(frozen=True, slots=True)
class Edit:
    """Append a sentence to one content file; its page must then show it."""

    path: Path
    url_path: str
    slug: str


@dataclass
class Session:
    """One server run: start-up, the timed edits, memory and how it stopped."""

    tool: str
    size: int
    round: int
    argv: list[str]
    log: str
    port: int | None = None
    startup_s: float | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)
    failed: str | None = None
    memory: dict[str, int] = field(default_factory=dict)
    stop: dict[str, Any] = field(default_factory=dict)
    load1: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _wait_for(
    server: ServerProcess, page: Page, deadline: float, interval: float, wanted: bytes | None
) -> tuple[int, float]:
    """Poll until the page answers 200 (and holds `wanted`); return (polls, when)."""
    polls = 0
    while True:
        got = page.get()
        polls += 1
        now = time.perf_counter()
        if got is not None and got[0] == 200 and (wanted is None or wanted in got[1]):
            return polls, now
        server.check_alive("being polled")
        if time.monotonic() >= deadline:
            status = "no answer" if got is None else f"status {got[0]}"
            what = "the page" if wanted is None else "the edit"
            raise ServerFailed(f"{what} was not served within the time allowed (last: {status})")
        time.sleep(interval)


def run_session(
    session: Session,
    server: ServerProcess,
    edits: list[Edit],
    guard: FileGuard,
    sentence: Callable[[int], str],
    startup_timeout: float,
    edit_timeout: float,
    interval: float = 0.005,
    log: Callable[[str], None] = print,
) -> Session:
    """Start the server, time each edit from the write to the first response showing it."""
    session.load1 = round(os.getloadavg()[0], 2)
    sampler: MemorySampler | None = None
    page: Page | None = None
    try:
        server.start()
        started = time.perf_counter()
        sampler = MemorySampler(server.pid)
        sampler.start()
        deadline = time.monotonic() + startup_timeout
        session.port = server.wait_ready(startup_timeout)
        page = Page(session.port, edits[0].url_path)
        _, served = _wait_for(server, page, deadline, 0.05, None)
        session.startup_s = round(served - started, 3)
        settle(server.pid)
        sampler.memory.main_after_start_kb = sampler.now_kb()
        log(f"  {session.tool:<18} serving after {session.startup_s:.1f} s on port {session.port}")
        for number, edit in enumerate(edits, 1):
            text = sentence(number)
            page.close()
            page = Page(session.port, edit.url_path)
            page.get()  # open the connection (and let Hugo note the page as visited) first
            began = time.perf_counter()
            guard.append(edit.path, f"\n{text}\n".encode())
            polls, seen = _wait_for(
                server, page, time.monotonic() + edit_timeout, interval, text.encode()
            )
            seconds = seen - began
            log(f"  {session.tool:<18} preview edit {number}: {seconds:6.3f} s ({polls} polls)")
            record = {"edit": number, "article": edit.slug, "seconds": seconds, "polls": polls}
            session.edits.append(record)
            # How long until the server was quiet again (at least one 0.5 s quiet window).
            record["until_quiet_s"] = round(settle(server.pid), 3)
    except ServerFailed as failed:
        session.failed = str(failed)
    finally:
        if page is not None:
            page.close()
        if sampler is not None:
            sampler.memory.main_at_end_kb = sampler.now_kb()
        session.stop = server.stop()
        if sampler is not None:
            session.memory = asdict(sampler.stop())
    return session

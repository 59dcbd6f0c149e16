"""The preview server under load: many connections while it rebuilds, many open pages.

The server and the load client are separate processes talking over loopback, as a
browser and the server would.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import JOHNSON, MAY, ROOT, Project, article
from figures import long_run, record
from serve_helpers import Events, Server

LOAD_CLIENT = ROOT / "tests" / "load_client.py"
CONNECTIONS = 100

STORY_OLD = article(
    "Theresa May spoke on Tuesday about the budget.",
    title="Budget talks on Tuesday",
    people=["theresa-may"],
)
STORY_NEW = article(
    "Theresa May spoke on Wednesday about the budget, at length.\n\nBoris Johnson replied.",
    title="Budget talks moved to Wednesday",
    people=["theresa-may", "boris-johnson"],
)
# The edited article's own page, pages that list it, and pages that do not change.
PAGES = (
    "/articles/story/",
    "/people/theresa-may/",
    "/people/boris-johnson/",
    "/",
    "/articles/",
    "/articles/other/",
    "/static/style.css",
)


def replace_file(path: Path, text: str) -> None:
    """Save the way editors do: write a new file, then rename it over the old one."""
    spare = path.with_name(f".{path.name}.saving")
    spare.write_text(text, encoding="utf-8")
    os.replace(spare, path)


def fetch(server: Server, paths: tuple[str, ...]) -> dict[str, bytes]:
    bodies = {}
    for path in paths:
        status, body = server.request_bytes(path)
        assert status == 200, path
        bodies[path] = body
    return bodies


def save_and_wait(project: Project, events: Events, version: int, text: str) -> int:
    replace_file(project.root / "content/articles/story.md", text)
    status = events.newer(version)
    assert status["ok"] is True, status
    return int(str(status["version"]))


@pytest.mark.parametrize("swap", ["exchange", "rename"])
def test_pages_stay_whole_under_load_while_rebuilding(make_project, tmp_path, swap):
    project = make_project(
        {
            "content/people/theresa-may.md": MAY,
            "content/people/boris-johnson.md": JOHNSON,
            "content/articles/story.md": STORY_OLD,
            "content/articles/other.md": article(
                "Nothing about anyone.", title="Other news", date="2017-10-01"
            ),
        }
    )
    server = Server(project, exchange=swap == "exchange")
    events = server.events()
    try:
        version = int(str(events.newer(-1)["version"]))
        old = fetch(server, PAGES)
        version = save_and_wait(project, events, version, STORY_NEW)
        new = fetch(server, PAGES)
        version = save_and_wait(project, events, version, STORY_OLD)
        assert fetch(server, PAGES) == old, "the same input must give the same pages"
        for changed in ("/articles/story/", "/people/theresa-may/", "/people/boris-johnson/", "/"):
            assert old[changed] != new[changed], changed
        expect = {}
        for path in PAGES:
            old_hash = hashlib.sha256(old[path]).hexdigest()
            new_hash = hashlib.sha256(new[path]).hexdigest()
            expect[path] = (
                {old_hash: "unchanged"}
                if old_hash == new_hash
                else {old_hash: "old", new_hash: "new"}
            )
        expect_file = tmp_path / "expect.json"
        expect_file.write_text(json.dumps(expect), encoding="utf-8")

        seconds = 20.0 if long_run() else 5.0  # room for three rebuilds on a busy machine
        load = subprocess.Popen(
            [
                sys.executable,
                str(LOAD_CLIENT),
                "get",
                "--port",
                str(server.port),
                "--connections",
                str(CONNECTIONS),
                "--seconds",
                str(seconds),
                "--expect",
                str(expect_file),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.3)  # let every connection open before the first edit
        rebuilds = 0
        texts = (STORY_NEW, STORY_OLD)
        while load.poll() is None:
            version = save_and_wait(project, events, version, texts[rebuilds % 2])
            if load.poll() is None:
                rebuilds += 1
        out, err = load.communicate(timeout=60)
    finally:
        events.close()
        done = server.stop()
    assert load.returncode == 0, err
    result = json.loads(out)
    versions = result["versions"]
    record(
        "serve-load",
        swap=swap,
        connections=CONNECTIONS,
        seconds=result["seconds"],
        rebuilds=rebuilds,
        requests=result["requests"],
        requests_per_second=result["requests_per_second"],
        failures=result["failures"],
        whole_old=versions.get("old", 0),
        whole_new=versions.get("new", 0),
        unchanged=versions.get("unchanged", 0),
        mixed=versions.get("mixed", 0),
        p50_ms=result["p50_ms"],
        p99_ms=result["p99_ms"],
        max_ms=result["max_ms"],
    )
    assert result["failures"] == 0, json.dumps(result)
    assert versions.get("mixed", 0) == 0, result
    assert versions.get("old", 0) > 0 and versions.get("new", 0) > 0, result
    assert rebuilds >= 3, (rebuilds, result)
    assert result["connections_opened"] == CONNECTIONS, result
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


SSE_CLIENTS = 100
ARTICLES = 250  # enough that a rebuild takes about 0.4 s on an idle machine
MAY_EDITED = MAY.replace(
    "summary: British Prime Minister from 2016 to 2019.",
    "summary: Prime Minister of the United Kingdom, 2016-2019.",
)
ALLOWED_SLOWDOWN = 1.20


def many_articles() -> dict[str, str]:
    files = {"content/people/theresa-may.md": MAY, "content/people/boris-johnson.md": JOHNSON}
    for i in range(ARTICLES):
        files[f"content/articles/story-{i:03d}.md"] = article(
            f"Theresa May spoke about item {i}. Boris Johnson replied.\n\n"
            f"More about policy {i}, and then some more words on it.\n",
            title=f"Story {i}",
            date=f"2017-{1 + i % 12:02d}-{1 + i % 28:02d}",
            people=["theresa-may", "boris-johnson"],
        )
    return files


class Listeners:
    """Live-reload streams, opened and closed on request by the load client's process."""

    def __init__(self, port: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(LOAD_CLIENT), "sse", "--port", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def _say(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        assert answer, self.proc.stderr.read() if self.proc.stderr else ""
        return answer

    def open(self, clients: int) -> None:
        """Open `clients` streams; return once each has had the current status."""
        answer = self._say(f"open {clients}")
        assert answer == "ready\n", answer

    def close(self, events: int) -> dict[str, int]:
        """Wait until each stream has had `events` statuses, close them, say how many each had."""
        seen: dict[str, int] = json.loads(self._say(f"close {events}"))
        return seen

    def stop(self) -> None:
        self.proc.communicate(timeout=30)


def threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    match = re.search(r"^Threads:\s*(\d+)$", status, re.MULTILINE)
    assert match, status
    return int(match.group(1))


def settle(pid: int, threads: int, timeout: float) -> float:
    """Wait until the server runs no more than `threads` threads; return how long it took."""
    started = time.monotonic()
    while threads_of(pid) > threads:
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{threads_of(pid)} threads after {timeout} s, not {threads}")
        time.sleep(0.01)
    return time.monotonic() - started


needs_proc = pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
    reason="reads processes and threads from /proc",
)


@needs_proc
def test_closed_pages_are_let_go_at_once(make_project):
    project = make_project(
        {"content/people/theresa-may.md": MAY, "content/articles/story.md": STORY_OLD}
    )
    server = Server(project)
    listeners = Listeners(server.port)
    try:
        idle = threads_of(server.proc.pid)
        listeners.open(SSE_CLIENTS)
        assert threads_of(server.proc.pid) >= idle + SSE_CLIENTS
        listeners.close(1)
        # Without a rebuild or a ping (every 15 s) to write to them, the streams of
        # closed pages must still end, as soon as the pages close.
        settle(server.proc.pid, idle, timeout=2.0)
    finally:
        listeners.stop()
        done = server.stop()
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


@needs_proc
def test_a_hundred_open_pages_do_not_slow_a_rebuild(make_project):
    project = make_project(many_articles())
    person = project.root / "content/people/theresa-may.md"
    server = Server(project)
    events = server.events()
    listeners = Listeners(server.port)
    version = int(str(events.newer(-1)["version"]))
    idle = threads_of(server.proc.pid)
    texts = (MAY_EDITED, MAY)
    times: dict[int, list[float]] = {0: [], SSE_CLIENTS: []}
    order: list[int] = []

    def timed_rebuild(clients: int) -> None:
        nonlocal version
        started = time.perf_counter()
        replace_file(person, texts[len(order) % 2])
        status = events.newer(version)
        times[clients].append(time.perf_counter() - started)
        order.append(clients)
        assert status["ok"] is True, status
        version = int(str(status["version"]))

    def pair_ratios() -> list[float]:
        return [w / wo for w, wo in zip(times[SSE_CLIENTS], times[0], strict=True)]

    try:
        rounds, most = (10, 20) if long_run() else (4, 12)
        while len(times[0]) < rounds or (
            statistics.median(pair_ratios()) > ALLOWED_SLOWDOWN and len(times[0]) < most
        ):
            # alternate which comes first, so that a drift in the machine's speed cancels out
            first = len(times[0]) % 2 == 0
            if first:
                timed_rebuild(0)
            listeners.open(SSE_CLIENTS)
            timed_rebuild(SSE_CLIENTS)
            seen = listeners.close(2)
            assert seen["fewest"] == 2, seen  # every open page heard of the rebuild
            settle(server.proc.pid, idle, timeout=5.0)  # and the server let go of them
            if not first:
                timed_rebuild(0)
    finally:
        listeners.stop()
        events.close()
        done = server.stop()
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    reported = [float(m) for m in re.findall(r"rebuilt \d+ pages.* in ([\d.]+) s", done.stdout)]
    assert len(reported) == len(order), done.stdout  # one line per edit
    builds = {n: [s for s, c in zip(reported, order, strict=True) if c == n] for n in times}
    ratio = statistics.median(pair_ratios())
    record(
        "sse-clients",
        clients=SSE_CLIENTS,
        articles=ARTICLES,
        rebuilds_each=len(times[0]),
        median_s_without=round(statistics.median(times[0]), 3),
        median_s_with=round(statistics.median(times[SSE_CLIENTS]), 3),
        build_median_s_without=statistics.median(builds[0]),
        build_median_s_with=statistics.median(builds[SSE_CLIENTS]),
        slowdown_percent=round((ratio - 1) * 100, 1),
    )
    assert ratio <= ALLOWED_SLOWDOWN, (times, builds)


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def catches_sigterm(pid: int) -> bool | None:
    """Whether a process handles SIGTERM itself (None once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^SigCgt:\s*([0-9a-f]+)$", status, re.MULTILINE)
    assert match, status
    return bool(int(match.group(1), 16) & (1 << (signal.SIGTERM - 1)))


def running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie is dead, only not yet reaped


@needs_proc
def test_build_workers_die_at_once_when_their_pool_stops_them(make_project):
    # A worker that handles SIGTERM in Python can miss it, and its pool then waits for it
    # forever: the rebuild never finishes. Workers must keep the system's default.
    project = make_project(many_articles())
    server = Server(project, "--jobs", "2")
    events = server.events()
    readings: dict[int, list[bool]] = {}
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            for child in children_of(server.proc.pid):
                caught = catches_sigterm(child)
                if caught is not None:
                    readings.setdefault(child, []).append(caught)
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    try:
        version = int(str(events.newer(-1)["version"]))
        watcher.start()
        replace_file(project.root / "content/people/theresa-may.md", MAY_EDITED)
        assert events.newer(version)["ok"] is True
    finally:
        watching.set()
        if watcher.is_alive():
            watcher.join()
        events.close()
        done = server.stop()
    # a process just forked has not yet reset its handlers: judge each by its last look
    workers = {pid: seen for pid, seen in readings.items() if len(seen) >= 3}
    assert len(workers) >= 2, readings
    assert [pid for pid, seen in workers.items() if seen[-1]] == [], workers
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def start_a_rebuild_with_workers(project, server, events):  # type: ignore[no-untyped-def]
    """Edit a person every article names; return the server's children once the rebuild
    has forked its workers."""
    events.newer(-1)
    replace_file(project.root / "content/people/theresa-may.md", MAY_EDITED)
    deadline = time.monotonic() + 30
    while len(children_of(server.proc.pid)) < 2:  # the rebuild's workers have started
        assert time.monotonic() < deadline, "no build workers seen"
        time.sleep(0.005)
    return children_of(server.proc.pid)


@needs_proc
def test_ctrl_c_during_a_rebuild_stops_everything_cleanly(make_project):
    project = make_project(many_articles())
    server = Server(project, "--jobs", "2")
    events = server.events()
    try:
        workers = start_a_rebuild_with_workers(project, server, events)
        os.killpg(server.proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        out, err = server.proc.communicate(timeout=30)
    finally:
        events.close()
        if server.proc.returncode is None:
            server.kill()
    assert server.proc.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err, (out, err)
    assert [pid for pid in workers if running(pid)] == []  # none left behind


@needs_proc
def test_a_server_killed_outright_leaves_no_build_workers_behind(make_project):
    project = make_project(many_articles())
    server = Server(project, "--jobs", "2")
    events = server.events()
    try:
        workers = start_a_rebuild_with_workers(project, server, events)
        server.proc.kill()  # SIGKILL: no handler, no clean-up in the server
        server.proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.01)
        left = [pid for pid in workers if running(pid)]
    finally:
        events.close()
        server.kill()
    assert left == []

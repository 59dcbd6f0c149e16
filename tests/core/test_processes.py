"""Processes and signals: worker pools, held interrupts, detached and tied children.

Every test uses real processes and real signals; none waits longer than WAIT for another
process, and none measures how long anything took.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT

from explainer.core import processes

WAIT = 10.0  # seconds: the longest a test waits for another process to do something

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc; death signals are Linux's"
)


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {WAIT:.0f} s: {what}")
        time.sleep(0.01)


def _stat(pid: int) -> list[str] | None:
    """Return the fields of /proc/PID/stat after the command name, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def _alive(pid: int) -> bool:
    """Tell whether a process still runs (a zombie has ended; only its exit is unreported)."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _parent_of(pid: int) -> int | None:
    fields = _stat(pid)
    return None if fields is None else int(fields[1])


def _zombie_children() -> list[int]:
    """Return our child processes that have ended and that nobody has waited for."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[0] == "Z" and int(fields[1]) == os.getpid():
                found.append(int(entry.name))
    return found


def _read_line(fd: int) -> str:
    """Read one line from a pipe, waiting at most WAIT for it."""
    data = b""
    deadline = time.monotonic() + WAIT
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            pytest.fail(f"no line within {WAIT:.0f} s (got {data!r})")
        chunk = os.read(fd, 1)
        if not chunk:
            pytest.fail(f"the pipe closed before a whole line (got {data!r})")
        data += chunk
    return data.decode()


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a handful of items be spread over processes."""
    monkeypatch.setattr(processes, "MIN_ITEMS_PER_PROCESS", 1)


# Worker pools


@pytest.mark.usefixtures("pools")
def test_results_come_back_in_order_from_several_processes() -> None:
    # Items 0 and 1 are one chunk each; the barrier holds the first until the second runs,
    # so two workers must run at once. The task is a closure: it reaches them unpickled.
    both = multiprocessing.get_context("fork").Barrier(2, timeout=WAIT)
    seen: list[tuple[int, int]] = []

    def task(i: int) -> tuple[int, int]:
        if i < 2:
            both.wait()
        return i * i, os.getpid()

    results = processes.run_indexed(task, 16, jobs=2, progress=lambda *n: seen.append(n))
    assert [square for square, _ in results] == [i * i for i in range(16)]
    workers = {pid for _, pid in results}
    assert len(workers) == 2 and os.getpid() not in workers
    assert seen == [(done, 16) for done in range(1, 17)]
    assert not multiprocessing.active_children()


@pytest.mark.usefixtures("pools")
def test_an_exception_in_a_worker_reaches_the_caller() -> None:
    def task(i: int) -> int:
        if i == 37:
            raise ValueError(f"item {i} is bad")
        return i

    with pytest.raises(ValueError, match="item 37 is bad"):
        processes.run_indexed(task, 64, jobs=2)
    assert not multiprocessing.active_children()


@pytest.mark.usefixtures("pools")
def test_workers_stop_when_the_caller_stops_iterating() -> None:
    results = processes.iter_indexed(lambda i: i, 64, jobs=2)
    assert next(results) == 0
    assert len(multiprocessing.active_children()) == 2
    results.close()
    assert not multiprocessing.active_children()


@pytest.mark.usefixtures("pools")
def test_the_parent_keeps_no_module_state_during_or_after_a_run() -> None:
    before = dict(vars(processes))

    def unchanged() -> bool:
        now = vars(processes)
        return now.keys() == before.keys() and all(now[k] is before[k] for k in before)

    during = []
    for _ in processes.iter_indexed(lambda i: -i, 32, jobs=2):
        during.append(unchanged())
    assert all(during) and len(during) == 32
    assert unchanged()


@pytest.mark.usefixtures("pools")
def test_runs_may_overlap_and_nest_in_the_parent() -> None:
    evens = processes.iter_indexed(lambda i: 2 * i, 8, jobs=2)
    odds = processes.iter_indexed(lambda i: 2 * i + 1, 8, jobs=2)
    merged = [n for pair in zip(evens, odds, strict=True) for n in pair]
    assert merged == list(range(16))

    # An outer run done here (one job) whose task spreads its own work over processes.
    nested = processes.run_indexed(
        lambda i: processes.run_indexed(lambda j: (i, j), 4, jobs=2), 2, jobs=1
    )
    assert nested == [[(i, j) for j in range(4)] for i in range(2)]
    assert not multiprocessing.active_children()


@pytest.mark.usefixtures("pools")
def test_a_worker_may_not_start_workers_of_its_own() -> None:
    def task(i: int) -> list[int]:
        return processes.run_indexed(lambda j: j, 4, jobs=2)

    with pytest.raises(RuntimeError, match="inside a worker process"):
        processes.run_indexed(task, 4, jobs=2)
    # In one job it runs in the worker itself.
    inner = processes.run_indexed(lambda i: processes.run_indexed(lambda j: j, 4, 1), 4, 2)
    assert inner == [[0, 1, 2, 3]] * 4


def test_terminate_children_stops_every_worker_process() -> None:
    worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    worker.start()
    processes.terminate_children()
    assert not worker.is_alive()
    assert worker.exitcode == -signal.SIGTERM


# Stopping signals


class Stopped(Exception):
    pass


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


def test_interrupts_held_delays_ctrl_c_until_the_block_ends() -> None:
    handler = signal.getsignal(signal.SIGINT)
    assert callable(handler), "the suite must run with Ctrl-C delivered"
    finished = False
    with pytest.raises(KeyboardInterrupt), processes.interrupts_held():
        signal.raise_signal(signal.SIGINT)  # to this thread: handled before it returns
        finished = True
    assert finished
    assert signal.getsignal(signal.SIGINT) is handler


def test_interrupts_held_delays_a_handled_sigterm_and_delivers_the_first_signal() -> None:
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        finished = False
        with pytest.raises(Stopped) as stopped, processes.interrupts_held():
            signal.raise_signal(signal.SIGTERM)
            signal.raise_signal(signal.SIGINT)
            finished = True
        assert finished
        assert stopped.value.args == (signal.SIGTERM,)
        assert signal.getsignal(signal.SIGTERM) is _stop
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_interrupts_held_changes_nothing_outside_the_main_thread() -> None:
    handlers = []

    def look() -> None:
        with processes.interrupts_held():
            handlers.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=look)
    thread.start()
    thread.join(WAIT)
    assert handlers == [signal.getsignal(signal.SIGINT)]


def test_stopping_signals_are_held_over_every_fork_until_the_child_is_ready() -> None:
    script = """\
        import os, signal
        from explainer.core import processes

        def blocked():
            held = signal.pthread_sigmask(signal.SIG_BLOCK, [])
            return sorted(s.name for s in held & processes.STOPPING_SIGNALS)

        def in_child():
            print("in child, first:", blocked(), flush=True)

        assert processes.hold_stopping_signals_over_forks(in_child)
        pid = os.fork()
        if pid == 0:
            print("in child, then:", blocked(), flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        print("in parent:", blocked(), flush=True)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        "in child, first: ['SIGINT', 'SIGTERM']",
        "in child, then: []",
        "in parent: []",
    ]


# Detached children


@linux_only
def test_run_detached_returns_at_once_and_leaves_no_zombie(tmp_path: Path) -> None:
    go, done, pid_file = tmp_path / "go", tmp_path / "done", tmp_path / "pid"
    read_end, write_end = os.pipe()

    def work() -> None:
        (tmp_path / "pid.new").write_text(str(os.getpid()))
        os.replace(tmp_path / "pid.new", pid_file)
        deadline = time.monotonic() + WAIT
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        done.write_text("done")

    try:
        processes.run_detached(work)
        os.close(write_end)
        # The detached process let go of the pipe's other end: a caller reading it sees
        # its end now, not when the work is done.
        assert select.select([read_end], [], [], WAIT)[0], "the pipe was kept open"
        assert os.read(read_end, 1) == b""
    finally:
        os.close(read_end)
    _eventually(pid_file.exists, "the detached process starts")
    pid = int(pid_file.read_text())
    try:
        assert not done.exists()  # we came back while it still works
        assert _alive(pid)
        assert _parent_of(pid) != os.getpid()
        assert os.getsid(pid) == pid  # a session of its own: no terminal's Ctrl-C reaches it
        assert not _zombie_children()
        go.touch()
        _eventually(done.exists, "the detached process finishes its work")
        _eventually(lambda: not _alive(pid), "the detached process ends")
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    assert not _zombie_children()


@linux_only
def test_start_detached_returns_its_process_and_keeps_only_the_files_asked_for(
    tmp_path: Path,
) -> None:
    kept_read, kept_write = os.pipe()
    other_read, other_write = os.pipe()
    report = tmp_path / "fds"

    def work() -> None:
        fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))
        report.write_text(" ".join(map(str, fds)))
        os.write(kept_write, b"x")  # the one file kept still works
        os.close(kept_write)

    try:
        pid = processes.start_detached(work, keep=(kept_write,))
        assert pid > 0
        os.close(kept_write)
        os.close(other_write)
        assert select.select([kept_read], [], [], WAIT)[0]
        assert os.read(kept_read, 1) == b"x"
        # the other pipe's writing end went with the detached process's start: at its end
        assert select.select([other_read], [], [], WAIT)[0]
        assert os.read(other_read, 1) == b""
        _eventually(report.exists, "the detached process reports its files")
        fds = [int(n) for n in report.read_text().split()]
        assert kept_write in fds and other_write not in fds
        _eventually(lambda: not _alive(pid), "the detached process ends")
    finally:
        for fd in (kept_read, other_read):
            os.close(fd)


@linux_only
def test_out_of_files_a_detached_start_is_done_without(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pipe to be had (too many open files): no process, no error, Ctrl-C as it was."""

    def no_pipe() -> tuple[int, int]:
        raise OSError(24, "Too many open files")

    done: list[bool] = []
    monkeypatch.setattr(os, "pipe", no_pipe)
    assert processes.start_detached(lambda: done.append(True)) == 0
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    processes.run_detached(lambda: done.append(True))  # then done here
    assert done == [True]


@linux_only
def test_delete_in_background_removes_a_folder_without_the_caller_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old-site"
    (folder / "articles" / "a").mkdir(parents=True)
    (folder / "articles" / "a" / "index.html").write_text("<p>old</p>")
    (folder / "index.html").write_text("<p>home</p>")
    go = tmp_path / "go"
    rmtree = processes.shutil.rmtree

    def rmtree_when_told(path: Path, ignore_errors: bool = False) -> None:
        deadline = time.monotonic() + WAIT
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        rmtree(path, ignore_errors=ignore_errors)

    # The forked process has this module as it is now, so it waits for `go`; we must not.
    monkeypatch.setattr(processes.shutil, "rmtree", rmtree_when_told)
    processes.delete_in_background(folder)
    monkeypatch.undo()
    assert (folder / "index.html").exists()
    assert not _zombie_children()
    go.touch()
    _eventually(lambda: not folder.exists(), "the folder is deleted")
    assert not _zombie_children()


# Tied children

_PRINT_PID_AND_SLEEP = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"


def _kill_the_parent_then_expect_the_child_to_die(script: str) -> None:
    """Run script, which leaves a child printing its pid; kill the script; see the child die."""
    read_end, write_end = os.pipe()
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        stdout=write_end,
        start_new_session=True,  # nothing it leaves behind is in our process group
    )
    os.close(write_end)
    child = None
    try:
        child = int(_read_line(read_end))
        assert _parent_of(child) == parent.pid
        parent.kill()
        parent.wait(WAIT)
        _eventually(lambda: not _alive(child), "the child dies with its parent")
    finally:
        os.close(read_end)
        if parent.poll() is None:
            parent.kill()
            parent.wait(WAIT)
        if child is not None and _alive(child):
            os.kill(child, signal.SIGKILL)


@linux_only
def test_a_tied_command_is_killed_when_we_are() -> None:
    _kill_the_parent_then_expect_the_child_to_die(
        f"""\
        import sys, time
        from explainer.core.processes import start_tied_child

        start_tied_child([sys.executable, "-c", {_PRINT_PID_AND_SLEEP!r}])
        time.sleep(60)
        """
    )


@linux_only
def test_a_forked_child_given_a_death_signal_dies_with_its_parent() -> None:
    _kill_the_parent_then_expect_the_child_to_die(
        """\
        import os, signal, time
        from explainer.core.processes import death_signal

        arm = death_signal(signal.SIGTERM)
        if os.fork() == 0:
            if arm():
                print(os.getpid(), flush=True)
                time.sleep(60)
            os._exit(1)
        time.sleep(60)
        """
    )


def test_run_tied_child_returns_the_commands_output_and_status() -> None:
    done = processes.run_tied_child(
        [sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); exit(3)"],
        timeout=WAIT,
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")


@linux_only
def test_run_tied_child_kills_a_command_it_stops_waiting_for(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    with pytest.raises(subprocess.TimeoutExpired):
        processes.run_tied_child([sys.executable, "-c", script], timeout=2)
    if pid_file.exists() and pid_file.read_text():  # it may have been killed before this
        assert not _alive(int(pid_file.read_text()))


@linux_only
def test_a_tied_command_gets_ctrl_c_even_when_we_ignore_and_hold_it() -> None:
    script = (
        "import signal; "
        "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler, "
        "signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))"
    )
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        done = processes.run_tied_child([sys.executable, "-c", script], timeout=WAIT)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, previous)
    assert done.stdout == "True False\n"

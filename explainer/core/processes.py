"""Processes and signals: worker pools, detached and tied children, stopping signals held.

Everything here that forks blocks Ctrl-C over the fork: a forked child runs Python code
(ours, and Python's own at-fork code) before it can set its own handlers, and an
interrupt raised there would print a traceback from a process nobody waits for.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
MIN_ITEMS_PER_PROCESS = 100
STOPPING_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
_PR_SET_PDEATHSIG = 1

# Worker pools
#
# A pool's task reaches its forked workers as the initializer's argument, which a fork
# hands over as it is (nothing is pickled but indices and results). Each worker keeps it
# in the slot below, set once as the worker starts; the parent never sets it.
_worker_task: Callable[[int], Any] | None = None


def _start_worker(task: Callable[[int], Any]) -> None:
    global _worker_task
    _worker_task = task
    # A build holds the cycle collector while it works (store.no_collections), and a
    # worker inherits that: the garbage its tasks leave in cycles (a template's macros
    # and the page context they hold) would then stay until it exits, one page's worth
    # per task. What the worker was handed is frozen, so that the collector never walks
    # it (nor copies its pages from the parent's); what the tasks make is collected.
    gc.freeze()
    gc.enable()
    # Ctrl-C reaches every process of the group; the main one stops the pool. A worker
    # killed by it mid-result would leave the pool waiting forever on a half-sent result.
    # Workers start with it blocked (see iter_indexed): one arriving earlier is dropped here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _run(index: int) -> Any:
    assert _worker_task is not None
    return _worker_task(index)


def run_indexed(
    task: Callable[[int], T],
    count: int,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[T]:
    """Return [task(0), ..., task(count - 1)], computed in up to `jobs` forked processes."""
    return list(iter_indexed(task, count, jobs, progress))


def iter_indexed(
    task: Callable[[int], T],
    count: int,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> Generator[T, None, None]:
    """Yield task(0), ..., task(count - 1) in order, each as soon as it is ready.

    The work is spread over up to `jobs` forked processes, which are stopped when the
    caller stops iterating (or the iterator is closed). Runs may overlap or nest in one
    process; a task running in a worker may not start processes of its own.
    """
    import multiprocessing  # here: a build that finds nothing changed never forks

    jobs = min(jobs, count // MIN_ITEMS_PER_PROCESS)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for i in range(count):
            yield task(i)
            if progress is not None:
                progress(i + 1, count)
        return
    if _worker_task is not None:
        raise RuntimeError(
            "iter_indexed cannot start worker processes from inside a worker process: "
            "run the inner work with jobs=1"
        )
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = multiprocessing.get_context("fork").Pool(
            jobs, initializer=_start_worker, initargs=(task,)
        )
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C held meanwhile lands
    with pool:
        chunk = max(1, min(64, count // (jobs * 8)))
        for done, result in enumerate(pool.imap(_run, range(count), chunksize=chunk), 1):
            yield result
            if progress is not None:
                progress(done, count)


def terminate_children() -> None:
    """Stop every worker process this process started, waiting up to a second for each."""
    import multiprocessing

    for _ in range(3):  # a process being started as we look is seen the next time
        children = multiprocessing.active_children()
        for child in children:
            child.terminate()
        for child in children:
            child.join(timeout=1.0)


# Stopping signals


def raise_interrupt(signum: int, frame: object) -> None:
    """Raise KeyboardInterrupt: as a handler, it makes a signal stop us as Ctrl-C does."""
    raise KeyboardInterrupt


def hold_stopping_signals() -> None:
    """Block SIGINT and SIGTERM in this thread until release_stopping_signals()."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING_SIGNALS)


def release_stopping_signals() -> None:
    """Unblock SIGINT and SIGTERM in this thread: one held meanwhile lands now."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING_SIGNALS)


def hold_stopping_signals_over_forks(in_child: Callable[[], None]) -> bool:
    """Block SIGINT and SIGTERM over every fork from now on; run in_child first in each child.

    The child gets them unblocked once in_child has returned; return False where the
    system cannot do this.
    """
    if not (hasattr(os, "register_at_fork") and hasattr(signal, "pthread_sigmask")):
        return False

    def start() -> None:
        in_child()
        release_stopping_signals()

    os.register_at_fork(
        before=hold_stopping_signals,
        after_in_parent=release_stopping_signals,
        after_in_child=start,
    )
    return True


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (and a handled SIGTERM) until the block is done, then deliver it.

    Only the main thread can set signal handlers; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[signal.Signals, Callable[[int, Any], Any]] = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(signum)
            if callable(handler):  # a default action (SIG_DFL) raises nothing to hold
                previous[signum] = handler
                signal.signal(signum, lambda number, frame: caught.append(number))
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if caught:
        previous[signal.Signals(caught[0])](caught[0], None)


# Children that outlive us, and children that must not


def run_detached(fn: Callable[[], object]) -> None:
    """Run fn in a process of its own that nobody waits for; here, if none can be started."""
    if not start_detached(fn):
        fn()


def start_detached(fn: Callable[[], object], keep: Collection[int] = ()) -> int:
    """Start fn in a process of its own that nobody waits for; return its id (0: none).

    The process is in a session of its own, and holds none of our open files but those
    in `keep` (not a server's listening socket, its connections, pipes a caller waits
    on); its output goes nowhere. Ctrl-C is held off over the forks and left blocked in
    the new process, whose fn may unblock it.
    """
    if not hasattr(os, "fork"):
        return 0
    # Ctrl-C is for us, not the detached work: blocked over the fork, so that one arriving
    # meanwhile is not raised in the child (by Python's own at-fork hooks, even).
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    told = tell = -1
    try:
        try:
            told, tell = os.pipe()  # the child tells us the grandchild's process id
            pid = os.fork()
        except OSError:  # out of processes or files: the caller does without
            return 0
        if pid == 0:  # child: fork again so the grandchild is nobody's zombie
            try:
                os.close(told)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                detached = os.fork()
                if detached == 0:
                    os.setsid()
                    _close_all_but(sorted(keep))
                    null = os.open(os.devnull, os.O_RDWR)
                    for fd in (0, 1, 2):
                        os.dup2(null, fd)
                    if null > 2:
                        os.close(null)
                    fn()
                else:
                    os.write(tell, b"%d" % detached)
            finally:
                os._exit(0)
        os.close(tell)
        tell = -1
        with contextlib.suppress(ChildProcessError):  # reaped already (SIGCHLD ignored)
            os.waitpid(pid, 0)
        with os.fdopen(told, "rb") as reader:
            told = -1
            text = reader.read()
        return int(text) if text.isdigit() else 0
    finally:
        for fd in (told, tell):
            if fd >= 0:
                os.close(fd)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C held meanwhile lands


def _close_all_but(keep: list[int]) -> None:
    """Close every file descriptor from 3 up, but those in keep (sorted)."""
    low = 3
    for fd in keep:
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1
    os.closerange(low, _max_fd())


def delete_in_background(folder: Path) -> None:
    """Delete a folder in a detached process, so the caller need not wait for it."""
    run_detached(lambda: shutil.rmtree(folder, ignore_errors=True))


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (OSError, ValueError):
        return 1024


def death_signal(signum: int) -> Callable[[], bool] | None:
    """Return what a child forked from here calls to get `signum` when we die; None off Linux.

    The call returns False if we died before it took effect: the child should then end.
    It is made before the fork, as looking up a C function in a forked child may hang.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:  # the C library's, already loaded: looking it up by name would run ldconfig
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def arm() -> bool:
        prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
        return os.getppid() == parent

    return arm


def start_tied_child(command: Sequence[str], **popen: Any) -> subprocess.Popen[Any]:
    """Start a command that is killed when we die (on Linux), with Ctrl-C as it would have it.

    Left running, a child could go on writing into files its next run has removed.
    """
    arm = death_signal(signal.SIGKILL)
    if arm is None:
        return subprocess.Popen(command, **popen)

    def tie() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as the command will have it
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        if not arm():  # we died before the line above
            os._exit(1)

    # Ctrl-C blocked until the command runs: the forked child runs Python code (tie, and
    # Python's own at-fork code) in which it would raise and print.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return subprocess.Popen(command, preexec_fn=tie, **popen)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C held meanwhile lands


def run_tied_child(command: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a tied command to its end and return its output as text.

    It is killed if we die, and if we stop waiting for it: after `timeout` seconds
    (subprocess.TimeoutExpired), or on any exception, Ctrl-C included.
    """
    with start_tied_child(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except BaseException:
            child.kill()
            raise
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)

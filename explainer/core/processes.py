"""Spread independent pieces of work over processes, keeping results in order."""

from __future__ import annotations

import signal
from collections.abc import Callable, Generator
from typing import Any, TypeVar

T = TypeVar("T")
MIN_ITEMS_PER_PROCESS = 100

# A pool's task reaches its forked workers as the initializer's argument, which a fork
# hands over as it is (nothing is pickled but indices and results). Each worker keeps it
# in the slot below, set once as the worker starts; the parent never sets it.
_worker_task: Callable[[int], Any] | None = None


def _start_worker(task: Callable[[int], Any]) -> None:
    global _worker_task
    _worker_task = task
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

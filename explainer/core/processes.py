"""Spread independent pieces of work over processes, keeping results in order."""

from __future__ import annotations

import signal
from collections.abc import Callable, Generator
from typing import Any, TypeVar

T = TypeVar("T")
MIN_ITEMS_PER_PROCESS = 100

# The task is handed to forked children through this slot: set just before the pool
# forks, cleared after. Children inherit it, so nothing but indices and results is pickled.
_task: Callable[[int], Any] | None = None


def _run(index: int) -> Any:
    assert _task is not None
    return _task(index)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the group; the main one stops the pool. A worker
    # killed by it mid-result would leave the pool waiting forever on a half-sent result.
    # Workers start with it blocked (see run_indexed): one arriving earlier is dropped here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


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
    caller stops iterating (or the iterator is closed).
    """
    global _task
    import multiprocessing  # here: a build that finds nothing changed never forks

    jobs = min(jobs, count // MIN_ITEMS_PER_PROCESS)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for i in range(count):
            yield task(i)
            if progress is not None:
                progress(i + 1, count)
        return
    if _task is not None:
        raise RuntimeError("iter_indexed is not re-entrant: finish one before starting another")
    _task = task
    try:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pool = multiprocessing.get_context("fork").Pool(jobs, _ignore_interrupts)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C held meanwhile lands
        with pool:
            chunk = max(1, min(64, count // (jobs * 8)))
            for done, result in enumerate(pool.imap(_run, range(count), chunksize=chunk), 1):
                yield result
                if progress is not None:
                    progress(done, count)
    finally:
        _task = None

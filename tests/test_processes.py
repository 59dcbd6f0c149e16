"""Worker pools: results in order, errors passed on, no state left in the parent.

Every test uses real processes; none waits longer than WAIT for another
process, and none measures how long anything took.
"""

from __future__ import annotations

import multiprocessing
import os

import pytest

from explainer.core import processes

WAIT = 10.0  # seconds: the longest a test waits for another process to do something


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

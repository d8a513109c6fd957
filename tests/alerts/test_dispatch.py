"""alerts.dispatch: sends run concurrently, and never more than the window of them is unrecorded.

The sends here sleep like a network call; ``record`` is the caller's commit. The counts are taken
while it runs, in the threads themselves.
"""

from __future__ import annotations

import threading
import time

import pytest

from alerts.dispatch import Finished, dispatch

CASES = [  # (tasks, concurrency, window)
    pytest.param(40, 8, 8, id="window-equals-threads"),
    pytest.param(40, 8, 3, id="window-below-threads"),
    pytest.param(30, 1, 1, id="one-by-one"),
    pytest.param(25, 4, 12, id="window-above-threads"),
]


@pytest.mark.parametrize(("count", "concurrency", "window"), CASES)
def test_at_most_window_sends_are_unrecorded_and_each_task_is_sent_once(
    count: int, concurrency: int, window: int
) -> None:
    lock = threading.Lock()
    unrecorded = 0  # started sending, result not yet recorded
    in_flight = 0
    peaks = {"unrecorded": 0, "in_flight": 0}
    sent: list[int] = []
    recorded: list[int] = []

    def send(task: int) -> str:
        nonlocal unrecorded, in_flight
        with lock:
            unrecorded += 1
            in_flight += 1
            peaks["unrecorded"] = max(peaks["unrecorded"], unrecorded)
            peaks["in_flight"] = max(peaks["in_flight"], in_flight)
        time.sleep(0.005)
        with lock:
            in_flight -= 1
            sent.append(task)
        return f"ok {task}"

    def record(finished: list[Finished[int, str]]) -> None:
        nonlocal unrecorded
        time.sleep(0.003)  # a commit
        with lock:
            unrecorded -= len(finished)
        recorded.extend(f.task for f in finished)
        assert all(f.result == f"ok {f.task}" for f in finished)

    dispatch(list(range(count)), send, record, concurrency=concurrency, window=window)

    assert sorted(sent) == sorted(recorded) == list(range(count))
    assert peaks["unrecorded"] <= window
    assert peaks["in_flight"] <= min(concurrency, window)
    if min(concurrency, window) > 1:  # concurrent indeed
        assert peaks["in_flight"] > 1


def test_a_failing_record_stops_further_sends_and_raises() -> None:
    sent: list[int] = []

    def send(task: int) -> int:
        time.sleep(0.002)
        sent.append(task)
        return task

    def record(finished: list[Finished[int, int]]) -> None:
        raise ConnectionError("database went away")

    with pytest.raises(ConnectionError):
        dispatch(list(range(50)), send, record, concurrency=4, window=4)
    # What was sent before the failure was known: at most the window plus those already on the wire.
    assert len(sent) <= 8


def test_skipped_tasks_are_not_sent_and_come_back_as_none() -> None:
    sent: list[int] = []
    results: dict[int, int | None] = {}

    def send(task: int) -> int:
        sent.append(task)
        return task * 10

    def record(finished: list[Finished[int, int]]) -> None:
        results.update({f.task: f.result for f in finished})

    dispatch(list(range(10)), send, record, skip=lambda task: task % 3 == 0, concurrency=3, window=3)
    assert sorted(sent) == [1, 2, 4, 5, 7, 8]
    assert results == {t: (None if t % 3 == 0 else t * 10) for t in range(10)}

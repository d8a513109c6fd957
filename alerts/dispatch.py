"""Sending many messages at once, and recording what happened in groups: the outbox's send engine.

:func:`dispatch` runs ``send(task)`` for every task on a bounded pool of threads (``concurrency``) and
hands the finished ones to ``record(finished)`` in the calling thread, as many as have finished
since the last call: one database transaction records a group of results, not one result each.

The **window** bounds the at-least-once exposure: a thread takes a slot before it sends and the
slot is given back only after ``record`` has returned for that send (its result is committed), so
at no moment are more than ``window`` messages sent (or being sent) without their result
committed. A sender that dies resends at most ``window`` messages, each to one URL, once its lease
expires. With ``window=1`` every result is committed before the next message leaves.

``skip(task)`` is asked right before each send (in the sending thread): ``record`` marks the tasks
whose claim was taken over, and their remaining sends are skipped (reported as ``None``).
If ``record`` raises (the database went away), no further message is sent and the error
propagates once the sends already on the wire have returned.

The threads live as long as the process (one pool per ``concurrency``), not one pass: a sending
thread keeps its Apprise objects and its kept-alive connections from one pass to the next
(alerts.notify).
"""

from __future__ import annotations

import functools
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CONCURRENCY = 16
DEFAULT_WINDOW = 32


class Finished(Generic[T, R]):
    """A task and what its send returned (``None``: skipped, not sent)."""

    __slots__ = ("result", "task")

    def __init__(self, task: T, result: R | None) -> None:
        self.task = task
        self.result = result


@functools.cache
def _pool(concurrency: int) -> ThreadPoolExecutor:
    """The process's sending threads for ``concurrency`` (started as they are first needed)."""
    return ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="outbox-send")


# A forked child has none of its parent's threads: it starts its own pool.
os.register_at_fork(after_in_child=_pool.cache_clear)


def dispatch(
    tasks: Sequence[T],
    send: Callable[[T], R],
    record: Callable[[list[Finished[T, R]]], None],
    *,
    skip: Callable[[T], bool] = lambda _task: False,
    concurrency: int = DEFAULT_CONCURRENCY,
    window: int = DEFAULT_WINDOW,
) -> None:
    """Send every task (at most ``concurrency`` at a time, at most ``window`` unrecorded) and
    ``record`` the finished ones in groups, in this thread. ``send`` must not raise."""
    if not tasks:
        return
    window = max(window, 1)
    slots = threading.Semaphore(window)
    stopped = threading.Event()
    finished: queue.SimpleQueue[Finished[T, R]] = queue.SimpleQueue()

    def work(task: T) -> None:
        slots.acquire()
        try:
            result = None if stopped.is_set() or skip(task) else send(task)
        except BaseException:  # a broken send: reported as skipped rather than lost in the pool
            result = None
        finished.put(Finished(task, result))

    pool = _pool(concurrency)
    futures: list[Future[None]] = []
    try:
        futures += [pool.submit(work, task) for task in tasks]
        outstanding = len(tasks)
        while outstanding:
            group = [finished.get()]
            while True:
                try:
                    group.append(finished.get_nowait())
                except queue.Empty:
                    break
            outstanding -= len(group)
            try:
                record(group)
            except BaseException:
                stopped.set()
                raise
            finally:
                for _ in group:
                    slots.release()
    finally:
        if stopped.is_set():
            for _ in range(window):  # unblock the threads still waiting for a slot: they send nothing
                slots.release()
            for future in futures:
                future.cancel()
        wait(futures)

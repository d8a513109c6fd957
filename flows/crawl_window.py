"""Whether a cycle's crawlers are still running, for the ingest task that streams beside them.

The monitor and recheck flows submit the streaming ingest task and the crawl tasks to the flow's
thread-pool task runner, so all of them run in the flow's process. The flow opens the cycle's
window before it submits them and closes it once every crawl has ended; the ingest task processes
what the crawlers commit while the window is open, then everything still pending.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_windows: dict[str, threading.Event] = {}
_lock = threading.Lock()


@contextmanager
def crawl_window(cycle_id: str) -> Iterator[None]:
    """Open while the body runs (the crawls); closed on the way out, however it ends."""
    closed = threading.Event()
    with _lock:
        _windows[cycle_id] = closed
    try:
        yield
    finally:
        closed.set()


def crawling(cycle_id: str) -> bool:
    """True while ``cycle_id``'s window is open. A cycle without one (the ingest task run on its
    own) is not crawling: its ingest processes what is pending and returns."""
    with _lock:
        closed = _windows.get(cycle_id)
    return closed is not None and not closed.is_set()


def forget(cycle_id: str) -> None:
    """Drop a finished cycle's window."""
    with _lock:
        _windows.pop(cycle_id, None)

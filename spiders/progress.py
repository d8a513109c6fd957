"""Progress toward a known total, with an estimate of the time left, in words for a log line.

It sits in spiders/, the lowest stage that reports progress (the crawler's rechecks), so ingest and
the CLI's long commands use the same words.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    """``line(done)`` says ``200 of 2,000 pages (10%), about 1 min 20 s left``, from the rate so far
    (``unit``: what is counted, ``pages`` here; none by default)."""

    def __init__(self, total: int, unit: str = "", clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self._unit = f" {unit}" if unit else ""
        self._clock = clock
        self._started = clock()

    def line(self, done: int) -> str:
        if self.total <= 0:
            return f"{done:,}{self._unit}"
        share = f"{done:,} of {self.total:,}{self._unit} ({min(done, self.total) * 100 // self.total}%)"
        elapsed = self._clock() - self._started
        if done <= 0 or done >= self.total or elapsed <= 0:
            return share
        left = elapsed / done * (self.total - done)
        return f"{share}, about {duration_words(left)} left"


def duration_words(seconds: float) -> str:
    """``45 s``, ``3 min 20 s``, ``2 h 05 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"

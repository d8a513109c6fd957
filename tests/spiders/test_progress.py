"""Progress toward a known total says how far, and how long is left at the rate so far."""

from __future__ import annotations

import pytest

from spiders.progress import Progress, duration_words

# (total, unit, done, seconds elapsed, line)
CASES = [
    (2000, "", 200, 10.0, "200 of 2,000 (10%), about 1 min 30 s left"),
    (2000, "", 0, 0.0, "0 of 2,000 (0%)"),
    (2000, "", 2000, 50.0, "2,000 of 2,000 (100%)"),
    (3, "", 1, 3600.0, "1 of 3 (33%), about 2 h 00 min left"),
    (0, "", 5, 1.0, "5"),
    (400, "known notices", 100, 30.0, "100 of 400 known notices (25%), about 1 min 30 s left"),
    (0, "pages", 7, 1.0, "7 pages"),
]


@pytest.mark.parametrize(("total", "unit", "done", "elapsed", "line"), CASES)
def test_the_line(total: int, unit: str, done: int, elapsed: float, line: str) -> None:
    now = [100.0]
    progress = Progress(total, unit, clock=lambda: now[0])
    now[0] += elapsed
    assert progress.line(done) == line


@pytest.mark.parametrize(
    ("seconds", "words"), [(0.4, "0 s"), (59, "59 s"), (61, "1 min 01 s"), (7260, "2 h 01 min")]
)
def test_durations(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words

"""Print the extraction accuracy table in pytest's terminal summary (works without ``-s``)."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    try:
        from test_accuracy import ACCURACY_TABLE
    except ImportError:
        return
    if ACCURACY_TABLE:
        terminalreporter.write_sep("=", "notices extraction accuracy (per field, all fixture pages)")
        for line in ACCURACY_TABLE:
            terminalreporter.write_line(line)

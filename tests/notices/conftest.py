"""Print the extraction accuracy table in pytest's terminal summary (works without ``-s``)."""

from __future__ import annotations

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # The gate module is imported under its package name (tests.notices.test_accuracy) or, with
    # rootdir-relative imports, as a top-level module: find it under either.
    module = next((m for name, m in list(sys.modules.items()) if name.endswith("test_accuracy")), None)
    ACCURACY_TABLE = getattr(module, "ACCURACY_TABLE", None)
    if ACCURACY_TABLE:
        terminalreporter.write_sep("=", "notices extraction accuracy (per field, all fixture pages)")
        for line in ACCURACY_TABLE:
            terminalreporter.write_line(line)

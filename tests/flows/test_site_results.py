"""What an operator reads of a failed site's task run: the one line, no empty traceback under it."""

from __future__ import annotations

import io
import logging

import flows.site_results  # noqa: F401 (installs the filter on Prefect's task-run logger)


def task_run_log(message: str, raising: Exception | None = None) -> str:
    """``message`` logged as Prefect's task engine logs a failure (exc_info=True), as formatted."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("prefect.task_runs")
    logger.addHandler(handler)
    try:
        try:
            if raising is not None:
                raise raising
            logger.error(message, exc_info=True)
        except Exception:
            logger.error(message, exc_info=True)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_returned_failed_state_is_logged_without_an_empty_traceback() -> None:
    message = "Task run failed with state: Failed(message='failed: site qinghai: HTTP 503')"
    assert task_run_log(message) == message + "\n"


def test_a_raised_exception_keeps_its_traceback() -> None:
    assert "RuntimeError: crawler died" in task_run_log("Task run failed", RuntimeError("crawler died"))

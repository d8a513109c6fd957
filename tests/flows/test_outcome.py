"""A cycle run in this process returns its report, even when Prefect's API lost the first answer.

The lost answer is reproduced as it happens on a busy server: the client's set-state request for
the run's final state is sent twice (a retry after a timeout), so the API answers the second one
as a duplicate transition, with the stored state and no data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from prefect import flow
from prefect.client.orchestration import SyncPrefectClient
from prefect.exceptions import MissingResult
from prefect.runtime import flow_run

from alerts.results import SendReport
from flows.outcome import SITES_FAILED, cycle_outcome, run_cycle
from flows.steps import CycleReport
from ingest.report import IngestReport
from storage.sources import SiteFailure

FAILURE = SiteFailure(site="qinghai", status="failed", error="HTTP 503", consecutive_failures=1)


@flow(name="outcome-test-cycle")
def a_cycle(failing: bool) -> CycleReport:
    failures = [FAILURE] if failing else []
    report = CycleReport(
        cycle_id=str(flow_run.get_id()),
        sites=[],
        ingest=IngestReport(processed=3),
        alerts=SendReport(),
        failing_sites=failures,
    )
    return cycle_outcome(report, failures)  # type: ignore[no-any-return]


@flow(name="outcome-test-broken-cycle")
def a_broken_cycle() -> CycleReport:
    raise RuntimeError("the registry is unreadable")


@pytest.fixture()
def final_state_requests_sent_twice(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    original = SyncPrefectClient.request
    duplicated: list[str] = []

    def request(self: SyncPrefectClient, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        response = original(self, method, path, *args, **kwargs)  # type: ignore[arg-type]
        state = (kwargs.get("json") or {}).get("state") or {}
        if path.endswith("/set_state") and "/flow_runs/" in path and state.get("type") == "COMPLETED":
            duplicated.append(state.get("name", ""))
            response = original(self, method, path, *args, **kwargs)  # type: ignore[arg-type]
        return response

    monkeypatch.setattr(SyncPrefectClient, "request", request)
    yield duplicated


def test_a_sites_failed_cycle_whose_final_answer_was_lost_still_returns_its_report(
    prefect_harness: None, final_state_requests_sent_twice: list[str]
) -> None:
    with pytest.raises(MissingResult):
        a_cycle(failing=True)
    assert final_state_requests_sent_twice == [SITES_FAILED], "the retry was not reproduced"

    report = run_cycle(a_cycle, failing=True)

    assert report.failing_sites == [FAILURE]
    assert report.ingest.processed == 3
    assert final_state_requests_sent_twice == [SITES_FAILED, SITES_FAILED]


def test_a_healthy_cycle_returns_its_report(prefect_harness: None) -> None:
    report = run_cycle(a_cycle, failing=False)

    assert report.failing_sites == []
    assert report.ingest.processed == 3


def test_a_cycle_that_raised_raises_through_run_cycle(prefect_harness: None) -> None:
    with pytest.raises(RuntimeError, match="the registry is unreadable"):
        run_cycle(a_broken_cycle)

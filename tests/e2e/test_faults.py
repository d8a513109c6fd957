"""Faults through the whole pipeline: a clear per-site outcome, no stored version, no alert."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from tests.e2e.conftest import World

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-faults")]

CASES = yaml.safe_load((Path(__file__).parent / "fault_cases.yaml").read_text(encoding="utf-8"))


def _version_count(world: World) -> int:
    from storage.db import session_factory
    from storage.models import NoticeVersion

    with session_factory(world.database_url)() as session:
        return int(session.scalar(select(func.count()).select_from(NoticeVersion)) or 0)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_fault_gives_a_clear_outcome_and_no_alert(world: World, case: dict[str, Any]) -> None:
    slug = case["site"]
    versions_before = _version_count(world)
    if case.get("publish_first"):
        world.gov.admin.publish(slug)
    world.gov.admin.fault(
        slug, case["fault"], scope=case["scope"], count=case.get("count"), **case.get("options", {})
    )
    try:
        summary = world.cycle(sites=[slug])
    finally:
        world.gov.admin.fault(slug, case["fault"], on=False, scope=case["scope"])
    site = next(s for s in summary.sites if s.slug == slug)
    allowed = case["status"] if isinstance(case["status"], list) else [case["status"]]
    assert site.status in allowed, site
    for pattern in case.get("error", []):
        assert site.error and re.search(pattern, site.error, re.IGNORECASE), site.error
        assert slug in site.error or site.status != "blocked", "the error names the site"
    assert summary.ingest.changes == [], world.change_rows(summary)
    assert summary.alerts.sent == 0
    assert _version_count(world) == versions_before, "a faulty page became a stored version"

    recovered = world.cycle(sites=[slug])
    expected = case.get("recovered", [])
    assert [c.kind for c in recovered.ingest.changes] == expected, "recovering from a fault is not news"
    assert recovered.alerts.sent == len(expected)


def test_a_failing_site_is_visible_in_prefect_as_a_state_and_an_event(world: World) -> None:
    """Ops see it where they look: the run ends SitesFailed naming the site, the run graph has a
    Failed task run for that site (the quiet ones share one), and the site's
    ``policywatch.site.failed`` event is in Prefect's event feed, so Automations can fire on either."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.monitor import monitor
    from flows.outcome import SITE_FAILED_EVENT, SITES_FAILED

    healthy = monitor(sites=["gbk-sim"], recheck="none", return_state=True)
    assert (healthy.type.value, healthy.name) == ("COMPLETED", "Completed")
    world.gov.admin.fault("qinghai", "error", scope="all")
    try:
        state = monitor(sites=["qinghai", "gbk-sim"], recheck="none", return_state=True)
    finally:
        world.gov.admin.fault("qinghai", "error", on=False, scope="all")
    assert (state.type.value, state.name) == ("COMPLETED", SITES_FAILED), state
    assert "qinghai (failed)" in (state.message or "")
    report = state.result()
    assert [f.site for f in report.failing_sites] == ["qinghai"]

    async def task_runs() -> dict[str, Any]:
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
            )
            return {r.name: r.state for r in runs if r.name.startswith("site") and r.name != "site health"}

    site_runs = asyncio.run(task_runs())
    assert set(site_runs) == {"site qinghai", "sites ok: 1"}, site_runs
    assert site_runs["site qinghai"].type.value == "FAILED"
    assert "503" in (site_runs["site qinghai"].message or "")
    assert site_runs["sites ok: 1"].type.value == "COMPLETED"

    async def site_events() -> list[dict[str, Any]]:
        async with get_client() as client:
            answer = await client._client.post(
                "/events/filter", json={"filter": {"event": {"name": [SITE_FAILED_EVENT]}}, "limit": 50}
            )
            answer.raise_for_status()
            return list(answer.json()["events"])

    events = wait_for(
        lambda: [e for e in asyncio.run(site_events()) if e["payload"]["cycle_id"] == report.cycle_id]
    )
    assert [e["resource"]["prefect.resource.id"] for e in events] == ["policywatch.site.qinghai"]
    assert "503" in events[0]["payload"]["error"] and events[0]["payload"]["consecutive_failures"] >= 1


def test_a_site_backing_off_after_a_challenge_is_crawled_when_asked(world: World) -> None:
    """The back-off message names the way out, and the flow (and `policywatch run`) take it."""
    from flows.monitor import monitor

    world.gov.admin.fault("hainan", "challenge", scope="list")
    try:
        challenged = monitor(sites=["hainan"], recheck="none")
    finally:
        world.gov.admin.fault("hainan", "challenge", on=False, scope="list")
    assert [(s.slug, s.status) for s in challenged.sites] == [("hainan", "blocked")]
    waiting = monitor(sites=["hainan"], recheck="none").sites[0]
    assert (waiting.status, waiting.requests) == ("blocked", 0)
    assert "policywatch run --sites hainan --ignore-backoff" in (waiting.error or "")
    forced = monitor(sites=["hainan"], recheck="none", ignore_backoff=True).sites[0]
    assert (forced.status, forced.error) == ("ok", None)
    assert forced.requests > 0


def wait_for(probe: Any, seconds: float = 20.0) -> Any:
    """The first non-empty answer of ``probe`` (events reach the feed a moment after they are emitted)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)

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

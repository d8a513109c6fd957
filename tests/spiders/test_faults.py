"""Faults become clear per-site errors, and nothing bad is stored as a good page.

Every case in fixtures/fault_cases.json switches one govsim site into one fault; a single crawl of
all of them shows that one broken site never stops the others.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from spiders.run import CrawlReport
from storage.db import session_scope
from storage.models import utcnow
from storage.snapshots import known_urls
from storage.sources import source_by_slug
from tests.spiders.crawl_world import CrawlWorld

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "fixtures" / "fault_cases.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def faulty_crawl(world: CrawlWorld) -> CrawlReport:
    admin = world.govsim.admin
    admin.reset()
    world.compose_sites({case["slug"]: case["politeness"] for case in CASES if "politeness" in case})
    for case in CASES:
        if case.get("robots_disallow"):
            admin.robots(case["slug"], disallow=True)
        if "fault" in case:
            options = dict(case["fault"])
            admin.fault(case["slug"], options.pop("kind"), **options)
    admin.reset_request_log()
    report = world.crawl([case["slug"] for case in CASES])
    assert report.error is None, report.error
    return report


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_fault(world: CrawlWorld, faulty_crawl: CrawlReport, case: dict[str, Any]) -> None:
    slug, expect = case["slug"], case["expect"]
    site = faulty_crawl.sites[slug]
    snapshots = world.snapshots(slug, crawl_run_id=site.crawl_run_id)
    good = {s.url for s in snapshots if s.page_kind is None and s.status == 200}

    assert site.status == expect["status"], site.error
    if "error" in expect:
        assert site.error is not None and expect["error"] in site.error
    else:
        assert site.error is None
    assert good == (world.published_urls(slug) if expect["good_pages"] == "all" else set())
    if "snapshots" in expect:
        assert len(snapshots) == expect["snapshots"]
    for key, value in expect.get("stats", {}).items():
        assert site.stats.get(key) == value, key
    for kind, count in expect.get("flagged", {}).items():
        flagged = [s for s in snapshots if s.page_kind == kind]
        assert flagged and all(s.reject_reason and s.reject_reason.startswith("crawler: ") for s in flagged)
        if count == "all":
            assert {s.url for s in flagged} == world.published_urls(slug)
        elif count != "some":
            assert len(flagged) == count
    log = world.govsim.admin.request_log(slug)
    for kind, count in expect.get("govsim_requests", {}).items():
        assert log["by_kind"].get(kind, 0) == count, kind
    for status, count in expect.get("govsim_statuses", {}).items():
        assert log["by_status"].get(status, 0) == count, status


def test_a_challenged_site_backs_off_for_six_hours(world: CrawlWorld, faulty_crawl: CrawlReport) -> None:
    with session_scope(world.database_url) as session:
        source = source_by_slug(session, "hainan")
        assert source is not None and source.backoff_until is not None
        until = source.backoff_until.replace(tzinfo=None)
        assert abs(until - (utcnow().replace(tzinfo=None) + timedelta(hours=6))) < timedelta(minutes=5)
        assert source.consecutive_failures == 1
        assert "anti-bot challenge" in (source.last_error or "")


def test_challenge_pages_never_count_as_known(world: CrawlWorld, faulty_crawl: CrawlReport) -> None:
    flagged = {s.url for s in world.snapshots("badcharset-sim") if s.page_kind == "blocked"}
    with session_scope(world.database_url) as session:
        source = source_by_slug(session, "badcharset-sim")
        assert source is not None
        assert flagged and not flagged & known_urls(session, source.id)


def test_a_crawl_past_its_timeout_is_killed_and_reported(
    world: CrawlWorld, faulty_crawl: CrawlReport
) -> None:
    world.govsim.admin.fault("guangdong", "maintenance", on=False)
    world.govsim.admin.fault("guangdong", "slow", scope="all", delay=30)
    progress: list[str] = []
    report = world.crawl(["guangdong"], timeout=8, on_progress=progress.append)
    assert report.exit_code is None
    assert report.error == "crawl of guangdong ran past its 8 s timeout and was killed"
    assert report.sites["guangdong"].status == "failed"  # closed by run_crawl, not left "running"
    world.govsim.admin.fault("guangdong", "slow", on=False)


def test_an_unknown_site_crashes_the_crawler_with_a_clear_error(world: CrawlWorld) -> None:
    report = world.crawl(["no-such-site"])
    assert report.exit_code == 2
    assert report.error is not None and "unknown site(s): no-such-site" in report.error
    assert report.sites == {}


def test_a_site_still_backing_off_is_not_requested_unless_asked(
    world: CrawlWorld, faulty_crawl: CrawlReport
) -> None:
    with session_scope(world.database_url) as session:
        source = source_by_slug(session, "badcharset-sim")
        assert source is not None
        failures = source.consecutive_failures
    world.govsim.admin.reset_request_log()

    skipped = world.crawl(["badcharset-sim"]).sites["badcharset-sim"]
    assert skipped.status == "blocked" and skipped.requests == 0
    assert skipped.error is not None
    assert skipped.error.startswith(
        "site badcharset-sim: not crawled: backing off after an anti-bot challenge until "
    )
    assert world.govsim.admin.request_log("badcharset-sim")["requests"] == 0

    forced = world.crawl(["badcharset-sim"], ignore_backoff=True).sites["badcharset-sim"]
    assert forced.status == "blocked" and forced.requests > 0  # the challenge is still on
    with session_scope(world.database_url) as session:
        source = source_by_slug(session, "badcharset-sim")
        assert source is not None and source.consecutive_failures == failures + 1  # the skip did not count

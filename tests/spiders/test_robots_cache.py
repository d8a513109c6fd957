"""robots.txt is cached in the database across crawler processes, for a TTL, and still obeyed.

Real crawls against govsim (one per module) on a fresh SQLite file and a fresh PostgreSQL
database per test; govsim's request log says whether robots.txt was asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from govsim.testing import GovsimHandle
from storage.db import session_scope
from storage.models import RobotsTxt, utcnow
from tests.spiders.crawl_world import CrawlWorld

SLUG = "scale-001"


@pytest.fixture()
def world(govsim: GovsimHandle, database_url: str, tmp_path: Path) -> Iterator[CrawlWorld]:
    govsim.admin.reset()
    yield CrawlWorld(govsim=govsim, root=tmp_path, database_url=database_url)
    govsim.admin.reset()


def robots_requests(world: CrawlWorld, slug: str = SLUG) -> int:
    return int(world.govsim.admin.request_log(slug)["by_kind"].get("robots", 0))


def cached_rows(world: CrawlWorld) -> list[RobotsTxt]:
    with session_scope(world.database_url) as session:
        return list(session.scalars(select(RobotsTxt)))


def age_cache(world: CrawlWorld, hours: float) -> None:
    with session_scope(world.database_url) as session:
        session.execute(update(RobotsTxt).values(fetched_at=utcnow() - timedelta(hours=hours)))


def test_the_second_crawl_reads_robots_txt_from_the_cache(world: CrawlWorld) -> None:
    first = world.crawl([SLUG]).sites[SLUG]
    assert first.status == "ok", first.error
    assert robots_requests(world) == 1
    (row,) = cached_rows(world)
    assert row.status == 200 and row.body.startswith(b"User-agent: *")
    assert row.url.endswith("/robots.txt") and row.url.split("/")[2] == row.netloc

    world.govsim.admin.reset_request_log()
    second = world.crawl([SLUG]).sites[SLUG]
    assert second.status == "ok", second.error
    log = world.govsim.admin.request_log(SLUG)["by_kind"]
    assert log.get("robots", 0) == 0  # a fresh process, and no robots.txt request
    assert log.get("list", 0) == 1


def test_a_cached_disallow_is_obeyed_until_the_ttl_runs_out(world: CrawlWorld) -> None:
    world.govsim.admin.robots(SLUG, disallow=True)
    blocked = world.crawl([SLUG]).sites[SLUG]
    assert blocked.status == "failed" and "robots.txt disallows list page" in (blocked.error or "")
    assert b"Disallow: /\n" in cached_rows(world)[0].body

    # The site lifts the ban, but the cached robots.txt still says no: nothing is requested.
    world.govsim.admin.robots(SLUG, disallow=False)
    world.govsim.admin.reset_request_log()
    still_blocked = world.crawl([SLUG]).sites[SLUG]
    assert still_blocked.status == "failed" and still_blocked.stats.get("robots_disallowed") == 1
    assert world.govsim.admin.request_log(SLUG)["requests"] == 0

    # Past the TTL (24 h by default) robots.txt is fetched again and the new rules apply.
    age_cache(world, hours=25)
    world.govsim.admin.reset_request_log()
    allowed = world.crawl([SLUG]).sites[SLUG]
    assert allowed.status == "ok", allowed.error
    assert robots_requests(world) == 1
    (row,) = cached_rows(world)
    assert b"Disallow: /\n" not in row.body
    assert utcnow().replace(tzinfo=None) - row.fetched_at.replace(tzinfo=None) < timedelta(minutes=5)


def test_a_ttl_of_zero_fetches_robots_txt_in_every_process(world: CrawlWorld) -> None:
    no_cache = {"POLICYWATCH_ROBOTS_TTL_HOURS": "0"}
    assert world.crawl([SLUG], env=no_cache).sites[SLUG].status == "ok"
    world.govsim.admin.reset_request_log()
    assert world.crawl([SLUG], env=no_cache).sites[SLUG].status == "ok"
    assert robots_requests(world) == 1
    # A changed robots.txt is seen at once, and is obeyed.
    world.govsim.admin.robots(SLUG, disallow=True)
    report = world.crawl([SLUG], env=no_cache).sites[SLUG]
    assert report.status == "failed" and report.stats.get("robots_disallowed") == 1


def test_an_overridden_site_neither_reads_nor_fetches_robots_txt(world: CrawlWorld) -> None:
    reason = "written permission from the site office, 2026-10"
    world.compose_sites({SLUG: {"obey_robots": False, "robots_override_reason": reason}})
    world.govsim.admin.robots(SLUG, disallow=True)
    run = world.crawl([SLUG]).sites[SLUG]
    assert run.status == "ok", run.error
    assert run.stats.get("robots_override_reason") == reason
    assert robots_requests(world) == 0
    assert cached_rows(world) == []


@pytest.mark.parametrize(
    ("fault", "options", "robots_requests_made"),
    [
        ("error", {"status": 503}, 3),  # robots.txt and its 2 retries get a 503
        ("reset", {}, 3),  # the download fails: Scrapy then treats the host as having no robots.txt
        ("maintenance", {}, 1),  # a 200 that is a maintenance page, not the site's rules
    ],
)
def test_a_failed_robots_txt_fetch_is_neither_fatal_nor_cached(
    world: CrawlWorld, fault: str, options: dict[str, int], robots_requests_made: int
) -> None:
    world.govsim.admin.fault(SLUG, fault, scope="all", count=robots_requests_made, **options)
    run = world.crawl([SLUG]).sites[SLUG]
    assert run.status == "ok", run.error  # as in Scrapy: an unusable robots.txt allows everything
    assert robots_requests(world) == robots_requests_made
    assert cached_rows(world) == []  # not the site's rules: asked again next time

    world.govsim.admin.reset_request_log()
    assert world.crawl([SLUG]).sites[SLUG].status == "ok"
    assert robots_requests(world) == 1
    assert [row.status for row in cached_rows(world)] == [200]

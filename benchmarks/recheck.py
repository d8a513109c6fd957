"""Recheck of unchanged notices with conditional GET: the share answered 304 Not Modified."""

from __future__ import annotations

from typing import Any

from benchmarks.common import Context, Figure, Result

KEY = "recheck"
TITLE = "Recheck of unchanged notices: share answered 304"
GOAL = 0.95


def _detail_pages(ctx: Context) -> list[dict[str, Any]]:
    """{slug, url, etag, last_modified} of every notice page the baseline crawl stored."""
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import CrawlRun, RawSnapshot, Source

    scenario = ctx.scenario()
    with session_scope(scenario.database_url) as session:
        rows = session.execute(
            select(Source.slug, RawSnapshot.url, RawSnapshot.headers)
            .join(CrawlRun, CrawlRun.id == RawSnapshot.crawl_run_id)
            .join(Source, Source.id == RawSnapshot.source_id)
            .where(CrawlRun.cycle_id == scenario.baseline().cycle_id, RawSnapshot.status == 200)
            .where(RawSnapshot.page_kind.is_(None) | RawSnapshot.page_kind.not_in(("list", "attachment")))
        )
        return [
            {
                "slug": slug,
                "url": url,
                "etag": (h or {}).get("etag"),
                "last_modified": (h or {}).get("last-modified"),
            }
            for slug, url, h in rows
        ]


def run(ctx: Context) -> Result:
    scenario = ctx.scenario()
    items = _detail_pages(ctx)
    with_validators = sum(1 for i in items if i["etag"] or i["last_modified"])
    scenario.gov.admin.reset_request_log()
    crawl = scenario.crawl("recheck", recheck=items)
    statuses: dict[str, int] = {}
    details = 0
    for slug in scenario.slugs:
        log = scenario.gov.admin.request_log(slug)
        details += int(log.get("by_kind", {}).get("detail", 0))
        for status, count in log.get("by_status", {}).items():
            statuses[status] = statuses.get(status, 0) + int(count)
    not_modified = statuses.get("304", 0)
    share = not_modified / details if details else 0.0
    return Result(
        key=KEY,
        title=TITLE,
        figures=[
            Figure(
                f"share of {len(items):,} rechecks answered 304",
                share * 100,
                "%",
                f"≥ {GOAL:.0%}",
                share >= GOAL,
            ),  # fmt: skip
            Figure("recheck throughput", len(items) / crawl.wall, "notices/s"),
            Figure("recheck wall time", crawl.wall, "s"),
        ],
        method=(
            f"Every notice page of the baseline crawl ({len(items):,} across {len(scenario.slugs)} sites, "
            f"{with_validators:,} with an ETag or Last-Modified stored), none changed since, rechecked "
            f"in one `recheck` crawl (conditional GET with If-None-Match / If-Modified-Since from the "
            f"stored response). The items come from the stored snapshots' headers, which is where "
            f"`notices.etag` / `last_modified` come from too, so pages the extractor rejected are "
            f"rechecked as well. govsim's request log: {details:,} detail requests, statuses {statuses}."
        ),
        details={"statuses": statuses, "items": len(items)},
    )

"""Item pipeline: every fetched response becomes a raw snapshot; every site gets a CrawlRun.

A CrawlRun per (cycle, site) is started when the spider opens and finished when it closes, with
the site's status (``ok`` | ``failed`` | ``blocked``), its first errors and its counters. A
blocked site (anti-bot challenge) is recorded as a failure with a 6 h back-off.
Each write is its own short transaction, because other processes read the SQLite file meanwhile.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from spiders.items import FetchedPage
from storage.db import session_scope
from storage.models import CrawlRun, Source
from storage.snapshots import add_snapshot, finish_crawl_run, start_crawl_run
from storage.sources import ensure_source, record_site_failure


class SnapshotPipeline:
    """Stores :class:`~spiders.items.FetchedPage` items; other items pass through untouched."""

    def __init__(self, crawler: Crawler, database_url: str | None) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.runs: dict[str, tuple[int, int]] = {}  # slug -> (source id, crawl run id)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SnapshotPipeline:
        return cls(crawler, crawler.settings.get("POLICYWATCH_DATABASE_URL"))

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def open_spider(self) -> None:
        spider = self.spider
        for slug, site in spider.sites.items():
            with session_scope(self.database_url) as session:
                source = ensure_source(session, site)
                run = start_crawl_run(session, source, spider.cycle_id, spider.mode)
                self.runs[slug] = (source.id, run.id)
        spider.crawl_run_ids = {slug: run_id for slug, (_, run_id) in self.runs.items()}

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        if item.site not in self.runs:
            raise DropItem(f"page {item.url} names unknown site {item.site!r}")
        source_id, run_id = self.runs[item.site]
        with session_scope(self.database_url) as session:
            source = session.get(Source, source_id)
            if source is None:
                raise DropItem(f"page {item.url}: source {item.site!r} vanished from the database")
            add_snapshot(
                session,
                session.get(CrawlRun, run_id),
                source,
                item.raw_page(),
                page_kind=item.page_kind_hint,
                reject_reason=item.flag_reason,
                preprocessed=item.role in ("list", "attachment"),
            )
        outcomes = self.spider.outcomes
        outcomes.inc(item.site, "items")
        outcomes.inc(item.site, "stored_bytes", len(item.body))
        if item.flag:
            outcomes.inc(item.site, f"flagged/{item.flag}")
        return item

    def close_spider(self) -> None:
        outcomes = self.spider.outcomes
        for slug, (source_id, run_id) in self.runs.items():
            outcome = outcomes.get(slug)
            with session_scope(self.database_url) as session:
                run = session.get(CrawlRun, run_id)
                source = session.get(Source, source_id)
                assert run is not None and source is not None
                finish_crawl_run(
                    session, run, status=outcome.status, stats=outcomes.stats_for(slug), error=outcome.error
                )
                if outcome.backoff is not None:  # challenged in this run (not merely still backing off)
                    # Only the crawler can tell a challenge: it sets the back-off here. Ordinary
                    # failures and successes are counted by the cycle (policywatch.cycle.site_health).
                    record_site_failure(session, source, outcome.error or "blocked", backoff=outcome.backoff)

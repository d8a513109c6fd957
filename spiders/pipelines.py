"""Item pipeline: every fetched response becomes a raw snapshot; every site gets a CrawlRun.

A CrawlRun per (cycle, site) is started when the spider opens and finished when it closes, with
the site's status (``ok`` | ``failed`` | ``blocked``), its first errors and its counters. A
blocked site (anti-bot challenge) is recorded as a failure with a 6 h back-off.

Snapshots are written by one :class:`SnapshotWriter` thread, never in the reactor thread, in
short transactions of up to ``POLICYWATCH_SNAPSHOT_BATCH_SIZE`` pages or
``POLICYWATCH_SNAPSHOT_BATCH_SECONDS`` (other processes read the database meanwhile).
``process_item`` waits, without blocking the reactor, until its page is committed, so an item
counts as scraped (progress lines, per-site counters) only once it is stored, a storage error
fails that item and its site, and Scrapy calls ``close_spider`` only after every item is settled. A process killed outright (SIGKILL,
OOM) loses at most the batch not yet committed: those pages never became known URLs, so the
next cycle simply fetches them again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

import config
from notices.model import RawPage
from spiders.items import FetchedPage
from spiders.protocol import source_fields
from storage.db import session_scope
from storage.models import CrawlRun, Source
from storage.snapshots import add_snapshot, finish_crawl_run, start_crawl_run
from storage.sources import ensure_source, record_site_failure

logger = logging.getLogger(__name__)


@dataclass
class SnapshotWrite:
    """One page to store, and the Deferred that fires (in the reactor thread) once it is committed."""

    source_id: int
    run_id: int
    page: RawPage
    page_kind: str | None
    reject_reason: str | None
    preprocessed: bool
    done: Deferred[None] = field(default_factory=Deferred)


@dataclass
class _Flush:
    """Queued after the writes to wait for: fires once everything before it is committed."""

    done: Deferred[None] = field(default_factory=Deferred)
    stop: bool = False


class SnapshotWriter:
    """A thread that stores queued snapshots in batches and reports each one back to the reactor.

    A batch is committed when it holds ``batch_size`` pages, when ``max_wait`` seconds have passed
    since its first page, or at once when a flush is asked for. If a batch fails, its pages are
    stored one by one, so one bad page fails alone and the others are kept.
    """

    def __init__(
        self,
        database_url: str,
        call_in_reactor: Callable[..., Any],
        *,
        batch_size: int,
        max_wait: float,
    ) -> None:
        self.database_url = database_url
        self._call_in_reactor = call_in_reactor
        self.batch_size = max(1, batch_size)
        self.max_wait = max_wait
        self._queue: queue.Queue[SnapshotWrite | _Flush] = queue.Queue()
        # A daemon thread: a reactor that dies without closing the spider must not hang the exit.
        self._thread = threading.Thread(target=self._run, name="snapshot-writer", daemon=True)
        self._closed = False
        self.batches = 0

    def start(self) -> None:
        self._thread.start()

    def submit(self, write: SnapshotWrite) -> Deferred[None]:
        if self._closed:
            raise RuntimeError("the snapshot writer is closed")
        self._queue.put(write)
        return write.done

    def flush(self, *, stop: bool = False) -> Deferred[None]:
        """Fires once every page submitted so far is committed (or failed); ``stop`` ends the thread."""
        marker = _Flush(stop=stop)
        if stop:
            self._closed = True
        if not self._thread.is_alive():
            marker.done.callback(None)
            return marker.done
        self._queue.put(marker)
        return marker.done

    def close(self) -> Deferred[None]:
        return self.flush(stop=True)

    # -- the writer thread ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            writes = [w for w in batch if isinstance(w, SnapshotWrite)]
            try:
                if writes:
                    self._store(writes)
            except BaseException as exc:  # a bug here must not leave items waiting forever
                failure = Failure(exc)
                for write in writes:  # _errback skips the ones already settled
                    self._call_in_reactor(_errback, write.done, failure)
            markers = [m for m in batch if isinstance(m, _Flush)]
            for marker in markers:
                self._call_in_reactor(_callback, marker.done)
            if any(m.stop for m in markers):
                return

    def _next_batch(self) -> list[SnapshotWrite | _Flush]:
        batch: list[SnapshotWrite | _Flush] = [self._queue.get()]
        deadline = time.monotonic() + self.max_wait
        while isinstance(batch[-1], SnapshotWrite) and len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(
                    self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _store(self, writes: list[SnapshotWrite]) -> None:
        try:
            self._commit(writes)
        except Exception as exc:
            if len(writes) == 1:
                self._call_in_reactor(_errback, writes[0].done, Failure(exc))
                return
            logger.warning(
                "storing a batch of %d snapshots failed (%s); storing them one by one", len(writes), exc
            )
            for write in writes:
                try:
                    self._commit([write])
                except Exception as one:
                    self._call_in_reactor(_errback, write.done, Failure(one))
                else:
                    self._call_in_reactor(_callback, write.done)
            return
        self.batches += 1
        for write in writes:
            self._call_in_reactor(_callback, write.done)

    def _commit(self, writes: list[SnapshotWrite]) -> None:
        with session_scope(self.database_url) as session:
            for write in writes:
                source = session.get(Source, write.source_id)  # once per source: the session caches it
                if source is None:
                    raise DropItem(
                        f"page {write.page.url}: source #{write.source_id} vanished from the database"
                    )
                add_snapshot(
                    session,
                    session.get(CrawlRun, write.run_id),
                    source,
                    write.page,
                    page_kind=write.page_kind,
                    reject_reason=write.reject_reason,
                    preprocessed=write.preprocessed,
                    flush=False,  # one INSERT for the batch, at commit
                )


def _callback(done: Deferred[None]) -> None:
    if not done.called:
        done.callback(None)


def _errback(done: Deferred[None], failure: Failure) -> None:
    if not done.called:
        done.errback(failure)


class SnapshotPipeline:
    """Stores :class:`~spiders.items.FetchedPage` items; other items pass through untouched."""

    def __init__(self, crawler: Crawler, settings: config.Settings) -> None:
        self.crawler = crawler
        self.database_url = settings.database_url
        self.runs: dict[str, tuple[int, int]] = {}  # slug -> (source id, crawl run id)
        self.writer: SnapshotWriter | None = None
        self.batch_size = settings.snapshot_batch_size
        self.batch_seconds = settings.snapshot_batch_seconds

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SnapshotPipeline:
        return cls(crawler, config.current())

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def open_spider(self) -> None:
        spider = self.spider
        for slug, site in spider.sites.items():
            with session_scope(self.database_url) as session:
                source = ensure_source(session, source_fields(site))
                run = start_crawl_run(session, source, spider.cycle_id, spider.mode)
                self.runs[slug] = (source.id, run.id)
        spider.crawl_run_ids = {slug: run_id for slug, (_, run_id) in self.runs.items()}
        from twisted.internet import reactor  # the one Scrapy installed (never import it earlier)

        self.writer = SnapshotWriter(
            self.database_url,
            reactor.callFromThread,  # type: ignore[attr-defined]
            batch_size=self.batch_size,
            max_wait=self.batch_seconds,
        )
        self.writer.start()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        if item.site not in self.runs:
            raise DropItem(f"page {item.url} names unknown site {item.site!r}")
        assert self.writer is not None, "open_spider starts the writer"
        source_id, run_id = self.runs[item.site]
        write = SnapshotWrite(
            source_id=source_id,
            run_id=run_id,
            page=item.raw_page(),
            page_kind=item.page_kind_hint,
            reject_reason=item.flag_reason,
            preprocessed=item.role in ("list", "attachment"),
        )
        outcomes = self.spider.outcomes
        try:
            await maybe_deferred_to_future(self.writer.submit(write))
        except DropItem:
            raise
        except Exception as exc:
            # Never silent: Scrapy logs the item error with its traceback, and the site's run fails.
            outcomes.inc(item.site, "errors/storage")
            outcomes.fail(
                item.site,
                f"site {item.site}: could not store {item.role} page {item.url}: {type(exc).__name__}: {exc}",
            )
            raise
        outcomes.inc(item.site, "items")
        outcomes.inc(item.site, "stored_bytes", len(item.body))
        if item.flag:
            outcomes.inc(item.site, f"flagged/{item.flag}")
        return item

    async def close_spider(self) -> None:
        # Every item has settled before Scrapy closes the pipeline; the flush is the guarantee that
        # no page is still in the writer when the crawl runs are finished.
        if self.writer is not None:
            await maybe_deferred_to_future(self.writer.close())
        outcomes = self.spider.outcomes
        if not self.crawler.crawling:
            # Crawler.stop() (SIGTERM: run_crawl's timeout, a cancelled flow) clears ``crawling``
            # before the engine closes the spider; a crawl that ends by itself closes with it set.
            # Its sites were cut short: never report them ``ok``.
            for slug, outcome in outcomes.sites.items():
                if outcome.status == "ok":
                    outcomes.fail(
                        slug,
                        f"site {slug}: the crawler was stopped before it finished; "
                        f"the pages fetched until then are stored",
                    )
        if self.spider.mode != "recheck":
            for slug, outcome in outcomes.sites.items():
                if outcome.status == "ok" and not self.crawler.stats.get_value(f"site/{slug}/list_pages"):
                    # Nothing failed, yet no list page reached the spider: never report that "ok".
                    outcomes.fail(
                        slug,
                        f"site {slug}: no list page was answered (every list request was dropped "
                        f"before a response reached the crawler); nothing of the site was checked",
                    )
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
                    # failures and successes are counted by the cycle (storage.sources.record_cycle_health).
                    record_site_failure(session, source, outcome.error or "blocked", backoff=outcome.backoff)

"""The ingest run: every pending snapshot, batch after batch, one transaction per group of pages and
a savepoint per page; optionally streaming beside the crawl.

A group's pages are claimed, normalized and written in one transaction, each in a savepoint of its
own: a page that raises is rolled back to its savepoint and marked failed in the same transaction,
and the group goes on. What a group adds to the report and to the policy index counts only once its
transaction has committed; a process killed before that leaves every snapshot of the group pending
(its claims roll back with it) for the next run, so nothing is lost and nothing is done twice. A
group whose commit fails is written again one transaction per page, so one page that breaks the
commit is marked failed alone. A group is closed after GROUP_PAGES pages or GROUP_SECONDS, so on
SQLite the crawler storing snapshots meanwhile waits for the write lock that long at most."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

import config
from ingest.extraction import Extraction, extract_snapshot, needs_extraction
from ingest.policies import PolicyIndex
from ingest.report import IngestReport
from ingest.snapshot import process_snapshot
from ingest.workers import Extracted, Extractor, ingest_workers
from notices.model import PageKind
from spiders.progress import Progress
from storage import snapshots as snapshot_store
from storage.models import RawSnapshot, Source, Subscription

log = logging.getLogger(__name__)


# How long a streaming ingest waits for the crawler to store more pages before it looks again.
POLL_SECONDS = 0.5
# Pages written in one transaction: a commit per page cost more than normalizing the page did.
# Below 64: PostgreSQL keeps that many subtransactions (a savepoint per page) in shared memory,
# and every other session's snapshot gets slower once a transaction has more.
GROUP_PAGES = 50
# ... and for how long at most one transaction stays open (SQLite: the crawler waits for the lock).
GROUP_SECONDS = 1.0


def ingest_pending(
    sessions: sessionmaker[Session],
    *,
    cycle_id: str | None = None,
    subscriptions_loader: Callable[[Session], Sequence[Subscription]],
    removal_threshold: int | None = None,
    on_progress: Callable[[str], None] | None = None,
    batch: int = 200,
    workers: int | None = None,
    while_crawling: Callable[[], bool] | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> IngestReport:
    """Process every unprocessed snapshot (of the sites ``cycle_id`` crawled), in groups of pages.

    With ``cycle_id``, that is every pending snapshot of the sites crawled in that cycle, earlier
    cycles' included (a cycle killed before its ingest finished left them), oldest first; without
    it, every pending snapshot. Each page is claimed atomically
    (:func:`storage.snapshots.claim_snapshot`), so two processes never process the same one.

    Each page's version, change and deliveries are committed together or not at all, with the other
    pages of its group (one transaction per GROUP_PAGES pages, see the module docstring); a page that
    fails is marked failed (it stays for ``policywatch reprocess``) and the others go on.
    Snapshots are written one after the other in the order they were fetched; with ``workers`` > 1
    (default :func:`ingest.workers.ingest_workers`) and a batch of at least POOL_MIN_PAGES pages,
    notices.extract runs ahead of the writes in that many worker processes.
    ``removal_threshold``: 404/410 answers in a row before a notice counts as removed (default
    ``POLICYWATCH_REMOVAL_CHECKS``).

    ``while_crawling``: streaming. While it answers True (the cycle's crawlers are still running),
    the snapshots they commit are processed as they arrive, looking again every ``poll_seconds``;
    a notice page whose attachments are not stored yet waits. Then every pending snapshot is
    processed as without it, so streaming changes when a page is processed, never whether or how.

    When ``cycle_id`` is given, the sources whose crawl succeeded in that cycle and that have no
    pending snapshot left have their baseline afterwards (see :func:`mark_baselines`).
    """
    if removal_threshold is None:
        removal_threshold = config.current().removal_checks
    run = _IngestRun(sessions, subscriptions_loader, removal_threshold, workers, on_progress)
    try:
        if while_crawling is not None:
            run.stream(cycle_id, while_crawling, batch=batch, poll_seconds=poll_seconds)
        run.drain(cycle_id, batch=batch)
    finally:
        run.close()
    if cycle_id is not None:
        with sessions() as session, session.begin():
            mark_baselines(session, cycle_id)
    return run.report


class _IngestRun:
    """One ingest run's state: the report, the extraction workers, the policy index."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        subscriptions_loader: Callable[[Session], Sequence[Subscription]],
        removal_threshold: int,
        workers: int | None,
        on_progress: Callable[[str], None] | None,
    ) -> None:
        self.sessions = sessions
        self.subscriptions_loader = subscriptions_loader
        self.removal_threshold = removal_threshold
        self.on_progress = on_progress
        self.report = IngestReport()
        self.policies = PolicyIndex()
        self.extractor = Extractor(sessions, ingest_workers() if workers is None else workers)

    def close(self) -> None:
        self.extractor.close()

    def stream(
        self, cycle_id: str | None, crawling: Callable[[], bool], *, batch: int, poll_seconds: float
    ) -> None:
        """Process what the crawlers commit while they run. A notice whose attachments are not
        stored yet is held back with every later snapshot of its URL (one URL's snapshots are
        diffed in fetch order) until the crawler has stored them; what is still held when the
        crawl ends is left to :meth:`drain`."""
        after_id = reported = 0
        held = _HeldBack()
        while crawling():
            with self.sessions() as session:
                released = held.release(lambda urls: snapshot_store.latest_snapshot_ids(session, urls))
                ids = snapshot_store.pending_snapshot_ids(
                    session, cycle_id=cycle_id, limit=batch, after_id=after_id
                )
            if not ids and not released:
                time.sleep(poll_seconds)
                continue
            after_id = max([after_id, *ids])
            self.write(released + ids, held=held, stored_up_to=after_id)
            if self.on_progress and self.report.processed - reported >= batch:
                reported = self.report.processed
                self.on_progress(
                    f"normalized {self.report.processed:,} pages while crawling: {self.report.versions} "
                    f"new versions, {len(self.report.changes)} changes"
                )

    def drain(self, cycle_id: str | None, *, batch: int) -> None:
        """Process every pending snapshot, batch after batch, until none is left."""
        progress = None
        if self.on_progress:
            with self.sessions() as session:
                progress = Progress(
                    snapshot_store.pending_snapshot_count(session, cycle_id=cycle_id), "pages"
                )
        done_before = self.report.processed
        while True:
            with self.sessions() as session:
                ids = snapshot_store.pending_snapshot_ids(session, cycle_id=cycle_id, limit=batch)
            if not ids:
                break
            self.write(ids)
            if self.on_progress and progress is not None:
                self.on_progress(
                    f"normalized {progress.line(self.report.processed - done_before)}: "
                    f"{self.report.versions} new versions, {len(self.report.changes)} changes, "
                    f"{len(self.report.rejected)} not notices or rejected"
                )

    def write(
        self, snapshot_ids: Sequence[int], *, held: _HeldBack | None = None, stored_up_to: int = 0
    ) -> None:
        """Process ``snapshot_ids`` in order, in groups of pages (one transaction each).

        ``held`` (streaming): a notice page linking attachments that are not stored yet is held
        back, waiting for attachment snapshots newer than ``stored_up_to``, and so is every later
        snapshot of its URL.
        """
        subscriptions = _load_subscriptions(self.sessions, self.subscriptions_loader)
        pages = self._to_write(snapshot_ids, held, stored_up_to)
        while self._write_group(pages, subscriptions):
            pass

    def _to_write(
        self, snapshot_ids: Sequence[int], held: _HeldBack | None, stored_up_to: int
    ) -> Iterator[tuple[int, Extracted]]:
        """(snapshot id, its extraction) of the snapshots to write now, in order: not those held back."""
        urls: dict[int, str] = {}
        if held is not None:
            with self.sessions() as session:
                urls = snapshot_store.snapshot_urls(session, snapshot_ids)
        for snapshot_id, extracted in self.extractor.extractions(snapshot_ids):
            if held is not None and snapshot_id in urls:
                url = urls[snapshot_id]
                if held.holds(url):
                    held.hold(url, snapshot_id)
                    continue
                if extracted is None:
                    extracted = self._extract_here(snapshot_id)
                missing = _missing_attachments(extracted)
                if missing:
                    held.hold(url, snapshot_id, waiting_for=missing, newer_than=stored_up_to)
                    continue
            yield snapshot_id, extracted

    def _extract_here(self, snapshot_id: int) -> Extracted:
        try:
            with self.sessions() as session:
                snapshot = session.get(RawSnapshot, snapshot_id)
                if snapshot is None or not needs_extraction(snapshot):
                    return None
                return Extraction(extract_snapshot(session, snapshot))
        except Exception as exc:  # noqa: BLE001 - raised in the page's own savepoint, which fails it
            return exc

    def _write_group(
        self, pages: Iterator[tuple[int, Extracted]], subscriptions: Sequence[Subscription] | None
    ) -> bool:
        """Write the next pages of ``pages`` in one transaction, until GROUP_PAGES pages or
        GROUP_SECONDS; False once ``pages`` is exhausted."""
        taken: list[tuple[int, Extracted]] = []
        outcome = IngestReport()
        before = self.policies.savepoint()
        more = False
        try:
            with self.sessions() as session, session.begin():
                started = time.monotonic()
                for snapshot_id, extracted in pages:
                    taken.append((snapshot_id, extracted))
                    self._write_page(session, snapshot_id, extracted, subscriptions, outcome)
                    if len(taken) >= GROUP_PAGES or time.monotonic() - started >= GROUP_SECONDS:
                        more = True
                        break
        except Exception:
            self.policies.rollback_to(before)
            log.warning(
                "a group of %d pages failed to commit; writing them one transaction each",
                len(taken),
                exc_info=True,
            )
            for snapshot_id, extracted in taken:
                self._write_alone(snapshot_id, extracted, subscriptions)
            return more
        self.report.merge(outcome)
        self.policies.commit_staged()
        return more

    def _write_page(
        self,
        session: Session,
        snapshot_id: int,
        extracted: Extracted,
        subscriptions: Sequence[Subscription] | None,
        outcome: IngestReport,
    ) -> None:
        """One page in the group's transaction, in a savepoint: if it raises, it is marked failed."""
        # Outside the savepoint, so the claim stays when the page fails: another process ingesting
        # at once skips this page (on PostgreSQL it waits for this transaction, then finds it done).
        if not snapshot_store.claim_snapshot(session, snapshot_id):
            return
        page = IngestReport()
        before = self.policies.savepoint()
        try:
            with session.begin_nested():
                self._process(session, snapshot_id, extracted, subscriptions, page)
        # One bad page must not stop the cycle; its snapshot stays for reprocess.
        except Exception as exc:
            self.policies.rollback_to(before)
            log.exception("snapshot %s failed to process", snapshot_id)
            outcome.processed += 1
            _mark_failed(session, snapshot_id, f"processing failed: {exc}", outcome)
            return
        outcome.merge(page)

    def _write_alone(
        self, snapshot_id: int, extracted: Extracted, subscriptions: Sequence[Subscription] | None
    ) -> None:
        """One page in a transaction of its own (the claim its first statement), marked failed in
        another if it raises."""
        outcome = IngestReport()
        before = self.policies.savepoint()
        try:
            with self.sessions() as session, session.begin():
                if not snapshot_store.claim_snapshot(session, snapshot_id):
                    return
                self._process(session, snapshot_id, extracted, subscriptions, outcome)
        except Exception as exc:
            self.policies.rollback_to(before)
            log.exception("snapshot %s failed to process", snapshot_id)
            failed = IngestReport(processed=1)
            with self.sessions() as session, session.begin():
                _mark_failed(session, snapshot_id, f"processing failed: {exc}", failed)
            self.report.merge(failed)
            return
        self.report.merge(outcome)
        self.policies.commit_staged()

    def _process(
        self,
        session: Session,
        snapshot_id: int,
        extracted: Extracted,
        subscriptions: Sequence[Subscription] | None,
        report: IngestReport,
    ) -> None:
        snapshot = session.get(RawSnapshot, snapshot_id, options=self.extractor.load_options)
        if snapshot is None:
            return
        if isinstance(extracted, BaseException):
            raise extracted
        process_snapshot(
            session,
            snapshot,
            subscriptions=subscriptions if subscriptions is not None else self.subscriptions_loader(session),
            removal_threshold=self.removal_threshold,
            report=report,
            extracted=extracted,
            policies=self.policies,
        )


def _missing_attachments(extracted: Extracted) -> set[str]:
    """The attachments a notice links whose file is not stored (yet): while the crawler runs, it
    may still fetch them, and a version recorded without them would differ from the next one."""
    if not isinstance(extracted, Extraction) or extracted.record.page_kind != PageKind.NOTICE:
        return set()
    return {attachment.url for attachment in extracted.record.attachments if attachment.sha256 is None}


@dataclass
class _HeldBack:
    """The snapshots a streaming ingest holds back: per page URL, its snapshots in fetch order, the
    attachment URLs its notice waits for, and the snapshot id those must be stored after."""

    snapshots: dict[str, list[int]] = field(default_factory=dict)
    waiting_for: dict[str, tuple[set[str], int]] = field(default_factory=dict)

    def holds(self, url: str) -> bool:
        return url in self.snapshots

    def hold(
        self, url: str, snapshot_id: int, *, waiting_for: AbstractSet[str] = frozenset(), newer_than: int = 0
    ) -> None:
        self.snapshots.setdefault(url, []).append(snapshot_id)
        if waiting_for:
            self.waiting_for[url] = (set(waiting_for), newer_than)

    def release(self, latest_ids: Callable[[set[str]], dict[str, int]]) -> list[int]:
        """The held snapshots (oldest first) of the pages whose attachments have all been stored
        since they were held; ``latest_ids``: the newest snapshot id of each of some URLs."""
        if not self.waiting_for:
            return []
        latest = latest_ids(set().union(*(wanted for wanted, _since in self.waiting_for.values())))
        ready = [
            url
            for url, (wanted, since) in self.waiting_for.items()
            if all(latest.get(attachment, 0) > since for attachment in wanted)
        ]
        released: list[int] = []
        for url in ready:
            del self.waiting_for[url]
            released.extend(self.snapshots.pop(url))
        return sorted(released)


def _load_subscriptions(
    sessions: sessionmaker[Session], loader: Callable[[Session], Sequence[Subscription]]
) -> list[Subscription] | None:
    """The active subscriptions, loaded once per batch of snapshots (None: load them per snapshot)."""
    try:
        with sessions() as session:
            return list(loader(session))
    except Exception:  # noqa: BLE001 - each snapshot then loads them itself and fails on its own
        log.warning("could not load the subscriptions once per batch; loading them per page", exc_info=True)
        return None


def _mark_failed(session: Session, snapshot_id: int, reason: str, report: IngestReport) -> None:
    failed = session.get(RawSnapshot, snapshot_id)
    if failed is not None:
        snapshot_store.mark_snapshot_processed(session, failed, page_kind="error", reject_reason=reason)
        report.rejected.append((failed.url, reason))


def mark_baselines(session: Session, cycle_id: str) -> None:
    """Sources whose crawl in this cycle succeeded, and whose snapshots are all processed, now have
    their baseline: later notices are news.

    Called by the run that holds the sites' crawl leases, after its own ingest: a site whose first
    crawl is still being ingested (pages left pending by a killed run included) stays without a
    baseline, so none of its archive is alerted.
    """
    runs = [run for run in snapshot_store.crawl_runs_for_cycle(session, cycle_id) if run.status == "ok"]
    still_pending = snapshot_store.pending_source_ids(session, [run.source_id for run in runs])
    for run in runs:
        source = session.get(Source, run.source_id)
        if source is not None and source.baseline_at is None and source.id not in still_pending:
            source.baseline_at = run.finished_at or run.started_at

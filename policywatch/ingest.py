"""Normalize stored raw snapshots into notice versions and changes, and queue their alerts.

This is the heart of a monitoring cycle after the crawl: it calls the pure stages (notices.extract,
changes.detect, changes.grouping) and writes through storage/. Each snapshot is handled in its own
transaction, and a change is written together with its pending deliveries (the outbox), so a crash
never leaves a change without its alerts or an alert without its change.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, defer, sessionmaker

import notices
from changes import Change as DetectedChange
from changes import ChangeKind, detect
from changes.grouping import fingerprint, normalize_doc_number, same_policy
from changes.removal import after_check, removal_change
from notices.model import Notice as NoticeRecord
from notices.model import PageKind
from storage import snapshots as snapshot_store
from storage import versions as version_store
from storage.models import Notice, RawSnapshot, Source, Subscription

log = logging.getLogger("policywatch.ingest")

# SimHash bits two near-duplicate bodies may differ in before the exact comparison is even tried.
NEAR_DUPLICATE_BITS = 12
# How many of the newest fingerprinted policies a new notice is compared with.
NEAR_DUPLICATE_CANDIDATES = 5000
HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml")
MISSING_STATUSES = (404, 410)
# Extraction runs in worker processes when a batch has at least this many pages: starting the
# workers costs about a second, more than a small monitor cycle takes in-process.
WORKERS_ENV = "POLICYWATCH_INGEST_WORKERS"
POOL_MIN_PAGES = 50
# Pages extracted ahead of the one being written, per worker: enough to keep the workers busy,
# few enough that little is held in memory.
LOOKAHEAD_PER_WORKER = 4


@dataclass(frozen=True)
class ChangeRow:
    change_id: int
    kind: str
    source: str
    url: str
    title: str | None
    summary: str
    alerted: bool


@dataclass
class IngestReport:
    processed: int = 0
    versions: int = 0
    changes: list[ChangeRow] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    deliveries_queued: int = 0

    def merge(self, other: IngestReport) -> None:
        self.processed += other.processed
        self.versions += other.versions
        self.changes.extend(other.changes)
        self.rejected.extend(other.rejected)
        self.deliveries_queued += other.deliveries_queued


@dataclass(frozen=True)
class Extraction:
    """What the pure stage made of one snapshot, ahead of its transaction (in a worker process).

    ``record_dict`` is ``record.to_dict()``; ``fingerprint`` is filled when the page looked like a new
    notice. Either is computed when needed if missing.
    """

    record: NoticeRecord
    fingerprint: str | None = None
    record_dict: dict[str, Any] | None = None


class PolicyIndex:
    """The newest fingerprinted policies and the sources publishing them, kept for one ingest run.

    Loaded on first use, then topped up before each lookup with the policies committed since (by
    this run or a concurrent one), so a transaction that rolled back never leaves its policy here.
    The member sources only save queries: they may lag the database (members added by another
    process), never lead it (this run's are added once their transaction has committed), and a
    candidate is checked against the database before it is accepted.
    """

    def __init__(self, size: int = NEAR_DUPLICATE_CANDIDATES) -> None:
        self.size = size
        self._ids: list[int] = []  # ascending
        self._prints: list[int] = []
        self._sources: dict[int, set[int]] = {}
        self._last_id: int | None = None
        self._staged: list[tuple[int, int]] = []

    def refresh(self, session: Session) -> None:
        if self._last_id is None:
            newest = version_store.newest_policy_fingerprints(session, self.size)
            self._add(newest)
            self._last_id = newest[-1][0] if newest else 0
            if newest:
                for policy_id, source_id in version_store.policy_member_sources(session, newest[0][0]):
                    if policy_id in self._sources:
                        self._sources[policy_id].add(source_id)
            return
        added = version_store.policy_fingerprints_after(session, self._last_id)
        if added:
            self._last_id = added[-1][0]
            self._add(added)

    def _add(self, rows: Sequence[tuple[int, str | None]]) -> None:
        for policy_id, print_ in rows:
            if print_ is not None:
                self._ids.append(policy_id)
                self._prints.append(int(print_, 16))
                self._sources.setdefault(policy_id, set())
        if len(self._ids) > 2 * self.size:  # only the newest ``size`` are ever compared
            for policy_id in self._ids[: -self.size]:
                self._sources.pop(policy_id, None)
            del self._ids[: -self.size], self._prints[: -self.size]

    def near(self, print_: str) -> list[int]:
        """Policies within NEAR_DUPLICATE_BITS of ``print_`` among the newest
        NEAR_DUPLICATE_CANDIDATES, newest first."""
        target = int(print_, 16)
        first = max(0, len(self._prints) - self.size)
        return [
            policy_id
            for policy_id, other in zip(
                reversed(self._ids[first:]), reversed(self._prints[first:]), strict=True
            )
            if (other ^ target).bit_count() <= NEAR_DUPLICATE_BITS
        ]

    def has_member_from(self, policy_id: int, source_id: int) -> bool:
        return source_id in self._sources.get(policy_id, ())

    def stage_member(self, policy_id: int, source_id: int) -> None:
        """A notice of ``source_id`` joined (or founded) ``policy_id`` in the open transaction."""
        self._staged.append((policy_id, source_id))

    def commit_staged(self) -> None:
        """The open transaction committed: its members are known from now on."""
        for policy_id, source_id in self._staged:
            # Before the first load, the load reads them; after it, only indexed policies (and the
            # ones about to be read by the next refresh) need them.
            if self._last_id is not None and (policy_id > self._last_id or policy_id in self._sources):
                self._sources.setdefault(policy_id, set()).add(source_id)
        self._staged.clear()

    def discard_staged(self) -> None:
        self._staged.clear()


def _is_attachment(snapshot: RawSnapshot) -> bool:
    content_type = str((snapshot.headers or {}).get("content-type", "")).lower()
    if content_type and not content_type.startswith(HTML_TYPES) and "json" not in content_type:
        return True
    return (
        snapshot.url.lower()
        .rsplit("?", 1)[0]
        .endswith((".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".zip"))
    )


def _attachment_lookup(session: Session) -> Callable[[str], bytes | None]:
    def fetch(url: str) -> bytes | None:
        snapshot = snapshot_store.latest_snapshot_for_url(session, url)
        if snapshot is None or snapshot.status != 200:
            return None
        return snapshot_store.snapshot_page(snapshot).body

    return fetch


def _needs_extraction(snapshot: RawSnapshot) -> bool:
    """Whether :func:`process_snapshot` runs notices.extract on this snapshot."""
    return snapshot.status == 200 and not _is_attachment(snapshot)


def _assign_policy(
    session: Session,
    notice: Notice,
    source: Source,
    record: NoticeRecord,
    *,
    print_: str | None = None,
    policies: PolicyIndex | None = None,
) -> bool:
    """Attach the notice to an existing policy (same doc number, or near-duplicate text published by
    another source) or to a new one. True when a new policy was created."""
    if notice.policy_id is not None:
        return False
    print_ = print_ or fingerprint(record)
    doc_key = normalize_doc_number(record.doc_number) or None
    policy = version_store.find_policy(session, doc_number=doc_key, fingerprint=print_)
    policy_id = policy.id if policy is not None else None
    if policy_id is None:
        index = policies if policies is not None else PolicyIndex()
        index.refresh(session)
        # SimHash distance is a cheap pre-filter; the shingle comparison decides.
        for candidate_id in index.near(print_):
            if index.has_member_from(candidate_id, source.id):
                continue
            if source.id in version_store.policy_member_sources_of(session, candidate_id):
                continue  # two pages of one site are two documents unless their doc numbers agree
            other = _policy_record(session, candidate_id)
            if other is not None and same_policy(other, record):
                policy_id = candidate_id
                break
    created = policy_id is None
    if policy_id is None:
        policy_id = version_store.create_policy(
            session, doc_number=doc_key, title=record.title or "", fingerprint=print_
        ).id
    if policies is not None:
        policies.stage_member(policy_id, source.id)
    notice.policy_id = policy_id
    return created


def _policy_record(session: Session, policy_id: int) -> NoticeRecord | None:
    record = version_store.policy_first_record(session, policy_id)
    return NoticeRecord.from_dict(record) if record is not None else None


def _record_change(
    session: Session,
    notice: Notice,
    source: Source,
    detected: DetectedChange,
    *,
    from_version_id: int | None,
    to_version_id: int | None,
    subscriptions: Sequence[Subscription],
    record: NoticeRecord | None,
    report: IngestReport,
    record_dict: dict[str, Any] | None = None,
    new_policy: bool = False,
) -> None:
    """``record_dict``: ``record.to_dict()`` when the caller has it; ``new_policy``: the notice's
    policy was created in this transaction (so no change of it can have been alerted yet)."""
    from alerts.outbox import enqueue

    alerted = detected.alert_by_default
    # A site's first crawl is its baseline: its archive is recorded, not alerted.
    if detected.kind == ChangeKind.NEW and source.baseline_at is None:
        alerted = False
    # The same policy from a second source is listed in the first alert, not alerted again.
    if (
        alerted
        and detected.kind == ChangeKind.NEW
        and notice.policy_id is not None
        and not new_policy
        and version_store.policy_has_alerted_new(session, notice.policy_id)
    ):
        alerted = False
    detail: dict[str, Any] = {"change": detected.to_dict()}
    if record is not None:
        detail["record"] = {
            k: v
            for k, v in (record_dict if record_dict is not None else record.to_dict()).items()
            if k not in ("paragraphs", "outline", "responsibilities")
        }
    row = version_store.add_change(
        session,
        notice,
        kind=detected.kind.value,
        priority=detected.priority,
        summary=detected.summary,
        detail=detail,
        from_version_id=from_version_id,
        to_version_id=to_version_id,
        alerted=alerted,
    )
    if alerted and (subscriptions is None or len(subscriptions) > 0):
        report.deliveries_queued += enqueue(session, row, subscriptions)
    report.changes.append(
        ChangeRow(
            change_id=row.id,
            kind=row.kind,
            source=source.slug,
            url=notice.url,
            title=record.title if record else None,
            summary=row.summary,
            alerted=alerted,
        )
    )


def process_snapshot(
    session: Session,
    snapshot: RawSnapshot,
    *,
    subscriptions: Sequence[Subscription],
    removal_threshold: int,
    report: IngestReport,
    extracted: Extraction | None = None,
    policies: PolicyIndex | None = None,
) -> None:
    """Normalize and diff one snapshot in the caller's transaction.

    ``extracted``: what notices.extract made of it already (in a worker); None extracts it here.
    ``policies``: the run's policy index (see :class:`PolicyIndex`); None loads one for this call.
    """
    source: Source = session.get(Source, snapshot.source_id)  # type: ignore[assignment]
    report.processed += 1

    if _is_attachment(snapshot):
        snapshot_store.mark_snapshot_processed(session, snapshot, page_kind="attachment")
        return

    known = version_store.notice_by_url(session, source.id, snapshot.url)
    if snapshot.status in MISSING_STATUSES:
        snapshot_store.mark_snapshot_processed(
            session, snapshot, page_kind="error", reject_reason=f"HTTP {snapshot.status}"
        )
        if known is None:
            return
        decision = after_check(
            known.status,
            known.consecutive_missing,
            http_status=snapshot.status,
            got_notice=False,
            confirmations=removal_threshold,
        )
        known.status, known.consecutive_missing = decision.status.value, decision.consecutive_missing
        known.last_checked_at = snapshot.fetched_at
        if decision.change is not None:
            versions = version_store.recent_versions(session, known.id, limit=1)
            last = NoticeRecord.from_dict(versions[0].record) if versions else None
            detected_removal = removal_change(
                decision.change, last.title if last else None, known.url, http_status=snapshot.status
            )
            _record_change(
                session,
                known,
                source,
                detected_removal,
                from_version_id=versions[0].id if versions else None,
                to_version_id=None,
                subscriptions=subscriptions,
                record=last,
                report=report,
            )
        return

    if snapshot.status != 200:
        reason = f"HTTP {snapshot.status}"
        snapshot_store.mark_snapshot_processed(session, snapshot, page_kind="error", reject_reason=reason)
        report.rejected.append((snapshot.url, reason))
        return

    if extracted is not None:
        record = extracted.record
    else:
        page = snapshot_store.snapshot_page(snapshot)
        record = notices.extract(page, fetch_attachments=_attachment_lookup(session))
    if record.page_kind != PageKind.NOTICE:
        reason = f"page is {record.page_kind.value}" + (
            f": {'; '.join(record.warnings)}" if record.warnings else ""
        )
        snapshot_store.mark_snapshot_processed(
            session, snapshot, page_kind=record.page_kind.value, reject_reason=reason
        )
        report.rejected.append((snapshot.url, reason))
        return

    # A new notice is inserted once complete (with its policy), below.
    created = known is None
    notice = version_store.new_notice(source, snapshot.url) if known is None else known
    headers = dict(snapshot.headers or {})  # lower-cased names, as RawPage.header looks them up
    version_store.mark_checked(
        session,
        notice,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        now=snapshot.fetched_at,
    )
    decision = after_check(
        notice.status, notice.consecutive_missing, http_status=snapshot.status, got_notice=True
    )
    notice.status, notice.consecutive_missing = decision.status.value, decision.consecutive_missing
    history = [] if created else version_store.recent_versions(session, notice.id, limit=5)
    previous = NoticeRecord.from_dict(history[0].record) if history else None
    recent = [NoticeRecord.from_dict(v.record) for v in history[1:]]
    detected = detect(previous, record, recent=recent)
    if decision.change is not None and not detected.changed:
        # Back after a confirmed removal with the same text: that is news of its own.
        detected = removal_change(decision.change, record.title, notice.url)

    new_policy = False
    if previous is None:
        new_policy = _assign_policy(
            session,
            notice,
            source,
            record,
            print_=extracted.fingerprint if extracted is not None else None,
            policies=policies,
        )
    if created:
        session.add(notice)
        session.flush()
    if detected.changed:
        record_dict = (
            extracted.record_dict
            if extracted is not None and extracted.record_dict is not None
            else record.to_dict()
        )
        version = version_store.add_version(
            session,
            notice,
            record_dict,
            snapshot_id=snapshot.id,
            last_version_no=history[0].version_no if history else 0,
        )
        report.versions += 1
        _record_change(
            session,
            notice,
            source,
            detected,
            from_version_id=history[0].id if history else None,
            to_version_id=version.id,
            subscriptions=subscriptions,
            record=record,
            report=report,
            record_dict=record_dict,
            new_policy=new_policy,
        )
    snapshot_store.mark_snapshot_processed(session, snapshot, page_kind=record.page_kind.value)


def ingest_workers() -> int:
    """Extraction processes: ``$POLICYWATCH_INGEST_WORKERS``, else one per CPU up to 4 (1: in-process)."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            log.warning("%s=%r is not a number; using the default", WORKERS_ENV, raw)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def ingest_pending(
    sessions: sessionmaker[Session],
    *,
    cycle_id: str | None = None,
    subscriptions_loader: Callable[[Session], Sequence[Subscription]],
    removal_threshold: int = 3,
    on_progress: Callable[[str], None] | None = None,
    batch: int = 200,
    workers: int | None = None,
) -> IngestReport:
    """Process every unprocessed snapshot (of ``cycle_id`` when given), one transaction each.

    Snapshots are written one after the other in the order they were fetched; with ``workers`` > 1
    (default :func:`ingest_workers`) and a batch of at least POOL_MIN_PAGES pages, notices.extract
    runs ahead of the writes in that many worker processes.
    """
    report = IngestReport()
    policies = PolicyIndex()
    extractor = _Extractor(sessions, ingest_workers() if workers is None else workers)
    try:
        while True:
            with sessions() as session:
                pending_ids = snapshot_store.pending_snapshot_ids(session, cycle_id=cycle_id, limit=batch)
            if not pending_ids:
                break
            subscriptions = _load_subscriptions(sessions, subscriptions_loader)
            for snapshot_id, extracted in extractor.extractions(pending_ids):
                # What one page adds to the report counts only once its transaction has committed.
                outcome = IngestReport()
                policies.discard_staged()
                try:
                    with sessions() as session, session.begin():
                        # With workers the body is not needed here (it is loaded if it is after all).
                        snapshot = session.get(RawSnapshot, snapshot_id, options=extractor.load_options)
                        if snapshot is None or snapshot.processed_at is not None:
                            continue
                        if isinstance(extracted, BaseException):
                            raise extracted
                        process_snapshot(
                            session,
                            snapshot,
                            subscriptions=(
                                subscriptions if subscriptions is not None else subscriptions_loader(session)
                            ),
                            removal_threshold=removal_threshold,
                            report=outcome,
                            extracted=extracted,
                            policies=policies,
                        )
                    report.merge(outcome)
                    policies.commit_staged()
                # One bad page must not stop the cycle; its snapshot stays for reprocess.
                except Exception as exc:
                    report.processed += 1
                    log.exception("snapshot %s failed to process", snapshot_id)
                    with sessions() as retry, retry.begin():
                        failed = retry.get(RawSnapshot, snapshot_id)
                        if failed is not None:
                            snapshot_store.mark_snapshot_processed(
                                retry, failed, page_kind="error", reject_reason=f"processing failed: {exc}"
                            )
                            report.rejected.append((failed.url, f"processing failed: {exc}"))
            if on_progress:
                on_progress(
                    f"normalized {report.processed} pages, {report.versions} new versions, {len(report.changes)} changes"
                )
    finally:
        extractor.close()
    if cycle_id is not None:
        with sessions() as session, session.begin():
            mark_baselines(session, cycle_id)
    return report


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


# ------------------------------------------------------------------------------- worker processes

_worker_sessions: sessionmaker[Session] | None = None


def _worker_start(database_url: str) -> None:
    global _worker_sessions
    from storage.db import get_engine

    _worker_sessions = sessionmaker(get_engine(database_url, apply_migrations=False))


def _worker_extract(snapshot_id: int) -> Extraction | None:
    """In a worker: extract one snapshot (None if it is not a page to extract), attachments read
    from the database as :func:`_attachment_lookup` does; with the fingerprint when the page is
    not a known notice yet. An error reading an attachment fails the page, as it would fail the
    transaction in-process on PostgreSQL."""
    assert _worker_sessions is not None, "worker not started"
    with _worker_sessions() as session:
        snapshot = session.get(RawSnapshot, snapshot_id)
        if snapshot is None or not _needs_extraction(snapshot):
            return None
        lookup = _attachment_lookup(session)
        errors: list[Exception] = []

        def fetch(url: str) -> bytes | None:
            try:
                return lookup(url)
            except Exception as exc:
                errors.append(exc)
                raise

        record = notices.extract(snapshot_store.snapshot_page(snapshot), fetch_attachments=fetch)
        if errors:
            raise errors[0]
        if record.page_kind != PageKind.NOTICE:
            return Extraction(record)
        print_ = None
        if version_store.notice_by_url(session, snapshot.source_id, snapshot.url) is None:
            print_ = fingerprint(record)
        return Extraction(record, print_, record.to_dict())


def _worker_database_url(sessions: sessionmaker[Session]) -> str | None:
    """The URL worker processes can open the same database with (None: they cannot)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        return None
    url = bind.url
    if url.get_backend_name() == "sqlite" and (
        not url.database or url.database == ":memory:" or "mode=memory" in str(url)
    ):
        return None
    return url.render_as_string(hide_password=False)


class _Extractor:
    """notices.extract for the snapshots about to be written: ahead of the writes in worker processes
    (started on the first batch of POOL_MIN_PAGES pages or more), or left to process_snapshot."""

    def __init__(self, sessions: sessionmaker[Session], workers: int) -> None:
        self.workers = workers
        self.database_url = _worker_database_url(sessions) if workers > 1 else None
        self.pool: ProcessPoolExecutor | None = None

    @property
    def load_options(self) -> list[Any]:
        """Loader options for the snapshot being written."""
        return [defer(RawSnapshot.body_zlib)] if self.pool is not None else []

    def extractions(
        self, snapshot_ids: Sequence[int]
    ) -> Iterator[tuple[int, Extraction | BaseException | None]]:
        """(snapshot id, its extraction) in the given order; None: process_snapshot extracts it."""
        if self.pool is None and self.database_url is not None and len(snapshot_ids) >= POOL_MIN_PAGES:
            self._start()
        if self.pool is None:
            yield from ((snapshot_id, None) for snapshot_id in snapshot_ids)
            return
        pool = self.pool
        window: deque[tuple[int, Future[Extraction | None]]] = deque()
        ids = iter(snapshot_ids)
        for snapshot_id in ids:
            window.append((snapshot_id, pool.submit(_worker_extract, snapshot_id)))
            if len(window) >= self.workers * LOOKAHEAD_PER_WORKER:
                break
        while window:
            snapshot_id, future = window.popleft()
            next_id = next(ids, None)
            if next_id is not None:
                window.append((next_id, pool.submit(_worker_extract, next_id)))
            try:
                result: Extraction | BaseException | None = future.result()
            except BrokenProcessPool:
                log.warning("an extraction worker died; extracting the rest of the run in-process")
                self.close()
                self.database_url = None
                yield snapshot_id, None
                yield from ((snapshot_id, None) for snapshot_id, _ in window)
                yield from ((snapshot_id, None) for snapshot_id in ids)
                return
            except Exception as exc:
                result = exc
            yield snapshot_id, result

    def _start(self) -> None:
        if self.database_url is None:
            return
        try:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                # Not fork: the caller may have threads (Prefect) and open database connections.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_start,
                initargs=(self.database_url,),
            )
        except Exception:  # noqa: BLE001 - no worker processes here: extract in-process
            log.warning("could not start extraction workers; extracting in-process", exc_info=True)
            self.database_url = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def mark_baselines(session: Session, cycle_id: str) -> None:
    """Sources whose crawl in this cycle succeeded now have their baseline: later notices are news."""
    for run in snapshot_store.crawl_runs_for_cycle(session, cycle_id):
        source = session.get(Source, run.source_id)
        if source is not None and source.baseline_at is None and run.status == "ok":
            source.baseline_at = run.finished_at or run.started_at

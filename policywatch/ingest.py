"""Normalize stored raw snapshots into notice versions and changes, and queue their alerts.

This is the heart of a monitoring cycle after the crawl: it calls the pure stages (notices.extract,
changes.detect, changes.grouping) and writes through storage/. Each snapshot is handled in its own
transaction, and a change is written together with its pending deliveries (the outbox), so a crash
never leaves a change without its alerts or an alert without its change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

import notices
from changes import Change as DetectedChange
from changes import ChangeKind, detect
from changes.grouping import fingerprint, hamming, normalize_doc_number, same_policy
from changes.removal import after_check, removal_change
from notices.model import Notice as NoticeRecord
from notices.model import PageKind
from storage import snapshots as snapshot_store
from storage import versions as version_store
from storage.models import Notice, RawSnapshot, Source, Subscription

log = logging.getLogger("policywatch.ingest")

# SimHash bits two near-duplicate bodies may differ in before the exact comparison is even tried.
NEAR_DUPLICATE_BITS = 12
HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml")
MISSING_STATUSES = (404, 410)


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


def _assign_policy(session: Session, notice: Notice, source: Source, record: NoticeRecord) -> None:
    """Attach the notice to an existing policy (same doc number, or near-duplicate text published by
    another source) or to a new one."""
    if notice.policy_id is not None:
        return
    print_ = fingerprint(record)
    doc_key = normalize_doc_number(record.doc_number) or None
    policy = version_store.find_policy(session, doc_number=doc_key, fingerprint=print_)
    if policy is None:
        # SimHash distance is a cheap pre-filter; the shingle comparison decides.
        for candidate in version_store.policies_with_fingerprints(session):
            if candidate.fingerprint is None or hamming(candidate.fingerprint, print_) > NEAR_DUPLICATE_BITS:
                continue
            members = version_store.policy_sources(session, candidate.id)
            if any(member_source.id == source.id for member_source, _ in members):
                continue  # two pages of one site are two documents unless their doc numbers agree
            other = _policy_record(session, candidate.id)
            if other is not None and same_policy(other, record):
                policy = candidate
                break
    if policy is None:
        policy = version_store.create_policy(
            session, doc_number=doc_key, title=record.title or "", fingerprint=print_
        )
    notice.policy_id = policy.id


def _policy_record(session: Session, policy_id: int) -> NoticeRecord | None:
    for _source, member in version_store.policy_sources(session, policy_id):
        versions = version_store.recent_versions(session, member.id, limit=1)
        if versions:
            return NoticeRecord.from_dict(versions[0].record)
    return None


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
) -> None:
    from alerts.outbox import enqueue

    alerted = detected.alert_by_default
    # A site's first crawl is its baseline: its archive is recorded, not alerted.
    if detected.kind == ChangeKind.NEW and source.baseline_at is None:
        alerted = False
    # The same policy from a second source is listed in the first alert, not alerted again.
    if (
        detected.kind == ChangeKind.NEW
        and notice.policy_id is not None
        and version_store.policy_has_alerted_new(session, notice.policy_id)
    ):
        alerted = False
    detail: dict[str, Any] = {"change": detected.to_dict()}
    if record is not None:
        detail["record"] = {
            k: v
            for k, v in record.to_dict().items()
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
    if alerted:
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
) -> None:
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

    notice, _created = version_store.get_or_create_notice(session, source, snapshot.url)
    version_store.mark_checked(
        session,
        notice,
        etag=page.header("etag"),
        last_modified=page.header("last-modified"),
        now=snapshot.fetched_at,
    )
    decision = after_check(
        notice.status, notice.consecutive_missing, http_status=snapshot.status, got_notice=True
    )
    notice.status, notice.consecutive_missing = decision.status.value, decision.consecutive_missing
    history = version_store.recent_versions(session, notice.id, limit=5)
    previous = NoticeRecord.from_dict(history[0].record) if history else None
    recent = [NoticeRecord.from_dict(v.record) for v in history[1:]]
    detected = detect(previous, record, recent=recent)
    if decision.change is not None and not detected.changed:
        # Back after a confirmed removal with the same text: that is news of its own.
        detected = removal_change(decision.change, record.title, notice.url)

    if previous is None:
        _assign_policy(session, notice, source, record)
    if detected.changed:
        version = version_store.add_version(session, notice, record.to_dict(), snapshot_id=snapshot.id)
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
        )
    snapshot_store.mark_snapshot_processed(session, snapshot, page_kind=record.page_kind.value)


def ingest_pending(
    sessions: sessionmaker[Session],
    *,
    cycle_id: str | None = None,
    subscriptions_loader: Callable[[Session], Sequence[Subscription]],
    removal_threshold: int = 3,
    on_progress: Callable[[str], None] | None = None,
    batch: int = 200,
) -> IngestReport:
    """Process every unprocessed snapshot (of ``cycle_id`` when given), one transaction each."""
    report = IngestReport()
    while True:
        with sessions() as session:
            pending_ids = [
                s.id for s in snapshot_store.pending_snapshots(session, cycle_id=cycle_id, limit=batch)
            ]
        if not pending_ids:
            break
        for snapshot_id in pending_ids:
            # What one page adds to the report counts only once its transaction has committed.
            outcome = IngestReport()
            try:
                with sessions() as session, session.begin():
                    snapshot = session.get(RawSnapshot, snapshot_id)
                    if snapshot is None or snapshot.processed_at is not None:
                        continue
                    process_snapshot(
                        session,
                        snapshot,
                        subscriptions=subscriptions_loader(session),
                        removal_threshold=removal_threshold,
                        report=outcome,
                    )
                report.merge(outcome)
            except Exception as exc:  # one bad page must not stop the cycle; its snapshot stays for reprocess
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
    if cycle_id is not None:
        with sessions() as session, session.begin():
            mark_baselines(session, cycle_id)
    return report


def mark_baselines(session: Session, cycle_id: str) -> None:
    """Sources whose crawl in this cycle succeeded now have their baseline: later notices are news."""
    for run in snapshot_store.crawl_runs_for_cycle(session, cycle_id):
        source = session.get(Source, run.source_id)
        if source is not None and source.baseline_at is None and run.status == "ok":
            source.baseline_at = run.finished_at or run.started_at

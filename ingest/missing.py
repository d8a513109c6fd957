"""A known notice's page answered 404 or 410: one more confirmation that it was taken down."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from changes.removal import after_check, removal_change
from ingest.recording import record_change
from ingest.report import IngestReport
from notices.model import Notice as NoticeRecord
from storage import snapshots as snapshot_store
from storage import versions as version_store
from storage.models import Notice, RawSnapshot, Source, Subscription


def process_missing_page(
    session: Session,
    snapshot: RawSnapshot,
    source: Source,
    known: Notice | None,
    *,
    subscriptions: Sequence[Subscription] | None,
    removal_threshold: int,
    report: IngestReport,
) -> None:
    """Count the answer against ``known`` (if the URL is a notice); after ``removal_threshold``
    answers in a row, record its removal."""
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
    if decision.change is None:
        return
    versions = version_store.recent_versions(session, known.id, limit=1)
    last = NoticeRecord.from_dict(versions[0].record) if versions else None
    title = last.title if last else None
    record_change(
        session,
        known,
        source,
        removal_change(decision.change, title, known.url, http_status=snapshot.status),
        from_version_id=versions[0].id if versions else None,
        to_version_id=None,
        title=title,
        subscriptions=subscriptions,
        report=report,
    )

"""A page that reads as a notice: its check, its policy, and a new version when it changed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from changes import detect
from changes.removal import after_check, removal_change
from ingest.extraction import Extraction
from ingest.policies import PolicyIndex, assign_policy
from ingest.recording import record_change
from ingest.repeals import apply_repeals
from ingest.report import IngestReport
from notices.model import Notice as NoticeRecord
from storage import snapshots as snapshot_store
from storage import versions as version_store
from storage.models import Notice, RawSnapshot, Source, Subscription


def process_notice_page(
    session: Session,
    snapshot: RawSnapshot,
    source: Source,
    known: Notice | None,
    record: NoticeRecord,
    *,
    subscriptions: Sequence[Subscription] | None,
    report: IngestReport,
    extracted: Extraction | None = None,
    policies: PolicyIndex | None = None,
) -> None:
    """Mark ``known`` (or a new notice) checked and present, diff ``record`` against its stored
    versions, and store a new version and its change when it differs."""
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
        new_policy = assign_policy(
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
        record_change(
            session,
            notice,
            source,
            detected,
            from_version_id=history[0].id if history else None,
            to_version_id=version.id,
            title=record.title,
            subscriptions=subscriptions,
            report=report,
            new_policy=new_policy,
        )
        # What this version newly says it repeals is news for the cited policies' subscribers too.
        apply_repeals(session, notice, source, previous, record, subscriptions=subscriptions, report=report)
    snapshot_store.mark_snapshot_processed(session, snapshot, page_kind=record.page_kind.value)

"""One stored snapshot, normalized and diffed in the caller's transaction: each kind of page its path."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy.orm import Session

from changes.removal import is_gone
from ingest.extraction import Extraction, extract_snapshot, is_attachment
from ingest.missing import process_missing_page
from ingest.notice import process_notice_page
from ingest.policies import PolicyIndex
from ingest.report import IngestReport
from notices.model import Notice as NoticeRecord
from notices.model import PageKind
from notices.parsers import parse_doc_number
from storage import listed as listed_store
from storage import snapshots as snapshot_store
from storage import versions as version_store
from storage.models import RawSnapshot, Source, Subscription


def process_snapshot(
    session: Session,
    snapshot: RawSnapshot,
    *,
    subscriptions: Sequence[Subscription] | None,
    removal_threshold: int,
    report: IngestReport,
    extracted: Extraction | None = None,
    policies: PolicyIndex | None = None,
) -> None:
    """Normalize and diff one snapshot in the caller's transaction.

    ``subscriptions``: the active subscriptions (None: each alert loads them). ``extracted``: what
    notices.extract made of it already (in a worker); None extracts it here. ``policies``: the
    run's policy index (see :class:`ingest.policies.PolicyIndex`); None loads one for this call.
    """
    source: Source = session.get(Source, snapshot.source_id)  # type: ignore[assignment]
    report.processed += 1

    if is_attachment(snapshot):
        # Read by URL when a notice linking it is extracted; nothing to do on its own.
        snapshot_store.mark_snapshot_processed(session, snapshot, page_kind="attachment")
        return
    known = version_store.notice_by_url(session, source.id, snapshot.url)
    if is_gone(snapshot.status):
        process_missing_page(
            session,
            snapshot,
            source,
            known,
            subscriptions=subscriptions,
            removal_threshold=removal_threshold,
            report=report,
        )
        return
    if snapshot.status != 200:
        _reject(session, snapshot, report, page_kind="error", reason=f"HTTP {snapshot.status}")
        return
    record = extracted.record if extracted is not None else extract_snapshot(session, snapshot)
    if record.page_kind != PageKind.NOTICE:
        _reject(session, snapshot, report, page_kind=record.page_kind.value, reason=_not_a_notice(record))
        return
    listed = _with_listed_metadata(session, source, snapshot.url, record)
    if listed is not record:
        record = listed
        extracted = Extraction(record, extracted.fingerprint if extracted is not None else None)
    process_notice_page(
        session,
        snapshot,
        source,
        known,
        record,
        subscriptions=subscriptions,
        report=report,
        extracted=extracted,
        policies=policies,
    )


def _with_listed_metadata(session: Session, source: Source, url: str, record: NoticeRecord) -> NoticeRecord:
    """``record`` with the 文号 and 索引号 its list row carried, where its own page shows none
    (gkmlpt's, UCAP's and IGS's JSON lists and Wuhan's script rows name them; some detail
    templates do not)."""
    if record.doc_number and record.index_number:
        return record
    doc_number, index_number = listed_store.listed_metadata(session, source.id, url)
    doc_number = record.doc_number or parse_doc_number(doc_number)
    index_number = record.index_number or index_number
    if (doc_number, index_number) == (record.doc_number, record.index_number):
        return record
    return dataclasses.replace(record, doc_number=doc_number, index_number=index_number)


def _not_a_notice(record: NoticeRecord) -> str:
    """Why a page that is not a notice was rejected: its kind, and what extraction noticed."""
    reason = f"page is {record.page_kind.value}"
    return reason + (f": {'; '.join(record.warnings)}" if record.warnings else "")


def _reject(
    session: Session, snapshot: RawSnapshot, report: IngestReport, *, page_kind: str, reason: str
) -> None:
    snapshot_store.mark_snapshot_processed(session, snapshot, page_kind=page_kind, reject_reason=reason)
    report.rejected.append((snapshot.url, reason))

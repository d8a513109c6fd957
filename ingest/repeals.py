"""Repeal by citation, in the same transaction as the notice that says it.

When a notice's text newly says that it repeals, replaces or amends earlier policies
(:func:`changes.repeals.repeal_citations`), each cited policy's notices get a high-priority change
of their own, "已废止 — 依据《…》", with the repealing notice's title, 文号, URL and sentence, and
their subscribers are alerted in the same cycle. A statement already acted on (the same repealing
notice, the same action) is not acted on again, and a site's baseline crawl marks nothing: its
archive's old repeals are history, not news.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from changes.grouping import normalize_doc_number
from changes.model import Change, ChangeKind
from changes.repeals import ACTION_LABELS, RepealAction, RepealCitation, cites, repeal_citations
from ingest.recording import record_change
from ingest.report import IngestReport
from notices.model import Notice as NoticeRecord
from storage import versions as version_store
from storage.models import Notice, NoticeVersion, Policy, Source, Subscription


def apply_repeals(
    session: Session,
    notice: Notice,
    source: Source,
    previous: NoticeRecord | None,
    record: NoticeRecord,
    *,
    subscriptions: Sequence[Subscription] | None,
    report: IngestReport,
) -> int:
    """Mark the policies ``record`` newly repeals, replaces or amends; returns how many notices."""
    if source.baseline_at is None:
        return 0
    said_before = {_key(c) for c in repeal_citations(previous)} if previous is not None else set()
    marked = 0
    for citation in repeal_citations(record):
        if _key(citation) in said_before:
            continue
        for target, policy_title in version_store.notices_of_cited_policies(
            session,
            doc_number=normalize_doc_number(citation.doc_number) or None,
            title=citation.title,
            except_policy_id=notice.policy_id,
        ):
            policy = session.get(Policy, target.policy_id) if target.policy_id is not None else None
            policy_key = policy.doc_number if policy is not None else None
            if target.id == notice.id or not cites(
                citation, policy_title=policy_title, policy_doc_key=policy_key
            ):
                continue
            if _already_marked(session, target, notice.url, citation.action):
                continue
            _mark(session, target, notice, record, citation, subscriptions=subscriptions, report=report)
            marked += 1
    return marked


def _key(citation: RepealCitation) -> tuple[str, str | None, str | None]:
    return citation.action.value, normalize_doc_number(citation.doc_number) or None, citation.title


def _already_marked(session: Session, target: Notice, by_url: str, action: RepealAction) -> bool:
    for row in version_store.changes_of_notice(session, target.id):
        mark = Change.from_dict(row.detail).extra.get("repealed_by") if row.detail else None
        if mark and mark.get("url") == by_url and mark.get("action") == action.value:
            return True
    return False


def _mark(
    session: Session,
    target: Notice,
    by: Notice,
    record: NoticeRecord,
    citation: RepealCitation,
    *,
    subscriptions: Sequence[Subscription] | None,
    report: IngestReport,
) -> None:
    latest = session.get(NoticeVersion, target.latest_version_id) if target.latest_version_id else None
    title = (latest.record.get("title") if latest is not None else None) or citation.title
    by_name = f"《{record.title}》" + (f"（{record.doc_number}）" if record.doc_number else "")
    label = ACTION_LABELS[citation.action]
    change = Change(
        kind=ChangeKind.METADATA,
        changed=True,
        priority="high",
        summary=f"{label}：依据{by_name}，{by.url}",
        fields_changed=("validity",),
        title=title,
        repealed=citation.action is RepealAction.REPEALED,
        extra={
            "repealed_by": {
                "action": citation.action.value,
                "url": by.url,
                "title": record.title,
                "doc_number": record.doc_number,
                "sentence": citation.sentence,
            }
        },
    )
    target_source = session.get(Source, target.source_id)
    assert target_source is not None
    record_change(
        session,
        target,
        target_source,
        change,
        from_version_id=target.latest_version_id,
        to_version_id=target.latest_version_id,
        title=title,
        subscriptions=subscriptions,
        report=report,
    )

"""Seed the tables the outbox reads (source, notice, version, change) — for tests and the demo."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from changes.model import Change as ChangeRecord
from notices.model import Notice as NoticeRecord
from storage.models import Change, Notice, NoticeVersion, Policy, Source


def ensure_source(session: Session, slug: str, *, name: str | None = None, region: str = "海南省") -> Source:
    source = session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        source = Source(
            slug=slug, name=name or slug, region=region, base_url=f"http://{slug}.example", flavour="trs"
        )
        session.add(source)
        session.flush()
    return source


def seed_change(
    session: Session,
    record: NoticeRecord,
    change: ChangeRecord,
    *,
    slug: str = "hainan",
    source_name: str = "海南省人民政府",
    region: str = "海南省",
    policy: Policy | None = None,
) -> Change:
    """Store ``record`` as the newest version of its notice and ``change`` against it (flushed, not committed)."""
    source = ensure_source(session, slug, name=source_name, region=region)
    notice = session.scalar(select(Notice).where(Notice.source_id == source.id, Notice.url == record.url))
    if notice is None:
        notice = Notice(source_id=source.id, url=record.url, policy_id=policy.id if policy else None)
        session.add(notice)
        session.flush()
    data = record.to_dict()
    version_no = 1 + len(
        list(session.scalars(select(NoticeVersion.id).where(NoticeVersion.notice_id == notice.id)))
    )
    version = NoticeVersion(
        notice_id=notice.id,
        version_no=version_no,
        record=data,
        content_hash=hashlib.sha256(
            json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest(),
    )
    session.add(version)
    session.flush()
    notice.latest_version_id = version.id
    row = Change(
        notice_id=notice.id,
        policy_id=notice.policy_id,
        kind=change.kind.value,
        priority=change.priority,
        to_version_id=version.id,
        summary=change.summary,
        detail=change.to_dict(),  # as ingest stores it
        alerted=change.alert_by_default,
    )
    session.add(row)
    session.flush()
    return row

"""Notices, their versions, policies and changes: the queries normalization and diffing need."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import Session

from storage.models import Change, Notice, NoticeVersion, Policy, Source, utcnow


def record_hash(record: dict[str, Any]) -> str:
    """A stable hash of a normalized record (for quick equality and audit, not for diff decisions)."""
    content = {k: v for k, v in record.items() if not k.startswith("reprocessed_")}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def notice_by_url(session: Session, source_id: int, url: str) -> Notice | None:
    return session.scalar(select(Notice).where(Notice.source_id == source_id, Notice.url == url))


def new_notice(source: Source, url: str) -> Notice:
    """A notice not yet added to the session, its status columns at their defaults, for the caller to
    fill in and add once complete (one INSERT rather than an INSERT and UPDATEs)."""
    return Notice(source_id=source.id, url=url, status="active", consecutive_missing=0)


def recent_versions(session: Session, notice_id: int, limit: int = 5) -> list[NoticeVersion]:
    """The notice's newest versions, newest first."""
    stmt = (
        select(NoticeVersion)
        .where(NoticeVersion.notice_id == notice_id)
        .order_by(NoticeVersion.version_no.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def add_version(
    session: Session,
    notice: Notice,
    record: dict[str, Any],
    *,
    snapshot_id: int | None,
    last_version_no: int | None = None,
) -> NoticeVersion:
    """The notice's next version. ``last_version_no``: its newest version number (0: none), when
    the caller has just read it in this transaction; otherwise it is looked up."""
    last_no = last_version_no
    if last_no is None:
        last_no = session.scalar(
            select(func.max(NoticeVersion.version_no)).where(NoticeVersion.notice_id == notice.id)
        )
    version = NoticeVersion(
        notice_id=notice.id,
        version_no=(last_no or 0) + 1,
        record=record,
        content_hash=record_hash(record),
        snapshot_id=snapshot_id,
    )
    session.add(version)
    session.flush()
    notice.latest_version_id = version.id
    notice.published_date = record.get("published_date")
    return version


def add_change(
    session: Session,
    notice: Notice,
    *,
    kind: str,
    priority: str,
    summary: str,
    detail: dict[str, Any],
    from_version_id: int | None,
    to_version_id: int | None,
    alerted: bool,
) -> Change:
    change = Change(
        notice_id=notice.id,
        policy_id=notice.policy_id,
        kind=kind,
        priority=priority,
        summary=summary,
        detail=detail,
        from_version_id=from_version_id,
        to_version_id=to_version_id,
        alerted=alerted,
    )
    session.add(change)
    session.flush()
    return change


def mark_checked(
    session: Session,
    notice: Notice,
    *,
    etag: str | None,
    last_modified: str | None,
    now: datetime | None = None,
) -> None:
    notice.last_checked_at = now or utcnow()
    if etag:
        notice.etag = etag
    if last_modified:
        notice.last_modified = last_modified


def find_policy(session: Session, *, doc_number: str | None, fingerprint: str | None) -> Policy | None:
    """A policy with the same doc number, or failing that the same text fingerprint."""
    conditions = []
    if doc_number:
        conditions.append(Policy.doc_number == doc_number)
    if fingerprint:
        conditions.append(Policy.fingerprint == fingerprint)
    if not conditions:
        return None
    return session.scalar(select(Policy).where(or_(*conditions)).order_by(Policy.id).limit(1))


def newest_policy_fingerprints(session: Session, limit: int) -> list[tuple[int, str]]:
    """(id, fingerprint) of the ``limit`` newest policies that have a fingerprint, oldest first."""
    stmt = (
        select(Policy.id, Policy.fingerprint)
        .where(Policy.fingerprint.is_not(None))
        .order_by(Policy.id.desc())
        .limit(limit)
    )
    return [(policy_id, print_) for policy_id, print_ in reversed(session.execute(stmt).all())]


def policy_fingerprints_after(session: Session, after_id: int) -> list[tuple[int, str | None]]:
    """(id, fingerprint) of every policy with an id above ``after_id``, oldest first."""
    stmt = select(Policy.id, Policy.fingerprint).where(Policy.id > after_id).order_by(Policy.id)
    return [(policy_id, print_) for policy_id, print_ in session.execute(stmt)]


def policy_member_sources(session: Session, from_policy_id: int = 0) -> list[tuple[int, int]]:
    """(policy id, source id) for every source publishing a policy with an id from ``from_policy_id``."""
    stmt = (
        select(Notice.policy_id, Notice.source_id)
        .where(Notice.policy_id.is_not(None), Notice.policy_id >= from_policy_id)
        .distinct()
    )
    return [(policy_id, source_id) for policy_id, source_id in session.execute(stmt)]


def create_policy(session: Session, *, doc_number: str | None, title: str, fingerprint: str | None) -> Policy:
    policy = Policy(doc_number=doc_number, title=title, fingerprint=fingerprint)
    session.add(policy)
    session.flush()
    return policy


def policy_member_sources_of(session: Session, policy_id: int) -> list[int]:
    """The source id of every notice publishing this policy."""
    return list(session.scalars(select(Notice.source_id).where(Notice.policy_id == policy_id)))


def policy_first_record(session: Session, policy_id: int) -> dict[str, Any] | None:
    """The newest record of the policy's oldest notice that has a version."""
    stmt = (
        select(NoticeVersion.record)
        .join(Notice, Notice.id == NoticeVersion.notice_id)
        .where(Notice.policy_id == policy_id)
        .order_by(Notice.id, NoticeVersion.version_no.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def policy_has_alerted_new(session: Session, policy_id: int) -> bool:
    stmt = select(func.count(Change.id)).where(
        Change.policy_id == policy_id, Change.kind == "new", Change.alerted.is_(True)
    )
    return bool(session.scalar(stmt))


def recheck_due(tiers: Sequence[tuple[str | None, datetime]]) -> Any:
    """The condition on :class:`Notice` under which a known notice is due for a recheck.

    ``tiers``: ``(published_since, checked_before)`` pairs, freshest first; a notice belongs to the
    first tier whose ``published_since`` (an ISO date) it is on or after, and the last tier
    (``published_since`` None) takes the rest, undated notices included. It is due when its last
    check is older than its tier's ``checked_before``. Removed notices stay on their tier: a
    restored notice is news too.

    Written as an OR of disjoint ranges, one per tier, dating (dated or not) and check (never, or
    before the tier's bound), so that each is a range of the ``(published_date, last_checked_at)``
    or ``(last_checked_at, published_date)`` index rather than a filter over every notice.
    """
    branches = []
    newer_than: str | None = None
    for published_since, checked_before in tiers:
        if published_since is not None:
            in_range = [Notice.published_date >= published_since]
            if newer_than is not None:
                in_range.append(Notice.published_date < newer_than)
            ages: list[Any] = [and_(*in_range)]
        elif newer_than is not None:
            ages = [Notice.published_date < newer_than, Notice.published_date.is_(None)]
        else:
            ages = [true()]
        stale = [Notice.last_checked_at.is_(None), Notice.last_checked_at < checked_before]
        branches += [and_(age, check) for age in ages for check in stale]
        newer_than = published_since
    return or_(*branches)


def mark_not_modified(
    session: Session, source_id: int, urls: Sequence[str], *, now: datetime | None = None
) -> int:
    """Record a 304 answer: the notice was checked and is unchanged (and so present)."""
    if not urls:
        return 0
    notices = session.scalars(select(Notice).where(Notice.source_id == source_id, Notice.url.in_(list(urls))))
    count = 0
    for notice in notices:
        notice.last_checked_at = now or utcnow()
        notice.consecutive_missing = 0
        if notice.status == "missing":
            notice.status = "active"
        count += 1
    return count


def notices_of_cited_policies(
    session: Session, *, doc_number: str | None, title: str | None, except_policy_id: int | None
) -> list[tuple[Notice, str]]:
    """The notices (each with its policy's title) of the policies a repeal may name: by normalized
    doc number, or whose title contains ``title`` (the caller decides which title really is it).
    Oldest first."""
    conditions = []
    if doc_number:
        conditions.append(Policy.doc_number == doc_number)
    if title:
        escaped = title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Policy.title.like(f"%{escaped}%", escape="\\"))
    if not conditions:
        return []
    stmt = select(Notice, Policy.title).join(Policy, Notice.policy_id == Policy.id).where(or_(*conditions))
    if except_policy_id is not None:
        stmt = stmt.where(Policy.id != except_policy_id)
    return [(notice, policy_title) for notice, policy_title in session.execute(stmt.order_by(Notice.id))]


def changes_of_notice(session: Session, notice_id: int) -> list[Change]:
    """Every stored change of one notice, oldest first."""
    return list(session.scalars(select(Change).where(Change.notice_id == notice_id).order_by(Change.id)))

"""Known notices to revisit: re-verified with a conditional GET, or re-derived from their snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.criteria import one_of
from storage.models import Notice, NoticeVersion, RawSnapshot, Source
from storage.versions import recheck_due


class RecheckTarget(NamedTuple):
    """What a recheck needs of one known notice: its site, its URL, its state and its validators.

    Columns, not :class:`Notice` objects: a monitor cycle over 3,000 sites reads thousands, and
    building the ORM objects cost several times the query (docs/benchmarks.md, "Hot database
    queries").
    """

    slug: str
    url: str
    status: str
    etag: str | None
    last_modified: str | None


def _targets_of_sites(site_slugs: Sequence[str], session: Session) -> Select[Any]:
    columns = (Source.slug, Notice.url, Notice.status, Notice.etag, Notice.last_modified)
    return (
        select(*columns)
        .join(Source, Source.id == Notice.source_id)
        .where(one_of(session, Source.slug, site_slugs))
    )


def notices_of_sites(session: Session, site_slugs: Sequence[str]) -> list[RecheckTarget]:
    """Every known notice of the named sites."""
    if not site_slugs:
        return []
    rows = session.execute(_targets_of_sites(site_slugs, session).order_by(Notice.id))
    return [RecheckTarget(*row) for row in rows]


def notices_due_of_sites(
    session: Session,
    site_slugs: Sequence[str],
    *,
    tiers: Sequence[tuple[str | None, datetime]],
    limit: int,
) -> list[RecheckTarget]:
    """The named sites' notices whose age tier makes them due for a recheck, least recently checked
    first (``tiers`` as :func:`storage.versions.recheck_due` takes them)."""
    if not site_slugs:
        return []
    stmt = (
        _targets_of_sites(site_slugs, session)
        .where(recheck_due(tiers))
        .order_by(Notice.last_checked_at.is_not(None), Notice.last_checked_at)
        .limit(limit)
    )
    return [RecheckTarget(*row) for row in session.execute(stmt)]


def notice_ids_of_sites(session: Session, site_slugs: Sequence[str] | None) -> list[int]:
    """The ids of every known notice of the named sites (None: of every site), in id order."""
    query = select(Notice.id).join(Source, Source.id == Notice.source_id).order_by(Notice.id)
    if site_slugs:
        query = query.where(Source.slug.in_(list(site_slugs)))
    return list(session.scalars(query))


def latest_version_with_snapshot(
    session: Session, notice_id: int
) -> tuple[Notice, NoticeVersion, RawSnapshot] | None:
    """A notice, its latest version and the raw snapshot that version was derived from, if all exist."""
    notice = session.get(Notice, notice_id)
    if notice is None or notice.latest_version_id is None:
        return None
    latest = session.get(NoticeVersion, notice.latest_version_id)
    if latest is None or latest.snapshot_id is None:
        return None
    snapshot = session.get(RawSnapshot, latest.snapshot_id)
    return None if snapshot is None else (notice, latest, snapshot)

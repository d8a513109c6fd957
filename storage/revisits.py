"""Known notices to revisit: re-verified with a conditional GET, or re-derived from their snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.criteria import one_of
from storage.models import Notice, NoticeVersion, RawSnapshot, Source
from storage.versions import notices_due_for_recheck


def _slugs_by_source_id(session: Session, site_slugs: Sequence[str]) -> dict[int, str]:
    rows = session.execute(select(Source.id, Source.slug).where(one_of(session, Source.slug, site_slugs)))
    return {source_id: slug for source_id, slug in rows}


def notices_of_sites(session: Session, site_slugs: Sequence[str]) -> list[tuple[str, Notice]]:
    """Every known notice of the named sites, each with its site's slug."""
    slugs = _slugs_by_source_id(session, site_slugs)
    if not slugs:
        return []
    notices = session.scalars(
        select(Notice).where(one_of(session, Notice.source_id, list(slugs))).order_by(Notice.id)
    )
    return [(slugs[n.source_id], n) for n in notices]


def notices_due_of_sites(
    session: Session,
    site_slugs: Sequence[str],
    *,
    tiers: Sequence[tuple[str | None, datetime]],
    limit: int,
) -> list[tuple[str, Notice]]:
    """The named sites' notices whose age tier makes them due for a recheck, each with its site's slug
    (``tiers`` as :func:`storage.versions.notices_due_for_recheck` takes them)."""
    slugs = _slugs_by_source_id(session, site_slugs)
    if not slugs:  # no source_ids would mean every source to notices_due_for_recheck
        return []
    notices = notices_due_for_recheck(
        session,
        source_ids=list(slugs),
        tiers=tiers,
        limit=limit,
    )
    return [(slugs[n.source_id], n) for n in notices]


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

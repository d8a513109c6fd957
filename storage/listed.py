"""How list pages last showed each document: a signature of the title and date in its list row.

The spider compares each list row of a known document with the signature stored here; a different
one (a corrected title, a new date on the list) means the document changed, so it is fetched again
in the same cycle instead of waiting for its recheck tier.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.criteria import one_of
from storage.models import ListedRow, utcnow


def listed_signatures(
    session: Session, source_id: int, among: Collection[str] | None = None
) -> dict[str, str]:
    """url -> signature of every list row stored for a source; ``among``: of these URLs only (the
    rows of one list page)."""
    if among is not None and not among:
        return {}
    query = select(ListedRow.url, ListedRow.signature).where(ListedRow.source_id == source_id)
    if among is not None:
        query = query.where(one_of(session, ListedRow.url, sorted(among)))
    return {url: signature for url, signature in session.execute(query)}


def record_listed(session: Session, source_id: int, signatures: Mapping[str, str]) -> None:
    """Store (insert or update) the signatures of these urls of a source."""
    if not signatures:
        return
    now = utcnow()
    existing = {
        row.url: row
        for row in session.scalars(
            select(ListedRow).where(ListedRow.source_id == source_id, ListedRow.url.in_(list(signatures)))
        )
    }
    for url, signature in signatures.items():
        row = existing.get(url)
        if row is None:
            session.add(ListedRow(source_id=source_id, url=url, signature=signature, seen_at=now))
        else:
            row.signature, row.seen_at = signature, now

"""How list pages last showed each document: a signature of the title and date in its list row.

The spider compares each list row of a known document with the signature stored here; a different
one (a corrected title, a new date on the list) means the document changed, so it is fetched again
in the same cycle instead of waiting for its recheck tier.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ListedRow, utcnow


def listed_signatures(session: Session, source_id: int) -> dict[str, str]:
    """url -> signature of every list row stored for a source."""
    rows = session.execute(select(ListedRow.url, ListedRow.signature).where(ListedRow.source_id == source_id))
    return {url: signature for url, signature in rows}


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

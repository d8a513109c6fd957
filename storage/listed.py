"""How list pages last showed each document: a signature of its list row, and the metadata the
row carried.

The spider compares each list row of a known document with the signature stored here; a different
one (a corrected title, a new date on the list) means the document changed, so it is fetched again
in the same cycle instead of waiting for its recheck tier. Some lists carry what the document's own
page may not show (the 文号 and 索引号 in gkmlpt's, UCAP's and IGS's JSON, Wuhan's script
variables); ingest reads them here for a notice whose page lacks them (:func:`listed_metadata`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NamedTuple

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


class ListedMark(NamedTuple):
    """How a list showed one document: its row's signature and the metadata the row carried."""

    signature: str
    doc_number: str | None = None  # 文号
    index_number: str | None = None  # 索引号


def record_listed(session: Session, source_id: int, marks: Mapping[str, ListedMark]) -> None:
    """Store (insert or update) how the list showed these urls of a source."""
    if not marks:
        return
    now = utcnow()
    existing = {
        row.url: row
        for row in session.scalars(
            select(ListedRow).where(ListedRow.source_id == source_id, ListedRow.url.in_(list(marks)))
        )
    }
    for url, mark in marks.items():
        row = existing.get(url)
        if row is None:
            row = ListedRow(source_id=source_id, url=url)
            session.add(row)
        row.signature, row.doc_number, row.index_number, row.seen_at = (
            mark.signature,
            mark.doc_number,
            mark.index_number,
            now,
        )


def listed_metadata(session: Session, source_id: int, url: str) -> tuple[str | None, str | None]:
    """``(doc_number, index_number)`` as the list last showed this url of a source (None: not shown)."""
    found = session.execute(
        select(ListedRow.doc_number, ListedRow.index_number).where(
            ListedRow.source_id == source_id, ListedRow.url == url
        )
    ).first()
    return (found[0], found[1]) if found is not None else (None, None)

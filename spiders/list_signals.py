"""Signals in list pages: a known document whose list row (title, date) changed is fetched again.

A corrected title or a new date on the list usually means the document was edited or re-dated;
fetching it in the same cycle shows the change within minutes instead of at its next recheck tier.
Each row's signature is stored (storage.listed), so a list that always shows a title or date unlike
the document's own costs nothing: only a change between two visits of the list counts. The first
visit of a row (a new document, or one known from before the signatures existed) only records it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from spiders.flavours.base import ListRow

_CUT_MARKS = "…."  # lists cut long titles with … or ...; the cut is stable between visits


def row_signature(row: ListRow) -> str:
    title = "".join(row.title.split()).rstrip(_CUT_MARKS)  # a template's spacing is not an edit
    return hashlib.sha1(f"{title}\x1f{row.date or ''}".encode()).hexdigest()


def changed_rows(
    rows: Iterable[ListRow], stored: dict[str, str], known: set[str]
) -> tuple[list[str], dict[str, str]]:
    """``(signalled, updates)``: known urls whose row changed since the last visit, and the new
    signatures to store (every row seen differently, or for the first time). ``stored`` is
    updated in place, so a row listed twice signals once."""
    signalled: list[str] = []
    updates: dict[str, str] = {}
    for row in rows:
        signature = row_signature(row)
        previous = stored.get(row.url)
        if previous == signature:
            continue
        if previous is not None and row.url in known:
            signalled.append(row.url)
        stored[row.url] = updates[row.url] = signature
    return signalled, updates

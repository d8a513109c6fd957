"""Signals in list pages: a known document whose list row (title, date) changed is fetched again.

A corrected title or a new date on the list usually means the document was edited or re-dated;
fetching it in the same cycle shows the change within minutes instead of at its next recheck tier.
Each row's signature is stored (storage.listed), so a list that always shows a title or date unlike
the document's own costs nothing: only a change between two visits of the list counts. The first
visit of a row (a new document, or one known from before the signatures existed) only records it.

A row that names its document's 文号 (gkmlpt, UCAP, IGS, Wuhan) signs it too: a list that renumbers
a document signals it like a corrected title. (The first visit after that was added re-signs such
rows once, and so rechecks their known documents once.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from spiders.flavours.base import ListRow
from storage.listed import ListedMark

_CUT_MARKS = "…."  # lists cut long titles with … or ...; the cut is stable between visits


def row_signature(row: ListRow) -> str:
    title = "".join(row.title.split()).rstrip(_CUT_MARKS)  # a template's spacing is not an edit
    signed = f"{title}\x1f{row.date or ''}"
    if row.doc_number:
        signed += "\x1f" + "".join(row.doc_number.split())
    return hashlib.sha1(signed.encode()).hexdigest()


def changed_rows(
    rows: Iterable[ListRow], stored: dict[str, str], known: set[str]
) -> tuple[list[str], dict[str, ListedMark]]:
    """``(signalled, updates)``: known urls whose row changed since the last visit, and how to
    store the rows seen differently, or for the first time (their signature and metadata).
    ``stored`` (url -> signature) is updated in place, so a row listed twice signals once."""
    signalled: list[str] = []
    updates: dict[str, ListedMark] = {}
    for row in rows:
        signature = row_signature(row)
        previous = stored.get(row.url)
        if previous == signature:
            continue
        if previous is not None and row.url in known:
            signalled.append(row.url)
        stored[row.url] = signature
        updates[row.url] = ListedMark(signature, row.doc_number, row.index_number)
    return signalled, updates

"""Rows of a JSON list payload, read by :mod:`notices.list_records` (the same reading as ``extract``),
with the 文号 each flavour finds in its own record fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from notices.links import PageLinks, absolute_url
from notices.list_records import items_from_json, json_payload
from sites import Site
from spiders.flavours.base import ListRow, decode

# Values the JSON CMSs write for an empty field.
_EMPTY_VALUES = {"", "null", "none", "undefined"}


def payload_of(body: bytes, content_type: str | None, site: Site) -> Any | None:
    """The decoded JSON (or JSONP) document, None when the body is not one (an error page)."""
    return json_payload(decode(body, content_type, site))


# The names lists give a document's 文号 under: JSON record keys, and Wuhan's script variables.
DOC_NUMBER_KEYS = ("filenum", "FILENUM", "fileNum", "document_number", "wh", "WH")


def record_rows(
    records: Sequence[Mapping[str, Any]],
    links: PageLinks,
    doc_number_of: Callable[[Mapping[str, Any]], str | None],
) -> list[ListRow]:
    """One row per record with a title and a URL, in payload order, with its 文号 attached."""
    doc_numbers = {}
    for record in records:
        href = next(
            (record[k] for k in ("url", "URL", "DOCPUBURL", "puburl") if isinstance(record.get(k), str)), None
        )
        target = absolute_url(links.base, href) if href else None
        if target is not None:
            doc_numbers[target] = doc_number_of(record)
    return [
        ListRow(
            url=item.url,
            title=item.title,
            date=item.date.isoformat() if item.date else None,
            doc_number=doc_numbers.get(item.url),
        )
        for item in items_from_json(list(records), links)
    ]


def present(value: Any) -> str | None:
    """``value`` as text, None for the CMSs' spellings of "no value" ("null", "undefined", "")."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in _EMPTY_VALUES else text


def with_query(url: str, **values: object) -> str:
    """``url`` with the query keys ``values`` set, the others kept in their order."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in values.items()})
    return urlunsplit(parts._replace(query=urlencode(query, safe="[],")))

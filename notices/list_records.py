"""Lists held as records: a JSON (or JSONP) response saved as a file, or an array of records in a
page's script. Each record with a title and a URL is one list item."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from notices.links import PageLinks
from notices.model import ListItem
from notices.parsers import parse_date
from notices.text import MARKUP_RE, cjk_count, clean_line

MAX_NEXT_PAGES = 200
CHINA = timezone(timedelta(hours=8))
DATE_IN_ROW_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)"
)
SKIP_HREF_RE = re.compile(r"^\s*(?:javascript:|#|mailto:|tel:|about:)", re.I)
# Many columns show a row's date without its year, last in the row: [05-13], 05/13, 5月13日.
MONTH_DAY_AT_END_RE = re.compile(r"(?<![\d/.年-])(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*[\])）】]?\s*$")
# The year a detail URL is filed under: /202405/, t20240513_, /2024/5/13/, /2024-05/.
_URL_YEAR_MONTH_RE = re.compile(r"(?<!\d)(20\d{2})(?:[/-]?)(\d{1,2})(?=[/_-]|\d{2}_)")

# Field names in JSON list payloads, most specific first.
_TITLE_KEYS = (
    "title",
    "FILENAME",
    "WJMC",
    "TITLE",
    "Title",
    "BT",
    "bt",
    "DOCTITLE",
    "docTitle",
    "doctitle",
    "articleTitle",
    "showTitle",
    "name",
    "NAME",
)
_URL_KEYS = (
    "url",
    "URL",
    "Url",
    "DOCPUBURL",
    "docPubUrl",
    "docpuburl",
    "post_url",
    "link",
    "LINK",
    "href",
    "urls",
    "pcUrl",
    "linkUrl",
    "LinkUrl",
    "chnldocurl",
    "DOCURL",
    "puburl",
    "PUBURL",
)
_DATE_KEYS = (
    "pubDate",
    "publishedTimeStr",
    "publishedTime",
    "pubdate",
    "PUBDATE",
    "publishTime",
    "publish_time",
    "PUBLISHED_TIME_FORMAT",
    "publishedTime",
    "publishDate",
    "publish_date",
    "date",
    "DATE",
    "ZXSJ",
    "zxsj",
    "docreltime",
    "DOCRELTIME",
    "releaseTime",
    "create_time",
    "createTime",
    "created_at",
    "time",
    "fbrq",
    "FBRQ",
    "CWRQ",
    "cwrq",
    "PUBTIME",
    "pubtime",
    "dates",
)


def items_from_scripts(root: etree._Element, links: PageLinks) -> Iterator[ListItem]:
    """The longest array of records (objects with a title and a URL) in the page's scripts."""
    best: list[ListItem] = []
    for script in root.iter("script"):
        code = script.text or ""
        if "[" not in code or (script.get("type") or "").endswith("template"):
            continue
        for array in _json_arrays(code):
            items = list(_items_from_records(array, links))
            if len(items) > len(best):
                best = items
    yield from best


def _json_arrays(code: str) -> Iterator[list[Any]]:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\[\s*\{", code):
        try:
            value, _end = decoder.raw_decode(code, match.start())
        except (ValueError, RecursionError):  # RecursionError: arrays nested past Python's limit
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            yield value


# ------------------------------------------------------------------------------------------- JSON


def is_json_document(text: str) -> bool:
    """Whether the page is a JSON (or JSONP) document rather than HTML."""
    return json_payload(text) is not None


def json_payload(text: str) -> Any | None:
    stripped = text.strip().lstrip("\ufeff")
    jsonp = re.match(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", stripped, re.S)
    if jsonp:
        stripped = jsonp.group(1)
    if stripped[:1] not in ("{", "["):
        return None
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):  # RecursionError: a document nested past Python's limit
        return None


def html_fragment(payload: Any, depth: int = 0) -> str | None:
    """The list markup a JSON answer carries in a field of its own (Hanweb's jpaas gateway:
    ``{"data": {"html": "<li><a …>…</a><b>date</b></li>…"}}``): the longest string value holding
    links, or None."""
    best: str | None = None
    values = payload.values() if isinstance(payload, dict) else payload if isinstance(payload, list) else ()
    for value in values if depth < 4 else ():
        found = value if isinstance(value, str) and "<a " in value else html_fragment(value, depth + 1)
        if found is not None and (best is None or len(found) > len(best)):
            best = found
    return best


_PAGER_COUNT = re.compile(r"<div\b[^>]*\bclass=[\"']?pagination\b[^>]*\bcount=[\"']?(\d+)", re.I)


def fragment_total(fragment: str) -> int | None:
    """The record count a list fragment's pager states (jpaas: ``<div class="pagination" count="T" …>``)."""
    match = _PAGER_COUNT.search(fragment)
    return int(match.group(1)) if match else None


def json_cms(payload: Any) -> str | None:
    if isinstance(payload, dict):
        if "articles" in payload and "classify" in payload:
            return "gkmlpt"
        if isinstance(payload.get("page"), dict) and "content" in payload["page"]:
            return "igs"
    return None


def _record_lists(value: Any, depth: int = 0) -> Iterator[list[dict[str, Any]]]:
    if depth > 6:
        return
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            yield value
        for child in value[:50]:
            yield from _record_lists(child, depth + 1)
    elif isinstance(value, dict):
        for child in value.values():
            yield from _record_lists(child, depth + 1)


def items_from_json(payload: Any, links: PageLinks) -> list[ListItem]:
    best: list[ListItem] = []
    for records in _record_lists(payload):
        items = list(_items_from_records(records, links))
        if len(items) > len(best):
            best = items
    return best


def _pick(record: Mapping[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _record_url(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().startswith("{"):
        try:  # new Hanweb keeps {"pc": "...", "mobile": "..."} as a string
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict):
        value = value.get("pc") or next((v for v in value.values() if isinstance(v, str) and v), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _record_date(value: Any) -> date | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit() and len(value) >= 10):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC).astimezone(CHINA).date()
        except (OverflowError, OSError, ValueError):
            return None
    match = DATE_IN_ROW_RE.search(str(value))
    return parse_date(match.group(0)) if match else None


def _items_from_records(records: Sequence[Mapping[str, Any]], links: PageLinks) -> Iterator[ListItem]:
    for record in map(_with_nested_fields, records):
        raw_title = _pick(record, _TITLE_KEYS)
        url = _record_url(_pick(record, _URL_KEYS))
        if not isinstance(raw_title, str) or not url or SKIP_HREF_RE.match(url):
            continue
        title = clean_line(MARKUP_RE.sub("", raw_title))
        absolute = links.url(url) if cjk_count(title) >= 2 else None
        if absolute is not None:
            yield ListItem(absolute, title, _record_date(_pick(record, _DATE_KEYS)))


def _with_nested_fields(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record with the fields of its sub-objects where it lacks them: some search services
    keep a row's title and date one level down (Jilin's govsearch: ``{"puburl": …, "tip":
    {"title": …, "dates": …, "filenum": …}}``)."""
    nested = [value for value in record.values() if isinstance(value, dict)]
    if not nested:
        return record
    merged = dict(record)
    for value in nested:
        for key, field in value.items():
            merged.setdefault(key, field)
    return merged


def next_from_json(payload: Any, url: str, count: int) -> Iterator[str]:
    if not isinstance(payload, dict) or not count:
        return
    total = _total(payload)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    key = next(
        (
            k
            for k in (
                "page",
                "pageNo",
                "pageNum",
                "pageNumber",
                "pageIndex",
                "curPage",
                "currpage",
                "page_no",
            )
            if k in query
        ),
        None,
    )
    if key is None or total is None:
        return
    try:
        current = int(query[key])
    except ValueError:
        return
    size = int_field(query.get("_pageSize") or query.get("pageSize") or query.get("rows")) or count
    pages = _total(payload, keys=("totalPages", "pageCount", "totalPage")) or -(-total // max(size, 1))
    for page in range(current + 1, min(pages, current + MAX_NEXT_PAGES) + 1):
        query[key] = str(page)
        yield urlunsplit(parts._replace(query=urlencode(query)))


TOTAL_KEYS = (
    "total",
    "totalCount",
    "total_count",
    "totalRecord",
    "totalElements",
    "count",
    "post_count",
    "recordCount",
)


def _total(payload: Mapping[str, Any], depth: int = 0, keys: tuple[str, ...] = TOTAL_KEYS) -> int | None:
    """The first of ``keys`` holding a count, at any depth (some platforms send it as a string)."""
    for key in keys:
        value = int_field(payload.get(key))
        if value is not None:
            return value
    for child in payload.values() if depth < 6 else ():
        if isinstance(child, dict):
            found = _total(child, depth + 1, keys)
            if found is not None:
                return found
    return None


def int_field(value: Any) -> int | None:
    """An integer the payload may send as a number or as a string ("total": "42")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def row_date(text: str, url: str | None = None) -> date | None:
    """The date a list row shows: a whole one anywhere in ``text``, else a month and day that end
    it, in the year its detail ``url`` is filed under (a row dated [05-13] that links
    …/202405/t20240513_1.html); None when the year cannot be known."""
    whole = DATE_IN_ROW_RE.search(text)
    if whole:
        return parse_date(whole.group(0))
    short = MONTH_DAY_AT_END_RE.search(text)
    if short is None or url is None:
        return None
    month, day = int(short.group(1)), int(short.group(2))
    for filed in _URL_YEAR_MONTH_RE.finditer(urlsplit(url).path):
        if int(filed.group(2)) == month:
            try:
                return date(int(filed.group(1)), month, day)
            except ValueError:
                return None
    return None

"""List pages: the document links a list holds, the pages after it, and the CMS family it came from.

Pure and site-agnostic: any list the crawler meets (a static TRS column, a Hanweb ``<datastore>``
block, a list kept in a JavaScript variable, a gkmlpt / UCAP / IGS JSON response saved as a file)
gives the same :class:`Listing`. Site files may say more (``spiders/flavours``); this needs nothing
but the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from notices.model import Listing, ListItem
from notices.parsers import parse_date
from notices.text import cjk_count, clean_line

MAX_NEXT_PAGES = 200
CHINA = timezone(timedelta(hours=8))

_DATE_IN_ROW_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)"
)
_SKIP_HREF_RE = re.compile(r"^\s*(?:javascript:|#|mailto:|tel:|about:)", re.I)
# Containers whose links are site chrome, never the list: a class or id token that is, or starts
# with, one of these words ("footer", "top-nav", "sidebar_links"; not "margin-top-15").
_CHROME_WORDS = frozenset(
    [
        "nav",
        "navbar",
        "menu",
        "header",
        "head",
        "top",
        "footer",
        "foot",
        "bottom",
        "crumb",
        "crumbs",
        "breadcrumb",
        "position",
        "location",
        "weizhi",
        "friend",
        "friendlink",
        "yqlj",
        "links",
        "link",
        "share",
        "qrcode",
        "sidebar",
        "side",
        "leftnav",
        "leftmenu",
        "tabhead",
        "search",
    ]
)
_ATTACHMENT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|zip|rar|ofd|jpe?g|png|gif)(?:$|\?)", re.I)
_NEXT_TEXT_RE = re.compile(r"^\s*(?:下一页|下页|后一页|下一頁|next\s*page|next|›|»|>)\s*$", re.I)
_PAGE_EXTS = ("shtml", "html", "htm", "jhtml", "jsp", "php", "aspx")

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
)
_DATE_KEYS = (
    "pubDate",
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
)


# CMS families, each recognised by cues in the page or its URL (see docs/flavours.md): a strong cue
# (the family's own list machinery) counts three times a weak one (a URL shape or a class name, which
# links to other sites and copied templates also carry).
def _cues(strong: str, weak: str | None = None) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    return re.compile(strong, re.I), re.compile(weak, re.I) if weak else None


_CMS_CUES: tuple[tuple[str, tuple[re.Pattern[str], re.Pattern[str] | None]], ...] = (
    ("gkmlpt", _cues(r"/gkmlpt/|\"post_count\"", r"gkmlpt")),
    ("hanweb_jpaas", _cues(r"jpaas|api-gateway/")),
    (
        "hanweb",
        _cues(
            r"<datastore>|/module/(?:web/)?jpage/|dataproxy\.jsp",
            r"/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_",
        ),
    ),
    ("ucap", _cues(r"_isJson=|/common/search/|<ucap|ucapcontent", r"/es-search/")),
    ("igs", _cues(r"/igs/front/")),
    ("ilist", _cues(r"iList\.jsp")),
    ("shanghai", _cues(r"ivs_content|ivs_title|ivs_date", r"\buli16\b|\bnowrapli\b|/assets/js/ETUI/")),
    ("anhui", _cues(r"/site/tpl/|/site/label/", r"/content/column/|class=\"?doc_list|pageIndex=")),
    ("epoint", _cues(r"ewb-|epoint", r"/001/001\d{3}/")),
    ("nfcms", _cues(r"NFCMS")),
    ("trs", _cues(r"createPageHTML|createPage\s*\(", r"TRS_|_trs_|/t\d{8}_\d+\.s?html|CurrChnlCls")),
)
# Site-search widgets say which vendor runs the search box, not the CMS: used only when nothing else fits.
_SEARCH_CUES: tuple[tuple[str, tuple[re.Pattern[str], re.Pattern[str] | None]], ...] = (
    ("hanweb", _cues(r"jsearchfront|jrobot")),
    ("ucap", _cues(r"guestweb4")),
    ("trs", _cues(r"was5/web/search|trs-search")),
)


def recognise_cms(text: str, url: str = "") -> str | None:
    """The CMS family whose cues the page (or its URL) carries most, or None."""
    probe = url + "\n" + text[:400_000]
    for cues in (_CMS_CUES, _SEARCH_CUES):
        best: tuple[int, int, str] | None = None
        for rank, (name, (strong, weak)) in enumerate(cues):
            hits = 3 * len(strong.findall(probe)) + (len(weak.findall(probe)) if weak else 0)
            if hits and (best is None or (hits, -rank) > (best[0], best[1])):
                best = (hits, -rank, name)
        if best:
            return best[2]
    return None


def parse_listing(text: str, url: str, root: etree._Element | None = None) -> Listing:
    """The list a page holds. ``text`` is the decoded page (HTML, XML or JSON), ``root`` its parsed
    tree when the caller has it."""
    cms = recognise_cms(text, url)
    payload = _json_payload(text)
    if payload is not None:
        rows = tuple(_dedupe(_items_from_json(payload, url)))
        return Listing(
            rows, tuple(_next_from_json(payload, url, len(rows))), _json_cms(payload) or cms, "json"
        )
    if root is None:
        root = _parse(text)
    base = _base_url(root, url)
    records = re.findall(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", text, re.S | re.I)
    items: list[ListItem] = list(_items_from_fragments(records, base)) if records else []
    how = "datastore"
    if not items and root is not None:
        # The rows may be in the markup, in a script's array, or in a comment the script draws
        # from; a script may hold a menu too, so the best-scoring source wins.
        hidden = [c.text for c in root.iter(etree.Comment) if c.text and "<a" in c.text]
        commented = _parse("<div>" + "".join(hidden) + "</div>") if hidden else None
        sources = [
            ("html", _items_from_html(root, base)),
            ("script", list(_items_from_scripts(root, base))),
            ("comment", _items_from_html(commented, base) if commented is not None else []),
        ]
        how, items = max(sources, key=lambda source: _score(source[1]))
    return Listing(tuple(_dedupe(items)), tuple(_next_pages(text, root, url, base)), cms, how)


# ------------------------------------------------------------------------------------------ HTML


def _parse(text: str) -> etree._Element | None:
    try:
        return lxml.html.document_fromstring(text) if text.strip() else None
    except (etree.ParserError, ValueError):
        return None


def _base_url(root: etree._Element | None, url: str) -> str:
    if root is not None:
        for base in root.iter("base"):
            href = (base.get("href") or "").strip()
            if href:
                return urljoin(url, href)
    return url


def _text(element: etree._Element) -> str:
    return clean_line(" ".join(element.itertext()))


def _link_title(anchor: etree._Element) -> str:
    shown = _text(anchor)
    full = clean_line(anchor.get("title") or "")
    # Lists cut long titles ("关于印发…的通…"); the title attribute keeps the whole one.
    if full and (
        not shown
        or shown.endswith(("...", "…", ".."))
        or (len(full) > len(shown) and full.startswith(shown[:4]))
    ):
        return full
    return shown


def _row_of(anchor: etree._Element) -> etree._Element:
    node = anchor
    for _ in range(4):
        parent = node.getparent()
        if parent is None:
            break
        node = parent
        if node.tag in ("li", "tr", "dd", "dt", "p") or len(_text(node)) > 40:
            break
    return node


def _signature(row: etree._Element) -> tuple[str, ...]:
    parts = []
    node: etree._Element | None = row
    for _ in range(3):
        if node is None or not isinstance(node.tag, str):
            break
        parts.append(f"{node.tag}.{(node.get('class') or '').strip()}")
        node = node.getparent()
    return tuple(parts)


def _in_chrome(element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None and isinstance(node.tag, str):
        if node.tag in ("nav", "header", "footer", "select", "option"):
            return True
        tokens = f"{node.get('class') or ''} {node.get('id') or ''}".lower().split()
        if any(re.split(r"[-_]", token, maxsplit=1)[0] in _CHROME_WORDS for token in tokens):
            return True
        node = node.getparent()
    return False


def _row_date(row: etree._Element, anchor: etree._Element | None = None) -> date | None:
    """The date a row shows beside its link (a date inside the title is not the row's date)."""
    text = _text(row)
    if anchor is not None:
        text = text.replace(_text(anchor), " ", 1)
    match = _DATE_IN_ROW_RE.search(text)
    return parse_date(match.group(0)) if match else None


def _items_from_html(root: etree._Element, base: str) -> list[ListItem]:
    groups: dict[tuple[str, ...], list[tuple[ListItem, etree._Element]]] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or _SKIP_HREF_RE.match(href):
            continue
        title = _link_title(anchor)
        if cjk_count(title) < 5 or len(title) > 200:
            continue
        row = _row_of(anchor)
        if len(_text(row)) > 300:
            continue
        item = ListItem(urljoin(base, href), title, _row_date(row, anchor))
        groups.setdefault(_signature(row), []).append((item, anchor))
    best: list[tuple[ListItem, etree._Element]] = []
    best_score = 0.0
    for members in groups.values():
        clean = [(item, a) for item, a in members if not _in_chrome(a)]
        if len(clean) < 2:
            continue
        score = _score([item for item, _ in clean])
        if score > best_score:
            best, best_score = clean, score
    return [item for item, _ in best]


def _score(items: Sequence[ListItem]) -> float:
    """How much a group of links looks like the page's list: many rows, most of them dated."""
    if not items:
        return 0.0
    dated = sum(1 for item in items if item.date is not None)
    return len(items) * (1.0 + dated / len(items)) + (3 if dated >= 2 else 0)


def _items_from_fragments(fragments: Sequence[str], base: str) -> Iterator[ListItem]:
    for fragment in fragments:
        root = _parse(f"<div>{fragment}</div>")
        if root is None:
            continue
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            title = _link_title(anchor)
            if href and not _SKIP_HREF_RE.match(href) and cjk_count(title) >= 2:
                yield ListItem(urljoin(base, href), title, _row_date(root, anchor))
                break


# ---------------------------------------------------------------------------------------- scripts


def _items_from_scripts(root: etree._Element, base: str) -> Iterator[ListItem]:
    """The longest array of records (objects with a title and a URL) in the page's scripts."""
    best: list[ListItem] = []
    for script in root.iter("script"):
        code = script.text or ""
        if "[" not in code or (script.get("type") or "").endswith("template"):
            continue
        for array in _json_arrays(code):
            items = list(_items_from_records(array, base))
            if len(items) > len(best):
                best = items
    yield from best


def _json_arrays(code: str) -> Iterator[list[Any]]:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\[\s*\{", code):
        try:
            value, _end = decoder.raw_decode(code, match.start())
        except ValueError:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            yield value


# ------------------------------------------------------------------------------------------- JSON


def is_json_document(text: str) -> bool:
    """Whether the page is a JSON (or JSONP) document rather than HTML."""
    return _json_payload(text) is not None


def _json_payload(text: str) -> Any | None:
    stripped = text.strip().lstrip("\ufeff")
    jsonp = re.match(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", stripped, re.S)
    if jsonp:
        stripped = jsonp.group(1)
    if stripped[:1] not in ("{", "["):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _json_cms(payload: Any) -> str | None:
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


def _items_from_json(payload: Any, base: str) -> list[ListItem]:
    best: list[ListItem] = []
    for records in _record_lists(payload):
        items = list(_items_from_records(records, base))
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
    match = _DATE_IN_ROW_RE.search(str(value))
    return parse_date(match.group(0)) if match else None


def _items_from_records(records: Sequence[Mapping[str, Any]], base: str) -> Iterator[ListItem]:
    for record in records:
        raw_title = _pick(record, _TITLE_KEYS)
        url = _record_url(_pick(record, _URL_KEYS))
        if not isinstance(raw_title, str) or not url or _SKIP_HREF_RE.match(url):
            continue
        title = clean_line(re.sub(r"<[^>]+>", "", raw_title))
        if cjk_count(title) < 2:
            continue
        yield ListItem(urljoin(base, url), title, _record_date(_pick(record, _DATE_KEYS)))


def _next_from_json(payload: Any, url: str, count: int) -> Iterator[str]:
    if not isinstance(payload, dict) or not count:
        return
    total = _total(payload)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    key = next(
        (
            k
            for k in ("page", "pageNo", "pageNum", "pageIndex", "curPage", "currpage", "page_no")
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
    size = int(query.get("_pageSize") or query.get("pageSize") or query.get("rows") or count)
    pages = -(-total // max(size, 1))
    for page in range(current + 1, min(pages, current + MAX_NEXT_PAGES) + 1):
        query[key] = str(page)
        yield urlunsplit(parts._replace(query=urlencode(query)))


def _total(payload: Mapping[str, Any]) -> int | None:
    for key in (
        "total",
        "totalCount",
        "total_count",
        "totalRecord",
        "totalElements",
        "count",
        "post_count",
        "recordCount",
    ):
        value = payload.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    for child in payload.values():
        if isinstance(child, dict):
            found = _total(child)
            if found is not None:
                return found
    return None


# ----------------------------------------------------------------------------------- pagination

_CREATE_PAGE_RE = re.compile(r"createPage(?:HTML)?\s*\(([^()]*)\)")
_PAGINATION_PLUGIN_RE = re.compile(r"\.pagination\(\s*\{[^}]*?totalPage\s*:\s*(\d+)", re.S)
_PLUGIN_CURRENT_RE = re.compile(r"\.pagination\(\s*['\"]setPage['\"]\s*,\s*(\d+)")
_PAGE_VARS_RE = re.compile(r"(?:var\s+)?(?:pageCount|countPage|totalPage|_nPageCount)\s*=\s*(\d+)", re.I)


def _next_pages(text: str, root: etree._Element | None, url: str, base: str) -> Iterator[str]:
    seen: set[str] = set()
    for candidate in _pager_pages(text, url):
        if candidate not in seen and candidate != url:
            seen.add(candidate)
            yield candidate
    if root is None:
        return
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if (
            href
            and not _SKIP_HREF_RE.match(href)
            and _NEXT_TEXT_RE.match(_text(anchor) or anchor.get("title") or "")
        ):
            candidate = urljoin(base, href)
            if candidate not in seen and candidate != url:
                seen.add(candidate)
                yield candidate


def _pager_pages(text: str, url: str) -> Iterator[str]:
    """The pages a TRS-style pager call implies: ``createPageHTML(count, current, "index", "html")``
    or ``createPageHTML('page_div', count, current, 'index', 'shtml', total)``; page 0 is
    ``index.html``, page k is ``index_k.html``."""
    for match in _CREATE_PAGE_RE.finditer(text):
        args = [a.strip().strip("'\"") for a in match.group(1).split(",")]
        numbers = [int(a) for a in args if re.fullmatch(r"\d+", a)]
        words = [a for a in args if a and not re.fullmatch(r"\d+", a)]
        ext = next((w for w in words if w.lower() in _PAGE_EXTS), None)
        if len(numbers) < 2 or ext is None:
            continue
        prefix = words[words.index(ext) - 1] if words.index(ext) > 0 else "index"
        count, current = numbers[0], numbers[1]
        if args and not re.fullmatch(r"\d+", args[0]) and current >= 1:
            current -= 1  # the element-id form counts pages from 1 on the real sites seen
        yield from _trs_pages(url, prefix, ext, count, current)
        return
    plugin = _PAGINATION_PLUGIN_RE.search(text)
    if plugin:
        # jQuery pagination ({totalPage: N}, "setPage", current, N): page i is <name>_i.<ext>, page 1
        # the column's own page.
        shown = _PLUGIN_CURRENT_RE.search(text)
        first = int(shown.group(1)) if shown else 1
        stem, _, ext = (urlsplit(url).path.rsplit("/", 1)[-1] or "index.html").rpartition(".")
        for page in range(first + 1, min(int(plugin.group(1)), first + MAX_NEXT_PAGES) + 1):
            yield urljoin(url, f"{stem or 'index'}_{page}.{ext or 'html'}")
        return
    variables = _PAGE_VARS_RE.search(text)
    if variables:
        name = re.search(r"pageName\s*=\s*['\"]([\w-]+)['\"]", text)
        suffix = re.search(r"pageExt\s*=\s*['\"](\w+)['\"]", text)
        yield from _trs_pages(
            url,
            name.group(1) if name else "index",
            suffix.group(1) if suffix else "html",
            int(variables.group(1)),
            0,
        )


def _trs_pages(url: str, prefix: str, ext: str, count: int, current: int) -> Iterator[str]:
    for page in range(current + 1, min(count, current + 1 + MAX_NEXT_PAGES)):
        yield urljoin(url, f"{prefix}_{page}.{ext}")


def _dedupe(items: Sequence[ListItem]) -> Iterator[ListItem]:
    seen: set[str] = set()
    for item in items:
        if item.url not in seen and not _ATTACHMENT_RE.search(urlsplit(item.url).path):
            seen.add(item.url)
            yield item

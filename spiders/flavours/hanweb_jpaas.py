"""The ``hanweb_jpaas`` list parser; :class:`HanwebJpaasFlavour` documents the flavour."""

from __future__ import annotations

import ast
import html
import json
import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from notices.links import PageLinks
from notices.list_records import int_field
from sites import Site
from spiders.flavours.base import Flavour, ListPage, PageRequest, decode, html_rows
from spiders.flavours.records import payload_of

UNIT_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DEFAULT_ROWS = 15
# The gateway's query keys, and the site ``params`` that may set them.
_PARAM_KEYS = {
    "web_id": "webId",
    "page_id": "pageId",
    "tpl_set_id": "tplSetId",
    "tag_id": "tagId",
    "rows": "rows",
}
_QUERY_DATA = re.compile(r"""querydata\s*=\s*(["'])(\{.*?\})\1""", re.I | re.S)
_UNIT_URL = re.compile(r"""\b(?:unit)?url\s*=\s*["']([^"']*jpaas-publish-server[^"']*)["']""", re.I)
_COUNT = re.compile(r"""\bcount["']?\s*[=:]\s*["']?(\d+)""", re.I)
_ROWS = re.compile(r"""\brows["']?\s*[=:]\s*["']?(\d+)""", re.I)
_PAGE_NO = re.compile(r"""\bpageno["']?\s*[=:]\s*["']?(\d+)""", re.I)


def unit_query(text: str) -> dict[str, str]:
    """The gateway parameters a column page declares: the ``queryData`` of its ``unitbuild.js`` script
    (or of its pagination block), a JSON-like object written with single quotes."""
    found: dict[str, str] = {}
    for _quote, written in _QUERY_DATA.findall(text):
        literal = html.unescape(written)
        try:
            data = json.loads(literal)
        except ValueError:
            try:
                data = ast.literal_eval(literal)
            except (ValueError, SyntaxError):
                continue
        if isinstance(data, dict):
            for key, value in data.items():
                found.setdefault(str(key), str(value))
    return found


def is_unit_url(url: str) -> bool:
    return urlsplit(url).path.endswith(UNIT_PATH)


class HanwebJpaasFlavour(Flavour):
    """hanweb_jpaas — Hanweb's newer jpaas publishing gateway (Hangzhou, Zhejiang departments, MIIT, MOHURD).

    A column page ``col/col<pageId>/index.html`` (or any static column page) carries a script
    ``<script src="…/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-server/front/page/build/unit"
    queryData="{'webId':'…','pageId':'…','tplSetId':'…','tagId':'…','parseType':'bulidstatic','pageType':'column','editType':'null'}">``;
    the browser GETs that gateway with the ``queryData`` fields plus ``rows=S&pageNo=N`` (``pageNo`` from 1;
    some sites send ``paramJson={"pageNo":N,"pageSize":S}`` instead). The answer is JSON,
    ``{"success": true, "code": "200", "data": {"html": "…"}}``, whose ``html`` is the rows
    (``<li><a href="/art/YYYY/M/D/art_<col>_<id>.html" title="…">…</a><b>YYYY-MM-DD</b></li>``, the date in a
    ``<b>`` or ``<span>``) followed by a pagination block ``<div class="pagination" count="T" rows="S" pageNo="N"
    unitUrl="…" queryData="…">``. Pages run while ``N * S < T``; past the last page the list is empty.

    ``list_urls`` may name the gateway request itself (the spider pages it by ``pageNo`` or ``paramJson``), or
    the column page: the spider reads ``queryData`` there (the site's ``params`` ``web_id``, ``page_id``,
    ``tpl_set_id``, ``tag_id``, ``rows`` win when given) and counts rows the static page already shows as
    page 1; from a column page the spider asks with ``rows`` and ``pageNo`` (for a site that pages by ``paramJson``,
    name its gateway request in ``list_urls``). A ``pageNo`` in the answer that is not the one asked for (the gateway serves page 1 to some
    clients whatever they ask) ends the walk. A ``"success": false`` answer has no rows, so the spider
    reports it. Site ``selectors``: ``list_row`` (default ``li``), ``list_date`` (default
    ``b::text, span::text``). Details: ``art/YYYY/M/D/art_<col>_<id>.html``, or ``…/art/YYYY/art_<hex>.html``.

    Evidence: hulelan/china-governance ``crawlers/hangzhou.py`` (the query, ``data.html``, ``<b>`` dates, ``count``;
    page 1 served whatever ``pageNo`` says to overseas clients) and ``crawlers/zhejiang.py`` (page 1 in the column
    page, the pagination div's attributes); DIYgod/RSSHub ``gov/mohurd/policy.ts`` (``unitbuild.js`` ``url`` and
    ``querydata``); MIIT and Huzhou crawler code (``paramJson``, ``success``/``code``, an empty page past the last).
    """

    name = "hanweb_jpaas"
    default_detail_pattern = r"/art/\d{4}/(?:\d{1,2}/\d{1,2}/)?art_\w+\.html$"

    def first_requests(self, site: Site) -> list[PageRequest]:
        # A column page is page 0: its static rows, when it shows any, are page 1.
        return [
            PageRequest(url=url, page_no=_page_of(url) or 1)
            if is_unit_url(url)
            else PageRequest(url=url, page_no=0)
            for url in site.absolute_list_urls()
        ]

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        if is_unit_url(url):
            payload = payload_of(body, content_type, site)
            answer = payload if isinstance(payload, dict) else {}
            data = answer.get("data")
            fragment = data.get("html") if isinstance(data, dict) else None
            if not isinstance(fragment, str) or answer.get("success") is False:
                # Not the gateway's answer (an error page): no rows, so the spider reports it.
                return ListPage()
            return self._read(site, request.page_no or 1, url, fragment, url)
        return self._column(site, request, url, decode(body, content_type, site))

    def _column(self, site: Site, request: PageRequest, url: str, text: str) -> ListPage:
        query = unit_query(text)
        query.update({_PARAM_KEYS[k]: str(v) for k, v in site.params.items() if k in _PARAM_KEYS})
        gateway = _UNIT_URL.search(text)
        endpoint = urljoin(url, gateway.group(1) if gateway else UNIT_PATH)
        if not {"webId", "pageId"} <= query.keys() or not is_unit_url(endpoint):
            return ListPage()  # neither the page nor params say which unit draws the rows
        query.setdefault("parseType", "bulidstatic")
        query.setdefault("pageType", "column")
        query.setdefault("rows", _first(_ROWS, _pager(Selector(text=text), "")) or str(DEFAULT_ROWS))
        first_data = urlunsplit(urlsplit(endpoint)._replace(query=urlencode({**query, "pageNo": 1})))
        page = self._read(site, 1, url, text, first_data)
        pattern = self.detail_pattern(site)
        if any(pattern is None or pattern.search(row.url) for row in page.rows):
            return page  # the static page is page 1; its next request is the gateway's page 2
        return ListPage(next_request=PageRequest(url=first_data, page_no=1), shell=True)

    def _read(self, site: Site, page_no: int, url: str, fragment: str, unit_url: str) -> ListPage:
        selector = Selector(text=fragment)
        links = PageLinks(url)
        rows = html_rows(
            selector,
            url,
            site.selectors.get("list_row", "li"),
            site.selectors.get("list_date", "b::text, span::text"),
            links,
        )
        pager = _pager(selector, fragment)
        total = int_field(_first(_COUNT, pager))
        size = int_field(_first(_ROWS, pager)) or _page_size(unit_url) or len(rows) or DEFAULT_ROWS
        shown = int_field(_first(_PAGE_NO, pager))
        total_pages = max(1, math.ceil(total / size)) if total is not None else None
        more = page_no < total_pages if total_pages is not None else bool(rows)
        next_request = None
        if rows and more and (shown is None or shown == page_no):
            next_request = PageRequest(url=_with_page(unit_url, page_no + 1), page_no=page_no + 1)
        return ListPage(
            rows=rows,
            next_request=next_request,
            total_pages=total_pages,
            malformed_links=tuple(links.warnings()),
        )


def _pager(selector: Selector, default: str) -> str:
    """The markup of the pagination block (its ``count``, ``rows``, ``pageNo``), else ``default``."""
    return " ".join(selector.css(".pagination").getall()) or default


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _param_json(query: dict[str, str]) -> dict[str, object] | None:
    try:
        value = json.loads(query.get("paramJson", ""))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _page_of(url: str) -> int | None:
    query = _query(url)
    paged = _param_json(query)
    return int_field(paged.get("pageNo")) if paged is not None else int_field(query.get("pageNo"))


def _page_size(url: str) -> int | None:
    query = _query(url)
    paged = _param_json(query)
    if paged is not None:
        return int_field(paged.get("pageSize"))
    return int_field(query.get("rows") or query.get("pageSize"))


def _with_page(url: str, page: int) -> str:
    """``url`` asking for page ``page``: its ``paramJson.pageNo`` where it pages that way, else ``pageNo``."""
    parts = urlsplit(url)
    query = _query(url)
    paged = _param_json(query)
    if paged is not None:
        query["paramJson"] = json.dumps({**paged, "pageNo": page}, ensure_ascii=False, separators=(",", ":"))
    else:
        query["pageNo"] = str(page)
    return urlunsplit(parts._replace(query=urlencode(query)))

"""The ``igs`` list parser; :class:`IgsFlavour` documents the flavour."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from notices.links import PageLinks
from notices.list_records import int_field
from sites import Site
from spiders.flavours.base import Flavour, ListPage, PageRequest
from spiders.flavours.records import payload_of, present, record_rows

LIST_PATH = "igs/front/search/list.html"
DEFAULT_PAGE_SIZE = 15
# Where an index keeps the 文号: governmentdocuments indexes (Guangxi) call it fileNum.
_DOC_NUMBER_FIELDS = ("fileNum", "FILENUM", "WH", "wh")


class IgsFlavour(Flavour):
    """igs — the IGS search front (Tianjin departments, Guangxi), lists served as JSON from a search index.

    A column's list is a query of ``igs/front/search/list.html`` with ``pageNumber=N`` (from 1),
    ``pageSize=S``, ``index=<index>``, ``type=<type>``, ``filter[CHANNELID]=<channel>`` (or
    ``filter[SITEID]``), ``filter[AVAILABLE]=true``, ``orderProperty=<field>&orderDirection=desc``:
    the site's ``list_urls`` name the first page, or ``params`` (``index``, ``type``, ``channel_id``,
    ``order``, ``page_size``) build it. The answer is ``{"page": {"content": [...], "total": T,
    "totalPages": P}}``, where ``total`` may be a string. Records carry upper-case fields of the
    index: ``DOCPUBURL`` (absolute) with ``BT`` (title), ``ZXSJ`` (published), ``CWRQ`` (成文日期),
    ``ZW`` (body), ``YXX`` (validity) on Tianjin's indexes, or ``DOCTITLE``/``FileName``, ``PUBDATE``
    (``YYYY-MM-DDTHH:MM:SS…``), ``fileNum`` (文号), ``DOCCONTENT`` on Guangxi's governmentdocuments.
    The next page exists while ``N < P`` (or, without ``totalPages``, ``N * S < T``). Details are the
    CMS's own static pages at ``DOCPUBURL`` (TRS-style ``YYYYMM/tYYYYMMDD_<id>.html`` on the sites seen).

    Every record is a document, so there is no default ``detail_url_pattern``.
    Evidence: DIYgod/RSSHub ``lib/routes/gov/tianjin/tjghhzrzy.ts`` (the query, ``page.content``, BT,
    DOCPUBURL, ZXSJ, CWRQ, ZW, YXX); SmartDataLab/Policy_crawler ``GuangxiSpider.py`` (Guangxi's query,
    DOCTITLE, DOCPUBURL, PUBDATE with a ``T``); a Guangxi spider read through the search tool
    (``page.total`` read with ``int()``, ``page.totalPages``, ``FileName`` with ``<br/>``); a Hainan IGS
    search note (``"total":"N"`` as a string).
    """

    name = "igs"

    def first_requests(self, site: Site) -> list[PageRequest]:
        if "channel_id" in site.params:
            p = site.params
            query = {
                "pageNumber": 1,
                "pageSize": p.get("page_size", DEFAULT_PAGE_SIZE),
                "filter[CHANNELID]": p["channel_id"],
                "index": p.get("index", ""),
                "type": p.get("type", ""),
                "orderProperty": p.get("order", "PUBDATE"),
                "orderDirection": "desc",
                "filter[AVAILABLE]": "true",
            }
            url = urljoin(site.base_url.rstrip("/") + "/", f"{LIST_PATH}?{urlencode(query, safe='[]')}")
            return [PageRequest(url=url, page_no=1)]
        return super().first_requests(site)

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        payload = payload_of(body, content_type, site)
        page = payload.get("page") if isinstance(payload, dict) else None
        if not isinstance(page, dict):
            return ListPage()  # not the search answer (an error page): no rows, so the spider reports it
        content = [r for r in page.get("content") or [] if isinstance(r, dict)]
        links = PageLinks(url)
        rows = record_rows(content, links, _doc_number)
        query = dict(parse_qsl(urlsplit(url).query))
        number = int_field(query.get("pageNumber")) or request.page_no
        size = int_field(query.get("pageSize")) or len(content) or 1
        total = int_field(page.get("total"))
        pages = int_field(page.get("totalPages"))
        if pages is None:
            pages = math.ceil((total or 0) / size)
        next_request = None
        if content and number < pages:
            next_request = PageRequest(url=_with_page(url, number + 1), page_no=number + 1)
        return ListPage(
            rows=rows,
            next_request=next_request,
            total_pages=max(1, pages),
            malformed_links=tuple(links.warnings()),
        )


def _doc_number(record: Mapping[str, Any]) -> str | None:
    return next((present(record[k]) for k in _DOC_NUMBER_FIELDS if present(record.get(k))), None)


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [
        (k, str(page) if k == "pageNumber" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[],")))

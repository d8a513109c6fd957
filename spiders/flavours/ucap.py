"""The ``ucap`` list parser; :class:`UcapFlavour` documents the flavour."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from notices.links import PageLinks
from notices.list_records import int_field
from sites import Site
from spiders.flavours.base import Flavour, ListPage, PageRequest
from spiders.flavours.records import payload_of, present, record_rows, with_query

DEFAULT_PAGE_SIZE = 15


class UcapFlavour(Flavour):
    """ucap — 开普云 (Kaipuyun) UCAP, whose column lists are JSON (Heilongjiang, Gansu departments).

    The column page draws its rows with a script from
    ``common/search/<channelId>?page=N&_pageSize=S&_isAgg=true&_isJson=true&_template=index``
    (``page`` from 1; the site's ``list_urls`` name that first API page, or ``params.channel_id``
    builds it, with ``params.page_size``). The answer is
    ``{"data": {"page": N, "rows": S, "total": T, "channelId", "results": [{"title", "url"
    (root-relative), "publishedTime" (epoch ms), "publishedTimeStr" ("YYYY-MM-DD HH:MM:SS"),
    "manuscriptId", "content", "domainMetaList": [{"resultList": [{"key", "name", "value"}]}]}]},
    "channelName"}``. In ``domainMetaList`` the key ``refno`` is the 文号 (also ``indexnumber`` 索引号,
    ``writedate`` 成文日期, ``source`` 来源); an empty value is the string ``"null"``. The next page
    exists while ``N * rows < T``. Details are ``.shtml`` pages,
    ``/<site>/<channelCode>/YYYYMM/<manuscriptId>.shtml``, whose title, body and time sit in the
    pseudo-tags ``<ucaptitle>``, ``<ucapcontent>`` and ``<publishtime>``.

    Every row of the payload is a document, so there is no default ``detail_url_pattern``.
    Evidence: hulelan/china-governance ``crawlers/heilongjiang.py`` (the URL, ``data.results``,
    ``domainMetaList`` keys, ``div.article_content > UCAPCONTENT``); edddyeddy/GYSpider
    ``HLJGovSpider/HeiLongJiangGovSpider.py`` (the same API for other channels); a browser capture of
    gdj.gansu.gov.cn's ``/common/search/<channelId>`` answer (``data.page/rows/total``, the result
    fields, ``pageNum = ceil(total / pageSize)``); DIYgod/RSSHub ``hainan/iitb/tzgg.ts`` (``<ucapcontent>``,
    ``<publishtime>``).
    """

    name = "ucap"

    def first_requests(self, site: Site) -> list[PageRequest]:
        if "channel_id" in site.params:
            size = int(site.params.get("page_size", DEFAULT_PAGE_SIZE))
            query = urlencode({"page": 1, "_pageSize": size, "_isAgg": "true", "_isJson": "true",
                               "_template": "index"})  # fmt: skip
            path = f"common/search/{site.params['channel_id']}?{query}"
            return [PageRequest(url=urljoin(site.base_url.rstrip("/") + "/", path), page_no=1)]
        return super().first_requests(site)

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        payload = payload_of(body, content_type, site)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            return ListPage()  # not the search answer (an error page): no rows, so the spider reports it
        results = [r for r in data.get("results") or [] if isinstance(r, dict)]
        links = PageLinks(url)
        rows = record_rows(results, links, _doc_number)
        page = int_field(data.get("page")) or request.page_no
        size = int_field(data.get("rows")) or _query_int(url, "_pageSize") or len(results) or 1
        total = int_field(data.get("total")) or 0
        next_request = None
        if results and page * size < total:
            next_request = PageRequest(url=with_query(url, page=page + 1), page_no=page + 1)
        return ListPage(
            rows=rows,
            next_request=next_request,
            total_pages=max(1, math.ceil(total / size)),
            malformed_links=tuple(links.warnings()),
        )


def _doc_number(record: Mapping[str, Any]) -> str | None:
    for group in record.get("domainMetaList") or []:
        for field in (group.get("resultList") or []) if isinstance(group, dict) else []:
            if isinstance(field, dict) and field.get("key") == "refno":
                return present(field.get("value"))
    return None


def _query_int(url: str, key: str) -> int | None:
    return int_field(dict(parse_qsl(urlsplit(url).query)).get(key))

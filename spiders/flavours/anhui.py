"""The ``anhui`` list parser; :class:`AnhuiFlavour` documents the flavour."""

from __future__ import annotations

import re

from parsel import Selector

from notices.links import PageLinks
from sites import Site
from spiders.flavours.base import Flavour, ListPage, PageRequest, base_href, decode, html_rows

_PAGE_INDEX = re.compile(r"([?&])pageIndex=\d+")


class AnhuiFlavour(Flavour):
    """anhui — the Anhui government platform (Chuzhou).

    Lists are ``content/column/<columnId>?pageIndex=N`` (N from 1). Rows look like
    ``<li><a href="/public/<unitId>/<id>.html">…</a><span class="date">YYYY-MM-DD</span></li>``; the
    page count sits in ``<div class="pagination" data-total-page="K">``. Details are
    ``public/<unitId>/<id>.html``.

    Site ``selectors``: ``list_row`` (default ``li``), ``list_date`` (default
    ``span.date::text, span::text``).
    """

    name = "anhui"
    default_detail_pattern = r"/public/\d+/\d+\.html$"

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        selector = Selector(text=decode(body, content_type, site))
        links = PageLinks(url, base_href(selector, url))
        rows = html_rows(
            selector,
            links.base,
            site.selectors.get("list_row", "li"),
            site.selectors.get("list_date", "span.date::text, span::text"),
            links,
        )
        total_text = selector.css("[data-total-page]::attr(data-total-page)").get() or ""
        total = int(total_text) if total_text.strip().isdigit() else 1
        next_request = None
        if request.page_no < total:
            next_request = PageRequest(
                url=page_url(request.url, request.page_no + 1), page_no=request.page_no + 1
            )
        return ListPage(
            rows=rows, next_request=next_request, total_pages=total, malformed_links=tuple(links.warnings())
        )


def page_url(url: str, page: int) -> str:
    """``url`` with its ``pageIndex`` set to ``page`` (added when missing)."""
    if _PAGE_INDEX.search(url):
        return _PAGE_INDEX.sub(lambda m: f"{m.group(1)}pageIndex={page}", url)
    return f"{url}{'&' if '?' in url else '?'}pageIndex={page}"

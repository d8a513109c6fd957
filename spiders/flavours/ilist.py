"""The ``ilist`` list parser; :class:`IlistFlavour` documents the flavour."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector

from notices.list_records import int_field
from sites import Site
from spiders.flavours.base import Flavour, ListDocument, ListPage, PageRequest, html_rows

# 共<span>10</span>页 (also 第1页/共124页); the record count (共<span>237</span> 条信息) is not a page count.
_PAGE_COUNT = re.compile(r"共\s*(?:<[^>]*>\s*)*(\d+)\s*(?:<[^>]*>\s*)*页")


class IlistFlavour(Flavour):
    """ilist — the ``iList.jsp`` platform (Shaanxi departments and counties, Mianzhu, Hubei departments).

    A column is ``info/iList.jsp?cat_id=<N>`` (often with ``site_id=CMS<site>`` or ``node_id=GK<site>``; some sites
    serve it as ``view/iList.jsp``); page N adds ``cur_page=N`` (from 1; page 1 may leave it out). Lists are
    static HTML: rows are ``<li>`` holding a link to the document, ``<a href="/<section>/<sub>/<id>.htm"
    title="…">``, and its date in a ``<span>`` (before or after the link; ``p`` and ``b`` are read too). The
    pager says ``共<span>T</span> 条信息 共<span>P</span>页 第N页`` with links
    ``[<a href="?site_id=…&cat_id=…&cur_page=1">首页</a>] … [<a href="?…&cur_page=N+1">下一页</a>]
    [<a href="?…&cur_page=P">未页</a>]`` (sic: 未页), relative to the list page. The page count is ``P``, or the
    highest ``cur_page`` the pager links to for the same ``cat_id``; pages run while ``N < P``.

    Site ``selectors``: ``list_row`` (default ``li``; e.g. ``.textlist li`` or ``div.ewb-job li``), ``list_date``
    (default ``span::text, p::text, b::text``). Details are static pages such as ``/xw/tzgg/1234.htm`` or
    ``/gk/gk02/1234.htm``, whose ``#attribute > span`` hold 索引号, 文号, 日期 and 来源, the body in
    ``#info_content`` (or ``.info_content``); the default ``detail_url_pattern`` is that shape.

    Evidence: DIYgod/RSSHub ``gov/shaanxi/kjt.ts`` (``/view/iList.jsp?cat_id=221``, ``.textlist li a``) and
    ``gov/sichuan/deyang/govpublicinfo.ts`` (Mianzhu's ``node_id=GKmzs&cat_id=…&cur_page=1``); crawler code of other
    iList.jsp sites (the pager quoted above, ``a.all`` to the last ``cur_page``, ``#info_title``, ``#info_content``).
    """

    name = "ilist"
    default_detail_pattern = r"/[\w-]+/[\w-]+/\d+\.s?html?$"

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        text, selector, base, links = ListDocument.read(site, url, body, content_type)
        rows = html_rows(
            selector,
            base,
            site.selectors.get("list_row", "li"),
            site.selectors.get("list_date", "span::text, p::text, b::text"),
            links,
        )
        current = int_field(_query(url).get("cur_page")) or request.page_no or 1
        pages = max(current, _page_count(text, selector, url))
        next_request = None
        if current < pages:
            next_request = PageRequest(url=with_cur_page(request.url, current + 1), page_no=current + 1)
        return ListPage(
            rows=rows, next_request=next_request, total_pages=pages, malformed_links=tuple(links.warnings())
        )


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _page_count(text: str, selector: Selector, url: str) -> int:
    """``共P页`` where the pager says it, else the highest ``cur_page`` it links to in this column."""
    counts = [int(n) for n in _PAGE_COUNT.findall(text)]
    if counts:
        return max(counts)
    column = _query(url).get("cat_id")
    linked = [1]
    for href in selector.css("a::attr(href)").getall():
        if "cur_page=" not in href:
            continue
        query = _query(urljoin(url, href.strip()))
        if column is None or query.get("cat_id") == column:
            linked.append(int_field(query.get("cur_page")) or 1)
    return max(linked)


def with_cur_page(url: str, page: int) -> str:
    """``url`` with ``cur_page=page`` (set in place, or added at the end)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "cur_page" for key, _ in query):
        query = [(k, str(page) if k == "cur_page" else v) for k, v in query]
    else:
        query.append(("cur_page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))

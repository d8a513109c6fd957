"""The ``shanghai`` list parser; :class:`ShanghaiFlavour` documents the flavour."""

from __future__ import annotations

import re

from parsel import Selector

from notices.links import PageLinks, absolute_url
from sites import Site
from spiders.flavours.base import Flavour, ListDocument, ListPage, ListRow, PageRequest, find_date

_TOTAL_PAGE = re.compile(r"\.pagination\(\s*\{[^}]*?\btotalPage\s*:\s*(\d+)", re.S)
# The pager's callBack: ``location.href='index_'+i+'.html'`` names the file of page i (i > 1).
_CALLBACK = re.compile(r"location\.href\s*=\s*['\"]([\w-]+)_['\"]\s*\+\s*\w+\s*\+\s*['\"](\.\w+)['\"]")
_PAGE_SUFFIX = re.compile(r"_\d+$")
_YEAR = re.compile(r"^\s*(\d{4})\s*年")


def jquery_pager(text: str) -> int | None:
    """``N`` from the jQuery pagination plugin's ``$(".pagination").pagination({totalPage: N, …})``."""
    match = _TOTAL_PAGE.search(text)
    return int(match.group(1)) if match else None


def jquery_page_url(text: str, url: str, page_no: int, next_no: int) -> str | None:
    """The URL of page ``next_no`` of the column whose page ``page_no`` is at ``url``: page 1 is the
    column's own file (``index.html``), page i is ``<stem>_i.<ext>`` in the same folder, as the
    plugin's callBack writes it (``'index_'+i+'.html'``), else after the first page's file name."""
    name = url.split("?", 1)[0].rsplit("/", 1)[-1] or "index.html"
    stem, _, ext = name.rpartition(".")
    if page_no > 1:
        stem = _PAGE_SUFFIX.sub("", stem)
    callback = _CALLBACK.search(text)
    if callback:
        return absolute_url(url, f"{callback.group(1)}_{next_no}{callback.group(2)}")
    return absolute_url(url, f"{stem or 'index'}_{next_no}.{ext or 'html'}")


class ShanghaiFlavour(Flavour):
    """shanghai — the Shanghai government platform (www.shanghai.gov.cn and the municipal bureaus).

    Lists are static pages: ``<column>/index.html``, then ``index_2.html``, ``index_3.html``, … (page
    1 has no number; page i is ``index_i.html``). The page count is the jQuery pagination plugin's
    ``$(".pagination").pagination({totalPage: N, …, callBack: … location.href='index_'+i+'.html'})``
    (and ``.pagination("setPage", current, N)``); a page without it is the only page. Rows are
    ``<ul class="uli16 nowrapli list-date"><li><a href="…" title="…">…</a><span class="time">YYYY-MM-DD</span></li>``;
    only ``li`` rows that show a date count (the menus' ``li`` show none), and rows an HTML comment
    holds do not. Department details are ``/<column>/YYYYMMDD/<32 hex>.html`` (the municipal portal's
    ``/nw<id>/YYYYMMDD/<uuid>.html``), title, body and date in ``#ivs_title``, ``#ivs_content``,
    ``#ivs_date``. A list may link other sites' pages too (``mp.weixin.qq.com`` reposts); they are
    rows like the others, so entries name their own detail pages with ``detail_url_pattern``.

    A section page that lists year archives instead of documents (``<a href="/<prefix><YYYY>/index.html"><h4>2024年</h4></a>``,
    the municipal portal's 沪府规 and similar) is read as a shell: its next request is the newest year's
    archive, whose pages are walked as above. The older years' archives are the page's ``archives``:
    a backfill, and a site's first crawl, walk them too (newest first); a monitor of a site that has
    its baseline reads the newest year only, where news appears.

    No default ``detail_url_pattern``. Site ``selectors``: ``list_row`` (default ``li``),
    ``list_date`` (default ``span.time::text``, then the row's text).
    Evidence: lvchengli/covid-spider ``src/htmlstr.js`` (a saved wsjkw.sh.gov.cn list, the fixture
    ``real_shanghai_wsjkw_list``: the rows, the pager and its callBack); hulelan/china-governance
    ``crawlers/shanghai.py`` (year archives, ``totalPage``, ``index_N.html``, ``span.time``) and
    ``crawlers/govcms.py`` (the bureaus' ``/YYYYMMDD/<32hex>.html``, ``#ivs_content``).
    """

    name = "shanghai"

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        text, selector, base, links = ListDocument.read(site, url, body, content_type)
        date_css = site.selectors.get("list_date", "span.time::text")
        rows: list[ListRow] = []
        for item in selector.css(site.selectors.get("list_row", "li")):
            anchor = item.css("a[href]")
            if not anchor:
                continue
            date = find_date(" ".join(item.css(date_css).getall())) or find_date(
                " ".join(item.css("::text").getall())
            )
            row_url = links.url(anchor[0].attrib["href"], base)
            if date is None or row_url is None:
                continue
            title = anchor[0].attrib.get("title") or " ".join(anchor[0].css("::text").getall())
            rows.append(ListRow(url=row_url, title=title.strip(), date=date))
        malformed = tuple(links.warnings())
        if not rows:
            archives = [archive for archive in _year_archives(selector, links) if archive != url]
            if archives:
                return ListPage(
                    next_request=PageRequest(url=archives[0], page_no=request.page_no),
                    shell=True,
                    archives=tuple(PageRequest(url=archive, page_no=1) for archive in archives[1:]),
                    malformed_links=malformed,
                )
        total = jquery_pager(text)
        if total is None:
            return ListPage(rows=rows, total_pages=1, malformed_links=malformed)
        next_request = None
        if request.page_no < total:
            next_url = jquery_page_url(text, url, request.page_no, request.page_no + 1)
            if next_url is not None:
                next_request = PageRequest(url=next_url, page_no=request.page_no + 1)
        return ListPage(rows=rows, next_request=next_request, total_pages=total, malformed_links=malformed)


def _year_archives(selector: Selector, links: PageLinks) -> list[str]:
    """The ``YYYY年`` archives a section page links (``…/index.html``), newest year first."""
    by_year: dict[str, int] = {}
    for anchor in selector.css("a[href]"):
        year = _YEAR.match(" ".join(t.strip() for t in anchor.css("::text").getall()))
        href = anchor.attrib["href"].strip()
        if year is None or not href.split("?", 1)[0].endswith("/index.html"):
            continue
        archive = links.url(href)
        if archive is not None:
            by_year[archive] = max(by_year.get(archive, 0), int(year.group(1)))
    return sorted(by_year, key=lambda archive: -by_year[archive])

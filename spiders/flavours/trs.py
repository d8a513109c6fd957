"""The ``trs`` list parser; :class:`TrsFlavour` documents the flavour."""

from __future__ import annotations

import dataclasses
import re

from parsel import Selector

from notices.links import PageLinks, absolute_url
from notices.parsers import parse_doc_number
from notices.scripted import with_written_markup, writing_scripts
from sites import Site
from spiders.flavours.base import Flavour, ListDocument, ListPage, ListRow, PageRequest, html_rows
from spiders.flavours.records import DOC_NUMBER_KEYS

_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")


def _with_script_doc_numbers(rows: list[ListRow], text: str, base: str, links: PageLinks) -> list[ListRow]:
    """The rows scripts drew, each with the 文号 its script set but did not write."""
    doc_numbers: dict[str, str] = {}
    for written, variables in writing_scripts(text):
        doc_number = next(
            (found for name in DOC_NUMBER_KEYS if (found := parse_doc_number(variables.get(name)))),
            None,
        )
        href = Selector(text=written).css("a::attr(href)").get() if doc_number and written else None
        url = links.url(href, base) if href else None
        if url is not None and doc_number is not None:
            doc_numbers[url] = doc_number
    return [dataclasses.replace(row, doc_number=doc_numbers.get(row.url, row.doc_number)) for row in rows]


def parse_create_page_html(text: str) -> tuple[int, str, str] | None:
    """``(countPage, prefix, ext)`` from the first ``createPageHTML(...)`` call, if any."""
    for match in _CREATE_PAGE.finditer(text):
        args = [a.strip().strip("'\"") for a in match.group(1).split(",")]
        if args and not args[0].isdigit():
            args = args[1:]  # the 'page_div' container id
        if len(args) >= 4 and args[0].isdigit():
            return int(args[0]), args[2] or "index", args[3] or "html"
    return None


class TrsFlavour(Flavour):
    """trs — TRS WCM static pages (Hainan, Qinghai, Chongqing, most provinces).

    Lists are static pages: ``<column>/index.html``, then ``index_1.html``, ``index_2.html``, …
    (``.shtml`` on some sites). The page count comes from the inline script
    ``createPageHTML('page_div', countPage, currentPage, 'index', 'html', totalRecords);``
    (older templates omit the leading ``'page_div'``). Rows are
    ``<li><a href="./YYYYMM/tYYYYMMDD_<id>.html" title="…">…</a><span>YYYY-MM-DD</span></li>``.
    Details look like ``<column>/YYYYMM/tYYYYMMDD_<id>.html``.

    Rows found inside HTML comments count too (some templates comment the static rows out and
    draw them with JavaScript), and so do rows a script writes from its own variables
    (``var url = "./202602/t…shtml"; var title = "…"; document.writeln("<a href="+url+">")``,
    Wuhan): the script is read, not run, and the 文号 it keeps in ``var FILENUM`` goes with the row.
    Site ``selectors``: ``list_row`` (default ``li``), ``list_date`` (default ``span::text, b::text``).
    """

    name = "trs"
    default_detail_pattern = r"/\d{6}/t\d{8}_\d+\.s?html$"

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        text, selector, base, links = ListDocument.read(site, url, body, content_type)
        row_css, date_css = (
            site.selectors.get("list_row", "li"),
            site.selectors.get("list_date", "span::text, b::text"),
        )
        rows = html_rows(selector, base, row_css, date_css, links)
        # Some TRS templates ship the static rows inside an HTML comment and draw them with JS.
        for commented in _COMMENT.findall(text):
            if "<li" in commented:
                rows += html_rows(Selector(text=commented), base, row_css, date_css, links)
        # Others (Wuhan) hold each row in script variables and document.writeln it.
        written = with_written_markup(text)
        if written is not None:
            drawn = html_rows(Selector(text=written), base, row_css, date_css, links)
            if len(drawn) > len(rows):
                rows = _with_script_doc_numbers(drawn, text, base, links)
        malformed = tuple(links.warnings())
        paging = parse_create_page_html(text)
        if paging is None:
            return ListPage(rows=rows, total_pages=1, malformed_links=malformed)
        count, prefix, ext = paging
        next_request = None
        # Page 1 is index.html, page n+1 is index_n.html, in the same folder.
        next_url = absolute_url(request.url, f"{prefix}_{request.page_no}.{ext}")
        if request.page_no < count and next_url is not None:
            next_request = PageRequest(url=next_url, page_no=request.page_no + 1)
        return ListPage(rows=rows, next_request=next_request, total_pages=count, malformed_links=malformed)

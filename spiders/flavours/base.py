"""What every flavour list parser speaks: plain requests in, rows and the next page out.

Parsers never import Scrapy: the spider turns a :class:`PageRequest` into a Scrapy request, and
``spiders.check`` fetches the same :class:`PageRequest` with urllib. That keeps each flavour
testable on a saved page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import ClassVar, NamedTuple

from parsel import Selector
from w3lib.encoding import html_to_unicode

from notices.links import PageLinks, absolute_url
from sites import FlavourName, Site


@dataclass(frozen=True)
class PageRequest:
    """One list request: a page URL, or a form POST for API-driven lists."""

    url: str
    page_no: int = 1
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()  # urlencoded POST fields, in order
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ListRow:
    url: str  # absolute
    title: str = ""
    date: str | None = None  # YYYY-MM-DD as shown in the list
    doc_number: str | None = None  # 文号, where the list carries it (gkmlpt, UCAP, IGS, Wuhan)
    index_number: str | None = None  # 索引号, where the list carries it (gkmlpt)


@dataclass(frozen=True)
class ListPage:
    """What one list response held.

    ``shell`` marks a page that carries no rows by design (a JavaScript-rendered list whose rows
    come from ``next_request``); an empty non-shell page means the template changed.
    """

    rows: list[ListRow] = field(default_factory=list)
    next_request: PageRequest | None = None
    total_pages: int | None = None
    shell: bool = False
    # The column's older parts (a shell's older year archives), each the first page of a list of
    # its own: a backfill walks them too; a monitor does not, news appears in ``next_request``'s.
    archives: tuple[PageRequest, ...] = ()
    off_pattern: int = 0  # links dropped because they do not look like detail pages
    malformed_links: tuple[str, ...] = ()  # warnings naming the links dropped as malformed


class Flavour:
    """A family of CMS templates.

    Subclasses set ``name`` (one of :data:`sites.FLAVOURS`), implement :meth:`parse` and say in
    their docstring, for whoever writes a ``sites/*.toml`` entry, how the flavour's lists page.
    """

    name: ClassVar[FlavourName]
    default_detail_pattern: ClassVar[str | None] = None

    def first_requests(self, site: Site) -> list[PageRequest]:
        """The first list page of each column."""
        return [PageRequest(url=url, page_no=1) for url in site.absolute_list_urls()]

    def parse_list(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        """Rows (only links matching the detail URL pattern, first occurrence) and the next page."""
        page = self.parse(site, request, url, body, content_type)
        pattern = self.detail_pattern(site)
        seen: set[str] = set()
        rows: list[ListRow] = []
        for row in page.rows:
            if row.url in seen or (pattern is not None and not pattern.search(row.url)):
                continue
            seen.add(row.url)
            rows.append(row)
        return replace(page, rows=rows, off_pattern=len(page.rows) - len(rows))

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        """Every candidate row of one list response; subclasses implement it."""
        raise NotImplementedError

    def detail_pattern(self, site: Site) -> re.Pattern[str] | None:
        pattern = site.detail_url_pattern or self.default_detail_pattern
        return re.compile(pattern) if pattern else None


def decode(body: bytes, content_type: str | None, site: Site) -> str:
    """Body text: the site's ``encoding`` hint wins, then the HTTP header / meta / BOM."""
    if site.encoding:
        return body.decode(site.encoding, errors="replace")
    return html_to_unicode(content_type, body)[1]


def html_rows(
    selector: Selector, base_url: str, row_css: str, date_css: str, links: PageLinks | None = None
) -> list[ListRow]:
    """Rows of a ``<li><a href title>…</a><span>date</span></li>`` style list; a row whose link is
    malformed is left out (``links`` keeps it for the warnings)."""
    links = links or PageLinks(base_url)
    rows: list[ListRow] = []
    for item in selector.css(row_css):
        link = item.css("a[href]")
        if not link:
            continue
        url = links.url(link[0].attrib["href"], base_url)
        if url is None:
            continue
        title = link[0].attrib.get("title") or " ".join(link[0].css("::text").getall())
        date_text = " ".join(item.css(date_css).getall()) if date_css else ""
        rows.append(ListRow(url=url, title=title.strip(), date=find_date(date_text)))
    return rows


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def find_date(text: str) -> str | None:
    match = _DATE.search(text or "")
    if not match:
        return None
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def base_href(selector: Selector, url: str) -> str:
    """The page URL, or its ``<base href>`` resolved against it."""
    base = selector.css("base::attr(href)").get()
    return (absolute_url(url, base) or url) if base else url


class ListDocument(NamedTuple):
    """One HTML list response, decoded and parsed once: its text, its selector, the base its links
    resolve against (``<base href>`` or the page URL) and the resolver of those links."""

    text: str
    selector: Selector
    base: str
    links: PageLinks

    @classmethod
    def read(cls, site: Site, url: str, body: bytes, content_type: str | None) -> ListDocument:
        text = decode(body, content_type, site)
        selector = Selector(text=text)
        base = base_href(selector, url)
        return cls(text, selector, base, PageLinks(url, base))

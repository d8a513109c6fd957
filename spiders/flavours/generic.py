"""The ``generic`` list parser; :class:`GenericFlavour` documents the flavour."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector

from notices.links import PageLinks, absolute_url
from sites import Site
from spiders.flavours.base import Flavour, ListDocument, ListPage, ListRow, PageRequest, find_date
from spiders.flavours.shanghai import jquery_page_url, jquery_pager
from spiders.flavours.trs import parse_create_page_html


@dataclass(frozen=True)
class Dialect:
    """One government URL dialect: how a family's document links are spelled (on the URL path)."""

    key: str
    label: str  # as the docs and ``sites detect`` name it
    pattern: re.Pattern[str]  # named groups y, m, d where the path carries the date


def _dialect(key: str, label: str, pattern: str) -> Dialect:
    return Dialect(key, label, re.compile(pattern))


_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# Tried in order; the shapes do not overlap (each ends in its own file-name form).
DIALECTS: tuple[Dialect, ...] = (
    _dialect("hebei", "Hebei /columns/<UUID>/YYYYMM/DD/<UUID>.html",
             rf"/columns/{_UUID}/(?P<y>\d{{4}})(?P<m>\d{{2}})/(?P<d>\d{{2}})/{_UUID}\.html$"),
    _dialect("liaoning", "Liaoning /web/…/<YYYYMMDD…>/index.shtml",
             r"/web/(?:[\w-]+/)+(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})\d{4,}/index\.shtml$"),
    _dialect("tsid", "Liaoning departments' /…/<12+ digit id>/index.shtml", r"/\d{12,}/index\.shtml$"),
    _dialect("sichuan", "Sichuan /cols/YYYY/M/D/<hex>.shtml",
             r"/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/[0-9a-f]{32}\.shtml$"),
    _dialect("hexmonth", "Hainan/Xinjiang /<sec>/YYYYMM/<hex>.shtml", r"/\d{6}/[0-9a-f]{32}\.shtml$"),
    _dialect("qinghai", "Qinghai /zwgk/system/YYYY/MM/DD/<num>.shtml",
             r"/zwgk/system/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/\d+\.shtml$"),
    _dialect("arti", "12371 /YYYY/MM/DD/ARTI<id>.shtml",
             r"/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/ARTI\w+\.shtml$"),
    _dialect("sasac", "SASAC /c<id>/content.html", r"/c\d+/content\.html$"),
    _dialect("tdate", "common tYYYYMMDD_<id>.html",
             r"/t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+\.s?html?$"),
)  # fmt: skip
_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|下一頁|后一页|next\s*page|next)\s*[>»›]*\s*$", re.I)
_PAGE_COUNT = re.compile(r"共\s*(\d+)\s*页")
_PAGE_COUNT_VAR = re.compile(r"\b(?:countPage|pageCount|totalPage)\s*=\s*(\d+)")
_ROW_TAGS = ("li", "tr", "dd", "dt")


def dialect_of(url: str) -> Dialect | None:
    """The dialect whose shape the URL's path has, if any."""
    path = urlsplit(url).path
    return next((d for d in DIALECTS if d.pattern.search(path)), None)


def dominant_dialect(urls: list[str]) -> tuple[Dialect, int] | None:
    """The dialect most of the distinct ``urls`` follow, with how many do (ties: the earlier dialect)."""
    counts = Counter(d.key for d in (dialect_of(u) for u in dict.fromkeys(urls)) if d is not None)
    if not counts:
        return None
    best = max(DIALECTS, key=lambda d: (counts.get(d.key, 0), -DIALECTS.index(d)))
    return best, counts[best.key]


def _url_date(dialect: Dialect, url: str) -> str | None:
    match = dialect.pattern.search(urlsplit(url).path)
    if match is None or "y" not in match.groupdict():
        return None
    return f"{match['y']}-{int(match['m']):02d}-{int(match['d']):02d}"


class GenericFlavour(Flavour):
    """generic — a static list whose document links follow a known government URL dialect.

    For site families recognised by their URL dialect alone: the list is a static HTML page, and
    the rows are its links (on the page's own host) in the dialect most of them follow, in page
    order; no per-site selectors. The dialects (on the URL path):

    - Hebei ``/columns/<UUID>/YYYYMM/DD/<UUID>.html``
    - Liaoning ``/web/…/<YYYYMMDD + 4 or more digits>/index.shtml``, and its departments'
      ``/…/<12 or more digits>/index.shtml`` (no date read from it)
    - Sichuan ``/…/YYYY/M/D/<32 hex>.shtml`` (``/cols/…``; month and day not zero-padded)
    - Hainan/Xinjiang ``/<sec>/YYYYMM/<32 hex>.shtml``
    - Qinghai ``/zwgk/system/YYYY/MM/DD/<num>.shtml``
    - 12371 (共产党员网) ``/YYYY/MM/DD/ARTI<id>.shtml``
    - SASAC ``/c<id>/content.html``
    - the common ``tYYYYMMDD_<id>.html`` (``.shtml``, ``.htm``)

    A row's date is the first date in its row (the ``li``, ``tr``, ``dd`` holding the link, else the
    link's parent), else the one the URL spells. The next page is the page's own pager's: a
    ``createPageHTML(count, current, 'index', 'html')`` script (page 2 is ``index_1.html``), a
    jQuery ``.pagination({totalPage: N})`` (page i is ``<name>_i.<ext>``), else a ``下一页`` / ``下页``
    link; the page count is the script's, a ``共N页`` the page shows, or a ``var countPage = N``. No default
    ``detail_url_pattern``: the dialect is the pattern (an entry's own pattern still filters the rows).
    Evidence for the dialects: hulelan/china-governance ``crawlers/govcms.py`` (its per-dialect link
    patterns and the sites they were seen on) and, for Sichuan's ``<name>_N.shtml`` pages and their
    ``下页`` pager, a Sichuan crawler read through the search tool (repository not named).
    """

    name = "generic"

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        text, selector, base, links = ListDocument.read(site, url, body, content_type)
        host = urlsplit(url).hostname
        found: list[tuple[str, Selector]] = []
        for anchor in selector.css("a[href]"):
            row_url = links.url(anchor.attrib["href"], base)
            if row_url is not None and urlsplit(row_url).hostname == host and dialect_of(row_url):
                found.append((row_url, anchor))
        dominant = dominant_dialect([u for u, _ in found])
        rows: dict[str, ListRow] = {}
        if dominant is not None:
            dialect = dominant[0]
            for row_url, anchor in found:
                if dialect_of(row_url) is not dialect:
                    continue
                title = (anchor.attrib.get("title") or " ".join(anchor.css("::text").getall())).strip()
                title = re.sub(r"\s+", " ", title)
                known = rows.get(row_url)
                if known is not None:
                    if not known.title and title:  # an image link before the text link
                        rows[row_url] = ListRow(url=row_url, title=title, date=known.date)
                    continue
                date = find_date(" ".join(_row_of(anchor).css("::text").getall())) or _url_date(
                    dialect, row_url
                )
                rows[row_url] = ListRow(url=row_url, title=title, date=date)
        next_request, total = _next_page(selector, text, url, request, links)
        return ListPage(
            rows=list(rows.values()),
            next_request=next_request,
            total_pages=total,
            malformed_links=tuple(links.warnings()),
        )


def _row_of(anchor: Selector) -> Selector:
    for ancestor in reversed(anchor.xpath("ancestor::*")):
        if ancestor.root.tag in _ROW_TAGS:
            return ancestor
    parent = anchor.xpath("..")
    return parent[0] if parent else anchor


def _next_page(
    selector: Selector, text: str, url: str, request: PageRequest, links: PageLinks
) -> tuple[PageRequest | None, int | None]:
    """The next list page and the page count, as the page's pager says them."""
    following = request.page_no + 1
    create_page = parse_create_page_html(text)
    if create_page is not None:
        count, prefix, ext = create_page
        # TRS numbering: page 1 is <prefix>.<ext>, page n + 1 is <prefix>_n.<ext>.
        next_url = absolute_url(request.url, f"{prefix}_{request.page_no}.{ext}")
        if request.page_no < count and next_url is not None:
            return PageRequest(url=next_url, page_no=following), count
        return None, count
    plugin = jquery_pager(text)
    if plugin is not None:
        next_url = jquery_page_url(text, url, request.page_no, following)
        if request.page_no < plugin and next_url is not None:
            return PageRequest(url=next_url, page_no=following), plugin
        return None, plugin
    shown = _PAGE_COUNT.search(" ".join(selector.css("body ::text").getall())) or _PAGE_COUNT_VAR.search(text)
    total = int(shown.group(1)) if shown else None
    for anchor in selector.css("a[href]"):
        label = " ".join(anchor.css("::text").getall()).strip() or anchor.attrib.get("title", "")
        if not _NEXT_TEXT.match(label):
            continue
        next_url = links.url(anchor.attrib["href"])
        if next_url is not None and next_url != url and (total is None or request.page_no < total):
            return PageRequest(url=next_url, page_no=following), total
        break
    return None, total or (1 if request.page_no <= 1 else None)

"""The ``portal`` list parser; :class:`PortalFlavour` documents the flavour."""

from __future__ import annotations

from parsel import Selector

from notices.links import PageLinks
from sites import Site
from spiders.flavours.base import Flavour, ListPage, ListRow, PageRequest, base_href, decode, find_date


class PortalFlavour(Flavour):
    """portal — a reposting portal (legal-consultation style; where the Qinghai seed was scraped).

    Lists are ``<column>/list_N.html`` (N from 1) with rows ``div.news-list a.title``; the next page
    is reached through an ``<a class="next">下一页</a>`` link (absent on the last page). Details are
    ``<column>/<id>.html``, wrapped in heavy portal chrome that normalization strips.

    Site ``selectors``: ``list_link`` (default ``div.news-list a.title``).
    """

    name = "portal"
    default_detail_pattern = r"/\d+\.s?html$"

    def parse(
        self, site: Site, request: PageRequest, url: str, body: bytes, content_type: str | None
    ) -> ListPage:
        selector = Selector(text=decode(body, content_type, site))
        links = PageLinks(url, base_href(selector, url))
        rows = []
        for link in selector.css(site.selectors.get("list_link", "div.news-list a.title")):
            row_url = links.url(link.attrib.get("href") or "")
            if row_url is None:
                continue
            title = link.attrib.get("title") or " ".join(link.css("::text").getall())
            # The date, when shown, follows the link inside the same row element.
            row_text = " ".join(link.xpath("..//text()").getall())
            rows.append(ListRow(url=row_url, title=title.strip(), date=find_date(row_text)))
        next_href = None
        for link in selector.css("a"):
            text = "".join(link.css("::text").getall()).strip()
            if ("next" in (link.attrib.get("class") or "").split() or text == "下一页") and link.attrib.get(
                "href"
            ):
                next_href = link.attrib["href"].strip()
                break
        next_request = None
        next_url = links.url(next_href) if next_href else None
        if next_url is not None and next_url != url:
            next_request = PageRequest(url=next_url, page_no=request.page_no + 1)
        return ListPage(rows=rows, next_request=next_request, malformed_links=tuple(links.warnings()))

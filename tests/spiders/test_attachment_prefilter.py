"""The crawler parses a detail page for attachment links only when its markup could hold one: the
cheap test must never skip a page that links an attachment the crawler downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from notices.attachments import is_fetched_attachment_url, may_link_fetched_attachment
from notices.links import PageLinks

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
URL = "http://www.example.gov.cn/zwgk/202401/t20240105_1.html"


def fetched_links(text: str, url: str) -> list[str]:
    """Every link the crawler would fetch as an attachment, read the long way (parse every link)."""
    links = PageLinks(url)
    found = (links.url(href) for href in Selector(text=text, type="html").css("a::attr(href)").getall())
    return [link for link in found if link is not None and is_fetched_attachment_url(link)]


def saved_page(folder: Path) -> HtmlResponse:
    return HtmlResponse(url=URL, body=(folder / "input.html").read_bytes())


@pytest.mark.parametrize(
    "folder", sorted(p for p in PAGES.iterdir() if (p / "input.html").exists()), ids=lambda p: p.name
)
def test_no_saved_page_linking_an_attachment_is_skipped(folder: Path) -> None:
    text = saved_page(folder).text
    if fetched_links(text, URL):
        assert may_link_fetched_attachment(text)


CASES = [
    ('<a href="./P020240105.pdf">附件</a>', True),
    ('<a href="/upload/通知.DOCX">附件</a>', True),
    ('<a href="downfile.jsp?filename=%E9%99%84%E4%BB%B6.xls">附件</a>', True),
    ('<a href="./P020240105&#46;pdf">附件</a>', True),
    ('<a href="./P020240105&#x2E;wps">附件</a>', True),
    ('<a href="./t20240105_2.html">上一篇</a><p>请于1月5日前报送。</p>', False),
]


@pytest.mark.parametrize(("markup", "links_one"), CASES, ids=[m for m, _ in CASES])
def test_written_forms_of_an_attachment_link(markup: str, links_one: bool) -> None:
    text = f"<html><body>{markup}</body></html>"
    assert bool(fetched_links(text, URL)) is links_one
    assert may_link_fetched_attachment(text) is links_one

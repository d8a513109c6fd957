"""Plain HTTP helpers for the govsim tests: one real request, and the notice text a page shows."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

from lxml import html as lxml_html

# Where each flavour keeps the notice body (docs/flavours.md); twice-sim has two TRS_Editor divs.
BODY_XPATH = {
    "trs": "(//div[contains(@class,'TRS_Editor')])[last()]",
    "gkmlpt": "//div[@class='zw']",
    "hanweb": "//div[@id='zoom']",
    "anhui": "//div[contains(@class,'j-fontContent')]",
    "portal": "//div[@class='lp-content']",
    "ucap": "//div[@class='article_content']/ucapcontent",
    "igs": "//div[@class='article-content']",
    "hanweb_jpaas": "//div[@id='zoom']",
    "ilist": "//div[@id='info_content']",
    "shanghai": "//div[@id='ivs_content']",
    "generic": "//div[@id='cmsArticleContent']",
    "json_list": "(//div[contains(@class,'TRS_Editor')])[last()]",
}


@dataclass
class Fetched:
    status: int
    headers: Message
    body: bytes


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None,
          timeout: float = 10.0) -> Fetched:  # fmt: skip
    """One real HTTP request; redirects are not followed and 4xx/5xx are returned, not raised."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return Fetched(response.status, response.headers, response.read())
    finally:
        conn.close()


def body_paragraphs(flavour: str, page: bytes, encoding: str = "utf-8") -> list[str]:
    """The notice paragraphs shown on a detail page (portal: without the repost's title lines)."""
    tree = lxml_html.fromstring(page.decode(encoding))
    (container,) = tree.xpath(BODY_XPATH[flavour])
    paragraphs = container.xpath(".//p[not(starts-with(@class,'lp-doc'))]")
    return [p.text_content() for p in paragraphs]

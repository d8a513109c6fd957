"""The baseline for the backfill benchmark: a minimal Scrapy spider that only GETs a list of URLs.

``python -m benchmarks.bare_scrapy URLS_FILE`` prints how many responses it received. Same global
and per-host concurrency as the PolicyWatch crawl of govsim's scale sites (16 / 4, no delay), no
robots.txt, no parsing, nothing stored.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess

SETTINGS = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
    "HTTPERROR_ALLOW_ALL": True,
    "RETRY_ENABLED": False,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
}


class FetchOnly(scrapy.Spider):
    name = "fetch_only"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.received = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Any) -> None:
        self.received += 1


def main(argv: list[str]) -> int:
    urls = [u for u in Path(argv[0]).read_text(encoding="utf-8").splitlines() if u.strip()]
    process = CrawlerProcess(SETTINGS)
    crawler = process.create_crawler(FetchOnly)
    process.crawl(crawler, urls=urls)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, FetchOnly)
    print(spider.received)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

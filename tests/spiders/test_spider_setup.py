"""How the notices spider sets itself up from the registry: slots, request meta, argument checks."""

from __future__ import annotations

import re

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from twisted.python.failure import Failure

import config
from spiders import settings as project_settings
from spiders.flavours import PageRequest
from spiders.protocol import ROLE, SITE
from spiders.spiders.notices import NoticesSpider


def make_spider(**kwargs: str) -> tuple[NoticesSpider, Crawler]:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    crawler = Crawler(NoticesSpider, settings)
    return NoticesSpider.from_crawler(crawler, **kwargs), crawler


def test_every_site_gets_its_own_slot_with_its_politeness() -> None:
    spider, crawler = make_spider(sites="hainan,guangdong", cycle_id="c1")
    slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
    scale = config.current().delay_scale
    for slug in ("hainan", "guangdong"):
        politeness = spider.sites[slug].politeness
        assert slots[slug] == {
            "concurrency": politeness.concurrency,
            "delay": politeness.download_delay * scale,
        }


def test_list_requests_carry_the_site_slot_role_and_timeout() -> None:
    spider, _ = make_spider(sites="hainan", cycle_id="c1")
    site = spider.sites["hainan"]
    request = spider._list_request(site, PageRequest(url=site.absolute_list_urls()[0]))
    assert request.meta[SITE] == "hainan" and request.meta[ROLE] == "list"
    assert request.meta["download_slot"] == "hainan"
    assert request.meta["download_timeout"] == site.politeness.timeout
    assert "dont_obey_robotstxt" not in request.meta


def test_a_hanweb_data_request_is_a_form_post() -> None:
    spider, _ = make_spider(sites="hainan", cycle_id="c1")
    page = PageRequest(url="https://x/module/jpage/dataproxy.jsp?startrecord=1", method="POST",
                       form=(("webid", "1"), ("webname", "浙江省人民政府")))  # fmt: skip
    request = spider._list_request(spider.sites["hainan"], page)
    assert request.method == "POST"
    assert request.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    assert request.body == b"webid=1&webname=%E6%B5%99%E6%B1%9F%E7%9C%81%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "sideways"}, "mode must be one of monitor, recheck, backfill"),
        ({"mode": "recheck"}, "mode=recheck needs recheck_file="),
        ({"sites": "atlantis"}, "unknown site(s): atlantis"),
    ],
    ids=["unknown-mode", "recheck-without-file", "unknown-site"],
)
def test_bad_arguments_fail_at_start(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make_spider(**{"sites": "hainan", **kwargs})


def test_a_callback_bug_fails_only_that_site_with_a_clear_error() -> None:
    spider, crawler = make_spider(sites="hainan,guangdong", cycle_id="c1")
    crawler.stats = MemoryStatsCollector(crawler)
    url = "https://www.hainan.gov.cn/hainan/szfwj/index.html"
    response = HtmlResponse(url, request=Request(url, meta={SITE: "hainan", ROLE: "list"}))

    spider.on_callback_error(Failure(ValueError("invalid literal for int()")), response, spider)

    hainan, guangdong = spider.outcomes.get("hainan"), spider.outcomes.get("guangdong")
    assert (hainan.status, hainan.stopped) == ("failed", True)
    assert hainan.error == f"site hainan: the list page {url} broke the crawler: invalid literal for int()"
    assert (guangdong.status, guangdong.error) == ("ok", None)
    assert crawler.stats.get_value("site/hainan/errors") == 1

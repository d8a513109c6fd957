"""Downloader components: the site guard, retries with back-off, and per-site AutoThrottle."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response

import config
from spiders.faults import backoff_for, classify
from spiders.protocol import FLAG, ROLE, SITE, GuardedSpider

logger = logging.getLogger(__name__)


class SiteGuardMiddleware:
    """Keeps bad pages and stopped sites out of the crawl.

    - drops requests of a site that was stopped (challenge, maintenance, list failure);
    - refuses redirects to another host (recorded as the site's error, never followed);
    - recognises anti-bot challenges and maintenance pages, on list and detail pages alike: the
      site is stopped (blocked / failed, a site failure either way); a list page is not stored, a
      detail page is flagged and passed on, so it is stored for normalization to reject.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteGuardMiddleware:
        return cls(crawler)

    def _spider(self) -> GuardedSpider | None:
        spider = self.crawler.spider
        return cast(GuardedSpider, spider) if hasattr(spider, "outcomes") else None

    def process_request(self, request: Request) -> None:
        spider, slug = self._spider(), request.meta.get(SITE)
        if spider is None or slug is None:
            return None
        if spider.outcomes.get(slug).stopped:
            spider.outcomes.inc(slug, "skipped_after_stop")
            raise IgnoreRequest(f"site {slug} stopped for this run")
        spider.outcomes.inc(slug, "requests")
        spider.outcomes.touch(slug)
        return None

    def process_response(self, request: Request, response: Response) -> Request | Response:
        spider, slug = self._spider(), request.meta.get(SITE)
        if spider is None or slug is None:
            return response
        role = request.meta.get(ROLE, "detail")
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and response.status != 304 and location:
            target = urljoin(request.url, location.decode("latin-1"))
            if target == request.url:
                # A cookie gate: Set-Cookie and back to the same URL, which Scrapy's duplicate
                # filter would drop. Followed once more with the cookie (REDIRECT_MAX_TIMES bounds it).
                request.dont_filter = True
            if not spider.same_site(slug, target):
                spider.outcomes.inc(slug, "offsite_redirects")
                spider.outcomes.inc(slug, "refused")
                message = (
                    f"site {slug}: {role} page {request.url} redirected to another host "
                    f"({urlsplit(target).netloc or target}); not followed. If the site moved, update base_url "
                    f"(or extra_hosts) in sites/{slug}.toml"
                )
                logger.warning(message)
                spider.outcomes.fail(slug, message, stop=role == "list")
                raise IgnoreRequest(f"off-site redirect to {target}")
            return response
        if role == "attachment" or response.status == 304 or response.status in spider.retry_http_codes:
            return response
        set_cookies = [value.decode("latin-1") for value in response.headers.getlist(b"Set-Cookie")]
        verdict = classify(response.status, response.body, set_cookies)
        if verdict is None:
            return response
        if verdict.kind == "blocked":
            spider.outcomes.inc(slug, "challenges")
            spider.outcomes.block(
                slug, f"site {slug}: {role} page returned {verdict.reason}", backoff_for(verdict)
            )
        elif verdict.maintenance:
            # On a detail page too: the site is down, so it is a site failure and the rest waits.
            spider.outcomes.fail(
                slug,
                f"site {slug}: {role} page {request.url} is {verdict.reason}; try again later",
                stop=True,
            )
        if role == "list" and (verdict.kind == "blocked" or verdict.maintenance):
            raise IgnoreRequest(f"{role} page {request.url}: {verdict.reason}")
        request.meta[FLAG] = (verdict.kind, verdict.reason)
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (5xx, timeouts, connection resets, truncated bodies), spaced out.

    Waits ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (at most ``RETRY_BACKOFF_MAX``) before the
    n-th retry, so a struggling server gets room to recover.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0) * config.current().delay_scale
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(self, request: Request, response: Response) -> Any:  # type: ignore[override]
        result = super().process_response(request, response)
        return await self._wait_if_retry(result)

    async def process_exception(self, request: Request, exception: Exception) -> Any:  # type: ignore[override]
        result = super().process_exception(request, exception)
        return await self._wait_if_retry(result)

    async def _wait_if_retry(self, result: Any) -> Any:
        if isinstance(result, Request):
            attempt = int(result.meta.get("retry_times", 1))
            await asyncio.sleep(min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max))
        return result


class SiteAutoThrottle(AutoThrottle):
    """AutoThrottle that never goes below a site's own ``download_delay`` (its DOWNLOAD_SLOTS entry)."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("AUTOTHROTTLE_ENABLED"):
            raise NotConfigured
        super().__init__(crawler)

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        slots = self.crawler.settings.getdict("DOWNLOAD_SLOTS")
        floor = slots.get(request.meta.get("download_slot"), {}).get("delay")
        if floor is None:
            return super()._response_downloaded(response, request, spider)
        default, self.mindelay = self.mindelay, float(floor)
        try:
            super()._response_downloaded(response, request, spider)
        finally:
            self.mindelay = default

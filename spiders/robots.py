"""robots.txt, obeyed as Scrapy does, but fetched once per host per TTL instead of once per process.

Every cycle's crawl is a fresh ``python -m spiders.crawl`` subprocess, and Scrapy's
:class:`~scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware` remembers robots.txt only
for the life of its process: without a shared cache every cycle would fetch every site's
robots.txt again. :class:`CachedRobotsTxtMiddleware` keeps Scrapy's behaviour and adds a cache in
the database (``robots_txt``, one row per netloc, see :mod:`storage.robots`):

- a row younger than ``POLICYWATCH_ROBOTS_TTL_HOURS`` (default 24; 0 turns the cache off) is
  parsed instead of a request, and its rules are obeyed exactly like a freshly fetched file;
- otherwise robots.txt is fetched as Scrapy does and, when the answer is a definitive one
  (2xx: the rules; 404/410: there are none), stored for the next processes. Other answers
  (5xx, 429, 403, an anti-bot challenge or a maintenance page, even with a 200) are used for
  this process only, as Scrapy uses them, and asked again next time, so a passing outage never
  stands for a site's rules for a whole day;
- a fetch that fails (timeout, connection refused…) behaves as in Scrapy: the host is treated as
  having no robots.txt for this process, and nothing is stored;
- requests with ``dont_obey_robotstxt`` (sites with ``politeness.robots_override_reason``) never
  read or fetch robots.txt, as before.

The cache is an optimisation: if the database cannot be read or written, the middleware logs it
and fetches robots.txt as Scrapy would.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

import config
from spiders.faults import classify
from storage.db import session_scope
from storage.robots import fresh_robots_txt, store_robots_txt

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

# Answers that say what the host's rules are: stored and reused until the TTL runs out.
CACHEABLE_STATUSES = frozenset({404, 410})


def cacheable(status: int, body: bytes) -> bool:
    """True for an answer that says what the host's rules are, and will say it again tomorrow."""
    if not (200 <= status < 300 or status in CACHEABLE_STATUSES):
        return False
    verdict = classify(status, body)  # a maintenance or challenge page served as robots.txt passes
    return verdict is None or (verdict.kind == "error" and not verdict.maintenance)


@dataclass(frozen=True)
class CachedRobots:
    status: int
    body: bytes
    fetched_at: datetime


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware with robots.txt bodies cached in the database for a TTL."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = config.current()
        self.ttl = timedelta(hours=settings.robots_ttl_hours)
        self.database_url = settings.database_url

    async def robot_parser(self, request: Request) -> RobotParser | None:
        # Same flow as RobotsTxtMiddleware.robot_parser (Scrapy 2.19): the first request for a
        # netloc puts a Deferred in self._parsers, so every other request for it waits for the
        # one lookup; the cache is consulted before the download.
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            cached = await self._load(netloc)
            if cached is not None:
                await self._use_cached(cached, netloc, request)
            else:
                await self._fetch(request, netloc)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    async def _use_cached(self, cached: CachedRobots, netloc: str, request: Request) -> None:
        try:
            rp = build_from_crawler(self._parserimpl, self.crawler, cached.body)
        except Exception:
            logger.warning("cached robots.txt of %s does not parse; fetching it", netloc, exc_info=True)
            await self._fetch(request, netloc)
            return
        self._stats.inc_value("robotstxt/cache/hit")
        logger.debug("robots.txt of %s from the cache (fetched %s)", netloc, cached.fetched_at)
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed, robotparser=rp, request=request
        )
        waiting = self._parsers[netloc]
        assert isinstance(waiting, Deferred)
        self._parsers[netloc] = rp
        waiting.callback(rp)

    async def _fetch(self, request: Request, netloc: str) -> None:
        """Download and parse robots.txt exactly as Scrapy does, then store a definitive answer."""
        self._stats.inc_value("robotstxt/cache/miss")
        url = urlparse_cached(request)
        robots_request = Request(
            f"{url.scheme}://{netloc}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        response: Response | None = None
        try:
            response = await self.crawler.engine.download_async(robots_request)
            await self._parse_robots(response, netloc, request)
        except Exception as exc:
            if not isinstance(exc, IgnoreRequest):
                logger.error(
                    "Error downloading %(request)s: %(f_exception)s",
                    {"request": request, "f_exception": exc},
                    exc_info=True,
                    extra={"spider": self.crawler.spider},
                )
            self._robots_error(exc, netloc)
            response = None
        self._stats.inc_value("robotstxt/request_count")
        if response is not None and cacheable(response.status, response.body):
            await self._store(netloc, response)

    async def _load(self, netloc: str) -> CachedRobots | None:
        if self.ttl <= timedelta(0):
            return None
        try:
            return await maybe_deferred_to_future(deferToThread(self._read_row, netloc))
        except Exception:
            logger.warning("robots.txt cache unreadable for %s; fetching it", netloc, exc_info=True)
            self._stats.inc_value("robotstxt/cache/read_error")
            return None

    def _read_row(self, netloc: str) -> CachedRobots | None:  # in a thread: never blocks the reactor
        with session_scope(self.database_url) as session:
            row = fresh_robots_txt(session, netloc, self.ttl)
            return None if row is None else CachedRobots(row.status, row.body, row.fetched_at)

    async def _store(self, netloc: str, response: Response) -> None:
        try:
            await maybe_deferred_to_future(
                deferToThread(self._write_row, netloc, response.url, response.status, response.body)
            )
            self._stats.inc_value("robotstxt/cache/stored")
        except Exception:
            # The rules just fetched are obeyed all the same; the next process fetches them again.
            logger.error("could not store robots.txt of %s in the cache", netloc, exc_info=True)
            self._stats.inc_value("robotstxt/cache/write_error")

    def _write_row(self, netloc: str, url: str, status: int, body: bytes) -> None:
        with session_scope(self.database_url) as session:
            store_robots_txt(session, netloc, url=url, status=status, body=body, fetched_at=datetime.now(UTC))

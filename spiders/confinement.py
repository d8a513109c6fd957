"""The crawler fetches only the site: every request checked against its site's hosts and addresses.

:class:`ConfinementMiddleware` runs first among the downloader middlewares, so it sees every
request the spider makes (list, pagination, detail, attachment, recheck) and every request
Scrapy makes for it (a followed redirect or meta refresh comes back through the downloader
middlewares as a new request) before robots.txt is fetched for its host. A request is refused
when ``Site.url_refusal`` says so (another scheme, another host or port, a forbidden IP literal)
or when its host name resolves to a forbidden address (checked here with the site's own
``allow_private_network``, and again by :class:`spiders.resolver.ConfinedResolver` when the
connection is made). A refused request is counted (``site/<slug>/refused`` and
``policywatch/refused`` in the crawl stats, so in the crawl run), logged once as a warning that
names the site, the URL and the reason, and never downloaded; a refused list page also stops
its site for the run.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any, cast
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.spiders import Spider
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from sites import Site
from sites.confinement import SCHEMES, address_refusal, literal_address
from spiders.protocol import ROLE, SITE, GuardedSpider
from spiders.resolver import AddressRefused, ConfinedResolver

logger = logging.getLogger(__name__)


class RequestRefused(IgnoreRequest):
    """A request the crawler must not make for its site (already counted and logged)."""


class ConfinementMiddleware:
    """Refuses requests that leave their site (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.warned: set[tuple[str | None, str]] = set()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConfinementMiddleware:
        return cls(crawler)

    def _sites(self) -> dict[str, Site]:
        return cast(dict[str, Site], getattr(self.crawler.spider, "sites", None) or {})

    def spider_opened(self, spider: Spider) -> None:
        """Tell the resolver which names may resolve to private addresses: this crawl's allowing sites'."""
        resolver = _installed_resolver()
        if resolver is None:
            logger.warning(
                "the DNS resolver is not spiders.resolver.ConfinedResolver (TWISTED_DNS_RESOLVER): "
                "addresses are checked per request only, not when connections are made"
            )
            return
        resolver.allow_private_network(
            host
            for site in self._sites().values()
            if site.allow_private_network
            for _, host, _ in site.origins()
        )

    async def process_request(self, request: Request) -> None:
        slug = request.meta.get(SITE)
        site = self._sites().get(slug) if slug else None
        if site is None:  # not a site's request (robots.txt): its host was checked with the request
            scheme = urlsplit(request.url).scheme
            if scheme not in SCHEMES:
                self._refuse(None, request, f"scheme {scheme}: is not http or https")
            return None
        reason = site.url_refusal(request.url) or await _resolved_refusal(site, request.url)
        if reason is not None:
            self._refuse(site.slug, request, reason)
        return None

    def _refuse(self, slug: str | None, request: Request, reason: str) -> None:
        role = request.meta.get(ROLE, "detail")
        message = f"site {slug or '?'}: refused {role} request {request.url}: {reason}"
        if slug is not None and reason.endswith("does not set allow_private_network"):
            message += (
                f"; set it to true in sites/{slug}.toml only if the site really is on a private network"
            )
        spider = self.crawler.spider
        if slug is None or not hasattr(spider, "outcomes"):
            self.crawler.stats.inc_value("policywatch/refused")
        else:
            outcomes = cast(GuardedSpider, spider).outcomes
            outcomes.inc(slug, "refused")
            outcomes.inc(slug, f"refused/{role}")
            if role == "list":
                outcomes.fail(slug, message)  # what was listed before is still fetched
        if (slug, request.url) not in self.warned:
            self.warned.add((slug, request.url))
            logger.warning(message)
        raise RequestRefused(message)


async def _resolved_refusal(site: Site, url: str) -> str | None:
    """Why ``url``'s host name must not be connected to for ``site`` (None for IP literals, which
    ``Site.url_refusal`` checked, and for names that do not resolve: their download fails as usual)."""
    host = urlsplit(url).hostname
    if not host or literal_address(host) is not None:
        return None
    from twisted.internet import reactor

    resolver: Any = reactor.resolver  # type: ignore[attr-defined]  # an IResolverSimple
    try:
        address = await maybe_deferred_to_future(resolver.getHostByName(host))
    except AddressRefused as exc:
        return exc.reason
    except DNSLookupError:
        return None
    reason = address_refusal(ipaddress.ip_address(address), allow_private_network=site.allow_private_network)
    return f"{host} resolves to {address}: {reason}" if reason else None


def _installed_resolver() -> ConfinedResolver | None:
    from twisted.internet import reactor

    resolver = getattr(reactor, "resolver", None)
    return resolver if isinstance(resolver, ConfinedResolver) else None

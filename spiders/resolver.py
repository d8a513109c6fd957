"""The crawler's DNS resolver: Scrapy's caching resolver that refuses forbidden addresses.

Installed with ``TWISTED_DNS_RESOLVER`` (spiders/settings.py), it sees every connection the
downloader makes, robots.txt included, so a name that resolves to a loopback, private or
metadata address is refused at connection time, not only in the request's URL. A name may
resolve to a private address only when it is a host of a site in this crawl that sets
``allow_private_network`` (the spider's ConfinementMiddleware tells the resolver which names those
are when the spider opens); the resolver only sees names, so a name shared by such a site and
another one is allowed for both.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from sites.confinement import address_refusal


class AddressRefused(DNSLookupError):
    """A name resolved to an address the crawler must not connect to; ``reason`` says why."""

    def __init__(self, name: str, address: str, reason: str) -> None:
        self.reason = f"{name} resolves to {address}: {reason}"
        super().__init__(self.reason)


class ConfinedResolver(CachingThreadedResolver):
    """Scrapy's CachingThreadedResolver, with every resolved address checked by ``address_refusal``."""

    private_hosts: set[str]

    def __init__(self, reactor: Any, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.private_hosts = set()

    def allow_private_network(self, hosts: Iterable[str]) -> None:
        """Let ``hosts`` (of sites with ``allow_private_network``) resolve to private addresses."""
        self.private_hosts.update(host.lower().rstrip(".") for host in hosts)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 - Twisted's name
        resolved = super().getHostByName(name, timeout)
        resolved.addCallback(self._checked, name)
        return resolved

    def _checked(self, address: str, name: str) -> str:
        allow = name.lower().rstrip(".") in self.private_hosts
        reason = address_refusal(ipaddress.ip_address(address), allow_private_network=allow)
        if reason is not None:
            raise AddressRefused(name, address, reason)
        return address

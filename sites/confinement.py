"""What a site's crawl may fetch: its own origins, over http or https, never a forbidden address.

Pure (no Scrapy, no network): :class:`sites.Site` refuses a site file that breaks these rules
when it is loaded, the crawler's ``ConfinementMiddleware`` checks every request with
:func:`url_refusal`, and the crawler's resolver checks every address a host name resolves to
with :func:`address_refusal`.

- An **origin** is ``(scheme, host, port)``: another port of the same host is another host. A
  site's origins are its ``base_url`` (and, when that is on its scheme's default port, the same
  host over the other scheme on that one's default port: ``http://x`` and ``https://x`` are the
  same site) plus its ``extra_hosts``.
- **Forbidden addresses**: loopback, private (RFC 1918, IPv6 ULA), shared (100.64.0.0/10) and
  link-local ones unless the site sets ``allow_private_network``; unspecified, multicast,
  reserved and cloud-metadata addresses always. IPv4 written inside IPv6 (``::ffff:127.0.0.1``,
  6to4, NAT64) counts as the IPv4 address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Origin = tuple[str, str, int]  # (scheme, host, port)

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Instance metadata services of the clouds a crawler may run on: never a government site.
METADATA_ADDRESSES: frozenset[Address] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, Huawei, OpenStack
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.0.23",  # Tencent Cloud
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_HOST = frozenset("0123456789abcdefx.")


def literal_address(host: str) -> Address | None:
    """``host`` as an IP address when it is one: dotted, IPv6, or a form ``inet_aton`` reads
    (``127.1``, ``2130706433``, ``0x7f.0.0.1``), since the system resolver connects to those too."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host[:1].isdigit() and set(host.lower()) <= _NUMERIC_HOST:
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: Address, *, allow_private_network: bool = False) -> str | None:
    """Why a crawl must not connect to ``address``, or None when it may."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        reason = address_refusal(embedded, allow_private_network=allow_private_network)
        return f"{address} is IPv4 {embedded}; {reason}" if reason else None
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if address.is_unspecified or address in _THIS_NETWORK:
        return f"{address} is an unspecified address"
    if address.is_multicast:
        return f"{address} is a multicast address"
    if address.is_reserved and not address.is_loopback:
        return f"{address} is a reserved address"
    private_kind = (
        "loopback"
        if address.is_loopback
        else "link-local"
        if address.is_link_local
        else "shared (carrier-grade NAT)"
        if address in _SHARED
        else "private"
        if address.is_private
        else None
    )
    if private_kind is not None:
        if allow_private_network:
            return None
        return f"{address} is a {private_kind} address and the site does not set allow_private_network"
    if not address.is_global:
        return f"{address} is a reserved address"
    return None


def origin(url: str) -> Origin:
    """``(scheme, host, port)`` of an absolute http(s) URL; a ValueError saying what is wrong otherwise."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"scheme {scheme + ':' if scheme else 'none'} is not http or https")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError("the URL names no host")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port: {exc}") from None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def extra_host_origins(entry: str) -> frozenset[Origin]:
    """The origins of one ``extra_hosts`` entry: ``host`` or ``host:port`` (over http and https,
    on the scheme's default port unless given), or ``scheme://host[:port]`` (that origin only)."""
    if "://" in entry:
        parts = urlsplit(entry)
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValueError("an extra host is scheme://host[:port], with no path, query or user")
        return frozenset({origin(entry)})
    parts = urlsplit("//" + entry.strip())
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError("an extra host is host, host:port or scheme://host[:port]")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port: {exc}") from None
    return frozenset((scheme, host, port or DEFAULT_PORTS[scheme]) for scheme in SCHEMES)


def site_origins(base_url: str, extra_hosts: Iterable[str] = ()) -> frozenset[Origin]:
    """Every origin a site may be fetched from (see the module docstring)."""
    scheme, host, port = origin(base_url)
    found = {(scheme, host, port)}
    if port == DEFAULT_PORTS[scheme]:
        other = "https" if scheme == "http" else "http"
        found.add((other, host, DEFAULT_PORTS[other]))
    for entry in extra_hosts:
        found |= extra_host_origins(entry)
    return frozenset(found)


def describe(found: Origin) -> str:
    scheme, host, port = found
    return f"{scheme}://{'[' + host + ']' if ':' in host else host}:{port}"


def url_refusal(url: str, origins: frozenset[Origin], *, allow_private_network: bool) -> str | None:
    """Why a site whose origins are ``origins`` must not fetch ``url``, or None when it may."""
    try:
        found = origin(url)
    except ValueError as exc:
        return str(exc)
    if found not in origins:
        return f"{describe(found)} is not the site's host (base_url or extra_hosts)"
    address = literal_address(found[1])
    if address is None:
        return None  # a name: its addresses are checked when it is resolved
    return address_refusal(address, allow_private_network=allow_private_network)

"""A few pages fetched politely with urllib, for ``policywatch sites check``: the crawler's rules
without Scrapy.

:class:`PoliteFetcher` is shared by every site one check run looks at, and for each request:

- refuses what the crawler's confinement refuses (:meth:`sites.Site.url_refusal`: another scheme,
  host or port, a forbidden IP literal; a host name that resolves to a forbidden address; a
  redirect to anywhere the site may not fetch). Connections go to the very address that was
  checked (no second lookup), as the crawler's ``ConfinedResolver`` does;
- obeys robots.txt as the crawler does (Protego, Scrapy's default parser, with the crawler's
  User-Agent), fetched once per host and run; a site with ``politeness.obey_robots = false`` (and
  its ``robots_override_reason``) does not read it. A robots.txt that cannot be fetched, or that
  answers with anything but a 2xx, imposes no rules, as in Scrapy;
- sends at most one request at a time to a host (``scheme://host:port``), whichever site asks,
  and waits the site's ``download_delay`` (times ``POLICYWATCH_DELAY_SCALE``) after the host's
  previous answer before the next request.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from protego import Protego

from sites import Site
from sites.confinement import address_refusal, describe, literal_address, origin
from spiders.flavours import PageRequest
from spiders.settings import DEFAULT_REQUEST_HEADERS, USER_AGENT

Answer = tuple[int, bytes, dict[str, str]]  # status, body, lower-cased headers


class RequestRefused(ValueError):
    """A request the site's confinement rules forbid (nothing was sent)."""


class RobotsDisallowed(ValueError):
    """robots.txt forbids the request (nothing was sent)."""


class DeadlineReached(Exception):
    """The run's deadline comes before the request could be sent (nothing was sent)."""


class HostUnresolved(OSError):
    """The host name does not resolve. ``permanent`` when DNS says the name does not exist; a
    temporary failure (no answer from the resolver) says more about this machine than the site."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


# getaddrinfo's answers for "this name does not exist" (EAI_NODATA: it exists, with no address).
_NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


def _unresolved(name: str, exc: socket.gaierror) -> HostUnresolved:
    return HostUnresolved(
        f"{name} does not resolve: {exc.strerror or exc}", permanent=exc.errno in _NO_SUCH_NAME
    )


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    ready_at: float = 0.0  # monotonic time before which the next request must not start
    robots: Protego | None = None
    robots_read: bool = False


class _ConfinedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only when the site may fetch its target (sites.confinement)."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        reason = self.site.url_refusal(newurl)
        if reason is not None:
            raise RequestRefused(f"{req.full_url} redirected to {newurl}, not followed: {reason}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class PoliteFetcher:
    """Fetches :class:`PageRequest` s for sites, confined, robots-obeying, one at a time per host.

    Thread-safe: one fetcher serves every worker of a check run. ``delay_scale`` multiplies each
    site's ``download_delay`` (the replicas in tests use 0.01). ``requests`` counts what was sent
    to each host.
    """

    def __init__(self, *, delay_scale: float = 1.0) -> None:
        self.delay_scale = delay_scale
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self.requests: dict[str, int] = {}  # requests sent, per host: what the report can show

    def fetch(
        self, site: Site, request: PageRequest, timeout: float, deadline: float | None = None
    ) -> Answer:
        """``request`` for ``site``: its answer, whatever the status (an HTTP error is an answer too).

        ``deadline`` (a :func:`time.monotonic` time): no request is sent after it (robots.txt
        included), and none waits for an answer past it. Raises :class:`RequestRefused`,
        :class:`RobotsDisallowed`, :class:`HostUnresolved`, :class:`DeadlineReached`, or the
        ``OSError`` of a failed connection or a timeout.
        """
        reason = site.url_refusal(request.url)
        if reason is not None:
            raise RequestRefused(f"refused {request.url}: {reason}")
        key = describe(origin(request.url))
        host = self._host(key)
        with host.lock:
            self._refuse_forbidden_address(site, request.url)
            if site.politeness.obey_robots:
                self._obey_robots(site, host, request.url, timeout, deadline)
            return self._send(site, host, request, timeout, deadline)

    def _host(self, key: str) -> _Host:
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    def _send(
        self, site: Site, host: _Host, request: PageRequest, timeout: float, deadline: float | None
    ) -> Answer:
        """One request, after the host's delay; the host's next request waits this site's delay."""
        if deadline is not None and max(host.ready_at, time.monotonic()) >= deadline:
            raise DeadlineReached(request.url)
        pause = host.ready_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        if deadline is not None:
            timeout = min(timeout, deadline - time.monotonic())
        key = describe(origin(request.url))
        self.requests[key] = self.requests.get(key, 0) + 1
        try:
            return _urlopen(site, request, timeout)
        finally:
            host.ready_at = time.monotonic() + site.politeness.download_delay * self.delay_scale

    def _obey_robots(self, site: Site, host: _Host, url: str, timeout: float, deadline: float | None) -> None:
        if not host.robots_read:
            host.robots_read = True
            parts = urlsplit(url)
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            try:
                status, body, _ = self._send(site, host, PageRequest(url=robots_url), timeout, deadline)
            except DeadlineReached:
                host.robots_read = False  # not read: the next run's first request reads it
                raise
            except (OSError, ValueError):
                status, body = 0, b""  # as in Scrapy: no robots.txt, no rules
            if 200 <= status < 300:
                host.robots = Protego.parse(body.decode("utf-8", errors="replace"))
        if host.robots is not None and not host.robots.can_fetch(url, USER_AGENT):
            raise RobotsDisallowed(f"robots.txt disallows {url}")

    @staticmethod
    def _refuse_forbidden_address(site: Site, url: str) -> None:
        """Before anything is sent: the host name resolves, and to no forbidden address."""
        try:
            _vetted_addresses(site, urlsplit(url).hostname or "", 80)
        except RequestRefused as exc:
            raise RequestRefused(f"refused {url}: {exc}") from None


def _vetted_addresses(site: Site, name: str, port: int) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` of ``name``, each address checked as the crawler's resolver checks them."""
    try:
        found = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise _unresolved(name, exc) from None
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0])
        reason = address_refusal(address, allow_private_network=site.allow_private_network)
        if reason is not None:
            shown = name if literal_address(name) is None else ""
            raise RequestRefused(f"{shown + ' resolves to ' if shown else ''}{address}: {reason}")
    return found


def _pinned_connection(site: Site) -> Callable[..., socket.socket]:
    """``socket.create_connection`` to an address just vetted for ``site``: what the connection
    uses is what was checked, so a name cannot resolve to a forbidden address in between."""

    def connect(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        name, port = address
        last: OSError | None = None
        for family, kind, proto, _, sockaddr in _vetted_addresses(site, name, port):
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not None:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        raise last or OSError(f"{name} has no address")

    return connect


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, site: Site) -> None:
        super().__init__()
        self.site = site

    def http_open(self, req: Any) -> Any:
        return self.do_open(_connection_class(http.client.HTTPConnection, self.site), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, site: Site) -> None:
        super().__init__()
        self.site = site

    def https_open(self, req: Any) -> Any:
        return self.do_open(_connection_class(http.client.HTTPSConnection, self.site), req)


def _connection_class(base: type[http.client.HTTPConnection], site: Site) -> Callable[..., Any]:
    def build(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        connection = base(*args, **kwargs)
        connection._create_connection = _pinned_connection(site)  # type: ignore[attr-defined]
        return connection

    return build


def _urlopen(site: Site, request: PageRequest, timeout: float) -> Answer:
    data = urlencode(request.form).encode() if request.method == "POST" else None
    headers = {**DEFAULT_REQUEST_HEADERS, "User-Agent": USER_AGENT, **dict(request.headers)}
    if data is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    http_request = urllib.request.Request(request.url, data=data, headers=headers, method=request.method)
    opener = urllib.request.build_opener(
        _ConfinedRedirects(site), _PinnedHTTPHandler(site), _PinnedHTTPSHandler(site)
    )
    try:
        with opener.open(http_request, timeout=timeout) as response:  # http(s) on the site only
            return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, socket.gaierror):
            raise _unresolved(urlsplit(request.url).hostname or "", exc.reason) from None
        if isinstance(exc.reason, (RequestRefused, OSError)):  # refused redirect; connection refused, timeout
            raise exc.reason from None
        raise OSError(str(exc.reason)) from exc

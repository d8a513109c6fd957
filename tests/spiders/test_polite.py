"""``spiders.polite.PoliteFetcher``, the fetcher of ``policywatch sites check``, against real local
HTTP servers that log when each request starts and ends: one request at a time per host with the
site's delay between them, hosts in parallel, robots.txt read once per host and obeyed, and the
crawler's confinement (a name resolving to a forbidden address is refused)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sites import DEFAULT_SITES_DIR, Site, load_site_file
from spiders.check import check_site
from spiders.check_run import check_sites
from spiders.flavours import PageRequest
from spiders.polite import PoliteFetcher, RequestRefused, RobotsDisallowed

ANSWER_SECONDS = 0.05  # every answer takes this long, so overlapping requests would show
DELAY_SCALE = 0.05  # hainan's download_delay 2.0 -> 0.1 s


@dataclass
class LoggingServer:
    """An HTTP server on 127.0.0.1 that logs (path, start, end) for every request."""

    robots: str = "User-agent: *\nDisallow: /private/\n"
    log: list[tuple[str, float, float]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for path, _, _ in sorted(self.log, key=lambda e: e[1])]


@pytest.fixture
def servers() -> Iterator[list[LoggingServer]]:
    started: list[LoggingServer] = []

    def make(owner: LoggingServer) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                begin = time.monotonic()
                time.sleep(ANSWER_SECONDS)
                body = (owner.robots if self.path == "/robots.txt" else "<html>ok</html>").encode()
                # logged before the body goes out: once the client holds the whole body it may
                # read the log, and the entry must already be there
                owner.log.append((self.path, begin, time.monotonic()))
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    for _ in range(2):
        owner = LoggingServer()
        owner.server = ThreadingHTTPServer(("127.0.0.1", 0), make(owner))
        threading.Thread(target=owner.server.serve_forever, daemon=True).start()
        started.append(owner)
    yield started
    for owner in started:
        assert owner.server is not None
        owner.server.shutdown()
        owner.server.server_close()


def _site(base_url: str, slug: str = "hainan", **politeness: Any) -> Site:
    site = load_site_file(DEFAULT_SITES_DIR / "hainan.toml").with_base_url(
        base_url, allow_private_network=True
    )
    data = site.model_dump()
    data["slug"] = slug
    data["politeness"] = {**data["politeness"], **politeness}
    return Site.model_validate(data)


def test_one_request_at_a_time_per_host_with_the_site_delay_between(servers: list[LoggingServer]) -> None:
    server = servers[0]
    site = _site(server.base_url)
    fetcher = PoliteFetcher(delay_scale=DELAY_SCALE)
    urls = [f"{server.base_url}/page/{i}.html" for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:  # four workers asking for the same host at once
        answers = list(pool.map(lambda url: fetcher.fetch(site, PageRequest(url=url), 5), urls))
    assert all(status == 200 for status, _, _ in answers)
    log = sorted(server.log, key=lambda e: e[1])
    assert [path for path, _, _ in log].count("/robots.txt") == 1 and log[0][0] == "/robots.txt"
    delay = site.politeness.download_delay * DELAY_SCALE
    gaps = [later[1] - earlier[2] for earlier, later in zip(log, log[1:], strict=False)]
    assert min(gaps) >= delay * 0.9, f"requests overlapped or came too close: gaps {gaps}, delay {delay}"
    assert fetcher.requests == {server.base_url: 9}


def test_different_hosts_are_fetched_in_parallel(servers: list[LoggingServer]) -> None:
    """Two sites on two hosts, two workers: their requests overlap in time (each host stays serial)."""
    first, second = (_site(s.base_url, slug=f"site-{i}") for i, s in enumerate(servers))
    fetcher = PoliteFetcher(delay_scale=DELAY_SCALE)
    jobs = [(site, f"{site.base_url}/page/{i}.html") for i in range(3) for site in (first, second)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: fetcher.fetch(job[0], PageRequest(url=job[1]), 5), jobs))
    a, b = (sorted(s.log, key=lambda e: e[1]) for s in servers)
    overlap = any(x[1] < y[2] and y[1] < x[2] for x in a for y in b)
    assert overlap, "the two hosts were never fetched at the same time"


def test_robots_txt_is_obeyed_unless_the_site_overrides_it(servers: list[LoggingServer]) -> None:
    server = servers[0]
    fetcher = PoliteFetcher(delay_scale=DELAY_SCALE)
    with pytest.raises(RobotsDisallowed, match=r"robots.txt disallows http://127.0.0.1:\d+/private/x.html"):
        fetcher.fetch(_site(server.base_url), PageRequest(url=f"{server.base_url}/private/x.html"), 5)
    assert server.paths() == ["/robots.txt"], "a disallowed page is never requested"
    overriding = _site(
        server.base_url, obey_robots=False, robots_override_reason="the owner agreed in writing"
    )
    status, _, _ = PoliteFetcher(delay_scale=DELAY_SCALE).fetch(
        overriding, PageRequest(url=f"{server.base_url}/private/x.html"), 5
    )
    assert status == 200 and server.paths() == ["/robots.txt", "/private/x.html"]


def test_a_name_resolving_to_a_private_address_is_refused(servers: list[LoggingServer]) -> None:
    port = servers[0].base_url.rsplit(":", 1)[1]
    site = _site(f"http://localhost:{port}").model_copy(update={"allow_private_network": False})
    with pytest.raises(
        RequestRefused, match=r"localhost resolves to (127\.0\.0\.1|::1): .* allow_private_network"
    ):
        PoliteFetcher().fetch(site, PageRequest(url=f"http://localhost:{port}/x.html"), 5)
    assert servers[0].log == [], "nothing was sent"
    result = check_site(site, timeout=5, fetcher=PoliteFetcher())
    assert result.problem_kind == "forbidden-address" and not result.list_reachable, result.describe()
    assert "set allow_private_network = true only if the site really is on a private network" in (
        result.fix or ""
    )
    assert servers[0].log == []


def test_check_sites_keeps_to_its_deadline(servers: list[LoggingServer]) -> None:
    """A deadline of 0: nothing is fetched, every site is reported not checked."""
    sites = [_site(s.base_url, slug=f"site-{i}") for i, s in enumerate(servers)]
    report = check_sites(sites, deadline=0, fetcher=PoliteFetcher(delay_scale=DELAY_SCALE))
    assert [r.problem for r in report.results] == ["not checked (deadline)"] * 2
    assert report.summary() == {"sites": 2, "ok": 0, "failed": 2, "blocked": 0, "not_checked": 2}
    assert all(not s.log for s in servers) and report.requests == {}

"""A hostile corner of the replica web, for the crawler's confinement tests.

One TRS-style site whose list rows, pager, notice attachments, redirects and meta refreshes point
wherever the caller says, and the servers those links point at, each with its own request log,
so a test reads from the servers themselves what was fetched:

| server    | address             | what it is to the hostile site's crawl |
|-----------|---------------------|----------------------------------------|
| `site`    | 127.0.0.1, a port   | the site itself (its entry allows the private network) |
| `twin`    | 127.0.0.1, another  | the same host on another port: another host |
| `files`   | 127.0.0.1, another  | its attachment server, listed in the entry's `extra_hosts` |
| `offsite` | 127.0.0.250         | another host |
| `named`   | 127.0.0.1, another  | a second site, `http://localhost:<port>`, that does not allow the private network |

Links are :class:`HostileLink` entries whose ``href`` (and ``redirect``) may hold ``{site}``,
``{twin}``, ``{files}``, ``{offsite}``, ``{named}`` (each server's ``http://host:port``) and
``{local}`` (a local directory, for ``file://`` links), plus ``{site_by_name}`` and
``{offsite_netloc}`` (see :meth:`HostileWeb.fill`). ``where`` is ``list`` (a list row),
``attachment`` (a link on the notice page), ``pager`` (the list's next-page prefix, TRS
``createPageHTML``) or ``refresh`` (a detail page that is a meta refresh to ``redirect``). A link
with ``redirect`` is a path on the site that answers 302 to it. Every other path of every server
answers a small notice page.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from govsim.httpcore import Request, Response, start_server
from govsim.world import RequestLog

LIST_PATH = "/hostile/index.html"
NOTICE_PATH = "/hostile/202401/t20240101_1.html"
DETAIL_PATTERN = r"/\d{6}/t\d{8}_\d+\.html$"
SERVERS = {
    "site": "127.0.0.1",
    "twin": "127.0.0.1",
    "files": "127.0.0.1",
    "offsite": "127.0.0.250",
    "named": "127.0.0.1",
}
HTML = {"Content-Type": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class HostileLink:
    id: str
    where: str  # list | attachment | pager | refresh
    href: str
    redirect: str | None = None


@dataclass
class HostileWeb:
    """The servers (started by :func:`running_hostile_web`) and what each was asked."""

    links: list[HostileLink]
    local_dir: Path
    urls: dict[str, str] = field(default_factory=dict)  # server name -> http://host:port
    logs: dict[str, RequestLog] = field(default_factory=dict)

    def fill(self, template: str) -> str:
        """``template`` with the servers' URLs; ``{site_by_name}`` is the site as ``localhost``,
        ``{offsite_netloc}`` the off-site server's ``host:port``."""
        return template.format(
            **self.urls,
            local=self.local_dir.as_posix(),
            site_by_name=self.urls["site"].replace("127.0.0.1", "localhost"),
            offsite_netloc=self.urls["offsite"].removeprefix("http://"),
        )

    def paths(self, server: str) -> list[str]:
        """Every request target ``server`` was sent, in order."""
        return [entry["path"] for entry in self.logs[server].recent]

    def site_toml(self) -> str:
        files = self.urls["files"].removeprefix("http://")
        return _entry(
            "hostile-sim", self.urls["site"], f'extra_hosts = ["{files}"]\nallow_private_network = true\n'
        )

    def named_site_toml(self) -> str:
        port = self.urls["named"].rsplit(":", 1)[1]
        return _entry("named-sim", f"http://localhost:{port}", "")

    # -- pages ------------------------------------------------------------------------------------

    def respond(self, server: str, request: Request) -> Response:
        if request.path == "/robots.txt":
            return Response(200, b"User-agent: *\nDisallow:\n", {"Content-Type": "text/plain"})
        if server in ("site", "named") and request.path == LIST_PATH:
            return Response(200, self._list_page(), HTML)
        if server == "site":
            for link in self.links:
                if link.redirect and request.path == self.fill(link.href):
                    if link.where == "refresh":
                        refresh = (
                            f'<meta http-equiv="refresh" content="0;url={escape(self.fill(link.redirect))}">'
                        )
                        return Response(200, _page("跳转", refresh, ""), HTML)
                    return Response(302, b"", {"Location": self.fill(link.redirect)})
        if request.path == NOTICE_PATH:
            return Response(200, self._notice_page(), HTML)
        return Response(200, _page(f"{server} {request.path}", "", "<p>不属于本站的页面。</p>"), HTML)

    def _list_page(self) -> bytes:
        rows = [
            f'<li><a href="{NOTICE_PATH}" title="关于印发测试方案的通知">关于印发测试方案的通知</a><span>2024-01-01</span></li>'
        ]
        rows += [
            f'<li><a href="{escape(self.fill(link.href))}" title="{link.id}">{link.id}</a><span>2024-01-02</span></li>'
            for link in self.links
            if link.where in ("list", "refresh")
        ]
        pager = next((self.fill(link.href) for link in self.links if link.where == "pager"), "index")
        script = f'<script>createPageHTML(2, 0, "{pager}", "html");</script>'
        return _page("通知公告", "", f"<ul>{''.join(rows)}</ul>{script}")

    def _notice_page(self) -> bytes:
        links = "".join(
            f'<p><a href="{escape(self.fill(link.href))}">{link.id}</a></p>'
            for link in self.links
            if link.where == "attachment"
        )
        body = (
            "<h1>关于印发测试方案的通知</h1><p>各市县人民政府：现将测试方案印发给你们，请认真贯彻执行。</p>"
        )
        return _page("关于印发测试方案的通知", "", body + links)


def _entry(slug: str, base_url: str, extra: str) -> str:
    return (
        f'slug = "{slug}"\nname = "{slug}"\nregion = "测试"\nlevel = "city"\nbase_url = "{base_url}"\n'
        f'flavour = "trs"\nlist_urls = ["{LIST_PATH}"]\ndetail_url_pattern = \'{DETAIL_PATTERN}\'\n{extra}'
        "\n[politeness]\ndownload_delay = 0.0\nconcurrency = 4\ntimeout = 5.0\nmax_list_pages = 3\n"
    )


def _page(title: str, head: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>{head}</head>'
        f"<body>{body}</body></html>\n"
    ).encode()


async def _start(web: HostileWeb) -> list[asyncio.Server]:
    servers = []
    for name, host in SERVERS.items():
        log = web.logs[name] = RequestLog()

        async def handle(request: Request, name: str = name) -> Response:
            return web.respond(name, request)

        def record(request: Request, response: Response, sent: int, log: RequestLog = log) -> None:
            log.record(request.method, request.target, "other", response.status, sent, None)

        server = await start_server(host, 0, handle, record)
        servers.append(server)
        web.urls[name] = f"http://{host}:{server.sockets[0].getsockname()[1]}"
    return servers


@contextlib.contextmanager
def running_hostile_web(links: list[HostileLink], local_dir: Path) -> Iterator[HostileWeb]:
    """Serve the hostile web from a thread of this process until the block exits."""
    web = HostileWeb(links=links, local_dir=local_dir)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="govsim-hostile", daemon=True)
    thread.start()
    servers = asyncio.run_coroutine_threadsafe(_start(web), loop).result(timeout=10)
    try:
        yield web
    finally:

        async def close() -> None:
            for server in servers:
                server.close()
                await server.wait_closed()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)

"""Answering one site's requests: routing, faults, conditional GET, the request log."""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from govsim.attachments import attachment_bytes
from govsim.faults import FAULT_KINDS, GATE_COOKIE, Fault, challenge_page, error_page, maintenance_page
from govsim.httpcore import Request, Response
from govsim.render import (
    encode,
    render_column_shell,
    render_detail,
    render_hanweb_records,
    render_js_only_list,
    render_list,
)
from govsim.urls import Route, detail_path, route
from govsim.world import SiteState, World

HTML = "text/html"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_CACHE_LIMIT = 4096


class SiteApp:
    """The HTTP application of one site (``alias`` serves the same site on a second host, fault-free)."""

    def __init__(self, world: World, state: SiteState, *, alias: bool = False) -> None:
        self.world = world
        self.state = state
        self.alias = alias
        self._cache: dict[tuple[Any, ...], tuple[bytes, str]] = {}

    async def __call__(self, request: Request) -> Response:
        with self.world.lock:
            return self.respond(request)

    def log(self, request: Request, response: Response, sent: int) -> None:
        with self.world.lock:
            self.state.log.record(
                request.method, request.target, response.kind, response.status, sent, response.fault
            )

    # -- dispatch ---------------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        state = self.state
        found = route(state.spec, request.method, request.path, request.query)
        kind = found.kind if found else "other"
        delay, fault = (0.0, None) if self.alias else self._faults(kind)
        if fault is not None and fault.kind == "cookie_gate" and _sends_gate_cookie(request):
            fault = None
        if fault is not None and fault.kind != "truncate":
            response = self._fault_response(fault, request)
        else:
            response = self._normal(request, found)
            if fault is not None:
                response.action, response.fault = "truncate", "truncate"
        response.delay = delay
        if delay and response.fault is None:
            response.fault = "slow"
        response.kind = kind
        return response

    def _faults(self, kind: str) -> tuple[float, Fault | None]:
        delay, chosen = 0.0, None
        for name in FAULT_KINDS:
            fault = self.state.faults.get(name)
            if fault is None or not fault.matches(kind):
                continue
            if name == "slow":
                delay = float(fault.options.get("delay", 3.0))
                fault.consume()
            elif chosen is None and (name != "js_list" or kind == "list"):
                chosen = fault
                fault.consume()
        return delay, chosen

    def _fault_response(self, fault: Fault, request: Request) -> Response:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if fault.kind == "challenge":
            cookie = hashlib.sha1(request.target.encode()).hexdigest()[:16]
            headers = {**html, "Set-Cookie": f"FSSBBIl1UgzbN7N80S={cookie}; Path=/; HttpOnly"}
            return Response(412, challenge_page(), headers, fault="challenge")
        if fault.kind == "maintenance":
            return Response(200, maintenance_page(self.state.spec.name), html, fault="maintenance")
        if fault.kind == "error":
            status = int(fault.options.get("status", 503))
            return Response(status, error_page(status), html, fault="error")
        if fault.kind == "reset":
            return Response(0, action="reset", fault="reset")
        if fault.kind == "cookie_gate":
            headers = {
                "Location": self.state.base_url + request.target,
                "Set-Cookie": f"{GATE_COOKIE}=1; Path=/",
            }
            return Response(302, b"", headers, fault="cookie_gate")
        if fault.kind == "redirect":
            target = (self.state.alias_url or self.state.base_url) + request.target
            return Response(302, b"", {"Location": target}, fault="redirect")
        page = render_js_only_list(
            self.state.spec, base_url=self.state.base_url, noise=self.state.noise_for(None, live=True)
        )
        return Response(200, page, self._html_headers(), fault="js_list")

    def _html_headers(self) -> dict[str, str]:
        spec = self.state.spec
        if spec.header_charset and spec.declared_charset:
            return {"Content-Type": f"text/html; charset={spec.declared_charset}"}
        return {"Content-Type": HTML}

    # -- normal pages -------------------------------------------------------------------------------

    def _normal(self, request: Request, found: Route | None) -> Response:
        state = self.state
        if found is None:
            return self._not_found(404)
        if found.kind == "robots":
            rules = "Disallow: /\n" if state.robots_disallow else "Disallow: /search/\nDisallow: /admin/\n"
            return Response(200, f"User-agent: *\n{rules}".encode(), {"Content-Type": "text/plain"})
        if found.kind == "static":
            return Response(
                200, b"/* static */\n", {"Content-Type": "text/css", "Cache-Control": "max-age=86400"}
            )
        if found.kind == "api":
            state.hits += 1
            count = state.noise_for(None, live=False).counter + state.hits
            body = f'document.getElementById("visitcount").innerHTML = "{count}";'.encode()
            return Response(
                200, body, {"Content-Type": "application/javascript", "Cache-Control": "no-cache"}
            )
        if found.kind == "list":
            return self._list(request, found)
        if found.kind == "attachment":
            return self._attachment(request, found.file_name or "")
        return self._detail(request, found.notice_id or "")

    def _not_found(self, status: int) -> Response:
        word = "已被删除" if status == 410 else "不存在"
        body = encode(
            self.state.spec,
            f'<!DOCTYPE html><html><head><meta charset="{self.state.spec.declared_charset or "utf-8"}">'
            f'<title>页面{word}</title></head><body><div class="error-page"><h2>抱歉，您访问的页面{word}！</h2>'
            f'<p><a href="/">返回首页</a></p></div></body></html>\n',
        )
        return Response(status, body, self._html_headers())

    def _detail(self, request: Request, notice_id: str) -> Response:
        state = self.state
        try:
            notice = state.notice(notice_id)
        except KeyError:
            return self._not_found(404)
        if detail_path(state.spec, notice) != request.path:
            return self._not_found(404)
        if notice.removed is not None:
            return self._not_found(notice.removed)
        state.hits += 1
        live = state.spec.dynamic
        related = state.related(notice)
        epochs = tuple(sorted(state.epochs(notice).items()))
        key = ("detail", state.generation, notice.id, notice.version, epochs, tuple(u for _, u in related))
        if live:
            body = render_detail(state.spec, notice, base_url=state.base_url,
                                 noise=state.noise_for(notice, live=True), related=related)  # fmt: skip
            etag = 'W/"' + hashlib.sha1(repr(key).encode()).hexdigest()[:20] + '"'
        else:
            body, etag = self._cached(key, lambda: render_detail(
                state.spec, notice, base_url=state.base_url, noise=state.noise_for(notice, live=False),
                related=related))  # fmt: skip
        return self._conditional(request, body, etag, state.modified(notice), self._html_headers())

    def _list(self, request: Request, found: Route) -> Response:
        state, spec = self.state, self.state.spec
        visible = state.visible()
        size = spec.page_size
        if spec.flavour == "hanweb" and found.page < 0:
            form = {**request.query, **request.form()}
            per_page = int(form.get("perpage") or spec.params.get("perpage", size))
            start = int(form.get("startrecord") or 1)
            end = int(form.get("endrecord") or start + per_page - 1)
            body = render_hanweb_records(spec, visible, start, end, per_page=per_page)
            return Response(200, body, {"Content-Type": "text/xml;charset=UTF-8"})
        if found.archive:
            visible = [n for n in visible if n.published.year == found.archive]
            if not visible:
                return self._not_found(404)
        pages = max(1, -(-len(visible) // size))
        if found.page < 0 or (
            found.page >= pages and spec.flavour in ("trs", "portal", "shanghai", "generic")
        ):
            return self._not_found(404)
        key = (
            "list",
            state.generation,
            found.page,
            found.size,
            found.shell,
            found.archive,
            tuple(sorted(state.noise.items())),
            tuple((n.id, n.version) for n in visible),
        )

        def build() -> bytes:
            if found.shell:
                return render_column_shell(
                    spec, base_url=state.base_url, noise=state.noise_for(None, live=live)
                )
            return render_list(
                spec, visible, found.page, base_url=state.base_url, noise=state.noise_for(None, live=live),
                size=found.size, archive=found.archive,
            )  # fmt: skip

        live = spec.dynamic
        if spec.flavour in ("gkmlpt", "ucap", "igs", "hanweb_jpaas") and not found.shell:
            headers = {"Content-Type": "application/json;charset=UTF-8"}
        elif spec.flavour == "json_list":
            headers = {"Content-Type": "text/javascript;charset=UTF-8"}
        else:
            headers = self._html_headers()
        if live:
            body = build()
            etag = 'W/"' + hashlib.sha1(repr(key).encode()).hexdigest()[:20] + '"'
        else:
            body, etag = self._cached(key, build)
        return self._conditional(request, body, etag, state.modified(None), headers)

    def _attachment(self, request: Request, file_name: str) -> Response:
        for notice in self.state.visible():
            for attachment in notice.attachments:
                if attachment.file_name == file_name:
                    key = ("file", file_name, notice.version)
                    body, etag = self._cached(key, lambda a=attachment, n=notice: attachment_bytes(a, n))
                    headers = {"Content-Type": CONTENT_TYPES[attachment.kind],
                               "Content-Disposition": f'attachment; filename="{file_name}"'}  # fmt: skip
                    return self._conditional(request, body, etag, self.state.modified(notice), headers)
        return self._not_found(404)

    def _cached(self, key: tuple[Any, ...], build: Any) -> tuple[bytes, str]:
        full_key = (self.state.base_url, self.state.generation, *key)
        hit = self._cache.get(full_key)
        if hit is None:
            body = build()
            hit = (body, '"' + hashlib.sha1(body).hexdigest()[:20] + '"')
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[full_key] = hit
        return hit

    def _conditional(
        self, request: Request, body: bytes, etag: str, modified: Any, headers: dict[str, str]
    ) -> Response:
        headers = {**headers, "ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            if etag.removeprefix("W/") in tags or "*" in tags:
                return Response(304, b"", headers)
        elif "if-modified-since" in request.headers:
            try:
                since = parsedate_to_datetime(request.headers["if-modified-since"])
            except (TypeError, ValueError):
                since = None
            if since is not None and since.tzinfo is not None and modified.replace(microsecond=0) <= since:
                return Response(304, b"", headers)
        return Response(200, body, headers)


def _sends_gate_cookie(request: Request) -> bool:
    cookies = request.headers.get("cookie", "")
    return any(part.strip().split("=", 1)[0] == GATE_COOKIE for part in cookies.split(";"))

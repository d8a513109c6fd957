"""Faults a site can be switched into, as the real government web does them.

| kind        | what the client sees |
|-------------|----------------------|
| challenge   | HTTP 412 with a Ruishu (瑞数) anti-bot page: ``<meta … r="m">``, inline ``$_ts``, random script |
| maintenance | HTTP 200 "系统维护中" page (no notice content) |
| error       | HTTP 5xx (``status`` option, default 503) with a server error page |
| slow        | the normal answer after ``delay`` seconds (default 3) |
| reset       | the connection is reset (TCP RST) after the request is read |
| truncate    | headers promise the full Content-Length, half the body is sent, then the connection closes |
| redirect    | HTTP 302 to the same path on another host (the site's alias address) |
| js_list     | list pages become a script-built shell with no rows in the static HTML |
| cookie_gate | a request without the gate's cookie gets HTTP 302 back to itself with ``Set-Cookie`` (a JavaScript-free cookie gate); with the cookie, the normal answer |

Each fault has a scope (``all``, ``list`` or ``detail``) and optionally a ``count``: it then
applies to the next ``count`` matching requests only, so a retry can succeed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = (
    "challenge",
    "maintenance",
    "error",
    "slow",
    "reset",
    "truncate",
    "redirect",
    "js_list",
    "cookie_gate",
)
# The cookie a cookie_gate fault sets and then asks for.
GATE_COOKIE = "govsim_gate"
SCOPES = ("all", "list", "detail")


@dataclass
class Fault:
    kind: str
    scope: str = "all"
    remaining: int | None = None  # None: until switched off
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown fault scope {self.scope!r}; known: {', '.join(SCOPES)}")

    def matches(self, path_kind: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.kind == "js_list":
            return path_kind == "list"
        if self.scope == "all":
            return True
        if self.scope == "detail":
            return path_kind in ("detail", "attachment")
        return path_kind == "list"

    def consume(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "scope": self.scope, "remaining": self.remaining, "options": self.options}


def challenge_page() -> bytes:
    """A Ruishu-style 412 challenge: random tokens on every request, no content."""
    token = secrets.token_urlsafe(96)
    ts = secrets.token_hex(24)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta content="{token}" r="m"><!--[if lt IE 9]><script r='m'>document.createElement("section")</script><![endif]--><script type="text/javascript" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=2143;$_ts.cd="{ts}";if($_ts.lcd)$_ts.lcd();</script><script type="text/javascript" charset="utf-8" src="/{secrets.token_hex(6)}/{secrets.token_hex(4)}.js" r='m'></script>
</head>
<body>
<script type="text/javascript" r='m'>(function(){{var _$x=document.getElementsByTagName('meta');}})();</script>
</body>
</html>
""".encode()


def maintenance_page(site_name: str) -> bytes:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>系统维护中</title></head>
<body style="text-align:center;padding-top:120px">
<div class="weihu"><img src="/images/weihu.png" alt=""><h2>系统维护中</h2>
<p>尊敬的用户：{site_name}网站正在进行系统升级维护，暂时无法访问，给您带来不便，敬请谅解！</p>
<p>预计恢复时间：请稍后再试。</p></div>
</body></html>
""".encode()


def error_page(status: int) -> bytes:
    reason = {
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    return (
        f"<html><head><title>{status} {reason.get(status, 'Error')}</title></head>"
        f"<body><center><h1>{status} {reason.get(status, 'Error')}</h1></center><hr><center>nginx</center>"
        "</body></html>\n"
    ).encode()

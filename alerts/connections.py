"""Keeping each sending thread's HTTP connections open between deliveries.

Apprise's webhook plugins (``json://``, ``form://``, ``xml://``) post with the module-level
``requests.request``, which makes a new ``requests.Session`` for every call: a new connection, and
a new TCP handshake, for each message. :func:`through_thread_sessions` gives those plugin modules
(alerts.notify names them), in place of their ``requests``, a stand-in that is the ``requests`` module in every respect except
that its calls go through the calling thread's own ``requests.Session``; a sender thread then posts
every message to a receiver over one kept-alive connection. Nothing else of Apprise is touched, and
a plugin module whose ``requests`` is not the ``requests`` module (a later Apprise) is left alone.

A thread's session keeps no cookies (like a fresh ``requests.request``), and is used by that thread
only, so no two sends share a connection at once. It reads the environment's proxy and CA-bundle
settings once per receiver (scheme and host), not for every message: ``requests`` walks the whole
environment twice per request for them, which cost more CPU than the post itself.
"""

from __future__ import annotations

import http.cookiejar
import threading
from collections.abc import Iterable
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import requests


class _KeptSession(requests.Session):
    """A Session that keeps no cookies and reads the environment once per receiver."""

    def __init__(self) -> None:
        super().__init__()
        self.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self._environment: dict[tuple[Any, ...], dict[str, Any]] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        parts = urlsplit(str(url))
        key = (parts.scheme, parts.netloc, tuple(sorted((proxies or {}).items())), stream, verify, cert)
        settings = self._environment.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, dict(proxies or {}), stream, verify, cert)
            self._environment[key] = settings
        return {**settings, "proxies": dict(settings["proxies"])}


class ThreadSessions:
    """The ``requests`` module, but ``request`` (and ``get``, ``post``, …) use this thread's Session."""

    def __init__(self, module: ModuleType = requests) -> None:
        self._module = module
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:  # exceptions, codes, … as the module has them
        return getattr(self._module, name)

    def session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = _KeptSession()
            self._local.session = session
        return session

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self.session().request(method, url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: str, data: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("HEAD", url, **kwargs)


_SESSIONS = ThreadSessions()


def through_thread_sessions(modules: Iterable[ModuleType]) -> list[str]:
    """Make each of ``modules`` that uses the ``requests`` module use per-thread sessions instead;
    returns the names of those it changed (a module already changed, or without ``requests``, is
    left as it is)."""
    changed = []
    for module in modules:
        if getattr(module, "requests", None) is requests:
            module.requests = _SESSIONS  # type: ignore[attr-defined]
            changed.append(module.__name__)
    return changed

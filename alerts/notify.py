"""The one place PolicyWatch hands a URL to Apprise: loading it, and sending one message to it.

Every Apprise call (``Apprise.instantiate``, ``Apprise()``, ``.add``, ``.notify``) in this project is in
this module, and each runs inside :func:`alerts.scrubbing.scrubbed_logs`: every log record written
meanwhile, by Apprise, urllib3 or us, has the URL's secrets masked, including the partial forms
Apprise's privacy mode prints. The outbox, the ops alert and ``subscriptions check`` all come here.

:func:`apprise_notify` is safe to call from many threads at once (the outbox sends concurrently):
each thread keeps its own Apprise object per URL and reuses it for the next message to that URL
(loading a URL costs more than posting to a local webhook), so no plugin's state (its throttle
clock, its connection) is shared between two threads; a plugin that throttles itself
(``request_rate_per_sec``) gets a fresh object per message, as it always had, so reuse never makes a
send wait. Webhook plugins post over the thread's kept-alive connection (alerts.connections). The
warning that explains a failure is taken from the records the calling thread logged, never from
another send's.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from alerts.connections import through_thread_sessions
from alerts.render import RenderedMessage
from alerts.scrubbing import scrub, scrubbed_logs, secret_parts


class Notifier(Protocol):
    def __call__(self, url: str, message: RenderedMessage) -> tuple[bool, str | None]: ...


@functools.cache
def _asset() -> Any:
    import apprise

    return apprise.AppriseAsset(app_id="PolicyWatch", app_desc="PolicyWatch alerts")


def load_apprise_url(url: str) -> Any | None:
    """The Apprise plugin for ``url`` (None when Apprise does not understand it). Sends nothing."""
    import apprise

    with scrubbed_logs([url]):  # Apprise logs the URL it loads
        return apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)


class _ThreadWarnings(logging.Handler):
    """The WARNING and ERROR messages of Apprise's logger, kept per thread that asked for them.

    Apprise's own ``LogCapture`` sets the shared logger's level and collects every thread's
    records, so concurrent sends would read each other's errors; this handler changes no level and
    files each record under the thread that wrote it (a plugin sends in its caller's thread)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._by_thread: dict[int, list[str]] = {}
        self._users = 0
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        lines = self._by_thread.get(record.thread or 0)
        if lines is not None:
            lines.append(record.getMessage())

    @contextmanager
    def capture(self) -> Iterator[list[str]]:
        lines: list[str] = []
        me = threading.get_ident()
        with self._guard:
            self._by_thread[me] = lines
            self._users += 1
            if self._users == 1:
                logging.getLogger("apprise").addHandler(self)
        try:
            yield lines
        finally:
            with self._guard:
                del self._by_thread[me]
                self._users -= 1
                if self._users == 0:
                    logging.getLogger("apprise").removeHandler(self)


_warnings = _ThreadWarnings()


@functools.cache
def _pool_webhook_connections() -> None:
    """Apprise's webhook plugins post through ``requests.request`` (a new connection per message):
    route them through each thread's kept-alive session instead (once per process)."""
    from apprise.plugins import custom_form, custom_json, custom_xml

    through_thread_sessions([custom_json, custom_form, custom_xml])


MAX_KEPT_PER_THREAD = 256  # Apprise objects a sending thread keeps, the most recently used


class _Kept(threading.local):
    """This thread's Apprise objects, one per URL (memory only: they hold the resolved URL)."""

    def __init__(self) -> None:
        self.apps: OrderedDict[str, Any] = OrderedDict()


_kept = _Kept()


def _apprise_for(url: str) -> Any | None:
    """This thread's Apprise object for ``url`` (None when Apprise does not understand it); call
    inside :func:`scrubbed_logs` (loading logs the URL)."""
    import apprise

    app = _kept.apps.get(url)
    if app is not None:
        _kept.apps.move_to_end(url)
        return app
    _pool_webhook_connections()
    app = apprise.Apprise(asset=_asset())
    if not app.add(url):
        return None
    if all(server.request_rate_per_sec <= 0 for server in app):
        _kept.apps[url] = app
        if len(_kept.apps) > MAX_KEPT_PER_THREAD:
            _kept.apps.popitem(last=False)
    return app


def apprise_notify(url: str, message: RenderedMessage) -> tuple[bool, str | None]:
    """Send one message to one URL through this thread's Apprise object for it; (ok, masked error)."""
    secrets = secret_parts(url)
    with scrubbed_logs([url]), _warnings.capture() as warnings:
        app = _apprise_for(url)
        if app is None:
            return False, f"not a valid Apprise URL: {scrub(url, secrets)}"
        ok = bool(app.notify(body=message.body, title=message.title, body_format=message.format))
    if ok:
        return True, None
    detail = warnings[-1] if warnings else "notification failed"
    return False, scrub(detail, secrets)[:500]

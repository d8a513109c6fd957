"""The one place PolicyWatch hands a URL to Apprise: loading it, and sending one message to it.

Every Apprise call (``Apprise.instantiate``, ``Apprise()``, ``.add``, ``.notify``) in this project is in
this module, and each runs inside :func:`alerts.scrubbing.scrubbed_logs`: every log record written
meanwhile, by Apprise, urllib3 or us, has the URL's secrets masked, including the partial forms
Apprise's privacy mode prints. The outbox, the ops alert and ``subscriptions check`` all come here.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from alerts.render import RenderedMessage
from alerts.scrubbing import scrub, scrubbed_logs, secret_parts


class Notifier(Protocol):
    def __call__(self, url: str, message: RenderedMessage) -> tuple[bool, str | None]: ...


def load_apprise_url(url: str) -> Any | None:
    """The Apprise plugin for ``url`` (None when Apprise does not understand it). Sends nothing."""
    import apprise

    with scrubbed_logs([url]):  # Apprise logs the URL it loads
        return apprise.Apprise.instantiate(url, suppress_exceptions=True)


def apprise_notify(url: str, message: RenderedMessage) -> tuple[bool, str | None]:
    """Send one message to one URL through its own Apprise object; (ok, masked error)."""
    import apprise

    secrets = secret_parts(url)
    with scrubbed_logs([url]), apprise.LogCapture(level=logging.INFO) as captured:
        app = apprise.Apprise(asset=apprise.AppriseAsset(app_id="PolicyWatch", app_desc="PolicyWatch alerts"))
        if not app.add(url):
            return False, f"not a valid Apprise URL: {scrub(url, secrets)}"
        ok = bool(app.notify(body=message.body, title=message.title, body_format=message.format))
    if ok:
        return True, None
    lines = [ln for ln in captured.getvalue().splitlines() if " - WARNING - " in ln or " - ERROR - " in ln]
    detail = lines[-1].split(" - ", 2)[-1] if lines else "notification failed"
    return False, scrub(detail, secrets)[:500]

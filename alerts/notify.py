"""One message to one Apprise URL: the one place alerts/ hands a message to Apprise.

Each URL gets its own Apprise object, every log record written while it sends is scrubbed of the
URL's secrets, and the error that comes back is masked. The outbox and the ops alert both send
through :func:`apprise_notify`.
"""

from __future__ import annotations

import logging
from typing import Protocol

from alerts.render import RenderedMessage
from alerts.secrets import mask_url, scrub, scrubbed_logs, secret_parts


class Notifier(Protocol):
    def __call__(self, url: str, message: RenderedMessage) -> tuple[bool, str | None]: ...


def apprise_notify(url: str, message: RenderedMessage) -> tuple[bool, str | None]:
    """Send one message to one URL through its own Apprise object; (ok, masked error)."""
    import apprise

    secrets = secret_parts(url)
    with scrubbed_logs([url]), apprise.LogCapture(level=logging.INFO) as captured:
        app = apprise.Apprise(asset=apprise.AppriseAsset(app_id="PolicyWatch", app_desc="PolicyWatch alerts"))
        if not app.add(url):
            return False, f"not a valid Apprise URL: {mask_url(url)}"
        ok = bool(app.notify(body=message.body, title=message.title, body_format=message.format))
    if ok:
        return True, None
    lines = [ln for ln in captured.getvalue().splitlines() if " - WARNING - " in ln or " - ERROR - " in ln]
    detail = lines[-1].split(" - ", 2)[-1] if lines else "notification failed"
    return False, scrub(detail, secrets)[:500]

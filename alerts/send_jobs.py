"""What one outbox pass works with: the claimed deliveries grouped into jobs (one message per URL
to one subscription), the URLs as the pass resolved them, and how alerts and digests differ."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from alerts.context import AlertContext
from alerts.render import Channel, RenderedMessage, render_alert, render_digest
from storage import outbox as store

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)


Render = Callable[[list[AlertContext], Channel], RenderedMessage]


def url_key(url: str) -> str:
    """A stable, non-reversible key for a resolved URL (to skip URLs already delivered on retry)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass(frozen=True)
class PassUrl:
    """A subscription URL as a pass uses it: resolved once per pass (None, with ``problem``, when it
    cannot be), its masked form and its key."""

    raw: str
    masked: str
    url: str | None
    problem: str | None = None

    @property
    def key(self) -> str:
        return url_key(self.url) if self.url is not None else self.masked


@dataclass
class Job:
    """Deliveries claimed together and sent as one message per URL to one subscription: one alert,
    or one digest (``label`` names it in errors). ``results`` is the per-URL record as it stands."""

    claims: list[store.Held]
    subscription_id: int
    label: str
    results: list[dict[str, Any]] = field(default_factory=list)
    unsent: int = 0  # sends still to come back
    all_ok: bool = True
    lost: bool = False

    @property
    def delivery_ids(self) -> list[int]:
        return [held.delivery_id for held in self.claims]

    def record(self, result: dict[str, Any]) -> None:
        self.results = [r for r in self.results if r["key"] != result["key"]] + [result]


@dataclass(frozen=True)
class Send:
    """One message to one URL for one job."""

    job: Job
    url: PassUrl
    message: RenderedMessage


@dataclass(frozen=True)
class Mode:
    """How alerts differ from digests once claimed: the message, and the status a retry waits in."""

    render: Render
    retry_status: str


ALERT = Mode(render=lambda contexts, channel: render_alert(contexts[0], channel), retry_status="pending")
DIGEST = Mode(render=render_digest, retry_status="digest")

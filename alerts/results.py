"""What a send did: per URL, and per pass over the outbox. Records the flows report as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UrlResult:
    """The outcome of one Apprise URL for one delivery (``url`` is masked)."""

    key: str
    url: str
    ok: bool
    error: str | None = None
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "url": self.url, "ok": self.ok, "error": self.error, "at": self.at}


@dataclass
class SendReport:
    """What one or more passes over the outbox did (``pending``: what was still waiting after)."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost_claims: int = 0  # claims another worker took over while we were sending
    rendered: int = 0  # messages rendered: once per change (or digest) and channel, not per subscriber
    errors: list[str] = field(default_factory=list)  # masked
    pending: int = 0

    def add(self, other: SendReport) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.lost_claims += other.lost_claims
        self.rendered += other.rendered
        self.errors += other.errors

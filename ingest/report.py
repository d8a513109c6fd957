"""What one ingest run did: the report the cycle logs and the flows pass on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChangeRow:
    """One stored change, as the cycle reports it."""

    change_id: int
    kind: str
    source: str
    url: str
    title: str | None
    summary: str
    alerted: bool


@dataclass
class IngestReport:
    """Pages normalized, versions and changes stored, pages rejected (url, reason), alerts queued."""

    processed: int = 0
    versions: int = 0
    changes: list[ChangeRow] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    deliveries_queued: int = 0

    def merge(self, other: IngestReport) -> None:
        self.processed += other.processed
        self.versions += other.versions
        self.changes.extend(other.changes)
        self.rejected.extend(other.rejected)
        self.deliveries_queued += other.deliveries_queued

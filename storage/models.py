"""SQLAlchemy models: every table PolicyWatch keeps.

Raw snapshots keep the exact bytes fetched (zlib-compressed) so every record can be re-derived
when normalization improves. Notice versions keep the normalized record as JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The deliveries storage.outbox.claim_due may take (pending ones, and claims gone stale).
CLAIMABLE_STATUSES = "status IN ('pending', 'sending')"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100), default="")
    base_url: Mapped[str] = mapped_column(String(500))
    flavour: Mapped[str] = mapped_column(String(32))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    backoff_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set when the first crawl of this source has been ingested: notices found before then are the
    # baseline and are not alerted as new (a new subscriber is not flooded with a site's archive).
    baseline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CrawlRun(Base):
    """One crawl of one site within one monitoring cycle."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16), default="monitor")  # monitor | recheck | backfill
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | ok | failed | blocked
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    source: Mapped[Source] = relationship()


class RawSnapshot(Base):
    """One HTTP response exactly as fetched."""

    __tablename__ = "raw_snapshots"
    __table_args__ = (
        # A site's known URLs from the index alone (storage.snapshots.known_urls).
        Index("ix_raw_snapshots_known_urls", "source_id", "url", "status", "page_kind", "processed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000), index=True)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body_zlib: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Filled by normalization: what the page turned out to be, and why it was not used.
    page_kind: Mapped[str | None] = mapped_column(String(16))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)


class RobotsTxt(Base):
    """A host's robots.txt as last fetched, shared by every crawler process (see spiders.robots)."""

    __tablename__ = "robots_txt"

    netloc: Mapped[str] = mapped_column(String(255), primary_key=True)  # host[:port], as Scrapy keys it
    url: Mapped[str] = mapped_column(String(1000))  # where it was answered (after any redirect)
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SiteLease(Base):
    """Which run is crawling and ingesting a site: one at a time (see storage.leases)."""

    __tablename__ = "site_leases"

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # host, pid and cycle of the run holding it
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ListedRow(Base):
    """How a list page last showed a document (its title and date, as a signature): when the list
    shows it differently, the document is rechecked at once (see storage.listed)."""

    __tablename__ = "listed_rows"
    # A site's signatures from the index alone (storage.listed.listed_signatures).
    __table_args__ = (Index("ix_listed_rows_signatures", "source_id", "url", "signature"),)

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    signature: Mapped[str] = mapped_column(String(40))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Policy(Base):
    """One policy document, which may be published by several sources."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_number: Mapped[str | None] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Notice(Base):
    """One notice page at one source (URL)."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("source_id", "url"),
        # The recheck tiers select ranges of age and of last check (storage.versions.recheck_due).
        Index("ix_notices_published_checked", "published_date", "last_checked_at"),
        Index("ix_notices_checked_published", "last_checked_at", "published_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | missing | removed
    consecutive_missing: Mapped[int] = mapped_column(Integer, default=0)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    latest_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("notice_versions.id", use_alter=True, name="fk_notices_latest_version")
    )
    published_date: Mapped[str | None] = mapped_column(String(10))  # ISO date, for tiered rechecks

    source: Mapped[Source] = relationship()


class NoticeVersion(Base):
    __tablename__ = "notice_versions"
    __table_args__ = (UniqueConstraint("notice_id", "version_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("raw_snapshots.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Change(Base):
    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    priority: Mapped[str] = mapped_column(String(8), default="normal")  # normal | high
    from_version_id: Mapped[int | None] = mapped_column(ForeignKey("notice_versions.id"))
    to_version_id: Mapped[int | None] = mapped_column(ForeignKey("notice_versions.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alerted: Mapped[bool] = mapped_column(default=True)  # False for kinds not alerted (reordered)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    notice: Mapped[Notice] = relationship()


class Subscription(Base):
    """A subscriber's filters. Apprise URLs are never stored: only references ($ENV / block names)."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
    """The outbox: one row per (change, subscription), written with the change in one transaction."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("change_id", "subscription_id"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        # The claimable rows in claim order: a claim reads the oldest few, not every pending row.
        Index(
            "ix_deliveries_claimable",
            "next_attempt_at",
            "id",
            postgresql_where=text(CLAIMABLE_STATUSES),
            sqlite_where=text(CLAIMABLE_STATUSES),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed|digest
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    results: Mapped[list[Any]] = mapped_column(JSON, default=list)  # per-URL results, URLs masked
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    change: Mapped[Change] = relationship()
    subscription: Mapped[Subscription] = relationship()

"""The robots.txt cache: each host's robots.txt as last fetched, shared by every crawler process.

Every cycle's crawl is a fresh subprocess (often on another machine), so Scrapy's own per-process
memory of robots.txt would refetch it every cycle. ``spiders.robots`` reads a fresh row here instead
and writes back what it fetched. Like the rest of storage, these functions work inside the
caller's (short) transaction and never commit on their own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import RobotsTxt, utcnow


def fresh_robots_txt(
    session: Session, netloc: str, max_age: timedelta, *, now: datetime | None = None
) -> RobotsTxt | None:
    """The cached robots.txt of ``netloc`` if it was fetched less than ``max_age`` ago, else None."""
    if max_age <= timedelta(0):
        return None
    row = session.get(RobotsTxt, netloc)
    if row is None:
        return None
    return row if _as_utc(now or utcnow()) - _as_utc(row.fetched_at) < max_age else None


def store_robots_txt(
    session: Session, netloc: str, *, url: str, status: int, body: bytes, fetched_at: datetime | None = None
) -> None:
    """Insert or replace the cached robots.txt of ``netloc``.

    Several crawler processes may fetch the same host at once: the row is upserted, so the last
    writer wins and none of them fails on the primary key.
    """
    values = {
        "netloc": netloc,
        "url": url,
        "status": status,
        "body": body,
        "fetched_at": fetched_at or utcnow(),
    }
    # PolicyWatch runs on SQLite and PostgreSQL; both spell the upsert the same way.
    if session.get_bind().dialect.name == "postgresql":
        statement: Any = postgresql_insert(RobotsTxt).values(**values)
    else:
        statement = sqlite_insert(RobotsTxt).values(**values)
    update = {key: statement.excluded[key] for key in ("url", "status", "body", "fetched_at")}
    session.execute(statement.on_conflict_do_update(index_elements=["netloc"], set_=update))


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

"""Site leases: at most one run crawls and ingests a site at a time.

A run takes a site's lease before its crawl and gives it back after that crawl's ingest (and the
baseline it may complete). While held, the lease is renewed; a holder that dies stops renewing,
and the lease is free again once ``expires_at`` has passed. Every function runs in the caller's
transaction; commit right away, so other runs see the lease.

On SQLite and PostgreSQL alike, taking a lease is one UPDATE (an expired lease, or one this holder
has already) or one INSERT … ON CONFLICT DO NOTHING (no lease yet): a row lock (PostgreSQL) or the
write lock (SQLite) decides between two runs that ask at once.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import SiteLease, utcnow


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a site's lease, and until when unless renewed."""

    slug: str
    holder: str
    expires_at: datetime


def holder_name(cycle_id: str) -> str:
    """This process's name as a lease holder: host, pid and cycle (for the operator who reads it)."""
    return f"{socket.gethostname()} pid {os.getpid()} cycle {cycle_id}"[:200]


def acquire(session: Session, slug: str, holder: str, ttl: timedelta, *, now: datetime | None = None) -> bool:
    """Take ``slug``'s lease for ``ttl`` (True), unless another holder's lease has not expired."""
    now = now or utcnow()
    # Core statements on the session's connection: their rowcount is the database's own.
    connection = session.connection()
    taken = connection.execute(
        update(SiteLease)
        .where(SiteLease.slug == slug, or_(SiteLease.expires_at <= now, SiteLease.holder == holder))
        .values(holder=holder, acquired_at=now, expires_at=now + ttl)
    )
    if taken.rowcount:
        return True
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    inserted = connection.execute(
        insert(SiteLease)
        .values(slug=slug, holder=holder, acquired_at=now, expires_at=now + ttl)
        .on_conflict_do_nothing(index_elements=["slug"])
        .returning(SiteLease.slug)  # psycopg reports no rowcount for INSERT … ON CONFLICT
    )
    return inserted.first() is not None


def renew(
    session: Session, slugs: Sequence[str], holder: str, ttl: timedelta, *, now: datetime | None = None
) -> set[str]:
    """Push back the expiry of ``holder``'s leases on ``slugs``; returns the slugs it still holds."""
    if not slugs:
        return set()
    now = now or utcnow()
    session.execute(
        update(SiteLease)
        .where(SiteLease.slug.in_(list(slugs)), SiteLease.holder == holder)
        .values(expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return set(
        session.scalars(
            select(SiteLease.slug).where(SiteLease.slug.in_(list(slugs)), SiteLease.holder == holder)
        )
    )


def release(session: Session, slugs: Sequence[str], holder: str) -> None:
    """Give back ``holder``'s leases on ``slugs`` (those another holder took over are left alone)."""
    if slugs:
        session.execute(
            delete(SiteLease)
            .where(SiteLease.slug.in_(list(slugs)), SiteLease.holder == holder)
            .execution_options(synchronize_session=False)
        )


def current_holder(session: Session, slug: str, *, now: datetime | None = None) -> LeaseHolder | None:
    """Who holds ``slug``'s lease now (None: nobody, or an expired lease)."""
    now = now or utcnow()
    lease = session.scalar(select(SiteLease).where(SiteLease.slug == slug, SiteLease.expires_at > now))
    if lease is None:
        return None
    return LeaseHolder(slug=lease.slug, holder=lease.holder, expires_at=lease.expires_at)

"""Sources (monitored sites) and their health: consecutive failures and challenge back-off."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from policywatch.registry import Site
from storage.models import Source, utcnow


def ensure_source(session: Session, site: Site) -> Source:
    """The Source row for ``site``, created or refreshed from the registry entry."""
    source = session.scalar(select(Source).where(Source.slug == site.slug))
    if source is None:
        source = Source(
            slug=site.slug, name=site.name, region=site.region, base_url=site.base_url, flavour=site.flavour
        )
        session.add(source)
        session.flush()
    else:
        source.name, source.region, source.base_url, source.flavour = (
            site.name,
            site.region,
            site.base_url,
            site.flavour,
        )
    return source


def source_by_slug(session: Session, slug: str) -> Source | None:
    return session.scalar(select(Source).where(Source.slug == slug))


def record_site_success(session: Session, source: Source) -> None:
    source.consecutive_failures = 0
    source.backoff_until = None
    source.last_error = None


def record_site_failure(
    session: Session,
    source: Source,
    error: str,
    *,
    backoff: timedelta | None = None,
    now: datetime | None = None,
) -> int:
    """Count one more consecutive failure; optionally back off (e.g. after an anti-bot challenge)."""
    source.consecutive_failures = (source.consecutive_failures or 0) + 1
    source.last_error = error
    if backoff is not None:
        source.backoff_until = (now or utcnow()) + backoff
    return source.consecutive_failures


def in_backoff(source: Source, now: datetime | None = None) -> bool:
    if source.backoff_until is None:
        return False
    until = source.backoff_until
    now = now or utcnow()
    if until.tzinfo is None:  # SQLite returns naive datetimes
        now = now.replace(tzinfo=None)
    return until > now

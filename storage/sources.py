"""Sources (monitored sites) and their health: consecutive failures and challenge back-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Source, utcnow


@dataclass(frozen=True)
class SourceFields:
    """What the registry says about a site: the columns of its Source row kept in step with it."""

    slug: str
    name: str
    region: str
    base_url: str
    flavour: str


def ensure_source(session: Session, fields: SourceFields) -> Source:
    """The Source row for ``fields.slug``, created or refreshed from the registry's ``fields``."""
    source = session.scalar(select(Source).where(Source.slug == fields.slug))
    if source is None:
        source = Source(
            slug=fields.slug,
            name=fields.name,
            region=fields.region,
            base_url=fields.base_url,
            flavour=fields.flavour,
        )
        session.add(source)
        session.flush()
    else:
        source.name, source.region, source.base_url, source.flavour = (
            fields.name,
            fields.region,
            fields.base_url,
            fields.flavour,
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

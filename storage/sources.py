"""Sources (monitored sites) and their health: consecutive failures and challenge back-off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import CrawlRun, Source, utcnow
from storage.snapshots import crawl_runs_for_cycle


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


@dataclass(frozen=True)
class SiteFailure:
    """A site that failed in one cycle, and how many cycles in a row it has failed now."""

    site: str
    status: str  # the crawl run's: failed | blocked | running
    error: str
    consecutive_failures: int


def record_cycle_health(
    session: Session, cycle_id: str, expected_slugs: Sequence[str] = ()
) -> list[SiteFailure]:
    """Record each site's success or failure in cycle ``cycle_id``; return the failing ones.

    A site in ``expected_slugs`` with no crawl run in this cycle failed too: its crawler died
    before reaching it.
    """
    # A crawler that crashed and was retried leaves a dead run before the retry's: only the latest
    # run of each site and mode counts, so a crash the retry recovered is not a site failure.
    latest: dict[tuple[int, str], CrawlRun] = {}
    for run in crawl_runs_for_cycle(session, cycle_id):
        latest[(run.source_id, run.mode)] = run
    by_source: dict[int, list[CrawlRun]] = {}
    for run in latest.values():
        by_source.setdefault(run.source_id, []).append(run)
    failing: list[SiteFailure] = []
    crawled: set[str] = set()
    for source_id, runs in by_source.items():
        source = session.get(Source, source_id)
        assert source is not None
        crawled.add(source.slug)
        bad = [r for r in runs if r.status != "ok"]
        if not bad:
            record_site_success(session, source)
            continue
        error = "; ".join(f"{r.mode}: {r.error or r.status}" for r in bad)
        # The spider already counted a challenge when it set the back-off.
        count = (
            source.consecutive_failures
            if any(r.status == "blocked" for r in bad)
            else record_site_failure(session, source, error)
        )
        failing.append(SiteFailure(source.slug, bad[0].status, error, count))
    for slug in expected_slugs:
        if slug in crawled:
            continue
        error = "no crawl run recorded: the crawler died before reaching this site"
        missing = source_by_slug(session, slug)
        count = record_site_failure(session, missing, error) if missing is not None else 1
        failing.append(SiteFailure(slug, "failed", error, count))
    return failing

"""The steps of one monitoring cycle as plain functions returning JSON-able dicts.

Prefect flows (flows/) wrap these as tasks; the CLI and tests can call them without Prefect.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from policywatch.registry import load_registry, select_sites
from storage.db import session_factory
from storage.models import Subscription, utcnow

RECENT_DAYS = 30
RECENT_RECHECK_EVERY = timedelta(days=1)
OLD_RECHECK_EVERY = timedelta(days=7)
RECHECK_LIMIT = 20000


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def select_slugs(sites: Sequence[str] | None) -> list[str]:
    return [site.slug for site in select_sites(load_registry(), sites)]


def crawl(
    site_slugs: list[str],
    *,
    cycle_id: str,
    mode: str = "monitor",
    recheck: list[dict[str, Any]] | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    from spiders.run import run_crawl

    report = run_crawl(
        site_slugs, cycle_id=cycle_id, mode=mode, recheck=recheck, on_progress=_condensed(on_progress)
    )
    _record_not_modified(report.sites.values())
    return _jsonable(report)


def _record_not_modified(site_crawls: Any) -> None:
    from storage.sources import source_by_slug
    from storage.versions import mark_not_modified

    with session_factory()() as session, session.begin():
        for site in site_crawls:
            source = source_by_slug(session, site.slug)
            if source is not None and site.not_modified_urls:
                mark_not_modified(session, source.id, site.not_modified_urls)


def _condensed(on_progress: Callable[[str], None] | None, every: int = 25) -> Callable[[str], None] | None:
    """Pass the crawler's progress through, but count stored pages instead of listing each one."""
    if on_progress is None:
        return None
    stored = 0

    def forward(line: str) -> None:
        nonlocal stored
        if line.startswith("stored "):
            stored += 1
            if stored % every == 0:
                on_progress(f"{stored} responses stored so far")
            return
        on_progress(line)

    return forward


def recheck_items(site_slugs: Sequence[str], policy: str) -> list[dict[str, Any]]:
    """Known notices to re-verify with conditional GET: "all", "none", or "due" by age tier."""
    if policy == "none":
        return []
    if policy not in ("due", "all"):
        raise ValueError(f"recheck must be 'due', 'all' or 'none', not {policy!r}")
    from storage.models import Notice, Source
    from storage.versions import notices_due_for_recheck

    now = utcnow()
    with session_factory()() as session:
        source_ids = list(session.scalars(select(Source.id).where(Source.slug.in_(list(site_slugs)))))
        if not source_ids:
            return []
        if policy == "all":
            rows = list(session.scalars(select(Notice).where(Notice.source_id.in_(source_ids))))
        else:
            rows = notices_due_for_recheck(
                session,
                source_ids=source_ids,
                checked_before_recent=now - RECENT_RECHECK_EVERY,
                checked_before_old=now - OLD_RECHECK_EVERY,
                recent_since=(now - timedelta(days=RECENT_DAYS)).date().isoformat(),
                limit=RECHECK_LIMIT,
            )
        slugs = {s.id: s.slug for s in session.scalars(select(Source).where(Source.id.in_(source_ids)))}
        # A notice that went missing is fetched in full: a 304 would hide that it is back.
        return [
            {
                "slug": slugs[n.source_id],
                "url": n.url,
                "etag": n.etag if n.status == "active" else None,
                "last_modified": n.last_modified if n.status == "active" else None,
            }
            for n in rows
        ]


def subscriptions_path() -> Path:
    return Path(os.environ.get("POLICYWATCH_SUBSCRIPTIONS", "subscriptions.toml"))


def sync_subscriptions_from_file() -> int:
    """Load the subscriptions file (if any) into the database; returns how many are active."""
    from alerts.subscriptions import load_subscriptions, sync_subscriptions

    path = subscriptions_path()
    configs = load_subscriptions(path) if path.exists() else []
    with session_factory()() as session, session.begin():
        sync_subscriptions(session, configs)
    return len(configs)


def _active_subscriptions(session: Any) -> list[Subscription]:
    return list(
        session.scalars(select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id))
    )


def ingest(cycle_id: str | None, *, on_progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    from ingest.batch import ingest_pending

    sync_subscriptions_from_file()
    report = ingest_pending(
        session_factory(),
        cycle_id=cycle_id,
        subscriptions_loader=_active_subscriptions,
        on_progress=on_progress,
    )
    return _jsonable(report)


def send_alerts(*, worker_id: str) -> dict[str, Any]:
    """Send every due delivery in the outbox, batch after batch; failures stay queued with back-off.

    Stops when a batch comes back short (nothing else is due) or after
    ``POLICYWATCH_SEND_BUDGET_SECONDS`` (default 600), so a huge backlog cannot hold the cycle
    forever; what is left is sent by the next cycle.
    """
    from alerts.outbox import send_pending
    from storage.outbox import status_counts

    batch = 100
    budget = float(os.environ.get("POLICYWATCH_SEND_BUDGET_SECONDS", "600"))
    started = time.monotonic()
    totals = {"claimed": 0, "sent": 0, "failed": 0, "retrying": 0}
    errors: list[str] = []
    while True:
        report = send_pending(session_factory(), worker_id=worker_id, limit=batch)
        for key in totals:
            totals[key] += getattr(report, key)
        errors += report.errors
        if report.claimed < batch or time.monotonic() - started > budget:
            break
    with session_factory()() as session:
        counts = status_counts(session)
    return {
        **totals,
        "pending": counts.get("pending", 0) + counts.get("digest", 0),
        "errors": errors,
    }


def site_health(cycle_id: str, expected_slugs: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Record each site's success or failure for this cycle; return the failing ones.

    A site in ``expected_slugs`` with no crawl run in this cycle failed too: its crawler died
    before reaching it.
    """
    from storage.models import Source
    from storage.snapshots import crawl_runs_for_cycle
    from storage.sources import record_site_failure, record_site_success, source_by_slug

    failing: list[dict[str, Any]] = []
    crawled: set[str] = set()
    with session_factory()() as session, session.begin():
        runs = crawl_runs_for_cycle(session, cycle_id)
        by_source: dict[int, list[Any]] = {}
        for run in runs:
            by_source.setdefault(run.source_id, []).append(run)
        for source_id, source_runs in by_source.items():
            source = session.get(Source, source_id)
            assert source is not None
            crawled.add(source.slug)
            bad = [r for r in source_runs if r.status != "ok"]
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
            failing.append(
                {"site": source.slug, "status": bad[0].status, "error": error, "consecutive_failures": count}
            )
        for slug in expected_slugs:
            if slug in crawled:
                continue
            error = "no crawl run recorded: the crawler died before reaching this site"
            missing = source_by_slug(session, slug)
            count = record_site_failure(session, missing, error) if missing is not None else 1
            failing.append({"site": slug, "status": "failed", "error": error, "consecutive_failures": count})
    return failing


def change_markdowns(change_ids: Sequence[int]) -> list[tuple[int, str]]:
    """Markdown diff per change, for Prefect artifacts (no secrets: only scraped content)."""
    from alerts.context import load_alert_context
    from alerts.render import ARTIFACT_CHANNEL, render_alert

    with session_factory()() as session:
        return [
            (cid, render_alert(load_alert_context(session, cid), ARTIFACT_CHANNEL).body) for cid in change_ids
        ]

"""The steps of one monitoring cycle as plain functions, each returning its stage's typed report.

Prefect flows (flows/monitor.py, flows/recheck.py) wrap these as tasks; the CLI, the benchmarks and
tests can call them without Prefect.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import config
from alerts.results import SendReport
from ingest.batch import ingest_pending
from ingest.report import IngestReport
from sites import load_registry, select_sites
from spiders.run import CrawlReport, SiteCrawl, run_crawl
from storage.db import session_factory
from storage.sources import SiteFailure

SEND_BATCH = 100
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CycleReport:
    """One monitoring cycle: each site's crawl, the ingest, the alerts sent and the failing sites."""

    cycle_id: str
    sites: list[SiteCrawl]
    ingest: IngestReport
    alerts: SendReport
    failing_sites: list[SiteFailure]


@dataclass(frozen=True)
class RecheckReport(CycleReport):
    """A recheck cycle: also how many notices were due and how many answered 304 Not Modified."""

    rechecked: int = 0
    not_modified: int = 0


def select_slugs(sites: Sequence[str] | None) -> list[str]:
    """The slugs of ``sites`` (default: every enabled site); an unknown slug raises RegistryError."""
    return [site.slug for site in select_sites(load_registry(), sites)]


def crawl(
    site_slugs: list[str],
    *,
    cycle_id: str,
    mode: str = "monitor",
    recheck: list[dict[str, str | None]] | None = None,
    ignore_backoff: bool = False,
    on_progress: Callable[[str], None] | None = None,
) -> CrawlReport:
    """Crawl ``site_slugs`` in one crawler subprocess; record the notices that answered 304."""
    report = run_crawl(
        site_slugs,
        cycle_id=cycle_id,
        mode=mode,
        recheck=recheck,
        ignore_backoff=ignore_backoff,
        on_progress=_condensed(on_progress),
    )
    _record_not_modified(report.sites.values())
    return report


def _record_not_modified(site_crawls: Iterable[SiteCrawl]) -> None:
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
                on_progress(f"{stored} pages stored so far in this crawl")
            return
        on_progress(line)

    return forward


def subscriptions_from_file(*, say_missing: bool = True) -> list[Any]:
    """The subscriptions file's entries, read and validated before anything is crawled.

    A malformed file raises :class:`alerts.subscriptions.SubscriptionError`. A missing one raises
    it too when the database holds active subscriptions: syncing "no file" would switch them all
    off, so the cycle stops before crawling and changes nothing. With none stored (a new install),
    a missing file only warns: notices are recorded and no one is alerted. An empty file is allowed
    and says so: it switches every stored subscriber off.
    """
    from alerts.subscriptions import SubscriptionError, load_subscriptions
    from storage.subscriptions import active_subscriptions

    path = config.current().subscriptions_path
    if not path.exists():
        with session_factory()() as session:
            active = len(active_subscriptions(session))
        if active:
            raise SubscriptionError(
                f"{path}: no such subscriptions file, but {active} subscriptions are active in the "
                "database; nothing was crawled or changed. Fix POLICYWATCH_SUBSCRIPTIONS (an empty "
                "file switches every subscriber off)"
            )
        if say_missing:
            log.warning("no subscriptions file at %s: notices are recorded, no one is alerted", path)
        return []
    configs = load_subscriptions(path)
    if not configs:
        log.warning("%s names no subscription: no one is alerted, stored subscribers are switched off", path)
    return configs


def preflight(sites: Sequence[str] | None, *, say_missing: bool = True) -> list[str]:
    """Everything a cycle needs, checked before it crawls: the settings, the registry (and the
    ``sites`` asked for), the subscriptions file. Returns the slugs; raises a user error otherwise.
    ``say_missing``: warn of a missing subscriptions file (the flow's own preflight does, in its log)."""
    config.current()
    slugs = select_slugs(sites)
    subscriptions_from_file(say_missing=say_missing)
    return slugs


def sync_subscriptions_from_file(*, say_missing: bool = True) -> int:
    """Load the subscriptions file into the database (see :func:`subscriptions_from_file`);
    returns how many it names."""
    from sqlalchemy.exc import IntegrityError

    from alerts.subscriptions import sync_subscriptions

    configs = subscriptions_from_file(say_missing=say_missing)
    try:
        with session_factory()() as session, session.begin():
            sync_subscriptions(session, configs)
    except IntegrityError:
        # Another run inserted the same new subscription a moment ago: update its rows instead.
        with session_factory()() as session, session.begin():
            sync_subscriptions(session, configs)
    return len(configs)


def ingest(
    cycle_id: str | None,
    *,
    on_progress: Callable[[str], None] | None = None,
    while_crawling: Callable[[], bool] | None = None,
) -> IngestReport:
    """Normalize and diff every pending snapshot (of the sites ``cycle_id`` crawled, from any cycle),
    queueing the alerts; then mark the baselines that cycle completed. ``while_crawling``: stream
    beside the crawl (see :func:`ingest.batch.ingest_pending`)."""
    from storage.subscriptions import active_subscriptions

    sync_subscriptions_from_file(say_missing=False)  # the cycle's start said it already
    return ingest_pending(
        session_factory(),
        cycle_id=cycle_id,
        subscriptions_loader=active_subscriptions,
        on_progress=on_progress,
        while_crawling=while_crawling,
    )


def send_alerts(*, worker_id: str) -> SendReport:
    """Send every due delivery in the outbox, batch after batch; failures stay queued with back-off.
    Then the digests that are due: each subscriber's digest goes out with the first cycle after its
    ``digest_time``, whatever the digest deployment's schedule.

    Stops when a batch comes back short (nothing else is due) or after
    ``POLICYWATCH_SEND_BUDGET_SECONDS`` (default 600), so a huge backlog cannot hold the cycle
    forever; what is left is sent by the next cycle.
    """
    from alerts.outbox import send_digests, send_pending
    from storage.delivery_admin import status_counts

    budget = config.current().send_budget_seconds
    started = time.monotonic()
    summary = SendReport()
    while True:
        report = send_pending(session_factory(), worker_id=worker_id, limit=SEND_BATCH)
        summary.add(report)
        if report.claimed < SEND_BATCH or time.monotonic() - started > budget:
            break
    summary.add(send_digests(session_factory(), worker_id=worker_id))
    with session_factory()() as session:
        counts = status_counts(session)
    summary.pending = counts.get("pending", 0) + counts.get("digest", 0)
    return summary


def site_health(cycle_id: str, expected_slugs: Sequence[str] = ()) -> list[SiteFailure]:
    """Record each site's success or failure for this cycle; return the failing ones.

    A site in ``expected_slugs`` with no crawl run in this cycle failed too: its crawler died
    before reaching it.
    """
    from storage.sources import record_cycle_health

    with session_factory()() as session, session.begin():
        return record_cycle_health(session, cycle_id, expected_slugs)


def change_markdowns(change_ids: Sequence[int]) -> list[tuple[int, str]]:
    """Markdown diff per change, for Prefect artifacts (no secrets: only scraped content)."""
    from alerts.context import load_alert_context
    from alerts.render import ARTIFACT_CHANNEL, render_alert

    with session_factory()() as session:
        return [
            (cid, render_alert(load_alert_context(session, cid), ARTIFACT_CHANNEL).body) for cid in change_ids
        ]

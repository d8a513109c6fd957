"""The monitor flow: crawl → normalize → diff → alert. Thin: every step calls a pipeline stage.

Runs without a Prefect server by default (Prefect starts a temporary local API); deployments in
prefect.yaml schedule it on a work pool.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run

from alerts.results import SendReport
from flows import steps
from flows.crawl_window import crawl_window, crawling, forget
from flows.outcome import announce_failing_sites, cycle_outcome
from flows.recheck_plan import RecheckItem, recheck_items
from flows.site_leases import SiteLeases
from flows.site_results import site_results, submit_site_results
from ingest.report import IngestReport
from spiders.run import CrawlReport, SiteCrawl
from storage.sources import SiteFailure


@task(retries=2, retry_delay_seconds=[10, 60], task_run_name="crawl {mode}: {site_slugs}")
def crawl(
    site_slugs: list[str],
    cycle_id: str,
    mode: str = "monitor",
    recheck: list[RecheckItem] | None = None,
    ignore_backoff: bool = False,
) -> CrawlReport:
    """Fetch in a subprocess (Scrapy's reactor cannot restart). Retried only when the crawler itself crashed."""
    logger = get_run_logger()
    report = steps.crawl(
        site_slugs,
        cycle_id=cycle_id,
        mode=mode,
        recheck=recheck,
        ignore_backoff=ignore_backoff,
        on_progress=progress_to(logger),
    )
    for site in report.sites.values():
        if site.status != "ok":
            logger.warning("site %s: %s — %s", site.slug, site.status, site.error or "")
    if report.error:
        # What it stored before dying is kept; the retry picks up from there (monitor mode stops at known notices).
        raise CrawlerCrashed(report.error)
    return report


PROGRESS_LOGGER = "policywatch.progress"


def progress_to(logger: Any) -> Callable[[str], None]:
    """Progress lines go to the run's log (the Prefect UI) and to ``policywatch.progress``, which
    ``policywatch run`` shows in the terminal."""
    terminal = logging.getLogger(PROGRESS_LOGGER)

    def say(line: str) -> None:
        logger.info(line)
        terminal.info(line)

    return say


class CrawlerCrashed(RuntimeError):
    """The crawler subprocess crashed, timed out, or never reached some of its sites."""


def gather_crawls(
    batches: list[list[str]], futures: list[PrefectFuture[CrawlReport]], cycle_id: str, mode: str
) -> list[CrawlReport]:
    """Each batch's crawl report; a batch whose crawler failed every retry reports its sites failed.

    One batch's crawler dying must not cost the other batches their alerts.
    """
    reports = []
    for site_slugs, future in zip(batches, futures, strict=True):
        outcome = future.result(raise_on_failure=False)
        if isinstance(outcome, BaseException):
            message = f"crawler failed after retries: {outcome}"
            outcome = CrawlReport(
                cycle_id=cycle_id,
                mode=mode,
                exit_code=None,
                sites={slug: _unreached(slug, message) for slug in site_slugs},
                error=message,
            )
        reports.append(outcome)
    return reports


def _unreached(slug: str, error: str) -> SiteCrawl:
    return SiteCrawl(
        slug=slug,
        crawl_run_id=None,
        status="failed",
        error=error,
        requests=0,
        items=0,
        not_modified=0,
        elapsed=None,
    )


@task(task_run_name="normalize and diff")
def normalize_and_diff(cycle_id: str, stream: bool = False) -> IngestReport:
    """Normalize and diff the cycle's snapshots; ``stream``: start while the cycle's crawls run
    (see flows/crawl_window.py) and process what they store as it arrives."""
    while_crawling = (lambda: crawling(cycle_id)) if stream else None
    return steps.ingest(cycle_id, on_progress=progress_to(get_run_logger()), while_crawling=while_crawling)


def crawl_and_ingest(
    cycle_id: str, submit_crawls: Callable[[], list[PrefectFuture[CrawlReport]]]
) -> tuple[list[PrefectFuture[CrawlReport]], IngestReport]:
    """The crawl tasks ``submit_crawls`` starts, with the ingest streaming beside them; returns the
    crawl futures (done) and the ingest's report, once both have ended.

    The ingest task is submitted first, so it holds a thread of the task runner before the crawls
    queue for theirs.
    """
    ingest_future: PrefectFuture[IngestReport] | None = None
    try:
        with crawl_window(cycle_id):
            ingest_future = normalize_and_diff.submit(cycle_id, stream=True)
            futures = submit_crawls()
            for future in futures:
                future.wait()
    finally:
        # Whatever happened, the ingest has ended before the caller gives the sites' leases back.
        if ingest_future is not None:
            ingest_future.wait()
        forget(cycle_id)
    return futures, ingest_future.result()


@task(retries=3, retry_delay_seconds=[5, 30, 120], task_run_name="send alerts")
def send_alerts(worker_id: str) -> SendReport:
    logger = get_run_logger()
    summary = steps.send_alerts(worker_id=worker_id)
    logger.info(
        "alerts: %s sent, %s failed (will retry), %s waiting", summary.sent, summary.failed, summary.pending
    )
    return summary


@task(task_run_name="site health")
def site_health(cycle_id: str, expected_slugs: list[str]) -> list[SiteFailure]:
    return steps.site_health(cycle_id, expected_slugs)


@task(task_run_name="ops alert")
def alert_ops(failing: list[SiteFailure], threshold: int = 3) -> list[str]:
    """One Apprise message to $POLICYWATCH_OPS_URLS for sites failing ``threshold``+ cycles in a row."""
    from alerts.ops import ops_alert_for_failing_sites

    return ops_alert_for_failing_sites([dataclasses.asdict(f) for f in failing], threshold=threshold)


def publish_artifacts(
    flow_name: str, cycle_id: str, ingest_report: IngestReport, failing: list[SiteFailure]
) -> None:
    """What ops read in the Prefect UI after a cycle: the changes (with what changed), every diff in
    one Markdown artifact, and the failing sites. One key per flow and kind, never one per change,
    so each key keeps one artifact per cycle and the Artifacts page does not grow with the changes."""
    rows = [
        {
            "kind": c.kind,
            "what changed": c.summary,
            "source": c.source,
            "title": c.title or "",
            "url": c.url,
            "alerted": c.alerted,
        }
        for c in ingest_report.changes
    ]
    if rows:
        create_table_artifact(
            rows, key=f"{flow_name}-changes", description=f"New and changed notices, cycle {cycle_id}"
        )
    diffs = steps.change_markdowns([c.change_id for c in ingest_report.changes if c.kind != "new"])
    if diffs:
        create_markdown_artifact(
            "\n\n---\n\n".join(markdown for _change_id, markdown in diffs),
            key=f"{flow_name}-diffs",
            description=f"The diff of each of the {len(diffs)} changes of cycle {cycle_id}",
        )
    if failing:
        create_table_artifact(
            [dataclasses.asdict(f) for f in failing],
            key="failing-sites",
            description=f"Sites that failed in cycle {cycle_id}",
        )


@flow(name="monitor", log_prints=True)
def monitor(
    sites: list[str] | None = None,
    mode: str = "monitor",
    recheck: str = "due",
    sites_per_crawl: int = 10,
    send: bool = True,
    ignore_backoff: bool = False,
) -> steps.CycleReport:
    """One monitoring cycle.

    sites: slugs to crawl (default: every enabled site in the registry).
    mode: "monitor" (new notices; stops at the first run of known ones) or "backfill" (every list page).
    recheck: "due" (known notices whose age tier says so), "fresh" (the 7-day tier only), "all", or
        "none" — re-verified with conditional GET.
    sites_per_crawl: sites per crawler subprocess; batches run in parallel.
    send: send the queued alerts at the end of the cycle (false: the next cycle sends them).
    ignore_backoff: crawl ``sites`` even while they back off after an anti-bot challenge.
    A site another run is crawling is skipped (status ``skipped``); see docs/pipeline.md.
    """
    cycle_id = str(flow_run.get_id() or uuid.uuid4())
    leases = SiteLeases(cycle_id)
    try:
        # A site another run is crawling is skipped (and reported so); the lease covers the ingest too.
        slugs = leases.take(steps.preflight(sites))
        for skipped in leases.skipped:
            get_run_logger().warning(skipped.error)
        batches = [slugs[i : i + sites_per_crawl] for i in range(0, len(slugs), sites_per_crawl)]
        due = recheck_items(slugs, recheck) if slugs else []
        # Discovery and rechecks of a site share one crawler, so its politeness limits hold.
        futures, ingest_report = crawl_and_ingest(
            cycle_id,
            lambda: [
                crawl.submit(
                    batch, cycle_id, mode, [i for i in due if i["slug"] in batch] or None, ignore_backoff
                )
                for batch in batches
            ],
        )
        crawl_reports = gather_crawls(batches, futures, cycle_id, mode)
    finally:
        leases.release()
    failing = site_health(cycle_id, slugs)
    site_crawls = [s for r in crawl_reports for s in r.sites.values()] + leases.skipped
    submit_site_results(site_results(slugs, site_crawls, failing, ingest_report))
    alert_ops(failing)
    announce_failing_sites("monitor", cycle_id, failing)
    alert_report = send_alerts(cycle_id) if send else SendReport()
    publish_artifacts("monitor", cycle_id, ingest_report, failing)
    report = steps.CycleReport(
        cycle_id=cycle_id,
        sites=site_crawls,
        ingest=ingest_report,
        alerts=alert_report,
        failing_sites=failing,
    )
    return cycle_outcome(report, failing)  # type: ignore[no-any-return]

"""The recheck flow: re-verify known notices with conditional GET, without list-page discovery.

Scheduled once a day (prefect.yaml). Which notices are due is decided by age tier in
flows.recheck_plan.recheck_items: notices of the last 90 days are due daily, older ones weekly
(those of the last 7 days are rechecked by every monitor cycle too). Unchanged pages answer 304
and cost one small request; changed ones go through the same normalize → diff → alert steps as
the monitor flow, and the run publishes the same artifacts.
"""

from __future__ import annotations

import uuid

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from alerts.results import SendReport
from flows import steps
from flows.monitor import (
    alert_ops,
    crawl,
    crawl_and_ingest,
    gather_crawls,
    publish_artifacts,
    send_alerts,
    site_health,
)
from flows.outcome import announce_failing_sites, cycle_outcome
from flows.recheck_plan import recheck_batches, recheck_items
from flows.site_leases import SiteLeases
from flows.site_results import site_results, submit_site_results


@flow(name="recheck", log_prints=True)
def recheck(
    sites: list[str] | None = None,
    policy: str = "due",
    sites_per_crawl: int = 10,
    send: bool = True,
    ignore_backoff: bool = False,
) -> steps.RecheckReport:
    """Recheck known notices of ``sites`` (default: every enabled site).

    policy: "due" (by age tier), "fresh" (the 7-day tier only), "all" (every known notice) — "none"
        makes the run a no-op.
    sites_per_crawl: sites per crawler subprocess; batches run in parallel.
    send: send the queued alerts at the end (false: the next cycle sends them).
    ignore_backoff: recheck ``sites`` even while they back off after an anti-bot challenge.
    """
    logger = get_run_logger()
    cycle_id = str(flow_run.get_id() or uuid.uuid4())
    leases = SiteLeases(cycle_id)
    try:
        slugs = leases.take(steps.preflight(sites))
        for skipped in leases.skipped:
            logger.warning(skipped.error)
        items = recheck_items(slugs, policy) if slugs else []
        logger.info(
            "%s notices due for a recheck across %s sites", len(items), len({i["slug"] for i in items})
        )
        batches = recheck_batches(items, sites_per_crawl)
        batch_slugs = [sorted({str(i["slug"]) for i in batch}) for batch in batches]
        futures, ingest_report = crawl_and_ingest(
            cycle_id,
            lambda: [
                crawl.submit(b_slugs, cycle_id, "recheck", batch, ignore_backoff)
                for b_slugs, batch in zip(batch_slugs, batches, strict=True)
            ],
        )
        crawl_reports = gather_crawls(batch_slugs, futures, cycle_id, "recheck")
    finally:
        leases.release()
    crawled = [s for b in batch_slugs for s in b]
    failing = site_health(cycle_id, crawled)
    sites_report = [s for r in crawl_reports for s in r.sites.values()] + leases.skipped
    submit_site_results(site_results(crawled, sites_report, failing, ingest_report))
    alert_ops(failing)
    announce_failing_sites("recheck", cycle_id, failing)
    alert_report = send_alerts(cycle_id) if send else SendReport()
    publish_artifacts("recheck", cycle_id, ingest_report, failing)
    not_modified = sum(s.not_modified for s in sites_report)
    if sites_report:
        create_table_artifact(
            [
                {"site": s.slug, "status": s.status, "requests": s.requests, "not_modified": s.not_modified}
                for s in sites_report
            ],
            key="recheck-sites",
            description=f"Recheck {cycle_id}: {len(items)} notices, {not_modified} answered 304",
        )
    report = steps.RecheckReport(
        cycle_id=cycle_id,
        sites=sites_report,
        ingest=ingest_report,
        alerts=alert_report,
        failing_sites=failing,
        rechecked=len(items),
        not_modified=not_modified,
    )
    return cycle_outcome(report, failing)  # type: ignore[no-any-return]

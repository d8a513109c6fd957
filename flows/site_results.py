"""One task run per site worth a look, so the run graph in the Prefect UI shows which site failed.

A site that failed (an error, a challenge, maintenance pages, a crawler that never reached it)
gets a **Failed** task run ``site <slug>`` whose message is the one line to act on; a site that
was skipped (another run holds it) or that brought changes gets a Completed one with its counts.
The quiet rest, unchanged and healthy, share one ``sites ok`` task run listing them, so a cycle
over thousands of sites does not pay for thousands of task runs. The flow run's own state
(SitesFailed, flows/outcome.py) and the ``policywatch.site.failed`` events are unchanged.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prefect import task
from prefect.states import Failed

from ingest.report import IngestReport
from spiders.run import SiteCrawl
from storage.sources import SiteFailure


def _no_empty_traceback(record: logging.LogRecord) -> bool:
    # Prefect logs a task that returned a Failed state with exc_info=True though nothing was raised,
    # which prints "NoneType: None" under the one line an operator should read.
    if record.exc_info and record.exc_info[0] is None:
        record.exc_info = None
    return True


logging.getLogger("prefect.task_runs").addFilter(_no_empty_traceback)


@dataclass(frozen=True)
class SiteResult:
    """What one site did in this cycle, as its task run shows it."""

    slug: str
    status: str  # ok | failed | blocked | skipped
    requests: int
    changes: int
    error: str | None = None
    consecutive_failures: int = 0


@task(task_run_name="site {result.slug}")
def site_task(result: SiteResult) -> Any:
    if result.status not in ("ok", "skipped"):
        in_a_row = (
            f" ({result.consecutive_failures} cycles in a row)" if result.consecutive_failures > 1 else ""
        )
        return Failed(message=f"{result.status}: {result.error}{in_a_row}", data=result)
    return result


@task(task_run_name="sites ok: {count}")
def quiet_sites_task(count: int, slugs: list[str]) -> list[str]:
    return slugs


def site_results(
    slugs: Sequence[str],
    crawls: Sequence[SiteCrawl],
    failing: Sequence[SiteFailure],
    ingest_report: IngestReport,
) -> list[SiteResult]:
    """Each site's result: its crawls' requests (discovery and rechecks), the changes it brought,
    and its failure from the cycle's health record (which already ignores a recovered crash)."""
    failures = {f.site: f for f in failing}
    changes = Counter(c.source for c in ingest_report.changes)
    requests: Counter[str] = Counter()
    skipped: dict[str, str | None] = {}
    for crawl in crawls:
        requests[crawl.slug] += crawl.requests
        if crawl.status == "skipped":
            skipped[crawl.slug] = crawl.error
    results = []
    for slug in dict.fromkeys([*slugs, *skipped, *failures]):
        failure = failures.get(slug)
        error: str | None
        if failure is not None:
            status, error = failure.status, failure.error
        elif slug in skipped:
            status, error = "skipped", skipped[slug]
        else:
            status, error = "ok", None
        results.append(
            SiteResult(
                slug=slug,
                status=status,
                requests=requests[slug],
                changes=changes[slug],
                error=error,
                consecutive_failures=failure.consecutive_failures if failure else 0,
            )
        )
    return results


def submit_site_results(results: Sequence[SiteResult]) -> None:
    """Submit the task runs and wait for them; a failed site's task run fails, the flow does not."""
    noteworthy = [r for r in results if r.status != "ok" or r.changes]
    quiet = [r.slug for r in results if r.status == "ok" and not r.changes]
    futures = [site_task.submit(r) for r in noteworthy]
    if quiet:
        futures.append(quiet_sites_task.submit(len(quiet), quiet))
    for future in futures:
        future.wait()

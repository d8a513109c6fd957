"""Human-readable summaries of a monitoring cycle, for the CLI."""

from __future__ import annotations

from collections.abc import Callable

import click

from changes.model import KIND_LABELS
from flows.steps import CycleReport


def print_cycle_summary(summary: CycleReport, echo: Callable[[str], None] = click.echo) -> None:
    """Each site's crawl, what ingest found, which changes were alerted, and the failing sites."""
    echo(f"cycle {summary.cycle_id}")
    for site in summary.sites:
        line = f"  {site.slug:<14} {site.status:<8} {site.requests:>4} requests, {site.items:>4} pages stored"
        if site.error:
            line += f" — {site.error}"
        echo(line)
    ingest = summary.ingest
    echo(
        f"  normalized {ingest.processed} pages: {ingest.versions} new versions, {len(ingest.changes)} changes, "
        f"{len(ingest.rejected)} pages rejected"
    )
    alerted = [c for c in ingest.changes if c.alerted]
    quiet = len(ingest.changes) - len(alerted)
    for change in alerted:
        echo(
            f"    {KIND_LABELS.get(change.kind, change.kind)}  [{change.source}] {change.title or change.url}"
        )
    if quiet:
        echo(
            f"    ({quiet} changes recorded without an alert: a site's baseline, a repost, or a kind not alerted)"
        )
    alerts = summary.alerts
    echo(f"  alerts: {alerts.sent} sent, {alerts.failed} failed (retried later), {alerts.pending} waiting")
    for failing in summary.failing_sites:
        echo(f"  ! site {failing.site}: {failing.error} ({failing.consecutive_failures} failures in a row)")

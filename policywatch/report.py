"""Human-readable summaries of a monitoring cycle, for the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

KIND_LABELS = {
    "new": "新发布",
    "edited": "内容变更",
    "metadata": "元数据变更",
    "attachment": "附件变更",
    "removed": "已撤下",
    "restored": "已恢复",
    "reordered": "顺序调整",
}


def print_cycle_summary(summary: dict[str, Any], echo: Callable[[str], None] = click.echo) -> None:
    echo(f"cycle {summary['cycle_id']}")
    for site in summary["sites"]:
        line = f"  {site['slug']:<14} {site['status']:<8} {site.get('requests', 0):>4} requests, {site.get('items', 0):>4} pages stored"
        if site.get("error"):
            line += f" — {site['error']}"
        echo(line)
    ingest = summary["ingest"]
    echo(
        f"  normalized {ingest['processed']} pages: {ingest['versions']} new versions, {len(ingest['changes'])} changes, "
        f"{len(ingest['rejected'])} pages rejected"
    )
    alerted = [c for c in ingest["changes"] if c["alerted"]]
    quiet = len(ingest["changes"]) - len(alerted)
    for change in alerted:
        echo(
            f"    {KIND_LABELS.get(change['kind'], change['kind'])}  [{change['source']}] {change['title'] or change['url']}"
        )
    if quiet:
        echo(
            f"    ({quiet} changes recorded without an alert: a site's baseline, a repost, or a kind not alerted)"
        )
    alerts = summary["alerts"]
    echo(
        f"  alerts: {alerts['sent']} sent, {alerts['failed']} failed (retried later), {alerts['pending']} waiting"
    )
    for failing in summary.get("failing_sites", []):
        echo(
            f"  ! site {failing['site']}: {failing['error']} ({failing['consecutive_failures']} failures in a row)"
        )

"""`policywatch alerts|subscriptions|db …`: the operator commands (`sites …` is in cli_sites.py)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import click


def _rows_json(rows: Any) -> str:
    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        return value

    def iso(value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    return json.dumps([plain(r) for r in rows], ensure_ascii=False, indent=2, default=iso)


@click.group("alerts")
def alerts_group() -> None:
    """The alert outbox: what was sent, what is waiting, what failed."""


@alerts_group.command("list")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed", "digest"]), default=None)
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def alerts_list(status: str | None, limit: int, as_json: bool) -> None:
    """List deliveries, newest first. Apprise URLs are shown masked."""
    from alerts.admin import list_alerts
    from alerts.lease import utc
    from alerts.subscriptions import SHANGHAI
    from storage.db import open_existing

    with open_existing()() as session:
        rows = [
            dataclasses.replace(
                row,
                # Stored in UTC (SQLite drops the zone): every time shown carries its offset.
                sent_at=utc(row.sent_at) if row.sent_at else None,
                next_attempt_at=utc(row.next_attempt_at) if row.next_attempt_at else None,
            )
            for row in list_alerts(session, status=status, limit=limit)
        ]
    if as_json:
        click.echo(_rows_json(rows))
        return
    if not rows:
        click.echo("no deliveries")
    for row in rows:
        when = (row.sent_at or row.next_attempt_at or utc(None)).astimezone(SHANGHAI)
        shown = when.isoformat(sep=" ", timespec="minutes")
        line = f"#{row.id:<5} {row.status:<8} {row.subscription:<20} {row.change_kind:<10} tries={row.attempts} {shown}  {row.change_summary[:60]}"
        click.echo(line)
        for result in row.results:
            mark = "ok" if result.get("ok") else f"error: {result.get('error')}"
            click.echo(f"        {result.get('url')}: {mark}")
        if row.last_error and row.status != "sent":
            click.echo(f"        last error: {row.last_error}")


@alerts_group.command("retry")
@click.option("--id", "delivery_ids", multiple=True, type=int, help="Delivery id to send again (repeatable).")
@click.option("--failed", is_flag=True, help="Retry every failed delivery now.")
@click.option("--send/--no-send", default=True, show_default=True, help="Send right away after re-queueing.")
def alerts_retry(delivery_ids: tuple[int, ...], failed: bool, send: bool) -> None:
    """Re-queue deliveries for sending now (a delivered alert is never sent twice)."""
    from alerts.admin import RetryRefused, retry
    from storage.db import open_existing

    if not delivery_ids and not failed:
        raise click.UsageError("give --id N (repeatable) or --failed")
    try:
        with open_existing()() as session, session.begin():
            count = sum(retry(session, delivery_id=delivery_id) for delivery_id in delivery_ids)
            if failed:
                count += retry(session, failed=True)
    except RetryRefused as exc:
        raise click.ClickException(f"{exc}; nothing re-queued") from exc
    click.echo(f"{count} deliveries re-queued")
    if send and count:
        from flows.steps import send_alerts

        summary = send_alerts(worker_id="cli-retry")
        unsent = summary.failed + summary.retrying
        click.echo(f"sent {summary.sent}, not sent {unsent} ({summary.retrying} to be retried with back-off)")
        if unsent and not summary.sent:
            errors = "; ".join(summary.errors[:3])
            raise click.ClickException(
                f"every send failed ({unsent}): {errors or 'see `policywatch alerts list`'}"
            )


@click.group("subscriptions")
def subscriptions_group() -> None:
    """Subscribers and their filters ($POLICYWATCH_SUBSCRIPTIONS, default ./subscriptions.toml)."""


@subscriptions_group.command("check")
def subscriptions_check() -> None:
    """Validate the subscriptions file and every URL (references resolvable, known to Apprise); sends nothing."""
    import config
    from alerts.admin import check_subscriptions

    path = config.current().subscriptions_path
    if not path.exists():
        raise click.ClickException(f"{path} does not exist; copy subscriptions.example.toml to start")
    problems = check_subscriptions(path)
    errors = [p for p in problems if p.checked]
    for problem in problems:
        mark = "✗" if problem.checked else "?"
        click.echo(f"{mark} {problem.subscription}: {problem.url} — {problem.problem}")
    if errors:
        raise SystemExit(1)
    unchecked = len(problems) - len(errors)
    if unchecked:
        click.echo(f"{path}: no problem found, but {unchecked} URL(s) could not be checked here")
    else:
        click.echo(f"{path}: every subscription and URL is valid")


@subscriptions_group.command("test")
@click.argument("name")
def subscriptions_test(name: str) -> None:
    """Send one test message through every URL of subscription NAME and report each answer (sends for real)."""
    import config
    from alerts.admin import send_test_message
    from alerts.subscriptions import load_subscriptions

    path = config.current().subscriptions_path
    configs = {c.name: c for c in load_subscriptions(path)}
    if name not in configs:
        raise click.ClickException(
            f"no subscription {name!r} in {path}; it has: {', '.join(configs) or 'none'}"
        )
    results = send_test_message(configs[name])
    for result in results:
        click.echo(f"{'✓' if result.ok else '✗'} {result.url}" + ("" if result.ok else f" — {result.error}"))
    failed = sum(1 for r in results if not r.ok)
    if failed:
        raise click.ClickException(f"{failed} of {len(results)} URLs of {name} did not take the test message")
    click.echo(f"{name}: every URL ({len(results)}) took the test message")


@subscriptions_group.command("list")
def subscriptions_list() -> None:
    """List the subscriptions in the file: mode, filters, masked URLs, and whether a cycle has stored them."""
    import config
    from alerts.admin import list_subscription_rows
    from storage.db import DatabaseUnavailable, open_existing

    path = config.current().subscriptions_path
    try:
        sessions = open_existing()
    except DatabaseUnavailable as exc:
        click.echo(f"(not compared with the database: {exc})", err=True)
        rows = list_subscription_rows(None, path=path)
    else:
        with sessions() as session:
            rows = list_subscription_rows(session, path=path)
    for row in rows:
        mode = f"digest at {row.digest_time}" if row.mode == "digest" else "immediate"
        state = "" if row.stored else "  (not stored yet: the next cycle syncs it)"
        click.echo(f"{row.name}  [{mode}]{'' if row.active else ' (inactive)'}{state}")
        for url in row.urls:
            click.echo(f"    -> {url}")
        for key, values in row.filters.items():
            click.echo(f"    {key}: {', '.join(values)}")


@click.group("db")
def db_group() -> None:
    """The database ($POLICYWATCH_DATABASE_URL)."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations (this also happens automatically on first use)."""
    from storage.db import database_url, migrate, redact_url

    migrate(database_url())
    click.echo(f"database {redact_url(database_url())} is at the newest revision")


@db_group.command("info")
def db_info() -> None:
    """Show the database URL (password hidden) and row counts."""
    from storage.db import database_url, open_existing, redact_url, row_counts

    click.echo(f"database: {redact_url(database_url())}")
    with open_existing()() as session:
        counts = row_counts(session)
    for table, count in counts.items():
        click.echo(f"{table:>16}: {count}")

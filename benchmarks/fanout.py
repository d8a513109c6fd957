"""Alert fan-out: deliveries per second to a local webhook, for 1,000 changes × 50 subscriptions.

Goal (issue 14): at least 1,000 deliveries per second, with no webhook post received twice.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from typing import Any

from benchmarks.common import Context, Figure, Result

KEY = "fanout"
TITLE = "Alert fan-out to a local webhook"
GOAL_RATE = 1000.0  # deliveries/s


def _subscriptions_toml(count: int, port: int) -> str:
    return "".join(
        f'[[subscription]]\nname = "bench-{i:02d}"\nurls = ["json://127.0.0.1:{port}/s{i:02d}"]\n\n'
        for i in range(count)
    )


def _sender(toml: str, worker_id: str, limit: int, deadline: float, out: Any) -> None:
    """One sender process: send_pending (``limit`` per pass, as a cycle's send step calls it) until
    the outbox is empty or the deadline passes. Reports its CPU time (all its threads)."""
    from alerts.outbox import send_pending
    from alerts.subscriptions import parse_subscriptions
    from storage.db import session_factory

    configs = parse_subscriptions(toml)
    sessions = session_factory()
    sent = failed = 0
    cpu = time.process_time()
    while time.time() < deadline:
        report = send_pending(sessions, worker_id=worker_id, limit=limit, subscriptions=configs)
        sent, failed = sent + report.sent, failed + report.failed + report.retrying
        if not report.claimed:
            break
    out.put((worker_id, sent, failed, time.time(), time.process_time() - cpu))


def run(ctx: Context) -> Result:
    from sqlalchemy import select

    from alerts.dispatch import DEFAULT_CONCURRENCY, DEFAULT_WINDOW
    from alerts.outbox import DEFAULT_BATCH, enqueue
    from alerts.subscriptions import parse_subscriptions, sync_subscriptions
    from flows.steps import SEND_BATCH
    from govsim.inbox import LocalWebhook
    from storage.db import dispose_engines, session_factory
    from storage.models import Change

    scenario = ctx.scenario()
    scenario.ingested()
    changes_wanted, subs_wanted = (100, 10) if ctx.quick else (1000, 50)
    budget = 30.0 if ctx.quick else 150.0
    senders = 2 if scenario.database_url.startswith("postgresql") else 1
    with LocalWebhook() as webhook:
        toml = _subscriptions_toml(subs_wanted, webhook.port)
        configs = parse_subscriptions(toml)
        sessions = session_factory()
        started = time.monotonic()
        with sessions() as session, session.begin():
            rows = sync_subscriptions(session, configs)
            changes = list(session.scalars(select(Change).order_by(Change.id).limit(changes_wanted)))
            queued = sum(enqueue(session, change, rows) for change in changes)
        enqueue_wall = time.monotonic() - started
        dispose_engines()
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        deadline = time.time() + budget
        started_at = time.time()
        processes = [
            context.Process(target=_sender, args=(toml, f"bench-sender-{i}", SEND_BATCH, deadline, results))
            for i in range(senders)
        ]
        for process in processes:
            process.start()
        finished = [results.get(timeout=budget + 120) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        elapsed = max(f[3] for f in finished) - started_at
        sent = sum(f[1] for f in finished)
        failed = sum(f[2] for f in finished)
        sender_cpu = sum(f[4] for f in finished)
        posts = webhook.posts
        connections = webhook.connections
    # The message names the notice URL, so (subscription path, message) identifies one delivery.
    per_delivery = Counter((p["path"], str(p["json"].get("message"))) for p in posts)
    duplicates = max(len(posts) - sent, sum(n - 1 for n in per_delivery.values() if n > 1))
    rate = sent / elapsed if elapsed else 0.0
    drained = sent >= queued
    notes = []
    if not drained:
        notes.append(
            f"Stopped after the {budget:.0f} s budget with {sent:,} of {queued:,} deliveries sent; at "
            f"this rate all {queued:,} take about {queued / rate / 60:.0f} min."
        )
    return Result(
        key=KEY,
        title=TITLE,
        figures=[
            Figure(
                f"deliveries/s ({senders} sender process{'es' if senders > 1 else ''})",
                rate,
                "/s",
                f"≥ {GOAL_RATE:,.0f} /s",
                rate >= GOAL_RATE,
            ),
            Figure(
                "sender CPU per delivery (all sender processes)",
                sender_cpu / sent * 1000 if sent else None,
                "ms",
            ),
            Figure("outbox rows queued per second (enqueue)", queued / enqueue_wall, "/s"),
            Figure("duplicate webhook posts", float(duplicates), "", "0", duplicates == 0),
            Figure("webhook posts per connection (connection reuse)", len(posts) / max(connections, 1), ""),
        ],
        method=(
            f"{len(changes):,} stored changes × {len(rows)} subscriptions, each subscription one literal "
            f"`json://` URL of one local webhook (`govsim.inbox.LocalWebhook`, a threaded HTTP server "
            f"in the benchmark process): {queued:,} outbox rows written by `alerts.outbox.enqueue` in one "
            f"transaction ({enqueue_wall:.1f} s). Then {senders} spawned sender process(es) looped "
            f"`alerts.outbox.send_pending(limit={SEND_BATCH})`, as a cycle's send step does (claim "
            f"{DEFAULT_BATCH} per statement, render once per change and channel, send on "
            f"{DEFAULT_CONCURRENCY} process-lifetime threads, each through its own Apprise object per URL over "
            f"kept-alive connections, commit results in "
            f"groups, at most {DEFAULT_WINDOW} unrecorded) against the {scenario.database_label} database "
            f"until the outbox was empty or {budget:.0f} s passed: {sent:,} sent, {failed} failed in "
            f"{elapsed:.1f} s (from the senders' start, their imports included); the webhook recorded "
            f"{len(posts):,} posts over {connections:,} connections. Sender CPU: {sender_cpu:.1f} s of process time in all."
        ),
        notes=notes,
        details={"queued": queued, "sent": sent},
    )

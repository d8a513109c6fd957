"""Delivery through a transactional outbox.

``enqueue`` writes one Delivery per matching (change, subscription) in the caller's transaction, so
an alert exists exactly when its change does. ``send_pending`` claims due deliveries a batch at a
time (one statement, committed), sends them concurrently (each sending thread through its own Apprise
object per URL), commits the URLs' results in groups as they come back, and settles each delivery: sent, or
pending again with exponential backoff, or failed after ``max_attempts`` (alerts.sending). ``send_digests`` does the same with one message per digest subscription. Each claim
is stamped with the time it is made and renewed while it is being sent (alerts.lease); a claim whose
worker died is taken over once ``lease`` has passed since its last renewal. See docs/alerts.md for
the one at-least-once window that remains.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alerts.context import load_alert_context
from alerts.dispatch import DEFAULT_CONCURRENCY, DEFAULT_WINDOW
from alerts.filters import matches
from alerts.lease import utc
from alerts.notify import Notifier
from alerts.results import SendReport
from alerts.send_jobs import ALERT, DIGEST, backoff, url_key
from alerts.sending import DEFAULT_BATCH, Sender, default_worker_id
from alerts.subscriptions import SubscriptionConfig, config_from_stored
from storage import outbox as store
from storage.subscriptions import active_subscriptions

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_LEASE",
    "DEFAULT_MAX_ATTEMPTS",
    "backoff",
    "default_worker_id",
    "enqueue",
    "send_digests",
    "send_pending",
    "url_key",
]

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=10)
DEFAULT_MAX_ATTEMPTS = 8


# ---------------------------------------------------------------------------------------- enqueue


def _as_rows(session: Session, subscriptions: Sequence[Any]) -> list[tuple[Any, SubscriptionConfig]]:
    from storage.subscriptions import subscription_by_name

    out = []
    for sub in subscriptions:
        if isinstance(sub, SubscriptionConfig):
            row = subscription_by_name(session, sub.name)
            if row is None:
                raise LookupError(f"subscription {sub.name!r} is not stored; call sync_subscriptions first")
            out.append((row, sub))
        else:
            out.append((sub, config_from_stored(sub.config)))
    return out


def enqueue(
    session: Session,
    change_row: Any,
    subscriptions: Sequence[Any] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Insert one Delivery per subscription that matches the change, in the caller's transaction.

    ``subscriptions`` are Subscription rows or SubscriptionConfigs (already synced); None means every
    active stored subscription. Idempotent: (change_id, subscription_id) is unique and existing pairs
    are skipped. Returns the number of rows inserted.
    """
    now = utc(now)
    session.flush()
    if subscriptions is None:
        subscriptions = active_subscriptions(session)
    context = load_alert_context(session, change_row.id)
    rows = []
    for row, config in _as_rows(session, subscriptions):
        if not (row.active and config.active) or not matches(config, context):
            continue
        if config.mode == "digest":
            rows.append((row.id, "digest", config.next_digest_at(now).astimezone(UTC)))
        else:
            rows.append((row.id, "pending", now))
    return store.insert_deliveries(session, change_row.id, rows)


# ------------------------------------------------------------------------------------------ send


def send_pending(
    session_factory: sessionmaker[Session],
    *,
    worker_id: str | None = None,
    now: datetime | None = None,
    limit: int = 100,
    notifier: Notifier | None = None,
    subscriptions: Sequence[SubscriptionConfig] | None = None,
    lease: timedelta = DEFAULT_LEASE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    batch_size: int = DEFAULT_BATCH,
    concurrency: int = DEFAULT_CONCURRENCY,
    window: int = DEFAULT_WINDOW,
) -> SendReport:
    """Claim up to ``limit`` due deliveries (and stale claims), ``batch_size`` per statement; send
    them ``concurrency`` at a time; record per-URL results in groups; settle each.

    ``notifier(url, message) -> (ok, masked_error)`` defaults to Apprise; it is called from several
    threads at once. ``subscriptions`` supplies literal URLs (default: the subscriptions file);
    stored references resolve without it. At most ``window`` messages are ever sent without their
    result committed: what a crash may resend (see alerts.dispatch).
    """
    sender = Sender.start(
        session_factory, worker_id, now, lease, max_attempts, notifier, subscriptions,
        batch_size=batch_size, concurrency=concurrency, window=window,
    )  # fmt: skip
    return sender.run(sender.pending(limit), ALERT)


def send_digests(
    session_factory: sessionmaker[Session],
    now: datetime | None = None,
    *,
    worker_id: str | None = None,
    notifier: Notifier | None = None,
    subscriptions: Sequence[SubscriptionConfig] | None = None,
    lease: timedelta = DEFAULT_LEASE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    concurrency: int = DEFAULT_CONCURRENCY,
    window: int = DEFAULT_WINDOW,
) -> SendReport:
    """Send one message per digest subscription with due deliveries (status 'digest'), as
    :func:`send_pending` sends alerts."""
    sender = Sender.start(
        session_factory, worker_id, now, lease, max_attempts, notifier, subscriptions,
        concurrency=concurrency, window=window,
    )  # fmt: skip
    return sender.run(sender.digests(), DIGEST)

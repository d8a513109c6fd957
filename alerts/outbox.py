"""Delivery through a transactional outbox.

``enqueue`` writes one Delivery per matching (change, subscription) in the caller's transaction, so
an alert exists exactly when its change does. ``send_pending`` claims due deliveries (commit), sends
each through its own Apprise object, records every URL's result as soon as it is known (commit), and
settles the delivery: sent, or pending again with exponential backoff, or failed after
``max_attempts``. ``send_digests`` does the same with one message per digest subscription. Each claim
is stamped with the time it is made and renewed while it is being sent (alerts.lease); a claim whose
worker died is taken over once ``lease`` has passed since its last renewal. See docs/alerts.md for
the one at-least-once window that remains.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alerts.context import AlertContext, load_alert_context
from alerts.filters import matches
from alerts.lease import Clock, heartbeat, utc
from alerts.notify import Notifier, apprise_notify
from alerts.render import Channel, RenderedMessage, channel_for_url, render_alert, render_digest
from alerts.results import SendReport, UrlResult
from alerts.secrets import SecretReferenceError, mask_url, resolve_url, scrub, secret_parts
from alerts.subscription_urls import SubscriptionUrls
from alerts.subscriptions import SubscriptionConfig, config_from_stored
from storage import outbox as store
from storage.subscriptions import active_subscriptions

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=10)
DEFAULT_MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)


Render = Callable[[list[AlertContext], Channel], RenderedMessage]


def url_key(url: str) -> str:
    """A stable, non-reversible key for a resolved URL (to skip URLs already delivered on retry)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


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


@dataclass(frozen=True)
class _Batch:
    """Deliveries claimed together, sent as one message to one subscription (``label`` names it in errors)."""

    claims: list[store.Held]
    subscription_id: int
    label: str

    @property
    def delivery_ids(self) -> list[int]:
        return [held.delivery_id for held in self.claims]


@dataclass(frozen=True)
class _Mode:
    """How alerts differ from digests once claimed: the message, and the status a retry waits in."""

    render: Render
    retry_status: str


_ALERT = _Mode(render=lambda contexts, channel: render_alert(contexts[0], channel), retry_status="pending")
_DIGEST = _Mode(render=render_digest, retry_status="digest")


@dataclass
class _Sender:
    """One pass of one worker over the outbox: claim a batch, send it, settle it, count it.

    ``clock`` gives the time of each step (claims, renewals, settling), never the pass's start time."""

    session_factory: sessionmaker[Session]
    worker_id: str
    clock: Clock
    lease: timedelta
    max_attempts: int
    notifier: Notifier
    resolver: SubscriptionUrls
    report: SendReport = field(default_factory=SendReport)

    @classmethod
    def start(
        cls,
        session_factory: sessionmaker[Session],
        worker_id: str | None,
        now: datetime | None,
        lease: timedelta,
        max_attempts: int,
        notifier: Notifier | None,
        subscriptions: Sequence[SubscriptionConfig] | None,
    ) -> _Sender:
        return cls(
            session_factory,
            worker_id or default_worker_id(),
            Clock.starting_at(now),
            lease,
            max_attempts,
            notifier or apprise_notify,
            SubscriptionUrls(subscriptions),
        )

    def run(self, batches: Iterator[_Batch], mode: _Mode) -> SendReport:
        """Send each batch as it is claimed; one broken batch never stops the others (its lease expires)."""
        for batch in batches:
            self.report.claimed += len(batch.delivery_ids)
            try:
                self._deliver(batch, mode)
            except Exception as exc:
                log.exception("%s could not be processed", batch.label)
                self.report.errors.append(f"{batch.label}: {type(exc).__name__}")
        if self.report.claimed:
            log.info(
                "outbox worker %s: claimed %d, sent %d, retrying %d, failed %d",
                self.worker_id,
                self.report.claimed,
                self.report.sent,
                self.report.retrying,
                self.report.failed,
            )
        return self.report

    def pending(self, limit: int) -> Iterator[_Batch]:
        """Due deliveries (and stale claims), claimed one right before it is sent: a worker that dies
        strands only the one in flight."""
        for _ in range(limit):
            with self.session_factory() as session, session.begin():
                held = store.claim_next(
                    session, worker_id=self.worker_id, now=self.clock.now(), lease=self.lease
                )
            if held is None:
                return
            yield _Batch([held], held.subscription_id, f"delivery {held.delivery_id}")

    def digests(self) -> Iterator[_Batch]:
        """Each digest subscription's due deliveries, claimed together right before they are sent."""
        with self.session_factory() as session:
            groups = store.digest_groups(session, self.clock.now())
            session.rollback()
        for subscription_id, rows in groups.items():
            with self.session_factory() as session, session.begin():
                now = self.clock.now()
                taken = [
                    store.claim(
                        session,
                        delivery_id,
                        status="digest",
                        worker_id=self.worker_id,
                        now=now,
                        lease=self.lease,
                    )
                    for delivery_id, _ in rows
                ]
            mine = [held for held in taken if held is not None]
            if mine:
                yield _Batch(mine, subscription_id, f"digest {subscription_id}")

    def _deliver(self, batch: _Batch, mode: _Mode) -> None:
        with self.session_factory() as session:
            claims = [store.claimed(session, i) for i in batch.delivery_ids]
            sub_row = store.subscription_row(session, batch.subscription_id)
            contexts = [load_alert_context(session, c.change_id) for c in claims]
        assert sub_row is not None
        stored = config_from_stored(sub_row.config)
        done: dict[str, dict[str, Any]] = {}
        for c in claims:
            done.update({r["key"]: r for r in c.results if r.get("ok")})
        results: list[dict[str, Any]] = list(done.values())
        # The heartbeat stops before settling: a renewal racing the settle would only find the row gone.
        with heartbeat(
            self.session_factory, batch.claims, worker_id=self.worker_id, clock=self.clock, lease=self.lease
        ):
            all_ok, results = self._send_urls(batch, mode, stored, contexts, done, results)
        with self.session_factory() as session, session.begin():
            for held, claim in zip(batch.claims, claims, strict=True):
                self._settle(session, held, claim, results, all_ok, mode)

    def _send_urls(
        self,
        batch: _Batch,
        mode: _Mode,
        stored: SubscriptionConfig,
        contexts: list[AlertContext],
        done: dict[str, dict[str, Any]],
        results: list[dict[str, Any]],
    ) -> tuple[bool, list[dict[str, Any]]]:
        """Send to each URL not yet delivered, committing each result as it is known; (all ok, results)."""
        all_ok = True
        first = batch.delivery_ids[0]
        for raw in self.resolver.urls(stored):
            masked = mask_url(raw)
            try:
                url = resolve_url(raw)
                problem = self.resolver.missing(stored, url)
                if problem:
                    raise SecretReferenceError(problem)
            except SecretReferenceError as exc:
                all_ok = False
                results.append(
                    UrlResult(masked, masked, False, str(exc), self.clock.now().isoformat()).to_dict()
                )
                self.report.errors.append(f"delivery {first}: {masked}: {exc}")
                continue
            key = url_key(url)
            if key in done:
                continue
            message = mode.render(contexts, channel_for_url(url))
            try:
                ok, error = self.notifier(url, message)
            except Exception as exc:  # a broken plugin must not stop the other URLs
                ok, error = False, scrub(f"{type(exc).__name__}: {exc}", secret_parts(url))
            result = UrlResult(key, masked, ok, error, datetime.now(UTC).isoformat())
            results = [r for r in results if r["key"] != key] + [result.to_dict()]
            all_ok &= ok
            if not ok:
                self.report.errors.append(f"delivery {first}: {masked}: {error}")
            # Progress: a crash from here on resends only later URLs. A claim taken over meanwhile
            # belongs to its new holder, who will send the remaining URLs: stop here.
            with self.session_factory() as session, session.begin():
                still_ours = [
                    store.settle(
                        session,
                        held,
                        worker_id=self.worker_id,
                        status="sending",
                        results=results,
                        now=self.clock.now(),
                    )
                    for held in batch.claims
                ]
            if not any(still_ours):
                log.warning("%s was taken over by another sender; leaving the rest to it", batch.label)
                break
        return all_ok, results

    def _settle(
        self,
        session: Session,
        held: store.Held,
        claim: store.Claim,
        results: list[dict[str, Any]],
        all_ok: bool,
        mode: _Mode,
    ) -> None:
        now = self.clock.now()
        if all_ok:
            status, next_at, error = "sent", None, None
        elif claim.attempts >= self.max_attempts:
            status, next_at, error = "failed", None, _last_error(results)
        else:
            status, next_at, error = mode.retry_status, now + backoff(claim.attempts), _last_error(results)
        counter = {"sent": "sent", "failed": "failed"}.get(status, "retrying")
        if store.settle(
            session,
            held,
            worker_id=self.worker_id,
            status=status,
            results=results,
            now=now,
            next_attempt_at=next_at,
            last_error=error,
        ):
            setattr(self.report, counter, getattr(self.report, counter) + 1)
        else:
            self.report.lost_claims += 1


def _last_error(results: Sequence[dict[str, Any]]) -> str | None:
    errors = [f"{r['url']}: {r['error']}" for r in results if not r.get("ok")]
    return "; ".join(errors)[:2000] if errors else None


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


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
) -> SendReport:
    """Claim due deliveries (and stale claims), send each, record per-URL results, settle.

    ``notifier(url, message) -> (ok, masked_error)`` defaults to Apprise. ``subscriptions`` supplies
    literal URLs (default: the subscriptions file); stored references resolve without it.
    """
    sender = _Sender.start(session_factory, worker_id, now, lease, max_attempts, notifier, subscriptions)
    return sender.run(sender.pending(limit), _ALERT)


def send_digests(
    session_factory: sessionmaker[Session],
    now: datetime | None = None,
    *,
    worker_id: str | None = None,
    notifier: Notifier | None = None,
    subscriptions: Sequence[SubscriptionConfig] | None = None,
    lease: timedelta = DEFAULT_LEASE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> SendReport:
    """Send one message per digest subscription with due deliveries (status 'digest'), as
    :func:`send_pending` sends alerts."""
    sender = _Sender.start(session_factory, worker_id, now, lease, max_attempts, notifier, subscriptions)
    return sender.run(sender.digests(), _DIGEST)

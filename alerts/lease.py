"""Keeping outbox claims alive while they are sent: the sender's clock, and a heartbeat per batch.

A claim is stale once its ``claimed_at`` is older than the lease, and a stale claim is taken over by
the next sender. So every claim is stamped with the time it is made (never the time the batch
began), and while a batch is being sent a heartbeat thread renews its unsettled claims every quarter
lease: a send that runs longer than the lease keeps its claim for as long as its worker is alive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import outbox as store

log = logging.getLogger(__name__)

# Renew this many times per lease: three renewals may fail (a busy database) before a claim is exposed.
RENEWALS_PER_LEASE = 4
MIN_RENEWAL_INTERVAL = 0.05  # seconds


def utc(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    # Always UTC: SQLite keeps wall-clock values, so mixed zones would compare wrongly there.
    return now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Clock:
    """The sender's time: starts at ``origin`` (the real time unless a caller gives one) and runs at
    real speed, so each claim made later in a batch carries a later time."""

    origin: datetime
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def starting_at(cls, now: datetime | None) -> Clock:
        return cls(utc(now))

    def now(self) -> datetime:
        return self.origin + timedelta(seconds=time.monotonic() - self.started)


def renewal_interval(lease: timedelta) -> float:
    return max(lease.total_seconds() / RENEWALS_PER_LEASE, MIN_RENEWAL_INTERVAL)


class Renewals:
    """The claims a heartbeat keeps renewing; a claim is released once it is settled (or about to
    be), so the heartbeat neither renews it nor reports it lost afterwards."""

    def __init__(self, claims: Sequence[store.Held]) -> None:
        self._held = dict.fromkeys(claims)
        self._lock = threading.Lock()

    def current(self) -> list[store.Held]:
        with self._lock:
            return list(self._held)

    def release(self, claims: Sequence[store.Held]) -> None:
        with self._lock:
            for claim in claims:
                self._held.pop(claim, None)

    def lost(self, claims: Sequence[store.Held]) -> list[store.Held]:
        """Of ``claims`` a renewal did not find, the ones still held (not released meanwhile): lost."""
        with self._lock:
            gone = [claim for claim in claims if claim in self._held]
            for claim in gone:
                del self._held[claim]
            return gone


@contextmanager
def heartbeat(
    session_factory: sessionmaker[Session],
    claims: Sequence[store.Held],
    *,
    worker_id: str,
    clock: Clock,
    lease: timedelta,
) -> Iterator[Renewals]:
    """While inside, renew ``claims`` (``claimed_at`` = now, one statement) every quarter lease, only
    while this worker still holds them and has not released them. A claim found lost is logged and no
    longer renewed; settling it will fail."""
    stop = threading.Event()
    renewals = Renewals(claims)

    def beat() -> None:
        interval = renewal_interval(lease)
        while not stop.wait(interval):
            held = renewals.current()
            if not held:
                continue
            try:
                with session_factory() as session, session.begin():
                    missing = store.renew(session, held, worker_id=worker_id, now=clock.now())
            except Exception as exc:  # a busy or lost database: try again next beat
                log.warning("outbox worker %s could not renew its claims: %s", worker_id, type(exc).__name__)
                continue
            for claim in renewals.lost(missing):
                log.warning(
                    "outbox worker %s lost its claim on delivery %d (taken over after the lease)",
                    worker_id,
                    claim.delivery_id,
                )

    thread = threading.Thread(target=beat, name=f"outbox-heartbeat-{worker_id}", daemon=True)
    thread.start()
    try:
        yield renewals
    finally:
        stop.set()
        thread.join()

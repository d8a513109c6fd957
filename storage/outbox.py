"""Outbox queries: deliveries inserted with their change, claimed atomically, settled after sending.

Claims are conditional UPDATEs (``… WHERE id = ? AND status = ?``) so two senders never both win a row,
on SQLite and PostgreSQL alike; on PostgreSQL the candidate SELECT also uses ``FOR UPDATE SKIP LOCKED``
so concurrent senders do not even contend for the same rows.

A claim is held by (``claimed_by``, ``attempts``): every claim increments ``attempts``, so the pair names
one claim and no other, even when the same worker claims the row again later. ``claimed_at`` is the
time of the claim or of its last renewal; a claim whose ``claimed_at`` is older than the lease is stale
and may be taken over. Renewing and settling are fenced on the pair: only the current holder can.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, literal, or_, select, tuple_, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Change, Delivery, Notice, NoticeVersion, Source, Subscription


def _execute(session: Session, statement: Any) -> CursorResult[Any]:
    """Run a DML statement; its rowcount is what conditional claims rely on."""
    return cast(CursorResult[Any], session.execute(statement))


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    change_id: int
    subscription_id: int
    attempts: int
    results: list[Any]


def insert_deliveries(session: Session, change_id: int, rows: Sequence[tuple[int, str, datetime]]) -> int:
    """Insert (subscription_id, status, next_attempt_at) rows for a change; existing pairs are skipped."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    values = [
        {
            "change_id": change_id,
            "subscription_id": sub_id,
            "status": status,
            "next_attempt_at": at,
            "attempts": 0,
            "results": [],
            "created_at": at,
        }
        for sub_id, status, at in rows
    ]
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = (
            insert(Delivery)
            .values(values)
            .on_conflict_do_nothing(index_elements=["change_id", "subscription_id"])
            .returning(Delivery.id)
        )
        return len(session.execute(stmt).all())
    existing = set(session.scalars(select(Delivery.subscription_id).where(Delivery.change_id == change_id)))
    fresh = [v for v in values if v["subscription_id"] not in existing]
    for value in fresh:
        session.add(Delivery(**value))
    session.flush()
    return len(fresh)


def _due(now: datetime, lease: timedelta, statuses: Sequence[str]) -> Any:
    return or_(
        and_(Delivery.status.in_(list(statuses)), Delivery.next_attempt_at <= now),
        and_(Delivery.status == "sending", Delivery.claimed_at < now - lease),
    )


@dataclass(frozen=True)
class Held:
    """A claim as its holder knows it: the row, and the ``attempts`` value that names this claim."""

    delivery_id: int
    subscription_id: int
    attempt: int


def claim_due(
    session: Session,
    *,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    statuses: Sequence[str] = ("pending",),
) -> list[Held]:
    """Atomically claim up to ``limit`` due deliveries (and stale claims), oldest first, each stamped
    ``claimed_at = now``; empty when nothing is due. ``now`` must be the time of this claim.

    One statement: ``WITH claimable AS [MATERIALIZED] (SELECT id … LIMIT n [FOR UPDATE SKIP LOCKED])
    UPDATE … WHERE id IN (SELECT id FROM claimable) AND <still due> RETURNING …``. SQLite serializes writers, so the inner SELECT always sees the latest state; on
    PostgreSQL, SKIP LOCKED keeps concurrent senders off each other's rows and the repeated condition
    makes a row that changed while we waited for its lock match nothing.
    """
    candidates = (
        select(Delivery.id)
        .where(_due(now, lease, statuses))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # A CTE is evaluated once. ``id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` is not: PostgreSQL
    # may rescan the subquery, and each rescan skips the rows locked by the last one, so the UPDATE
    # would claim more than ``limit`` rows.
    chosen = candidates.cte("claimable").prefix_with("MATERIALIZED", dialect="postgresql")
    rows = session.execute(
        update(Delivery)
        .add_cte(chosen)
        .where(Delivery.id.in_(select(chosen.c.id)), _due(now, lease, statuses))
        .values(status="sending", claimed_by=worker_id, claimed_at=now, attempts=Delivery.attempts + 1)
        .returning(Delivery.id, Delivery.subscription_id, Delivery.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted(
        (Held(row.id, row.subscription_id, row.attempts) for row in rows), key=lambda h: h.delivery_id
    )


def claim_next(
    session: Session,
    *,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    statuses: Sequence[str] = ("pending",),
) -> Held | None:
    """Claim the next due delivery (see :func:`claim_due`); None when nothing is due."""
    held = claim_due(session, worker_id=worker_id, now=now, lease=lease, limit=1, statuses=statuses)
    return held[0] if held else None


def claim(
    session: Session, delivery_id: int, *, status: str, worker_id: str, now: datetime, lease: timedelta
) -> Held | None:
    """Take one delivery if it is still in ``status`` (for a 'sending' row: only while its lease is
    expired), stamped ``claimed_at = now``; None when it is not (any longer)."""
    condition = [Delivery.id == delivery_id, Delivery.status == status]
    if status == "sending":
        condition.append(Delivery.claimed_at < now - lease)
    row = session.execute(
        update(Delivery)
        .where(*condition)
        .values(status="sending", claimed_by=worker_id, claimed_at=now, attempts=Delivery.attempts + 1)
        .returning(Delivery.id, Delivery.subscription_id, Delivery.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    return Held(row.id, row.subscription_id, row.attempts) if row else None


def _still_held(held: Held, worker_id: str) -> Any:
    return and_(
        Delivery.id == held.delivery_id,
        Delivery.status == "sending",
        Delivery.claimed_by == worker_id,
        Delivery.attempts == held.attempt,
    )


def renew(session: Session, claims: Sequence[Held], *, worker_id: str, now: datetime) -> list[Held]:
    """Bump ``claimed_at`` to ``now`` on the claims this worker still holds (one statement); returns
    the ones it lost."""
    if not claims:
        return []
    renewed = set(
        session.scalars(
            update(Delivery)
            .where(
                tuple_(Delivery.id, Delivery.attempts).in_([(h.delivery_id, h.attempt) for h in claims]),
                Delivery.status == "sending",
                Delivery.claimed_by == worker_id,
            )
            .values(claimed_at=now)
            .returning(Delivery.id)
            .execution_options(synchronize_session=False)
        )
    )
    return [held for held in claims if held.delivery_id not in renewed]


def claimed(session: Session, delivery_id: int) -> Claim:
    row = session.get(Delivery, delivery_id, populate_existing=True)
    assert row is not None
    return Claim(row.id, row.change_id, row.subscription_id, row.attempts, list(row.results or []))


def claimed_rows(session: Session, delivery_ids: Sequence[int]) -> dict[int, Claim]:
    """The claimed deliveries ``delivery_ids``, read in one query: delivery id -> Claim."""
    rows = session.execute(
        select(
            Delivery.id, Delivery.change_id, Delivery.subscription_id, Delivery.attempts, Delivery.results
        ).where(Delivery.id.in_(list(delivery_ids)))
    ).all()
    return {
        r.id: Claim(r.id, r.change_id, r.subscription_id, r.attempts, list(r.results or [])) for r in rows
    }


def settle(
    session: Session,
    held: Held,
    *,
    worker_id: str,
    status: str,
    results: list[Any],
    now: datetime,
    next_attempt_at: datetime | None = None,
    last_error: str | None = None,
) -> bool:
    """Record the outcome of a claim we still hold (fenced on claimed_by and attempts); False when it
    was taken over. ``status='sending'`` records progress and renews the claim (``claimed_at = now``)."""
    values: dict[str, Any] = {"status": status, "results": results, "last_error": last_error}
    if status == "sent":
        values["sent_at"] = now
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if status == "sending":
        values["claimed_at"] = now
    else:
        values["claimed_by"] = None
        values["claimed_at"] = None
    result = _execute(
        session,
        update(Delivery)
        .where(_still_held(held, worker_id))
        .values(**values)
        .execution_options(synchronize_session=False),
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class Outcome:
    """What to record for one claim: its new status and per-URL results (see :func:`settle`)."""

    held: Held
    status: str
    results: list[Any]
    next_attempt_at: datetime | None = None
    last_error: str | None = None


def settle_many(session: Session, outcomes: Sequence[Outcome], *, worker_id: str, now: datetime) -> set[int]:
    """:func:`settle` for many claims in one statement (each row gets its own values through
    ``CASE id WHEN …``), fenced on each claim as ``settle`` is; returns the ids it settled (the
    others were taken over)."""
    if not outcomes:
        return set()
    by_id = {o.held.delivery_id: o for o in outcomes}

    def per_row(values: dict[int, Any], column: Any) -> Any:
        """``CASE id WHEN … THEN value …`` (rows not in ``values`` keep ``column``); one value when
        every row gets the same (a group all sent: only ``results`` differs), which spares building
        and compiling a WHEN per row and column."""
        if not values:
            return column
        first = next(iter(values.values()))
        if len(values) == len(by_id) and all(v == first for v in values.values()):
            return type_coerce(literal(first, column.type), column.type)
        whens = {i: type_coerce(literal(v, column.type), column.type) for i, v in values.items()}
        return case(whens, value=Delivery.id, else_=column)

    sending = {i for i, o in by_id.items() if o.status == "sending"}
    values = {
        "status": per_row({i: o.status for i, o in by_id.items()}, Delivery.status),
        "results": per_row({i: o.results for i, o in by_id.items()}, Delivery.results),
        "last_error": per_row({i: o.last_error for i, o in by_id.items()}, Delivery.last_error),
        "sent_at": per_row({i: now for i, o in by_id.items() if o.status == "sent"}, Delivery.sent_at),
        "next_attempt_at": per_row(
            {i: o.next_attempt_at for i, o in by_id.items() if o.next_attempt_at is not None},
            Delivery.next_attempt_at,
        ),
        "claimed_at": per_row({i: now if i in sending else None for i in by_id}, Delivery.claimed_at),
        "claimed_by": per_row({i: None for i in by_id if i not in sending}, Delivery.claimed_by),
    }
    settled = session.scalars(
        update(Delivery)
        .where(
            tuple_(Delivery.id, Delivery.attempts).in_(
                [(o.held.delivery_id, o.held.attempt) for o in outcomes]
            ),
            Delivery.status == "sending",
            Delivery.claimed_by == worker_id,
        )
        .values(**values)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return set(settled)


@contextmanager
def autocommitting(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on one connection, held throughout, whose every statement commits by itself: for
    writes that are one statement each (:func:`settle_many`), so each costs one round trip where a
    transaction of its own costs four (the pool's ping on checkout, BEGIN, the statement, COMMIT).
    A statement is atomic by itself, so what it records is committed once it returns, as before."""
    with session_factory() as session:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session


def subscription_row(session: Session, subscription_id: int) -> Subscription | None:
    return session.get(Subscription, subscription_id)


def subscription_configs(session: Session, subscription_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """subscription id -> its stored config, for ``subscription_ids``, in one query."""
    rows = session.execute(
        select(Subscription.id, Subscription.config).where(Subscription.id.in_(list(subscription_ids)))
    ).all()
    return {row.id: dict(row.config or {}) for row in rows}


@dataclass(frozen=True)
class StoredChange:
    """A stored change as the alerts read it: its row, its notice's row, the record of the version
    it points to (``to_version``, or ``from_version`` for a removal; the notice's newest version
    when it points to none), and where the policy is published: (source name, url, source slug,
    region) of this notice first, then of every other notice of the same policy."""

    change: Change
    notice: Notice
    record: dict[str, Any] | None
    publications: list[tuple[str, str, str, str]]


def stored_change(session: Session, change_id: int) -> StoredChange:
    """The rows an alert about change ``change_id`` is built from (LookupError if it does not exist)."""
    change = session.get(Change, change_id)
    if change is None:
        raise LookupError(f"change {change_id} does not exist")
    notice = session.get(Notice, change.notice_id)
    assert notice is not None  # a foreign key
    version_id = change.to_version_id or change.from_version_id or notice.latest_version_id
    version = session.get(NoticeVersion, version_id) if version_id is not None else None
    if change.policy_id is None:
        notice_filter = Notice.id == change.notice_id
    else:
        notice_filter = or_(Notice.id == change.notice_id, Notice.policy_id == change.policy_id)
    links = session.execute(
        select(Source.name, Notice.url, Source.slug, Source.region)
        .join(Source, Source.id == Notice.source_id)
        .where(notice_filter)
        .order_by(Notice.id != change.notice_id, Notice.id)
    ).all()
    return StoredChange(
        change=change,
        notice=notice,
        record=version.record if version is not None else None,
        publications=[(name, url, slug, region) for name, url, slug, region in links],
    )


def digest_groups(session: Session, now: datetime) -> dict[int, list[tuple[int, datetime | None]]]:
    """subscription_id -> [(delivery_id, claimed_at)] of digest deliveries due now."""
    rows = session.execute(
        select(Delivery.id, Delivery.subscription_id, Delivery.claimed_at)
        .where(Delivery.status == "digest", Delivery.next_attempt_at <= now)
        .order_by(Delivery.subscription_id, Delivery.id)
    ).all()
    groups: dict[int, list[tuple[int, datetime | None]]] = {}
    for row in rows:
        groups.setdefault(row.subscription_id, []).append((row.id, row.claimed_at))
    return groups

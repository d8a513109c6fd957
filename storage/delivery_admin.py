"""Deliveries as ``policywatch alerts`` shows and retries them, and the counts a cycle reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from storage.models import Change, Delivery, Notice, Source, Subscription


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    change_id: int
    subscription: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    results: list[Any]
    change_kind: str
    change_summary: str
    change_detail: dict[str, Any]  # the stored Change.to_dict()
    source: str  # slug of the notice's site


def list_deliveries(
    session: Session, *, statuses: Sequence[str] | None = None, limit: int = 100, newest_first: bool = True
) -> list[DeliveryRow]:
    query = (
        select(Delivery, Subscription.name, Change.kind, Change.summary, Change.detail, Source.slug)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .join(Change, Change.id == Delivery.change_id)
        .join(Notice, Notice.id == Change.notice_id)
        .join(Source, Source.id == Notice.source_id)
        .order_by(Delivery.id.desc() if newest_first else Delivery.id)
        .limit(limit)
    )
    if statuses:
        query = query.where(Delivery.status.in_(list(statuses)))
    return [
        DeliveryRow(
            d.id,
            d.change_id,
            name,
            d.status,
            d.attempts,
            d.next_attempt_at,
            d.sent_at,
            d.last_error,
            list(d.results or []),
            kind,
            summary,
            dict(detail or {}),
            slug,
        )
        for d, name, kind, summary, detail, slug in session.execute(query)
    ]


def reset_for_retry(
    session: Session, *, delivery_id: int | None = None, failed: bool = False, now: datetime
) -> int:
    """Make failed (or one given) deliveries due again now. Sent deliveries are never re-sent."""
    query = update(Delivery).values(status="pending", next_attempt_at=now, last_error=None, claimed_by=None)
    if delivery_id is not None:
        query = query.where(Delivery.id == delivery_id, Delivery.status.in_(("failed", "pending")))
    elif failed:
        query = query.where(Delivery.status == "failed")
    else:
        return 0
    updated = cast(CursorResult[Any], session.execute(query.execution_options(synchronize_session=False)))
    return int(updated.rowcount or 0)


def delivery_status(session: Session, delivery_id: int) -> str | None:
    """The status of one delivery, or None when there is no such delivery."""
    return session.scalar(select(Delivery.status).where(Delivery.id == delivery_id))


def status_counts(session: Session) -> dict[str, int]:
    return {s: n for s, n in session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))}

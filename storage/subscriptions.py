"""Subscription rows: upsert from the validated config, list. URLs stored here are masked or references."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Subscription


def upsert_subscriptions(
    session: Session, entries: Sequence[tuple[str, dict[str, Any], bool]], *, deactivate_missing: bool = True
) -> list[Subscription]:
    """Insert or update one row per (name, config, active); rows not named are deactivated."""
    existing = {s.name: s for s in session.scalars(select(Subscription))}
    rows = []
    for name, config, active in entries:
        row = existing.get(name)
        if row is None:
            row = Subscription(name=name, config=config, active=active)
            session.add(row)
        else:
            row.config, row.active = config, active
        rows.append(row)
    if deactivate_missing:
        named = {name for name, _, _ in entries}
        for name, row in existing.items():
            if name not in named:
                row.active = False
    session.flush()
    return rows


def list_subscriptions(session: Session) -> list[Subscription]:
    """Every stored subscription, active or not, by name."""
    return list(session.scalars(select(Subscription).order_by(Subscription.name)))


def active_subscriptions(session: Session) -> list[Subscription]:
    """The subscriptions that receive alerts, in the order they were first stored."""
    return list(
        session.scalars(select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id))
    )


def subscription_by_name(session: Session, name: str) -> Subscription | None:
    return session.scalar(select(Subscription).where(Subscription.name == name))

"""Plain functions behind ``policywatch alerts …`` and ``policywatch subscriptions …`` (the CLI wires them)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from alerts.notify import load_apprise_url
from alerts.secrets import PREFECT_SECRET_PREFIX, is_reference, mask_url, resolve_url
from alerts.subscriptions import SHANGHAI, SubscriptionConfig, SubscriptionError, load_subscriptions
from storage import delivery_admin
from storage.delivery_admin import DeliveryRow
from storage.subscriptions import list_subscriptions


def list_alerts(session: Session, *, status: str | None = None, limit: int = 50) -> list[DeliveryRow]:
    """Recent deliveries, newest first (URLs in ``results`` are already masked)."""
    return delivery_admin.list_deliveries(session, statuses=[status] if status else None, limit=limit)


class RetryRefused(ValueError):
    """A delivery named for retry that cannot be retried: unknown, already sent, or being sent."""


def retry(
    session: Session, *, delivery_id: int | None = None, failed: bool = False, now: datetime | None = None
) -> int:
    """Make one delivery (``--id N``) or every failed one (``--failed``) due now. Returns rows reset.

    A delivery already sent is never reset: the outbox promises one alert per (change, subscription).
    A named delivery that does not exist, was sent, or is being sent raises :class:`RetryRefused`.
    """
    if delivery_id is None and not failed:
        raise ValueError("name a delivery (--id N) or ask for every failed one (--failed)")
    if delivery_id is not None:
        status = delivery_admin.delivery_status(session, delivery_id)
        if status is None:
            raise RetryRefused(f"no delivery {delivery_id}: `policywatch alerts list` shows the ids")
        if status == "sent":
            raise RetryRefused(
                f"delivery {delivery_id} was already sent; a delivered alert is never sent twice"
            )
        if status == "sending":
            raise RetryRefused(f"delivery {delivery_id} is being sent right now; list it again in a minute")
        if status == "digest":
            raise RetryRefused(
                f"delivery {delivery_id} waits for its subscriber's digest; it goes out with it"
            )
    return delivery_admin.reset_for_retry(
        session, delivery_id=delivery_id, failed=failed, now=now or datetime.now(UTC)
    )


@dataclass(frozen=True)
class SubscriptionRow:
    name: str
    mode: str
    digest_time: str | None
    urls: tuple[str, ...]  # masked, or references
    filters: dict[str, list[str]]
    active: bool
    stored: bool


_FILTERS = ("sources", "regions", "keywords", "doc_number_prefixes", "departments", "kinds", "tags")


def _row(config: SubscriptionConfig, *, stored: bool) -> SubscriptionRow:
    return SubscriptionRow(
        name=config.name,
        mode=config.mode,
        digest_time=config.digest_time if config.mode == "digest" else None,
        urls=tuple(config.masked_urls()),
        filters={k: list(getattr(config, k)) for k in _FILTERS if getattr(config, k)},
        active=config.active,
        stored=stored,
    )


def list_subscription_rows(
    session: Session | None = None, *, path: Path | str | None = None
) -> list[SubscriptionRow]:
    """Subscriptions from the file, flagged with whether the database has them."""
    stored = {s.name for s in list_subscriptions(session)} if session is not None else set()
    return [_row(c, stored=c.name in stored) for c in load_subscriptions(path)]


@dataclass(frozen=True)
class CheckProblem:
    subscription: str
    url: str  # masked
    problem: str
    checked: bool = True  # False: the URL could not be checked here (not an error, not valid either)


def check_subscriptions(
    path: Path | str | None = None,
    *,
    configs: Sequence[SubscriptionConfig] | None = None,
    resolve_prefect: bool | None = None,
) -> list[CheckProblem]:
    """Validate the file and every URL: references resolvable, URLs understood by Apprise. Sends nothing.

    ``prefect-secret:`` references are only looked up when a Prefect API is configured
    (``resolve_prefect`` defaults to whether $PREFECT_API_URL is set): loading a block otherwise
    starts a throwaway Prefect server.
    """
    if resolve_prefect is None:
        resolve_prefect = bool(os.environ.get("PREFECT_API_URL"))

    try:
        configs = list(configs) if configs is not None else load_subscriptions(path)
    except SubscriptionError as exc:
        return [CheckProblem("(file)", "", str(exc))]
    problems = []
    for config in configs:
        for raw in config.urls:
            masked = mask_url(raw)
            if raw.startswith(PREFECT_SECRET_PREFIX) and not resolve_prefect:
                problems.append(
                    CheckProblem(
                        config.name,
                        masked,
                        "not checked: no Prefect API here (PREFECT_API_URL unset); "
                        "run the check where the worker runs",
                        checked=False,
                    )
                )
                continue
            try:
                url = resolve_url(raw)
            except LookupError as exc:
                problems.append(CheckProblem(config.name, masked, str(exc)))
                continue
            if load_apprise_url(url) is None:
                where = "the referenced value" if is_reference(raw) else "it"
                problems.append(CheckProblem(config.name, masked, f"Apprise does not understand {where}"))
    return problems


@dataclass(frozen=True)
class TestSend:
    """What one URL of a subscriber answered to a test message."""

    url: str  # masked, or the reference as written
    ok: bool
    error: str | None = None


def send_test_message(config: SubscriptionConfig, *, now: datetime | None = None) -> list[TestSend]:
    """Send one short test message through every URL of ``config`` and report each answer, as
    ``apprise -vv`` would (secrets masked). Nothing is stored."""
    from alerts.notify import apprise_notify
    from alerts.render import RenderedMessage

    stamp = (now or datetime.now(UTC)).astimezone(SHANGHAI).isoformat(sep=" ", timespec="seconds")
    message = RenderedMessage(
        title="[PolicyWatch] 测试消息",
        body=f"这是 PolicyWatch 发给订阅 {config.name} 的测试消息（{stamp}）。收到即说明此渠道可用。",
        format="text",
    )
    results = []
    for raw in config.urls:
        try:
            url = resolve_url(raw)
        except LookupError as exc:
            results.append(TestSend(mask_url(raw), False, str(exc)))
            continue
        ok, error = apprise_notify(url, message)
        results.append(TestSend(mask_url(raw), ok, error))
    return results

"""A digest goes out with the first cycle after its subscriber's digest_time, not only when the
daily digest deployment runs; nothing is sent twice when both run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from flows import steps
from govsim.inbox import LocalMailbox
from storage.models import Delivery
from tests.alerts.outbox_setup import setup_outbox, statuses, write_subscriptions


def test_a_due_digest_is_sent_by_the_cycles_send_step(
    pipeline_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alerts.outbox import send_digests

    with LocalMailbox() as box:
        path = tmp_path / "subs.toml"
        configs = write_subscriptions(
            path, [{"name": "evening", "urls": [box.apprise_url()], "mode": "digest", "digest_time": "18:00"}]
        )
        monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(path))
        factory = setup_outbox(pipeline_env, configs, 2)
        with factory() as session, session.begin():  # their digest time has just passed
            for delivery in session.scalars(select(Delivery)):
                delivery.next_attempt_at = datetime.now(UTC) - timedelta(minutes=1)
        report = steps.send_alerts(worker_id="cycle")
        assert (report.claimed, report.sent) == (2, 2), report
        (message,) = box.messages
        assert message.subject == "[政策变更摘要] 共2条"
        # The digest deployment running afterwards finds nothing left to send.
        assert send_digests(factory, worker_id="digest-flow").claimed == 0
        assert len(box.messages) == 1
    assert statuses(factory) == ["sent", "sent"]


def test_a_digest_not_yet_due_waits(
    pipeline_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LocalMailbox() as box:
        path = tmp_path / "subs.toml"
        configs = write_subscriptions(
            path, [{"name": "evening", "urls": [box.apprise_url()], "mode": "digest", "digest_time": "18:00"}]
        )
        monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(path))
        factory = setup_outbox(pipeline_env, configs, 1)
        with factory() as session, session.begin():
            for delivery in session.scalars(select(Delivery)):
                delivery.next_attempt_at = datetime.now(UTC) + timedelta(hours=2)
        assert steps.send_alerts(worker_id="cycle").claimed == 0
        assert box.messages == []
    assert statuses(factory) == ["digest"]

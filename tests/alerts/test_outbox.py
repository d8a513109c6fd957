"""The outbox against real parts: an SQLite file (and PostgreSQL), an aiosmtpd server, an HTTP webhook.

Each scenario asserts what a subscriber sees: every alert arrives, and exactly once — except the
one documented at-least-once window (a worker killed after the server accepted, before the commit).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.outbox import DEFAULT_LEASE, enqueue, send_digests, send_pending
from alerts.subscriptions import SHANGHAI, sync_subscriptions
from changes import detect
from govsim.inbox import LocalMailbox, LocalWebhook, free_port
from storage.models import Delivery
from tests.alerts.outbox_setup import new_notice, setup_outbox, statuses, write_subscriptions
from tests.support.outbox_db import seed_change
from tests.support.sender import CRASH_STATUS

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def titles(box: LocalMailbox) -> Counter[str]:
    return Counter(m.subject for m in box.messages)


def run_sender(db_url: str, subs: Path, worker: str, *options: str) -> subprocess.Popen[str]:
    """``tests/support/sender.py`` in its own process (``options``: a crash, a common start)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.sender", db_url, str(subs), worker, *options],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_smtp_down_then_up_every_alert_arrives_once(database_url: str, tmp_path: Path) -> None:
    box = LocalMailbox(port=free_port())  # not started yet: connection refused
    configs = write_subscriptions(tmp_path / "subs.toml", [{"name": "mail", "urls": [box.apprise_url()]}])
    factory = setup_outbox(database_url, configs, 3)
    t0 = datetime.now(UTC)

    down = send_pending(factory, worker_id="w", now=t0, subscriptions=configs)
    assert (down.claimed, down.sent, down.retrying) == (3, 0, 3)
    assert statuses(factory) == ["pending"] * 3
    with factory() as session:
        assert all(d.attempts == 1 and d.last_error for d in session.scalars(select(Delivery)))

    early = send_pending(factory, worker_id="w", now=t0 + timedelta(seconds=5), subscriptions=configs)
    assert early.claimed == 0  # backing off

    with box:
        up = send_pending(factory, worker_id="w", now=t0 + timedelta(minutes=5), subscriptions=configs)
        again = send_pending(factory, worker_id="w", now=t0 + timedelta(hours=5), subscriptions=configs)
        assert (up.sent, again.claimed) == (3, 0)
        assert titles(box) == Counter({f"[新发布] 测试通知{n:03d}": 1 for n in (1, 2, 3)})
    assert statuses(factory) == ["sent"] * 3


def test_webhook_500_is_retried_then_delivered(database_url: str, tmp_path: Path) -> None:
    with LocalWebhook() as hook:
        configs = write_subscriptions(
            tmp_path / "subs.toml", [{"name": "hook", "urls": [hook.apprise_url()]}]
        )
        factory = setup_outbox(database_url, configs, 1)
        hook.fail_next(2)
        t0 = datetime.now(UTC)
        reports = [
            send_pending(factory, worker_id="w", now=t0 + timedelta(minutes=m), subscriptions=configs)
            for m in (0, 1, 5, 30)
        ]
        assert [(r.sent, r.retrying) for r in reports] == [(0, 1), (0, 1), (1, 0), (0, 0)]
        assert len(hook.posts) == 1
        payload = hook.posts[0]["json"]
        assert payload["title"] == "[新发布] 测试通知001"
        assert "新发布｜测试通知001" in payload["message"]
    with factory() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, None)


def test_failed_after_max_attempts_and_admin_retry(database_url: str, tmp_path: Path) -> None:
    from alerts.admin import RetryRefused, list_alerts, retry

    with LocalWebhook() as hook:
        hook.set_failing(True)
        configs = write_subscriptions(
            tmp_path / "subs.toml", [{"name": "hook", "urls": [hook.apprise_url()]}]
        )
        factory = setup_outbox(database_url, configs, 1)
        t0 = datetime.now(UTC)
        for hours in range(3):
            send_pending(factory, now=t0 + timedelta(hours=hours), subscriptions=configs, max_attempts=3)
        assert statuses(factory) == ["failed"]
        with factory() as session:
            rows = list_alerts(session, status="failed")
            assert len(rows) == 1 and "500" in (rows[0].last_error or "")
        hook.set_failing(False)
        with factory() as session, session.begin():
            assert retry(session, failed=True) == 1
        assert send_pending(factory, subscriptions=configs).sent == 1
        with factory() as session, session.begin(), pytest.raises(RetryRefused, match="already sent"):
            retry(session, delivery_id=rows[0].id)  # sent stays sent
        assert len(hook.posts) == 1


def test_one_failing_channel_does_not_block_the_others(database_url: str, tmp_path: Path) -> None:
    with LocalMailbox() as box, LocalWebhook() as hook:
        hook.set_failing(True)
        configs = write_subscriptions(
            tmp_path / "subs.toml",
            [
                {"name": "both", "urls": [hook.apprise_url("/both"), box.apprise_url("both@example.org")]},
                {"name": "mail-only", "urls": [box.apprise_url("mail@example.org")]},
            ],
        )
        factory = setup_outbox(database_url, configs, 2)
        t0 = datetime.now(UTC)
        first = send_pending(factory, worker_id="w", now=t0, subscriptions=configs)
        assert (first.sent, first.retrying) == (2, 2)
        assert len(box.messages) == 4  # both subscriptions' mail went out despite the webhook

        hook.set_failing(False)
        second = send_pending(factory, worker_id="w", now=t0 + timedelta(minutes=2), subscriptions=configs)
        assert (second.sent, second.retrying) == (2, 0)
        assert len(box.messages) == 4  # mail already delivered is not sent again
        assert sorted(p["json"]["title"] for p in hook.posts) == [
            "[新发布] 测试通知001",
            "[新发布] 测试通知002",
        ]
    assert statuses(factory) == ["sent"] * 4


def test_worker_killed_between_send_and_commit(database_url: str, tmp_path: Path) -> None:
    """One by one (a batch of one, one thread, a window of one): the window is the one message."""
    with LocalMailbox() as box:
        subs = tmp_path / "subs.toml"
        configs = write_subscriptions(subs, [{"name": "mail", "urls": [box.apprise_url()]}])
        factory = setup_outbox(database_url, configs, 4)

        one_by_one = ("--batch", "1", "--concurrency", "1", "--window", "1")
        proc = run_sender(database_url, subs, "doomed", "--crash-after-notify", "2", *one_by_one)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == CRASH_STATUS, err
        # Alert 1 committed as sent; alert 2 accepted by SMTP but not committed; 3 and 4 untouched.
        assert statuses(factory) == ["sent", "sending", "pending", "pending"]
        assert titles(box) == Counter({"[新发布] 测试通知001": 1, "[新发布] 测试通知002": 1})

        # Before the lease expires nobody touches the dead worker's claim.
        soon = send_pending(factory, worker_id="rescuer", subscriptions=configs)
        assert soon.sent == 2 and statuses(factory)[1] == "sending"
        later = datetime.now(UTC) + DEFAULT_LEASE + timedelta(minutes=1)
        rescued = send_pending(factory, worker_id="rescuer", now=later, subscriptions=configs)
        assert rescued.sent == 1
        assert statuses(factory) == ["sent"] * 4
        # No alert lost; nothing repeated except the one in the at-least-once window (alert 2).
        assert titles(box) == Counter(
            {
                "[新发布] 测试通知001": 1,
                "[新发布] 测试通知002": 2,
                "[新发布] 测试通知003": 1,
                "[新发布] 测试通知004": 1,
            }
        )


def test_two_senders_at_once_send_each_alert_once(database_url: str, tmp_path: Path) -> None:
    with LocalWebhook() as hook, LocalMailbox() as box:
        subs = tmp_path / "subs.toml"
        configs = write_subscriptions(
            subs,
            [{"name": "hook", "urls": [hook.apprise_url()]}, {"name": "mail", "urls": [box.apprise_url()]}],
        )
        factory = setup_outbox(database_url, configs, 15)
        ready = tmp_path / "ready"
        procs = [
            # Batches of 2, so that both senders claim while the other is sending.
            run_sender(
                database_url, subs, f"w{i}", "--start-with", "2", "--ready-dir", str(ready), "--batch", "2"
            )
            for i in range(2)
        ]
        reports = []
        for proc in procs:
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err
            reports.append(json.loads(out.strip().splitlines()[-1]))
        assert sum(r["sent"] for r in reports) == 30
        # Each sender's own account: it did part of the work, sent all it claimed, took no claim twice.
        for report in reports:
            assert 0 < report["claimed"] < 30 and report["sent"] == report["claimed"], report
            assert report["retrying"] == report["failed"] == report["lost_claims"] == 0, report
            assert report["errors"] == [], report
        assert Counter(p["json"]["title"] for p in hook.posts) == Counter(
            {f"[新发布] 测试通知{n:03d}": 1 for n in range(1, 16)}
        )
        assert len(box.wait_for_messages(15)) == 15 and len(set(titles(box))) == 15
    assert statuses(factory) == ["sent"] * 30


def test_enqueue_is_idempotent_transactional_and_filtered(database_url: str, tmp_path: Path) -> None:
    configs = write_subscriptions(
        tmp_path / "subs.toml",
        [
            {"name": "hainan", "urls": ["json://127.0.0.1:9/x"], "doc_number_prefixes": ["琼府"]},
            {"name": "guofa", "urls": ["json://127.0.0.1:9/y"], "doc_number_prefixes": ["国发"]},
        ],
    )
    factory = setup_outbox(database_url, configs, 1)
    with factory() as session, session.begin():
        rows = sync_subscriptions(session, configs)
        change = session.get(Delivery, 1).change  # type: ignore[union-attr]
        assert enqueue(session, change, rows) == 0  # rerun: nothing new
    with factory() as session:
        assert [d.subscription.name for d in session.scalars(select(Delivery))] == ["hainan"]
    with factory() as session:  # the change's transaction rolls back: its deliveries vanish with it
        record = new_notice(99)
        enqueue(session, seed_change(session, record, detect(None, record)), rows)
        session.rollback()
    with factory() as session:
        assert len(list(session.scalars(select(Delivery)))) == 1


def test_digest_waits_for_its_time_and_sends_one_message(database_url: str, tmp_path: Path) -> None:
    with LocalMailbox() as box:
        configs = write_subscriptions(
            tmp_path / "subs.toml",
            [{"name": "daily", "urls": [box.apprise_url()], "mode": "digest", "digest_time": "08:30"}],
        )
        morning = datetime(2026, 3, 2, 7, 0, tzinfo=SHANGHAI)
        factory = setup_outbox(database_url, configs, 3)
        with factory() as session, session.begin():  # re-time the digest rows as if enqueued at 07:00
            for delivery in session.scalars(select(Delivery)):
                delivery.next_attempt_at = configs[0].next_digest_at(morning).astimezone(UTC)
        assert statuses(factory) == ["digest"] * 3
        assert send_pending(factory, now=morning + timedelta(hours=3), subscriptions=configs).claimed == 0
        assert send_digests(factory, morning + timedelta(minutes=80), subscriptions=configs).claimed == 0
        report = send_digests(factory, morning + timedelta(minutes=91), subscriptions=configs)
        assert (report.claimed, report.sent) == (3, 3)
        assert send_digests(factory, morning + timedelta(days=1), subscriptions=configs).claimed == 0
        (message,) = box.messages
        assert message.subject == "[政策变更摘要] 共3条"
        assert all(f"测试通知{n:03d}" in message.text for n in (1, 2, 3))
    assert statuses(factory) == ["sent"] * 3


def test_masked_url_without_the_file_is_an_error_not_a_send(database_url: str, tmp_path: Path) -> None:
    with LocalWebhook() as hook:
        configs = write_subscriptions(
            tmp_path / "subs.toml", [{"name": "hook", "urls": [f"json://u:PW1@127.0.0.1:{hook.port}/hook"]}]
        )
        factory = setup_outbox(database_url, configs, 1)
        report = send_pending(factory, subscriptions=[])  # the file no longer has it: only the masked copy
        assert (report.sent, report.retrying) == (0, 1)
        assert "not in the subscriptions file" in report.errors[0]
        assert hook.posts == []

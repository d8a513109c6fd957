"""Fan-out: a batch of deliveries sent concurrently, results committed in groups, against real parts
(local webhooks and an SMTP server, an SQLite file and PostgreSQL, sender processes).

What a subscriber sees: each alert once, every URL's own result recorded, failing URLs retried
without resending the ones that succeeded; and what a crash costs: at most the window of messages
sent before their result was committed, none lost.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from alerts.outbox import DEFAULT_LEASE, send_pending
from govsim.inbox import LocalMailbox, LocalWebhook, free_port
from storage import outbox as store
from storage.models import Delivery, Subscription
from tests.alerts.outbox_setup import setup_outbox, statuses, write_subscriptions
from tests.alerts.test_outbox import run_sender
from tests.support.sender import CRASH_STATUS


def by_subscription(factory: object) -> dict[str, list[Delivery]]:
    with factory() as session:  # type: ignore[operator]
        out: dict[str, list[Delivery]] = {}
        rows = session.execute(
            select(Delivery, Subscription.name).join(Subscription).order_by(Delivery.id)
        ).all()
        for delivery, name in rows:
            out.setdefault(name, []).append(delivery)
        return out


def test_concurrent_sends_deliver_each_alert_once_in_one_pass(database_url: str, tmp_path: Path) -> None:
    with LocalWebhook() as hook:
        subs = [{"name": f"hook{i}", "urls": [hook.apprise_url(f"/s{i}")]} for i in range(6)]
        configs = write_subscriptions(tmp_path / "subs.toml", subs)
        factory = setup_outbox(database_url, configs, 20)

        report = send_pending(factory, subscriptions=configs, limit=500, batch_size=50, concurrency=8)

        assert (report.claimed, report.sent, report.retrying, report.lost_claims) == (120, 120, 0, 0)
        received = Counter((p["path"], p["json"]["title"]) for p in hook.posts)
        expected = {(f"/s{i}", f"[新发布] 测试通知{n:03d}") for i in range(6) for n in range(1, 21)}
        assert set(received) == expected and set(received.values()) == {1}
    assert statuses(factory) == ["sent"] * 120
    for deliveries in by_subscription(factory).values():
        for delivery in deliveries:
            assert [r["ok"] for r in delivery.results] == [True]  # its URL's own result, recorded
            assert delivery.attempts == 1 and delivery.sent_at is not None and delivery.claimed_by is None


def test_a_batch_with_failing_urls_settles_each_delivery_by_its_own_results(
    database_url: str, tmp_path: Path
) -> None:
    with LocalWebhook() as good, LocalWebhook() as bad:
        bad.set_failing(True)
        configs = write_subscriptions(
            tmp_path / "subs.toml",
            [
                {"name": "good", "urls": [good.apprise_url("/good")]},
                {"name": "bad", "urls": [bad.apprise_url("/bad")]},
                {"name": "both", "urls": [good.apprise_url("/both"), bad.apprise_url("/both")]},
            ],
        )
        factory = setup_outbox(database_url, configs, 5)
        t0 = datetime.now(UTC)

        first = send_pending(factory, worker_id="w", now=t0, subscriptions=configs, concurrency=8)
        assert (first.claimed, first.sent, first.retrying) == (15, 5, 10)
        rows = by_subscription(factory)
        assert [d.status for d in rows["good"]] == ["sent"] * 5
        for name in ("bad", "both"):
            for delivery in rows[name]:
                assert delivery.status == "pending" and "500" in (delivery.last_error or "")
                assert delivery.next_attempt_at.replace(tzinfo=UTC) > t0
        for delivery in rows["both"]:  # one result per URL: the good one delivered, the bad one not
            assert sorted(r["ok"] for r in delivery.results) == [False, True]
            assert all("****" in r["url"] or "127.0.0.1" in r["url"] for r in delivery.results)

        bad.set_failing(False)
        second = send_pending(factory, worker_id="w", now=t0 + timedelta(minutes=2), subscriptions=configs)
        assert (second.claimed, second.sent, second.retrying) == (10, 10, 0)
        good_paths = Counter(p["path"] for p in good.posts)
        assert good_paths == Counter({"/good": 5, "/both": 5})  # nothing delivered was sent again
        assert Counter(p["path"] for p in bad.posts) == Counter({"/bad": 5, "/both": 5})
    assert statuses(factory) == ["sent"] * 15
    for delivery in by_subscription(factory)["both"]:
        assert [r["ok"] for r in delivery.results] == [True, True]


def test_each_change_is_rendered_once_per_channel_whatever_the_subscribers(
    database_url: str, tmp_path: Path
) -> None:
    with LocalWebhook() as hook, LocalMailbox() as box:
        entries: list[dict[str, object]] = [
            {"name": f"hook{i}", "urls": [hook.apprise_url(f"/h{i}")]} for i in range(4)
        ]
        entries += [{"name": f"mail{i}", "urls": [box.apprise_url(f"m{i}@example.org")]} for i in range(2)]
        entries.append(
            {"name": "both", "urls": [hook.apprise_url("/both"), box.apprise_url("b@example.org")]}
        )
        configs = write_subscriptions(tmp_path / "subs.toml", entries)
        factory = setup_outbox(database_url, configs, 3)

        report = send_pending(factory, subscriptions=configs)

        assert report.sent == 3 * 7
        assert report.rendered == 3 * 2  # Markdown for the webhooks, HTML for the mail: per change
        # Every subscriber of a channel got the same message about a change.
        bodies: dict[str, set[str]] = {}
        for post in hook.posts:
            bodies.setdefault(post["json"]["title"], set()).add(post["json"]["message"])
        assert len(bodies) == 3 and all(len(b) == 1 for b in bodies.values())
        messages = box.wait_for_messages(9)
        assert Counter(m.subject for m in messages) == Counter(
            {f"[新发布] 测试通知{n:03d}": 3 for n in (1, 2, 3)}
        )


def test_a_senders_threads_keep_their_connections_from_one_pass_to_the_next(
    database_url: str, tmp_path: Path
) -> None:
    with LocalWebhook() as hook:
        subs = [{"name": f"hook{i}", "urls": [hook.apprise_url(f"/s{i}")]} for i in range(5)]
        configs = write_subscriptions(tmp_path / "subs.toml", subs)
        factory = setup_outbox(database_url, configs, 12)

        passes = [send_pending(factory, subscriptions=configs, limit=20, concurrency=3) for _ in range(4)]

        assert [r.sent for r in passes] == [20, 20, 20, 0]
        assert len(hook.posts) == 60 and len({(p["path"], p["json"]["title"]) for p in hook.posts}) == 60
        assert hook.connections <= 3  # one kept-alive connection per sending thread, for every pass


def test_a_receiver_restarted_on_its_port_gets_the_next_alert_over_a_new_connection(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    with LocalWebhook(port=port) as hook:
        configs = write_subscriptions(
            tmp_path / "subs.toml", [{"name": "hook", "urls": [hook.apprise_url()]}]
        )
        factory = setup_outbox(database_url, configs, 2)
        assert send_pending(factory, subscriptions=configs, limit=1, concurrency=1).sent == 1
    # The sending thread's connection to the old receiver is dead: it is not reused, nor an error.
    with LocalWebhook(port=port) as restarted:
        assert send_pending(factory, subscriptions=configs, limit=1, concurrency=1).sent == 1
        assert [p["json"]["title"] for p in restarted.posts] == ["[新发布] 测试通知002"]
    assert statuses(factory) == ["sent", "sent"]


WINDOW = 3


def test_a_killed_concurrent_sender_resends_at_most_its_window(database_url: str, tmp_path: Path) -> None:
    with LocalWebhook() as hook:
        subs = tmp_path / "subs.toml"
        configs = write_subscriptions(
            subs, [{"name": f"hook{i}", "urls": [hook.apprise_url(f"/s{i}")]} for i in range(4)]
        )
        factory = setup_outbox(database_url, configs, 6)  # 24 deliveries, one batch
        window = ("--concurrency", "2", "--window", str(WINDOW))

        proc = run_sender(database_url, subs, "doomed", "--crash-after-notify", "9", *window)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == CRASH_STATUS, err
        time.sleep(0.3)  # a POST already on the wire when the sender died still reaches the webhook
        accepted = Counter((p["path"], p["json"]["title"]) for p in hook.posts)
        with factory() as session:
            committed = session.scalar(select(Delivery.id).where(Delivery.status == "sent").limit(1))
            sent_rows = len(list(session.scalars(select(Delivery.id).where(Delivery.status == "sent"))))
        assert committed is not None and len(accepted) >= 9
        unsettled = len(accepted) - sent_rows  # accepted by the webhook, not committed as sent
        assert 0 < unsettled <= WINDOW

        later = datetime.now(UTC) + DEFAULT_LEASE + timedelta(minutes=1)
        rescued = send_pending(factory, worker_id="rescuer", now=later, subscriptions=configs)
        assert rescued.sent == 24 - sent_rows
    assert statuses(factory) == ["sent"] * 24
    received = Counter((p["path"], p["json"]["title"]) for p in hook.posts)
    assert len(received) == 24  # none lost
    twice = [key for key, n in received.items() if n > 1]
    assert len(twice) == unsettled and set(twice) <= set(accepted) and set(received.values()) <= {1, 2}


def test_concurrent_batch_claims_are_disjoint_and_bounded(database_url: str, tmp_path: Path) -> None:
    """Two workers claiming batches of 7 at once: never more than 7 rows a claim, never a row twice."""
    configs = write_subscriptions(
        tmp_path / "subs.toml", [{"name": f"hook{i}", "urls": [f"json://127.0.0.1:9/s{i}"]} for i in range(5)]
    )
    factory = setup_outbox(database_url, configs, 10)  # 50 deliveries
    claims: dict[str, list[list[int]]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        start.wait()
        while True:
            with factory() as session, session.begin():
                held = store.claim_due(
                    session, worker_id=name, now=datetime.now(UTC), lease=DEFAULT_LEASE, limit=7
                )
            if not held:
                return
            claims[name].append([h.delivery_id for h in held])

    threads = [threading.Thread(target=worker, args=(name,)) for name in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    every = [i for batches in claims.values() for batch in batches for i in batch]
    assert all(len(batch) <= 7 for batches in claims.values() for batch in batches)
    assert sorted(every) == sorted(set(every)) and len(every) == 50
    assert statuses(factory) == ["sending"] * 50


def test_each_group_of_results_is_committed_before_the_sends_it_frees_go_out(
    database_url: str, tmp_path: Path
) -> None:
    """A batch's results are written on one connection held for the whole batch; each group's
    statement is committed as it returns, so another connection sees every recorded result before
    the next message leaves (window 1): a crash then resends at most the one unrecorded message."""
    from alerts.notify import apprise_notify
    from alerts.render import RenderedMessage

    with LocalWebhook() as hook:
        subs = [{"name": f"hook{i}", "urls": [hook.apprise_url(f"/s{i}")]} for i in range(3)]
        configs = write_subscriptions(tmp_path / "subs.toml", subs)
        factory = setup_outbox(database_url, configs, 2)
        sent_before_each: list[int] = []

        def observing_notify(url: str, message: RenderedMessage) -> tuple[bool, str | None]:
            sent_before_each.append(statuses(factory).count("sent"))
            return apprise_notify(url, message)

        report = send_pending(
            factory, subscriptions=configs, notifier=observing_notify, concurrency=1, window=1
        )

        assert report.sent == 6 and len(hook.posts) == 6
        assert sent_before_each == [0, 1, 2, 3, 4, 5]
    assert statuses(factory) == ["sent"] * 6

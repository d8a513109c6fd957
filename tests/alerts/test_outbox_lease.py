"""Outbox leases that hold: each claim is stamped when it is made and renewed while it is sent.

Against real parts: a slow local webhook (it records each POST at once and answers seconds later),
sender processes, an SQLite file and PostgreSQL. The count is taken at the receiving end.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from govsim.inbox import LocalWebhook
from storage import outbox as store
from storage.models import Delivery
from tests.alerts.outbox_setup import setup_outbox, statuses, write_subscriptions
from tests.alerts.test_outbox import run_sender

LEASE = 1.5  # seconds
SEND = 2.0  # seconds the webhook takes to answer: every send outlasts the lease
ALERTS = 4


def wait_for_a_claim(factory: object, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """Return once some delivery is being sent (the first sender has claimed it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "sending" in statuses(factory):  # type: ignore[arg-type]
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError(f"the first sender claimed nothing within {timeout:.0f} s")


def test_slow_sends_and_a_late_second_sender_send_each_alert_once(database_url: str, tmp_path: Path) -> None:
    with LocalWebhook() as hook:
        subs = tmp_path / "subs.toml"
        configs = write_subscriptions(subs, [{"name": "hook", "urls": [hook.apprise_url()]}])
        factory = setup_outbox(database_url, configs, ALERTS)
        hook.answer_after(SEND)
        lease = ("--lease", str(LEASE))

        first = run_sender(database_url, subs, "first", *lease)
        wait_for_a_claim(factory, first)
        # The second sender starts once the first one's claim is older than the lease: only the
        # claim's renewal keeps it from being taken over (and with it, sent twice).
        time.sleep(LEASE + 0.3)
        second = run_sender(database_url, subs, "second", *lease)
        reports = []
        for proc in (first, second):
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            reports.append(json.loads(out.strip().splitlines()[-1]))

        received = Counter(post["json"]["title"] for post in hook.posts)
        assert received == Counter({f"[新发布] 测试通知{n:03d}": 1 for n in range(1, ALERTS + 1)}), reports
    assert statuses(factory) == ["sent"] * ALERTS
    assert sum(r["sent"] for r in reports) == ALERTS and all(r["lost_claims"] == 0 for r in reports), reports


def test_renewal_and_settling_need_the_claim_still_held(database_url: str, tmp_path: Path) -> None:
    configs = write_subscriptions(
        tmp_path / "subs.toml", [{"name": "hook", "urls": ["json://127.0.0.1:9/x"]}]
    )
    factory = setup_outbox(database_url, configs, 1)
    lease = timedelta(minutes=10)
    t0 = datetime.now(UTC)

    def claim(worker: str, at: timedelta) -> store.Held | None:
        with factory() as session, session.begin():
            return store.claim_next(session, worker_id=worker, now=t0 + at, lease=lease)

    def renew(held: store.Held, worker: str, at: timedelta) -> list[store.Held]:
        with factory() as session, session.begin():
            return store.renew(session, [held], worker_id=worker, now=t0 + at)

    def settle(held: store.Held, worker: str) -> bool:
        with factory() as session, session.begin():
            return store.settle(session, held, worker_id=worker, status="sent", results=[], now=t0)

    mine = claim("w1", timedelta(0))
    assert mine is not None
    assert claim("w2", lease * 0.9) is None  # within the lease
    assert renew(mine, "w1", lease * 0.9) == []  # renewed: stale only from 1.9 leases on
    assert claim("w2", lease * 1.5) is None
    with factory() as session:
        (claimed_at,) = session.scalars(select(Delivery.claimed_at))
        assert abs(claimed_at.replace(tzinfo=UTC) - (t0 + lease * 0.9)) < timedelta(seconds=1)

    theirs = claim("w2", lease * 2)  # past the renewed lease: taken over
    assert theirs is not None and theirs.attempt == mine.attempt + 1
    assert renew(mine, "w1", lease * 2) == [mine]  # w1 is told it lost the claim
    assert renew(mine, "w2", lease * 2) == [mine]  # the old claim's token does not match w2's
    assert not settle(mine, "w1")
    assert settle(theirs, "w2")
    assert statuses(factory) == ["sent"]

"""Ingest writes a group of pages in one transaction, without giving up crash safety.

Real snapshots of saved pages in a real SQLite file and PostgreSQL database, ingested in one group:
a page that fails inside the group is rolled back alone and marked failed, the others are stored;
a process killed in the middle of a group leaves every snapshot of it pending, and the next run
processes each exactly once, with one outbox row per delivery; a group whose commit fails is
written again one page per transaction, each page exactly once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

import ingest.batch as ingest_batch
from tests.ingest.test_ingest_parallel import CYCLE, FAIL_VERSION_OF, REPO, dump, store, world_steps

# Changes the world's steps give (page name, kind, alerted), as tests/ingest/test_ingest_parallel.py
# checks them page by page.
EXPECTED_CHANGES = [
    ("t20170821_0012.html", "new", True),
    ("t20170817_2393450.html", "new", True),
    ("150.html", "new", False),
    ("t20170817_2393450.html", "edited", True),
    ("copy.html", "new", True),
    ("post_142345.html", "new", True),
    ("repost.html", "new", False),
]


def ingest(database_url: str) -> Any:
    """Every pending page in one batch (one group), extracted in-process."""
    from ingest.batch import ingest_pending
    from storage.db import session_factory
    from storage.subscriptions import active_subscriptions

    return ingest_pending(
        session_factory(database_url),
        cycle_id=CYCLE,
        subscriptions_loader=active_subscriptions,
        workers=1,
        batch=200,
    )


def changes_of(rows: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(url.rsplit("/", 1)[-1], kind, alerted) for url, kind, _p, _s, alerted, *_ in rows["changes"]]


@pytest.fixture(autouse=True)
def one_group(monkeypatch: pytest.MonkeyPatch) -> None:
    """The world's pages in one group, however slow the machine (a group also closes after
    GROUP_SECONDS)."""
    assert len(world_steps()) <= ingest_batch.GROUP_PAGES
    monkeypatch.setattr(ingest_batch, "GROUP_SECONDS", 600.0)


def test_a_page_failing_inside_a_group_is_marked_failed_and_the_others_are_stored(
    database_url: str, tmp_path: Path
) -> None:
    from storage.db import get_engine

    steps = world_steps()
    failing_url = steps[8][1].url  # site C's Guangdong notice, in the middle of the group
    store(database_url, steps, tmp_path)
    engine = get_engine(database_url)
    with engine.begin() as connection:
        for statement in FAIL_VERSION_OF[engine.dialect.name]:
            connection.execute(text(statement.replace("{url}", failing_url)))

    report = ingest(database_url)
    rows = dump(database_url, report)

    assert [url for url, _reason in report.rejected if url == failing_url] == [failing_url]
    reason = dict(report.rejected)[failing_url]
    assert reason.startswith("processing failed: ") and "disk full" in reason, reason
    snapshots = {url: (kind, why) for url, kind, why, _done in rows["snapshots"]}
    assert snapshots[failing_url] == ("error", reason)
    assert all(done for *_rest, done in rows["snapshots"])
    assert failing_url not in {url for _slug, url, *_ in rows["notices"]}
    # Every other page is stored as if the failing one had not been there.
    assert changes_of(rows) == [c for c in EXPECTED_CHANGES if c[0] != "post_142345.html"]
    alerted = [i for i, change in enumerate(rows["changes"]) if change[4]]
    assert rows["deliveries"] == [(i, 1, "pending") for i in alerted]
    assert report.processed == len(steps) - 1  # the PDF is stored processed


# In a subprocess: ingest the pending pages in one group (however slow the machine), and SIGKILL
# the process when the group's transaction has written its third delivery (pages claimed, versions,
# changes and deliveries written, not committed).
KILLED_INGEST = """
import os, signal, sys
from sqlalchemy import event
import ingest.batch
from ingest.batch import ingest_pending
from storage.db import get_engine, session_factory
from storage.subscriptions import active_subscriptions

url = sys.argv[1]
ingest.batch.GROUP_SECONDS = 600
deliveries = 0

def kill_on_third_delivery(conn, cursor, statement, parameters, context, executemany):
    global deliveries
    if statement.lstrip().upper().startswith("INSERT INTO DELIVERIES"):
        deliveries += 1
        if deliveries == 3:
            os.kill(os.getpid(), signal.SIGKILL)

event.listen(get_engine(url), "after_cursor_execute", kill_on_third_delivery)
ingest_pending(session_factory(url), subscriptions_loader=active_subscriptions, workers=1, batch=200)
"""


def table_counts(database_url: str) -> dict[str, int]:
    from storage.db import session_scope
    from storage.models import Change, Delivery, Notice, NoticeVersion, RawSnapshot

    with session_scope(database_url) as session:

        def count(model: Any, *where: Any) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return {
            "pending": count(RawSnapshot, RawSnapshot.processed_at.is_(None)),
            "notices": count(Notice),
            "versions": count(NoticeVersion),
            "changes": count(Change),
            "deliveries": count(Delivery),
        }


def test_a_process_killed_mid_group_leaves_the_group_pending_and_the_rerun_does_each_page_once(
    database_url: str, second_database_url: str, tmp_path: Path
) -> None:
    steps = world_steps()
    store(database_url, steps, tmp_path)
    store(second_database_url, steps, tmp_path)
    untouched = table_counts(database_url)
    assert untouched["pending"] == len(steps) - 1  # the PDF is stored processed

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_INGEST, database_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert killed.returncode == -9, killed.stderr
    assert table_counts(database_url) == untouched, "the killed group's claims and writes rolled back"

    rerun = dump(database_url, ingest(database_url))
    never_killed = dump(second_database_url, ingest(second_database_url))

    assert rerun == never_killed
    assert changes_of(rerun) == EXPECTED_CHANGES
    assert all(done for *_rest, done in rerun["snapshots"])
    assert rerun["report"][0] == len(steps) - 1, "each pending page processed exactly once"
    # One outbox row per alerted change and subscription, and no other.
    alerted = [i for i, change in enumerate(rerun["changes"]) if change[4]]
    assert rerun["deliveries"] == [(i, 1, "pending") for i in alerted]


def test_a_group_whose_commit_fails_is_written_one_page_per_transaction(
    database_url: str, second_database_url: str, tmp_path: Path
) -> None:
    from storage.db import get_engine

    steps = world_steps()
    store(database_url, steps, tmp_path)
    store(second_database_url, steps, tmp_path)
    commits: list[str] = []

    def fail_first_commit(_connection: Any) -> None:
        commits.append("commit")
        if len(commits) == 1:
            raise RuntimeError("the database went away at commit")

    engine = get_engine(database_url)
    event.listen(engine, "commit", fail_first_commit)
    try:
        report = ingest(database_url)
    finally:
        event.remove(engine, "commit", fail_first_commit)
    rows = dump(database_url, report)

    assert len(commits) > 1
    assert rows == dump(second_database_url, ingest(second_database_url))
    assert changes_of(rows) == EXPECTED_CHANGES
    assert report.processed == len(steps) - 1 and not [
        url for url, why in report.rejected if why.startswith("processing failed")
    ]

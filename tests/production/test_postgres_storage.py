"""Storage and the ingest path on the production database as on SQLite.

The outbox's concurrency (two senders, one delivery) is covered in tests/alerts on both databases;
here: the migrated schema is exactly the models, a change and its deliveries are committed in one
transaction (or not at all) by the ingest path, and several processes migrating one fresh
PostgreSQL database at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.production.prefect_stack import REPO

PAGE = REPO / "tests" / "fixtures" / "pages" / "corpus_000_hainan_trs"
SUBSCRIPTIONS = """\
[[subscription]]
name = "team-webhook"
urls = ["json://127.0.0.1:9/hook"]

[[subscription]]
name = "compliance"
urls = ["json://127.0.0.1:9/compliance"]
"""
# A database-level fault in the middle of the transaction: the outbox insert fails.
FAIL_DELIVERIES = {
    "sqlite": [
        "CREATE TRIGGER outbox_down BEFORE INSERT ON deliveries BEGIN SELECT RAISE(ABORT, 'outbox down'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION outbox_down() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'outbox down'; END $$",
        "CREATE TRIGGER outbox_down BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION outbox_down()",
    ],
}


def test_migrations_reach_head_and_match_the_models(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.db import get_engine
    from storage.models import Base

    engine = get_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() is not None
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"the migrations and storage/models.py disagree: {differences}"


def _store_snapshot(database_url: str, tmp_path: Path) -> tuple[int, str]:
    """One source (its baseline already taken) and one stored notice page; (snapshot id, cycle id)."""
    from alerts.subscriptions import load_subscriptions, sync_subscriptions
    from notices.model import RawPage
    from sites import load_registry
    from spiders.protocol import source_fields
    from storage.db import session_scope
    from storage.models import utcnow
    from storage.snapshots import add_snapshot, finish_crawl_run, start_crawl_run
    from storage.sources import ensure_source

    meta = json.loads((PAGE / "meta.json").read_text(encoding="utf-8"))
    page = RawPage(
        url=meta["url"], body=(PAGE / "input.html").read_bytes(), status=200, headers=meta["headers"]
    )
    subscriptions = tmp_path / "subscriptions.toml"
    subscriptions.write_text(SUBSCRIPTIONS, encoding="utf-8")
    cycle_id = "cycle-after-baseline"
    with session_scope(database_url) as session:
        source = ensure_source(session, source_fields(load_registry()["hainan"]))
        source.baseline_at = utcnow() - timedelta(days=1)
        sync_subscriptions(session, load_subscriptions(subscriptions))
        run = start_crawl_run(session, source, cycle_id, "monitor")
        snapshot = add_snapshot(session, run, source, page)
        finish_crawl_run(session, run, status="ok", stats={})
        return snapshot.id, cycle_id


def _ingest(database_url: str, cycle_id: str):  # type: ignore[no-untyped-def]
    from ingest.batch import ingest_pending
    from storage.db import session_factory
    from storage.subscriptions import active_subscriptions

    return ingest_pending(
        session_factory(database_url), cycle_id=cycle_id, subscriptions_loader=active_subscriptions
    )


def _count(database_url: str, model: type) -> int:
    from storage.db import session_scope

    with session_scope(database_url) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_change_and_its_deliveries_are_committed_together(database_url: str, tmp_path: Path) -> None:
    from storage.db import session_scope
    from storage.models import Change, Delivery, NoticeVersion

    _snapshot_id, cycle_id = _store_snapshot(database_url, tmp_path)
    report = _ingest(database_url, cycle_id)

    assert [(c.kind, c.alerted) for c in report.changes] == [("new", True)], report
    assert report.deliveries_queued == 2
    with session_scope(database_url) as session:
        change = session.scalars(select(Change)).one()
        deliveries = list(session.scalars(select(Delivery).order_by(Delivery.id)))
        version = session.get(NoticeVersion, change.to_version_id)
        assert version is not None and version.record["doc_number"] == "琼府〔2017〕69号"
        assert [(d.change_id, d.status) for d in deliveries] == [(change.id, "pending")] * 2
        # Both rows came from one transaction: PostgreSQL stamps now() per transaction, and the
        # outbox rows carry the time the change was written.
        assert len({d.created_at for d in deliveries}) == 1


def test_a_failing_outbox_insert_leaves_no_change_behind(database_url: str, tmp_path: Path) -> None:
    from storage.db import get_engine, session_scope
    from storage.models import Change, Notice, NoticeVersion, RawSnapshot

    snapshot_id, cycle_id = _store_snapshot(database_url, tmp_path)
    engine = get_engine(database_url)
    with engine.begin() as connection:
        for statement in FAIL_DELIVERIES[engine.dialect.name]:
            connection.execute(text(statement))

    report = _ingest(database_url, cycle_id)

    assert report.changes == [] and report.deliveries_queued == 0
    assert (
        [reason for _url, reason in report.rejected]
        == [reason for _url, reason in report.rejected if reason.startswith("processing failed")]
        != []
    )
    for model in (Change, NoticeVersion, Notice):
        assert _count(database_url, model) == 0, f"{model.__name__} written without its deliveries"
    with session_scope(database_url) as session:
        snapshot = session.get(RawSnapshot, snapshot_id)
        assert snapshot is not None and snapshot.processed_at is not None
        assert "outbox down" in (snapshot.reject_reason or "")


MIGRATE = """
import os, sys, time
from storage.db import migrate
while not os.path.exists(sys.argv[2]):
    time.sleep(0.005)
migrate(sys.argv[1])
"""


@pytest.mark.postgres
def test_processes_migrating_one_fresh_postgres_database_at_once(postgres_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, postgres_url, str(go)],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    time.sleep(4)  # every process has imported SQLAlchemy and Alembic and is waiting
    go.touch()
    errors = [p.communicate(timeout=120)[1] for p in processes]
    failed = [e.strip().splitlines()[-1] for p, e in zip(processes, errors, strict=True) if p.returncode]
    assert not failed, failed

"""Snapshots are stored off the reactor thread, in batches, and nothing is lost or hidden.

The writer is exercised on its own (batches, flush on close) and through real crawls of govsim on
a fresh SQLite file and a fresh PostgreSQL database: a page the database refuses fails alone,
loudly, and is fetched again by the next crawl.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from govsim.testing import GovsimHandle
from notices.model import RawPage
from spiders.pipelines import SnapshotWrite, SnapshotWriter
from storage.db import get_engine, session_scope
from storage.snapshots import snapshots_for_run, start_crawl_run
from storage.sources import SourceFields, ensure_source
from tests.spiders.crawl_world import CrawlWorld

SLUG = "scale-002"
SITE = SourceFields(
    slug="hainan", name="海南省人民政府", region="海南省", base_url="https://www.hainan.gov.cn", flavour="trs"
)


def _call_now(function: Any, *args: Any) -> None:
    function(*args)


def test_the_writer_commits_in_batches_and_close_flushes_at_once(database_url: str) -> None:
    with session_scope(database_url) as session:
        source = ensure_source(session, SITE)
        run = start_crawl_run(session, source, "cycle-1", "monitor")
        source_id, run_id = source.id, run.id
    writer = SnapshotWriter(database_url, _call_now, batch_size=50, max_wait=30.0)
    writer.start()
    results: list[Any] = []
    for i in range(120):
        page = RawPage(
            url=f"https://www.hainan.gov.cn/n/{i}.html", body=f"<p>第{i}号</p>".encode(), status=200,
            headers={}, fetched_at=datetime(2026, 11, 23, 8, tzinfo=UTC),
        )  # fmt: skip
        writer.submit(SnapshotWrite(source_id, run_id, page, None, None, False)).addBoth(results.append)
    started = time.monotonic()
    closed: list[Any] = []
    writer.close().addBoth(closed.append)
    writer._thread.join(timeout=20)

    assert time.monotonic() - started < 20  # the last, partial batch did not wait out max_wait
    assert closed == [None] and results == [None] * 120
    assert writer.batches == 3  # 50 + 50 + 20 pages, three transactions
    with session_scope(database_url) as session:
        stored = snapshots_for_run(session, run_id)
        assert [s.url for s in stored] == [f"https://www.hainan.gov.cn/n/{i}.html" for i in range(120)]
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit(SnapshotWrite(source_id, run_id, page, None, None, False))


REFUSE = {
    "sqlite": [
        "CREATE TRIGGER snapshot_refused BEFORE INSERT ON raw_snapshots WHEN NEW.url = '{url}' "
        "BEGIN SELECT RAISE(ABORT, 'snapshot refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION snapshot_refused() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN IF NEW.url = '{url}' THEN RAISE EXCEPTION 'snapshot refused'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER snapshot_refused BEFORE INSERT ON raw_snapshots "
        "FOR EACH ROW EXECUTE FUNCTION snapshot_refused()",
    ],
}
ALLOW = {
    "sqlite": ["DROP TRIGGER snapshot_refused"],
    "postgresql": ["DROP TRIGGER snapshot_refused ON raw_snapshots", "DROP FUNCTION snapshot_refused()"],
}


@pytest.fixture()
def world(govsim: GovsimHandle, database_url: str, tmp_path: Path) -> Iterator[CrawlWorld]:
    govsim.admin.reset()
    yield CrawlWorld(govsim=govsim, root=tmp_path, database_url=database_url)


def _execute(database_url: str, statements: dict[str, list[str]], **values: str) -> None:
    engine = get_engine(database_url)  # migrated on first use
    with engine.begin() as connection:
        for statement in statements[engine.dialect.name]:
            connection.execute(text(statement.format(**values)))


def test_a_page_the_database_refuses_fails_alone_loudly_and_is_fetched_again(world: CrawlWorld) -> None:
    published = sorted(world.published_urls(SLUG))
    refused = published[len(published) // 2]
    _execute(world.database_url, REFUSE, url=refused)

    report = world.crawl([SLUG])
    run = report.sites[SLUG]
    assert report.error is None, report.error  # the crawl itself finished and closed its runs
    assert run.status == "failed"
    assert run.error is not None and f"could not store detail page {refused}" in run.error
    assert "snapshot refused" in run.error
    assert run.stats["errors/storage"] == 1
    assert world.detail_urls(SLUG) == set(published) - {refused}  # the rest of its batch was kept
    assert run.items == len(world.snapshots(SLUG, crawl_run_id=run.crawl_run_id))

    _execute(world.database_url, ALLOW)
    world.govsim.admin.reset_request_log()
    again = world.crawl([SLUG]).sites[SLUG]
    assert again.status == "ok", again.error
    assert world.detail_urls(SLUG, crawl_run_id=again.crawl_run_id) == {refused}
    assert world.govsim.admin.request_log(SLUG)["by_kind"].get("detail") == 1

"""storage.snapshots on a real SQLite file and PostgreSQL: raw pages in, exactly the same bytes out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from notices.model import RawPage
from storage.db import session_factory
from storage.models import Notice, Source
from storage.snapshots import (
    add_snapshot,
    crawl_runs_for_cycle,
    finish_crawl_run,
    known_urls,
    latest_snapshot_for_url,
    mark_snapshot_processed,
    pending_snapshots,
    snapshot_page,
    start_crawl_run,
)
from storage.sources import SourceFields, ensure_source

SITE = SourceFields(
    slug="hainan", name="海南省人民政府", region="海南省", base_url="https://www.hainan.gov.cn", flavour="trs"
)
GBK_BODY = "<html><meta charset=gbk><p>琼府〔2023〕1号 关于印发实施方案的通知</p></html>".encode("gbk")


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on SQLite and on PostgreSQL (tests/conftest.py); each test's writes are rolled back."""
    session = session_factory(database_url)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def source(session: Session) -> Source:
    return ensure_source(session, SITE)


def page(url: str, body: bytes = GBK_BODY, status: int = 200, **headers: str) -> RawPage:
    return RawPage(
        url=url, body=body, status=status, headers=headers, fetched_at=datetime(2026, 11, 23, 8, tzinfo=UTC)
    )


def test_a_snapshot_gives_back_the_exact_bytes_and_clean_headers(session: Session, source: Source) -> None:
    run = start_crawl_run(session, source, "cycle-1", "monitor")
    stored = add_snapshot(
        session, run, source,
        RawPage(url="https://www.hainan.gov.cn/a.html", body=GBK_BODY,
                headers={"Content-Type": "text/html", "Set-Cookie": "sid=1", "ETag": '"abc"'}),
    )  # fmt: skip
    assert stored.size == len(GBK_BODY) and len(stored.sha256) == 64
    assert len(stored.body_zlib) < len(GBK_BODY) * 2
    back = snapshot_page(stored)
    assert back.body == GBK_BODY
    assert dict(back.headers) == {"content-type": "text/html", "etag": '"abc"'}
    assert back.status == 200 and stored.crawl_run_id == run.id


def test_pending_snapshots_are_the_unprocessed_details_in_fetch_order(
    session: Session, source: Source
) -> None:
    run = start_crawl_run(session, source, "cycle-1", "monitor")
    other = start_crawl_run(session, source, "cycle-2", "monitor")
    first = add_snapshot(session, run, source, page("https://x/1.html"))
    add_snapshot(session, run, source, page("https://x/index.html"), page_kind="list")
    add_snapshot(session, run, source, page("https://x/f.pdf", b"%PDF-1.4"), page_kind="attachment")
    challenged = add_snapshot(session, run, source, page("https://x/2.html", status=412), page_kind="blocked")
    later = add_snapshot(session, other, source, page("https://x/3.html"))

    assert pending_snapshots(session) == [first, challenged, later]
    # A cycle takes every pending page of the sites it crawled, earlier cycles' included.
    assert pending_snapshots(session, cycle_id="cycle-2") == [first, challenged, later]
    assert pending_snapshots(session, cycle_id="cycle-3") == []
    assert pending_snapshots(session, source_id=source.id, limit=1) == [first]

    mark_snapshot_processed(session, first, page_kind="notice")
    mark_snapshot_processed(session, challenged, page_kind="blocked", reject_reason="anti-bot challenge")
    assert pending_snapshots(session) == [later]
    assert (first.page_kind, first.processed_at is not None) == ("notice", True)


def test_known_urls_are_notices_and_good_snapshots_only(session: Session, source: Source) -> None:
    run = start_crawl_run(session, source, "cycle-1", "monitor")
    session.add(Notice(source_id=source.id, url="https://x/known-notice.html"))
    good = add_snapshot(session, run, source, page("https://x/good.html"))
    mark_snapshot_processed(session, good, page_kind="notice")
    add_snapshot(session, run, source, page("https://x/pending.html"))  # known once processed
    list_page = add_snapshot(session, run, source, page("https://x/other-list.html"))
    mark_snapshot_processed(session, list_page, page_kind="list", reject_reason="page is list")
    add_snapshot(session, run, source, page("https://x/challenge.html", status=412), page_kind="blocked")
    add_snapshot(session, run, source, page("https://x/maintenance.html"), page_kind="error")
    add_snapshot(session, run, source, page("https://x/gone.html", status=404))
    rejected = add_snapshot(session, run, source, page("https://x/rejected.html"))
    mark_snapshot_processed(session, rejected, page_kind="error", reject_reason="empty page")
    session.flush()

    assert known_urls(session, source.id) == {
        "https://x/known-notice.html",
        "https://x/good.html",
        "https://x/other-list.html",
    }
    # Asked about the URLs of one page, the same answer for those URLs.
    page_urls = {
        "https://x/good.html",
        "https://x/pending.html",
        "https://x/challenge.html",
        "https://x/new.html",
    }
    assert known_urls(session, source.id, among=page_urls) == {"https://x/good.html"}
    assert known_urls(session, source.id, among=set()) == set()


def test_latest_snapshot_and_runs_of_a_cycle(session: Session, source: Source) -> None:
    run = start_crawl_run(session, source, "cycle-9", "recheck")
    add_snapshot(session, run, source, page("https://x/a.html", b"v1"))
    newest = add_snapshot(session, run, source, page("https://x/a.html", b"v2"))
    finish_crawl_run(session, run, status="ok", stats={"requests": 2}, error=None)

    assert latest_snapshot_for_url(session, "https://x/a.html") == newest
    assert latest_snapshot_for_url(session, "https://x/none.html") is None
    runs = crawl_runs_for_cycle(session, "cycle-9")
    assert [(r.status, r.mode, r.stats, r.finished_at is not None) for r in runs] == [
        ("ok", "recheck", {"requests": 2}, True)
    ]
    with pytest.raises(ValueError, match="unknown crawl run status 'done'"):
        finish_crawl_run(session, run, status="done", stats={})

"""A garbled page (decoding replaced its words) never becomes a version or a change, and its URL
stays unknown so the crawler fetches it again; the clean page that comes back is the notice, once."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from notices.model import RawPage

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
FIXTURE = "govsim_hainan_detail"
SUBSCRIPTIONS = '[[subscription]]\nname = "team"\nurls = ["json://127.0.0.1:9/hook"]\n'


def clean_page() -> RawPage:
    meta = json.loads((PAGES / FIXTURE / "meta.json").read_text(encoding="utf-8"))
    return RawPage(
        url=meta["url"],
        body=(PAGES / FIXTURE / "input.html").read_bytes(),
        status=200,
        headers=meta["headers"],
    )


def garbled_page() -> RawPage:
    """The same page with its title's bytes damaged in transit (two bytes of every copy)."""
    page = clean_page()
    title = "海南省人民政府关于印发".encode()
    return RawPage(
        url=page.url, body=page.body.replace(title, title[:-2] + b"\xff\xff"), headers=page.headers
    )


@pytest.mark.timeout(120)
def test_a_garbled_page_is_fetched_again_and_never_a_version(database_url: str, tmp_path: Path) -> None:
    from alerts.subscriptions import load_subscriptions, sync_subscriptions
    from ingest.batch import ingest_pending
    from storage.db import session_factory, session_scope
    from storage.models import Change, Notice, NoticeVersion, RawSnapshot, utcnow
    from storage.snapshots import add_snapshot, finish_crawl_run, known_urls, start_crawl_run
    from storage.subscriptions import active_subscriptions
    from tests.support.outbox_db import ensure_source

    subscriptions = tmp_path / f"subscriptions-{uuid.uuid4().hex[:6]}.toml"
    subscriptions.write_text(SUBSCRIPTIONS, encoding="utf-8")
    slug = f"garbled-{uuid.uuid4().hex[:6]}"
    url = clean_page().url

    def cycle(page: RawPage) -> list[tuple[str, str]]:
        cycle_id = f"cycle-{uuid.uuid4().hex[:8]}"
        with session_scope(database_url) as session:
            sync_subscriptions(session, load_subscriptions(subscriptions))
            source = ensure_source(session, slug)
            source.baseline_at = source.baseline_at or utcnow() - timedelta(days=1)
            run = start_crawl_run(session, source, cycle_id, "monitor")
            add_snapshot(session, run, source, page)
            finish_crawl_run(session, run, status="ok", stats={})
        report = ingest_pending(
            session_factory(database_url), cycle_id=cycle_id, subscriptions_loader=active_subscriptions
        )
        return list(report.rejected)

    def counts() -> tuple[int, int, int, bool]:
        with session_scope(database_url) as session:
            source = ensure_source(session, slug)
            notices = session.scalar(
                select(func.count()).select_from(Notice).where(Notice.source_id == source.id)
            )
            versions = session.scalar(
                select(func.count())
                .select_from(NoticeVersion)
                .join(Notice, NoticeVersion.notice_id == Notice.id)
                .where(Notice.source_id == source.id)
            )
            changes = session.scalar(
                select(func.count())
                .select_from(Change)
                .join(Notice, Change.notice_id == Notice.id)
                .where(Notice.source_id == source.id)
            )
            return notices or 0, versions or 0, changes or 0, url in known_urls(session, source.id)

    rejected = cycle(garbled_page())
    assert [u for u, _reason in rejected] == [url]
    assert "garbled text" in rejected[0][1]
    assert counts() == (0, 0, 0, False)  # no notice, and the URL is fetched again
    with session_scope(database_url) as session:
        kinds = [s.page_kind for s in session.scalars(select(RawSnapshot).where(RawSnapshot.url == url))]
        assert kinds == ["error"]

    assert cycle(clean_page()) == []
    assert counts() == (1, 1, 1, True)  # the clean page is the notice (new)

    rejected = cycle(garbled_page())  # a recheck that comes back damaged
    assert len(rejected) == 1 and "garbled text" in rejected[0][1]
    assert cycle(clean_page()) == []
    assert counts() == (1, 1, 1, True)  # neither the damaged nor the clean copy is a change

"""Ingest after a crash: nothing a killed cycle stored is lost, and no page is processed twice.

Real snapshots of saved pages (tests/fixtures/pages) in a real SQLite file and PostgreSQL database:
a cycle killed between its crawl and its ingest leaves pending pages that the site's next cycle
ingests and alerts; a site's baseline waits until its first crawl is fully ingested; and two
processes ingesting the same pending pages at once process each page exactly once, without a
traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from notices.model import RawPage

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "fixtures" / "pages"
NOTICE_PAGES = ["corpus_000_hainan_trs", "corpus_002_qinghai_trs_gbk", "corpus_003_guangdong_gkmlpt"]
SUBSCRIPTIONS = '[[subscription]]\nname = "team"\nurls = ["json://127.0.0.1:9/hook"]\n'


def page(name: str, url: str | None = None) -> RawPage:
    meta = json.loads((PAGES / name / "meta.json").read_text(encoding="utf-8"))
    body = (PAGES / name / "input.html").read_bytes()
    return RawPage(url=url or meta["url"], body=body, status=200, headers=meta["headers"])


def store_crawl(
    database_url: str, tmp_path: Path, slug: str, cycle_id: str, pages: list[RawPage], *, baseline: bool
) -> None:
    """One finished (ok) crawl of ``slug`` in ``cycle_id`` that stored ``pages``, not ingested."""
    from alerts.subscriptions import load_subscriptions, sync_subscriptions
    from storage.db import session_scope
    from storage.models import utcnow
    from storage.snapshots import add_snapshot, finish_crawl_run, start_crawl_run
    from tests.support.outbox_db import ensure_source

    subscriptions = tmp_path / f"subscriptions-{uuid.uuid4().hex[:6]}.toml"
    subscriptions.write_text(SUBSCRIPTIONS, encoding="utf-8")
    with session_scope(database_url) as session:
        sync_subscriptions(session, load_subscriptions(subscriptions))
        source = ensure_source(session, slug)
        if baseline and source.baseline_at is None:
            source.baseline_at = utcnow() - timedelta(days=1)
        run = start_crawl_run(session, source, cycle_id, "monitor")
        for raw in pages:
            add_snapshot(session, run, source, raw)
        finish_crawl_run(session, run, status="ok", stats={})


def ingest(database_url: str, cycle_id: str | None) -> Any:
    from ingest.batch import ingest_pending
    from storage.db import session_factory
    from storage.subscriptions import active_subscriptions

    return ingest_pending(
        session_factory(database_url), cycle_id=cycle_id, subscriptions_loader=active_subscriptions, workers=1
    )


def counts(database_url: str, slug: str) -> dict[str, Any]:
    from storage.db import session_scope
    from storage.models import Change, Delivery, Notice, RawSnapshot, Source
    from storage.snapshots import known_urls

    with session_scope(database_url) as session:
        source = session.scalar(select(Source).where(Source.slug == slug))
        assert source is not None

        def count(model: Any, *where: Any) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return {
            "pending": count(
                RawSnapshot, RawSnapshot.source_id == source.id, RawSnapshot.processed_at.is_(None)
            ),
            "notices": count(Notice, Notice.source_id == source.id),
            "new changes": count(Change, Change.kind == "new", Change.notice.has(source_id=source.id)),
            "deliveries": count(Delivery, Delivery.change.has(Change.notice.has(source_id=source.id))),
            "known": known_urls(session, source.id),
            "baseline": source.baseline_at is not None,
        }


def test_pages_a_killed_cycle_left_pending_are_ingested_and_alerted_by_the_next_one(
    database_url: str, tmp_path: Path
) -> None:
    pages = [page(name) for name in NOTICE_PAGES]
    # Cycle 1 stored every page, then died before its ingest.
    store_crawl(database_url, tmp_path, "site-a", "cycle-1", pages, baseline=True)
    store_crawl(
        database_url,
        tmp_path,
        "site-b",
        "cycle-1",
        [page(NOTICE_PAGES[0], "http://b.example/1")],
        baseline=True,
    )
    before = counts(database_url, "site-a")
    assert (before["pending"], before["known"]) == (3, set()), (
        "a pending page is not known: it is fetched again"
    )

    # Cycle 2 crawls site A only, fetches the first page again (it was not known), then ingests.
    store_crawl(database_url, tmp_path, "site-a", "cycle-2", pages[:1], baseline=True)
    report = ingest(database_url, "cycle-2")

    after = counts(database_url, "site-a")
    assert report.processed == 4 and not report.rejected, report.rejected
    assert {k: after[k] for k in ("pending", "notices", "new changes", "deliveries")} == {
        "pending": 0, "notices": 3, "new changes": 3, "deliveries": 3,
    }  # fmt: skip
    assert after["known"] == {p.url for p in pages}
    assert counts(database_url, "site-b")["pending"] == 1, (
        "a site not crawled this cycle waits for its own crawl"
    )


def test_a_baseline_is_complete_only_once_its_first_crawl_is_ingested(
    database_url: str, tmp_path: Path
) -> None:
    from ingest.batch import mark_baselines
    from storage.db import session_scope

    store_crawl(
        database_url, tmp_path, "site-new", "cycle-1", [page(n) for n in NOTICE_PAGES], baseline=False
    )
    with session_scope(database_url) as session:
        mark_baselines(session, "cycle-1")  # as another run finishing its cycle would have
    assert not counts(database_url, "site-new")["baseline"], "pages of the first crawl are still pending"

    ingest(database_url, "cycle-1")
    done = counts(database_url, "site-new")
    assert (done["baseline"], done["notices"], done["deliveries"]) == (True, 3, 0)


INGESTER = """
import json, sys, time
from ingest.batch import ingest_pending
from storage.db import session_factory
from storage.subscriptions import active_subscriptions
url, start = sys.argv[1], float(sys.argv[2])
sessions = session_factory(url)
time.sleep(max(0.0, start - time.time()))
report = ingest_pending(sessions, subscriptions_loader=active_subscriptions, workers=1, batch=10)
print(json.dumps({"processed": report.processed, "rejected": report.rejected}))
"""


def test_two_processes_ingesting_at_once_process_each_page_exactly_once(
    database_url: str, tmp_path: Path
) -> None:
    pages = [page(name, f"http://a.example/{name}/{i}.html") for i in range(8) for name in NOTICE_PAGES]
    store_crawl(database_url, tmp_path, "site-a", "cycle-1", pages, baseline=True)
    start = time.time() + 3
    ingesters = [
        subprocess.Popen(
            [sys.executable, "-c", INGESTER, database_url, str(start)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [ingester.communicate(timeout=240) for ingester in ingesters]
    for ingester, (_out, err) in zip(ingesters, outputs, strict=True):
        assert ingester.returncode == 0 and "Traceback" not in err, err
    reports = [json.loads(out) for out, _err in outputs]
    assert sum(r["processed"] for r in reports) == len(pages), reports
    assert not any(r["rejected"] for r in reports), reports
    done = counts(database_url, "site-a")
    assert (done["pending"], done["notices"], done["new changes"]) == (0, len(pages), len(pages))

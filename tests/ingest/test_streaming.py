"""Ingest streaming beside the crawl: the same records as an ingest after the crawl, sooner.

A storer thread plays the crawler: it commits the snapshots of ``world_steps`` one at a time, as
the crawler's writer does, while ``ingest_pending(while_crawling=…)`` runs. The result must be what
an ingest of the finished crawl writes (same notices, versions, changes, deliveries), with part of
the work done before the crawl ended, and a notice never recorded before the attachment it links
is stored (the Hainan notice is fetched before its PDF), but soon after it, not only at the end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.ingest.test_ingest_parallel import (
    CYCLE,
    HAINAN_PDF,
    SUBSCRIPTIONS,
    Step,
    dump,
    ingest,
    store,
    world_steps,
)

STORE_EVERY = 0.15  # seconds between two stored snapshots: several ingest polls in between


def _store_slowly(database_url: str, steps: list[Step], tmp_path: Path, stored_at: dict[str, float]) -> None:
    """What the crawler does: open the crawl runs, commit each snapshot on its own, then close the runs."""
    from alerts.subscriptions import load_subscriptions, sync_subscriptions
    from storage.db import session_scope
    from storage.models import CrawlRun, Source, utcnow
    from storage.snapshots import add_snapshot, finish_crawl_run, start_crawl_run
    from tests.support.outbox_db import ensure_source

    subscriptions = tmp_path / "subscriptions-streaming.toml"
    subscriptions.write_text(SUBSCRIPTIONS, encoding="utf-8")
    runs: dict[str, tuple[int, int]] = {}
    with session_scope(database_url) as session:
        sync_subscriptions(session, load_subscriptions(subscriptions))
        for slug in sorted({slug for slug, _page, _kind in steps}):
            source = ensure_source(session, slug)
            source.baseline_at = utcnow() - timedelta(days=1)
            runs[slug] = (source.id, start_crawl_run(session, source, CYCLE, "monitor").id)
    for slug, page, kind in steps:
        time.sleep(STORE_EVERY)
        with session_scope(database_url) as session:
            source_id, run_id = runs[slug]
            source, run = session.get(Source, source_id), session.get(CrawlRun, run_id)
            add_snapshot(session, run, source, page, page_kind=kind)
        stored_at.setdefault(page.url, time.time())
    with session_scope(database_url) as session:
        for _source_id, run_id in runs.values():
            finish_crawl_run(session, session.get(CrawlRun, run_id), status="ok", stats={})
    stored_at["crawl finished"] = time.time()


def _streamed(database_url: str, tmp_path: Path, *, workers: int) -> tuple[Any, dict[str, float]]:
    from ingest.batch import ingest_pending
    from storage.db import get_engine, session_factory
    from storage.subscriptions import active_subscriptions

    get_engine(database_url)  # the schema exists before either side writes
    stored_at: dict[str, float] = {}
    storer = threading.Thread(target=_store_slowly, args=(database_url, world_steps(), tmp_path, stored_at))
    crawling: Callable[[], bool] = storer.is_alive
    storer.start()
    report = ingest_pending(
        session_factory(database_url),
        cycle_id=CYCLE,
        subscriptions_loader=active_subscriptions,
        workers=workers,
        batch=5,
        while_crawling=crawling,
        poll_seconds=0.05,
    )
    storer.join()
    return report, stored_at


def _processed_at(database_url: str) -> list[tuple[str, float]]:
    from storage.db import session_scope
    from storage.models import RawSnapshot

    with session_scope(database_url) as session:
        rows = session.execute(select(RawSnapshot.url, RawSnapshot.processed_at).order_by(RawSnapshot.id))
        return [(url, _epoch(when)) for url, when in rows]


def _epoch(when: Any) -> float:
    from datetime import UTC

    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _unordered(world: dict[str, Any]) -> dict[str, Any]:
    """The dump without the order pages were processed in (ids, policy numbers, report order),
    which streaming may change across URLs; the versions of one URL keep their numbers, so their
    order shows. A notice's policy is the set of notice URLs grouped with it."""
    grouped: dict[Any, list[str]] = {}
    for notice in world["notices"]:
        grouped.setdefault(notice[7], []).append(notice[1])
    notices = [
        (*notice[:7], sorted(grouped[notice[7]]) if notice[7] is not None else None, *notice[8:])
        for notice in world["notices"]
    ]
    return {
        key: sorted(map(repr, value)) if isinstance(value, list) else value
        for key, value in (world | {"notices": notices}).items()
        if key not in ("report", "changes", "deliveries")
    } | {
        "changes": sorted(repr(change[:6]) for change in world["changes"]),
        "deliveries": sorted(status for _change, _subscription, status in world["deliveries"]),
        "report": (world["report"][0], world["report"][1], sorted(map(repr, world["report"][2]))),
    }


def test_streaming_writes_what_an_ingest_after_the_crawl_writes(
    database_url: str, second_database_url: str, tmp_path: Path
) -> None:
    streamed_report, stored_at = _streamed(database_url, tmp_path, workers=1)
    streamed = dump(database_url, streamed_report)

    store(second_database_url, world_steps(), tmp_path)
    after = dump(second_database_url, ingest(second_database_url, workers=1))

    assert _unordered(streamed) == _unordered(after)
    processed = _processed_at(database_url)
    early = [url for url, when in processed if when < stored_at["crawl finished"]]
    assert len(early) >= len(processed) // 2, f"only {len(early)} of {len(processed)} pages streamed"
    hainan = next(url for url, _page_kind, _reason, _done in streamed["snapshots"] if "hainan" in url)
    first_hainan = next(when for url, when in processed if url == hainan)
    assert first_hainan >= stored_at[HAINAN_PDF], "the notice was recorded before its attachment was stored"
    assert first_hainan < stored_at["crawl finished"], (
        "held back until the end, not until its attachment came"
    )

"""Ingest throughput without a change of meaning: extraction in worker processes, the policy index.

The same stored snapshots give the same notices, policies, versions, changes, deliveries and report
whether notices.extract runs in-process or ahead of the writes in worker processes, even when a
worker process is killed or a page cannot be read; a reposted notice is still grouped with its
original across sources (and only across sources); a page whose transaction fails is marked failed
alone, and leaves no policy behind for later pages to join.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import select, text

import ingest.workers as ingest_workers_module
from notices.model import RawPage

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "fixtures" / "pages"
CYCLE = "cycle-ingest-parallel"
SUBSCRIPTIONS = '[[subscription]]\nname = "team"\nurls = ["json://127.0.0.1:9/hook"]\n'

QINGHAI = "corpus_002_qinghai_trs_gbk"
HAINAN = "corpus_000_hainan_trs"
HAINAN_PDF = "http://www.hainan.gov.cn/hainan/szfwj/201708/P020170817586963045233.pdf"
DOC_NUMBER = "青政办〔2017〕150号"


def _page(name: str, *, url: str | None = None, edit: Callable[[str], str] | None = None) -> RawPage:
    meta = json.loads((PAGES / name / "meta.json").read_text(encoding="utf-8"))
    body = (PAGES / name / "input.html").read_bytes()
    if edit is not None:
        charset = "gbk" if "gbk" in name else "utf-8"
        body = edit(body.decode(charset)).encode(charset)
    return RawPage(url=url or meta["url"], body=body, status=200, headers=meta["headers"])


def _without_doc_number(*swap: str) -> Callable[[str], str]:
    """A repost's text: no doc number, and one wording changed (near, not identical, SimHash)."""

    def edit(text: str) -> str:
        return text.replace(DOC_NUMBER, "").replace(swap[0], swap[1])

    return edit


def _missing(url: str, status: int = 404) -> RawPage:
    return RawPage(url=url, body=b"<html><body>Not Found</body></html>", status=status, headers={})


def _pdf() -> RawPage:
    from govsim.attachments import pdf_bytes

    return RawPage(
        url=HAINAN_PDF,
        body=pdf_bytes("海南省打击侵权假冒重点任务分工表 任务一 牵头单位"),
        status=200,
        headers={"content-type": "application/pdf"},
    )


def _edited_hainan(text: str) -> str:
    return text.replace("各市、县、自治县人民政府", "各市、县、自治县人民政府，洋浦经济开发区管委会", 1)


# (site, page, crawler hint) in fetch order.
Step = tuple[str, RawPage, str | None]


def world_steps() -> list[Step]:
    qinghai_url = json.loads((PAGES / QINGHAI / "meta.json").read_text(encoding="utf-8"))["url"]
    hainan_url = json.loads((PAGES / HAINAN / "meta.json").read_text(encoding="utf-8"))["url"]
    return [
        ("site-a", _page(QINGHAI), None),
        ("site-a", _page(HAINAN), None),
        ("site-a", _pdf(), "attachment"),
        # The Qinghai notice reposted by site B (no doc number, reworded): the same policy.
        ("site-b", _page("corpus_002_repost_portal", edit=_without_doc_number("知识产权", "知产")), None),
        # Two snapshots of one URL in one run: diffed in fetch order.
        ("site-a", _page(HAINAN, edit=_edited_hainan), None),
        # A near copy on site A itself: two pages of one site are two documents.
        (
            "site-a",
            _page(QINGHAI, url="http://a.example/copy.html", edit=_without_doc_number("工作", "事务")),
            None,
        ),
        ("site-a", _missing(hainan_url), None),
        ("site-a", _page("govsim_hainan_list", url="http://a.example/list-as-detail.html"), None),
        ("site-c", _page("corpus_003_guangdong_gkmlpt"), None),
        ("site-c", _missing("http://c.example/broken.html", status=500), None),
        ("site-a", _page(HAINAN, edit=_edited_hainan), None),
        (
            "site-c",
            _page(
                "corpus_002_repost_portal",
                url="http://c.example/repost.html",
                edit=_without_doc_number("侵犯", "侵害"),
            ),
            None,
        ),  # fmt: skip
        ("site-c", _missing(qinghai_url), None),  # site C never had that URL: nothing to mark missing
    ]


def store(database_url: str, steps: list[Step], tmp_path: Path) -> None:
    """Sources whose baseline is taken, one subscription, one crawl run holding ``steps``."""
    from alerts.subscriptions import load_subscriptions, sync_subscriptions
    from storage.db import session_scope
    from storage.models import utcnow
    from storage.snapshots import add_snapshot, finish_crawl_run, start_crawl_run
    from tests.support.outbox_db import ensure_source

    subscriptions = tmp_path / f"subscriptions-{uuid.uuid4().hex[:6]}.toml"
    subscriptions.write_text(SUBSCRIPTIONS, encoding="utf-8")
    with session_scope(database_url) as session:
        sync_subscriptions(session, load_subscriptions(subscriptions))
        runs = {}
        for slug in sorted({slug for slug, _page_, _kind in steps}):
            source = ensure_source(session, slug)
            source.baseline_at = utcnow() - timedelta(days=1)
            runs[slug] = (source, start_crawl_run(session, source, CYCLE, "monitor"))
        for slug, page, kind in steps:
            source, run = runs[slug]
            add_snapshot(session, run, source, page, page_kind=kind)
        for _source, run in runs.values():
            finish_crawl_run(session, run, status="ok", stats={})


def ingest(
    database_url: str, *, workers: int | None, on_progress: Callable[[str], None] | None = None
) -> Any:
    from ingest.batch import ingest_pending
    from storage.db import session_factory
    from storage.subscriptions import active_subscriptions

    return ingest_pending(
        session_factory(database_url),
        cycle_id=CYCLE,
        subscriptions_loader=active_subscriptions,
        workers=workers,
        batch=5,  # several batches, so the pipeline crosses batch boundaries
        on_progress=on_progress,
    )


def dump(database_url: str, report: Any) -> dict[str, Any]:
    """Everything ingest wrote, with ids replaced by what they stand for."""
    from storage.db import session_scope
    from storage.models import Change, Delivery, Notice, NoticeVersion, RawSnapshot, Source

    with session_scope(database_url) as session:
        slugs = {s.id: s.slug for s in session.scalars(select(Source))}
        notices = {n.id: n for n in session.scalars(select(Notice).order_by(Notice.id))}
        policies: dict[int, int] = {}
        versions = {v.id: v for v in session.scalars(select(NoticeVersion).order_by(NoticeVersion.id))}

        def version_ref(version_id: int | None) -> Any:
            if version_id is None:
                return None
            version = versions[version_id]
            return (notices[version.notice_id].url, version.version_no)

        changes = list(session.scalars(select(Change).order_by(Change.id)))
        change_refs = {c.id: i for i, c in enumerate(changes)}
        return {
            "snapshots": [
                (s.url, s.page_kind, s.reject_reason, s.processed_at is not None)
                for s in session.scalars(select(RawSnapshot).order_by(RawSnapshot.id))
            ],
            "notices": [
                (
                    slugs[n.source_id],
                    n.url,
                    n.status,
                    n.consecutive_missing,
                    n.etag,
                    n.last_modified,
                    n.published_date,
                    policies.setdefault(n.policy_id, len(policies)) if n.policy_id else None,
                    version_ref(n.latest_version_id),
                )
                for n in notices.values()
            ],  # fmt: skip
            "versions": [
                (notices[v.notice_id].url, v.version_no, v.record, v.content_hash, v.snapshot_id)
                for v in versions.values()
            ],
            "changes": [
                (
                    notices[c.notice_id].url,
                    c.kind,
                    c.priority,
                    c.summary,
                    c.alerted,
                    c.detail,
                    version_ref(c.from_version_id),
                    version_ref(c.to_version_id),
                    policies.get(c.policy_id) if c.policy_id else None,
                )
                for c in changes
            ],  # fmt: skip
            "deliveries": sorted(
                (change_refs[d.change_id], d.subscription_id, d.status)
                for d in session.scalars(select(Delivery))
            ),
            "report": (
                report.processed,
                report.versions,
                [(c.kind, c.source, c.url, c.title, c.summary, c.alerted) for c in report.changes],
                report.rejected,
                report.deliveries_queued,
            ),
        }


class WorkerWatch:
    """The extraction worker processes alive at each progress report of an ingest run (real
    processes, found among this test's children); optionally kills one after the first batch."""

    def __init__(self, *, kill_after_first_batch: bool = False) -> None:
        self.before = {p.pid for p in self._workers()}
        self.seen: set[int] = set()
        self.killed: list[int] = []
        self.kill = kill_after_first_batch

    @staticmethod
    def _workers() -> list[psutil.Process]:
        found = []
        for child in psutil.Process().children(recursive=True):
            try:
                if "spawn_main" in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.Error:  # exited meanwhile
                continue
        return found

    def __call__(self, _progress: str) -> None:
        workers = [p for p in self._workers() if p.pid not in self.before]
        self.seen.update(p.pid for p in workers)
        if self.kill and workers and not self.killed:
            victim = workers[0]
            victim.kill()
            victim.wait(timeout=30)
            self.killed.append(victim.pid)


def test_worker_processes_write_what_in_process_extraction_writes(
    database_url: str, second_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = world_steps()
    store(database_url, steps, tmp_path)
    store(second_database_url, steps, tmp_path)

    in_process_watch = WorkerWatch()
    in_process = dump(database_url, ingest(database_url, workers=1, on_progress=in_process_watch))

    monkeypatch.setattr(ingest_workers_module, "POOL_MIN_PAGES", 1)
    pooled_watch = WorkerWatch()
    pooled = dump(second_database_url, ingest(second_database_url, workers=2, on_progress=pooled_watch))

    assert in_process_watch.seen == set()
    assert len(pooled_watch.seen) == 2, "the pooled run extracted in two worker processes"
    assert pooled == in_process

    # And what both wrote is what the steps mean.
    changes = [
        (url.rsplit("/", 1)[-1], kind, alerted) for url, kind, _p, _s, alerted, *_ in in_process["changes"]
    ]
    assert changes == [
        ("t20170821_0012.html", "new", True),
        ("t20170817_2393450.html", "new", True),
        ("150.html", "new", False),  # site B's repost: its policy was alerted already
        ("t20170817_2393450.html", "edited", True),
        ("copy.html", "new", True),
        ("post_142345.html", "new", True),
        ("repost.html", "new", False),
    ]
    policies = {
        url.rsplit("/", 1)[-1]: policy for _slug, url, *_rest, policy, _latest in in_process["notices"]
    }
    assert policies["150.html"] == policies["t20170821_0012.html"]  # across sources: grouped
    assert policies["copy.html"] != policies["t20170821_0012.html"]  # within one source: kept apart
    assert policies["repost.html"] == policies["copy.html"]  # the newest near-duplicate of another source
    assert len(set(policies.values())) == 4
    hainan = next(v for v in in_process["versions"] if v[0].endswith("t20170817_2393450.html"))
    attachment = hainan[2]["attachments"][0]
    assert attachment["url"] == HAINAN_PDF and attachment["sha256"], attachment
    snapshots = {url: (kind, reason) for url, kind, reason, _done in in_process["snapshots"]}
    assert snapshots["http://c.example/broken.html"] == ("error", "HTTP 500")
    assert all(done for *_rest, done in in_process["snapshots"])
    # Every alerted change, and only those, is queued for the one subscription.
    alerted = [i for i, change in enumerate(in_process["changes"]) if change[4]]
    assert in_process["deliveries"] == [(i, 1, "pending") for i in alerted]


def test_the_pool_extracts_what_extract_gives_in_process(database_url: str, tmp_path: Path) -> None:
    """Worker processes read the snapshot and its attachments from the database themselves."""
    import notices
    from ingest.extraction import attachment_lookup
    from ingest.workers import Extraction, Extractor
    from storage.db import session_factory, session_scope
    from storage.models import RawSnapshot
    from storage.snapshots import pending_snapshot_ids, snapshot_page

    store(database_url, world_steps(), tmp_path)
    with session_scope(database_url) as session:
        ids = pending_snapshot_ids(session, cycle_id=CYCLE, limit=100)
        expected = {}
        for snapshot_id in ids:
            snapshot = session.get(RawSnapshot, snapshot_id)
            assert snapshot is not None
            if snapshot.status == 200:
                page = snapshot_page(snapshot)
                expected[snapshot_id] = notices.extract(page, fetch_attachments=attachment_lookup(session))

    extractor = Extractor(session_factory(database_url), workers=2)
    try:
        extractor._start()
        got = list(extractor.extractions(ids))
    finally:
        extractor.close()

    assert [snapshot_id for snapshot_id, _ in got] == ids
    for snapshot_id, extracted in got:
        if snapshot_id in expected:  # the 404s and the 500 are not extracted
            assert isinstance(extracted, Extraction), (snapshot_id, extracted)
            assert extracted.record == expected[snapshot_id]
        else:
            assert extracted is None


def test_a_dead_worker_leaves_the_rest_to_in_process_extraction(
    database_url: str,
    second_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A worker killed after the first batch: the rest of the run is extracted in-process and
    nothing is lost, failed or written twice."""
    steps = world_steps()
    store(database_url, steps, tmp_path)
    store(second_database_url, steps, tmp_path)
    in_process = dump(database_url, ingest(database_url, workers=1))

    monkeypatch.setattr(ingest_workers_module, "POOL_MIN_PAGES", 1)
    monkeypatch.setenv("POLICYWATCH_INGEST_WORKERS", "2")
    watch = WorkerWatch(kill_after_first_batch=True)
    pooled = dump(second_database_url, ingest(second_database_url, workers=None, on_progress=watch))

    assert len(watch.killed) == 1 and watch.killed[0] in watch.seen
    assert "an extraction worker died; extracting the rest of the run in-process" in caplog.text
    assert pooled == in_process


def test_a_page_whose_extraction_fails_is_rejected_alone(
    database_url: str, second_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot that cannot be read (its stored body is corrupt) fails alone, in a worker as
    in-process; the pages after it are stored."""
    from storage.db import session_scope
    from storage.models import RawSnapshot

    steps = world_steps()
    broken_url = steps[8][1].url  # site C's Guangdong notice
    for url in (database_url, second_database_url):
        store(url, steps, tmp_path)
        with session_scope(url) as session:
            snapshot = session.scalars(select(RawSnapshot).where(RawSnapshot.url == broken_url)).one()
            snapshot.body_zlib = b"not zlib data"

    in_process = dump(database_url, ingest(database_url, workers=1))
    monkeypatch.setattr(ingest_workers_module, "POOL_MIN_PAGES", 1)
    pooled = dump(second_database_url, ingest(second_database_url, workers=2))

    assert pooled == in_process
    rejected = dict(in_process["report"][3])
    assert rejected[broken_url].startswith("processing failed: "), rejected
    assert [url for url, *_ in in_process["snapshots"] if url == broken_url] == [broken_url]
    snapshots = {url: (kind, reason) for url, kind, reason, _done in in_process["snapshots"]}
    assert snapshots[broken_url] == ("error", rejected[broken_url])
    assert broken_url not in {url for _slug, url, *_ in in_process["notices"]}
    # The pages after it were stored.
    assert [url.rsplit("/", 1)[-1] for url, *_ in in_process["changes"]][-1] == "repost.html"


# A database-level fault in the middle of one page's transaction: its version cannot be inserted.
FAIL_VERSION_OF = {
    "sqlite": [
        "CREATE TRIGGER disk_full BEFORE INSERT ON notice_versions "
        "WHEN (SELECT url FROM notices WHERE id = NEW.notice_id) = '{url}' "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF (SELECT url FROM notices WHERE id = NEW.notice_id) = '{url}' THEN "
        "RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER disk_full BEFORE INSERT ON notice_versions FOR EACH ROW EXECUTE FUNCTION disk_full()",
    ],
}


def test_a_rolled_back_policy_is_not_joined_by_later_pages(database_url: str, tmp_path: Path) -> None:
    """The original's transaction fails after creating its policy: it alone is marked failed, and
    its reposts are stored and group among themselves, not with a policy that was never committed."""
    from storage.db import get_engine, session_scope
    from storage.models import NoticeVersion, Policy

    steps: list[Step] = [
        ("site-a", _page(QINGHAI), None),
        ("site-b", _page("corpus_002_repost_portal", edit=_without_doc_number("知识产权", "知产")), None),
        (
            "site-c",
            _page(
                "corpus_002_repost_portal",
                url="http://c.example/repost.html",
                edit=_without_doc_number("侵犯", "侵害"),
            ),
            None,
        ),  # fmt: skip
    ]
    store(database_url, steps, tmp_path)
    failing_url = steps[0][1].url
    engine = get_engine(database_url)
    with engine.begin() as connection:
        for statement in FAIL_VERSION_OF[engine.dialect.name]:
            connection.execute(text(statement.replace("{url}", failing_url)))

    report = ingest(database_url, workers=1)

    assert [url for url, _reason in report.rejected] == [failing_url]
    reason = report.rejected[0][1]
    assert reason.startswith("processing failed: ") and "disk full" in reason, reason
    rows = dump(database_url, report)
    assert rows["snapshots"][0] == (failing_url, "error", reason, True)
    policies = [(url, policy) for _slug, url, *_rest, policy, _latest in rows["notices"]]
    assert [url for url, _ in policies] == [steps[1][1].url, "http://c.example/repost.html"]
    assert policies[0][1] == policies[1][1]
    assert [(url, kind) for url, kind, *_ in rows["changes"]] == [
        (steps[1][1].url, "new"),
        ("http://c.example/repost.html", "new"),
    ]
    with session_scope(database_url) as session:
        assert len(list(session.scalars(select(Policy)))) == 1
        assert len(list(session.scalars(select(NoticeVersion)))) == 2


def test_a_small_batch_is_extracted_in_process(database_url: str, tmp_path: Path) -> None:
    """An idle cycle's few pages are not worth starting worker processes for."""
    store(database_url, world_steps()[:3], tmp_path)
    watch = WorkerWatch()

    report = ingest(database_url, workers=4, on_progress=watch)

    assert watch.seen == set()
    assert [c.kind for c in report.changes] == ["new", "new"]


def test_workers_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import SettingsError
    from ingest.workers import ingest_workers

    monkeypatch.setenv("POLICYWATCH_INGEST_WORKERS", "1")
    assert ingest_workers() == 1
    monkeypatch.setenv("POLICYWATCH_INGEST_WORKERS", "3")
    assert ingest_workers() == 3
    monkeypatch.setenv("POLICYWATCH_INGEST_WORKERS", "many")
    with pytest.raises(SettingsError, match="POLICYWATCH_INGEST_WORKERS"):
        ingest_workers()
    monkeypatch.delenv("POLICYWATCH_INGEST_WORKERS")
    assert 1 <= ingest_workers() <= 4


def test_policy_index_compares_the_newest_policies_newest_first(sqlite_url: str) -> None:
    from ingest.policies import PolicyIndex
    from storage.db import session_scope
    from storage.models import Policy
    from tests.support.outbox_db import ensure_source

    def add(session: Any, fingerprint: str | None) -> int:
        policy = Policy(doc_number=None, title="", fingerprint=fingerprint)
        session.add(policy)
        session.flush()
        return policy.id

    near, far = "00000000000000ff", "ffffffffffffff00"  # 8 bits from 0…0 / 56 bits from it
    with session_scope(sqlite_url) as session:
        first = [add(session, print_) for print_ in (near, near, far, None, near)]
        source = ensure_source(session, "site-a")
        source_id = source.id
    index = PolicyIndex(size=3)
    with session_scope(sqlite_url) as session:
        index.refresh(session)
        # The oldest policy is not among the newest three fingerprinted ones.
        assert index.near("0000000000000000") == [first[4], first[1]]

        index.stage_member(first[4], source_id)
        index.discard_staged()  # rolled back
        assert not index.has_member_from(first[4], source_id)
        index.stage_member(first[4], source_id)
        index.commit_staged()
        assert index.has_member_from(first[4], source_id)

        later = [add(session, near) for _ in range(5)]
    with session_scope(sqlite_url) as session:
        index.refresh(session)
        assert index.near("0000000000000000") == later[::-1][:3]
        assert len(index._ids) <= 2 * index.size

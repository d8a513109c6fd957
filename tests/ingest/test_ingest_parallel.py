"""Ingest throughput without a change of meaning: extraction in worker processes, the policy index.

The same stored snapshots give the same notices, policies, versions, changes, deliveries and report
whether notices.extract runs in-process or ahead of the writes in worker processes; a reposted
notice is still grouped with its original across sources (and only across sources); a transaction
that rolls back leaves no policy behind for later pages to join.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

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


def ingest(database_url: str, *, workers: int) -> Any:
    from policywatch.ingest import ingest_pending
    from storage.db import session_factory
    from storage.models import Subscription

    return ingest_pending(
        session_factory(database_url),
        cycle_id=CYCLE,
        subscriptions_loader=lambda s: list(
            s.scalars(select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id))
        ),
        workers=workers,
        batch=5,  # several batches, so the pipeline crosses batch boundaries
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


@pytest.fixture()
def second_database_url(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty database of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    from tests.conftest import _postgres_admin_dsn

    name = f"pw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    from storage.db import dispose_engines

    dispose_engines()
    with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _spy_extractions(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What process_snapshot was handed as ``extracted``, page by page."""
    import policywatch.ingest as ingest_module

    seen: list[Any] = []
    real = ingest_module.process_snapshot

    def spy(*args: Any, **kwargs: Any) -> None:
        seen.append(kwargs.get("extracted"))
        real(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "process_snapshot", spy)
    return seen


def test_worker_processes_write_what_in_process_extraction_writes(
    database_url: str, second_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import policywatch.ingest as ingest_module
    from policywatch.ingest import Extraction

    steps = world_steps()
    store(database_url, steps, tmp_path)
    store(second_database_url, steps, tmp_path)

    in_process = dump(database_url, ingest(database_url, workers=1))

    monkeypatch.setattr(ingest_module, "POOL_MIN_PAGES", 1)
    seen = _spy_extractions(monkeypatch)
    pooled = dump(second_database_url, ingest(second_database_url, workers=2))

    # The worker processes did extract: every page to extract came with its Extraction.
    # (the 404s and the 500 are not extracted; the attachment was stored already processed)
    assert [isinstance(e, Extraction) for e in seen] == [True] * 5 + [
        False,
        True,
        True,
        False,
        True,
        True,
        False,
    ]
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


def test_a_rolled_back_policy_is_not_joined_by_later_pages(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original's transaction fails after creating its policy: its reposts group among
    themselves, not with a policy that was never committed."""
    import storage.versions as version_store

    steps = [
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
    real_add_version = version_store.add_version

    def add_version(session: Any, notice: Any, *args: Any, **kwargs: Any) -> Any:
        if notice.url == failing_url:
            raise RuntimeError("disk full")
        return real_add_version(session, notice, *args, **kwargs)

    monkeypatch.setattr(version_store, "add_version", add_version)
    report = ingest(database_url, workers=1)

    assert report.rejected == [(failing_url, "processing failed: disk full")]
    rows = dump(database_url, report)
    policies = [(url, policy) for _slug, url, *_rest, policy, _latest in rows["notices"]]
    assert [url for url, _ in policies] == [steps[1][1].url, "http://c.example/repost.html"]
    assert policies[0][1] == policies[1][1]
    from storage.db import session_scope
    from storage.models import Policy

    with session_scope(database_url) as session:
        assert len(list(session.scalars(select(Policy)))) == 1


def test_a_small_batch_is_extracted_in_process(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An idle cycle's few pages are not worth starting worker processes for."""
    import policywatch.ingest as ingest_module

    store(database_url, world_steps()[:3], tmp_path)
    started: list[int] = []
    monkeypatch.setattr(ingest_module._Extractor, "_start", lambda self: started.append(1))
    seen = _spy_extractions(monkeypatch)

    report = ingest(database_url, workers=4)

    assert started == [] and seen == [None, None]
    assert [c.kind for c in report.changes] == ["new", "new"]


class _FakePool:
    """A pool whose futures come back as ``outcome(snapshot_id)`` says."""

    def __init__(self, outcome: Callable[[int], Any]) -> None:
        self.outcome = outcome
        self.shut = False

    def submit(self, _fn: Any, snapshot_id: int) -> Future[Any]:
        future: Future[Any] = Future()
        result = self.outcome(snapshot_id)
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.shut = True


def test_a_dead_worker_leaves_the_rest_to_in_process_extraction() -> None:
    from policywatch.ingest import Extraction, _Extractor
    from storage.db import session_factory

    extractor = _Extractor(session_factory("sqlite:///:memory:"), workers=2)
    done = Extraction(record=None)  # type: ignore[arg-type]
    pool = _FakePool(lambda i: BrokenProcessPool("killed") if i >= 3 else done)
    extractor.pool = pool  # type: ignore[assignment]

    got = list(extractor.extractions(list(range(1, 101))))

    assert [i for i, _ in got] == list(range(1, 101))
    assert [e for _, e in got[:2]] == [done, done]
    assert all(e is None for _, e in got[2:])
    assert pool.shut and extractor.pool is None
    # And it does not try worker processes again in this run.
    assert all(e is None for _, e in extractor.extractions(list(range(200, 300))))


def test_a_page_whose_extraction_failed_is_reported_alone() -> None:
    from policywatch.ingest import Extraction, _Extractor
    from storage.db import session_factory

    extractor = _Extractor(session_factory("sqlite:///:memory:"), workers=2)
    done = Extraction(record=None)  # type: ignore[arg-type]
    extractor.pool = _FakePool(lambda i: RuntimeError("bad page") if i == 2 else done)  # type: ignore[assignment]

    got = list(extractor.extractions([1, 2, 3]))

    assert [i for i, _ in got] == [1, 2, 3]
    assert got[0][1] is done and got[2][1] is done
    assert isinstance(got[1][1], RuntimeError)


def test_workers_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from policywatch.ingest import ingest_workers

    monkeypatch.setenv("POLICYWATCH_INGEST_WORKERS", "1")
    assert ingest_workers() == 1
    monkeypatch.setenv("POLICYWATCH_INGEST_WORKERS", "3")
    assert ingest_workers() == 3
    monkeypatch.setenv("POLICYWATCH_INGEST_WORKERS", "many")
    assert 1 <= ingest_workers() <= 4
    monkeypatch.delenv("POLICYWATCH_INGEST_WORKERS")
    assert 1 <= ingest_workers() <= 4


def test_policy_index_compares_the_newest_policies_newest_first(sqlite_url: str) -> None:
    from policywatch.ingest import PolicyIndex
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

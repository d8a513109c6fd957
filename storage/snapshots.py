"""Raw snapshots and crawl runs: what the spiders fetched, exactly as fetched.

The crawler subprocess writes here while other processes read, so every function works inside
the caller's (short) transaction and never commits on its own.

Snapshot ``page_kind`` values set by the crawler:
- ``None``: a detail page, waiting for normalization (``processed_at IS NULL``). Its URL is not
  known yet (:func:`known_urls`): if the cycle dies before it is processed, the next crawl fetches
  the page again and the next ingest processes both copies, oldest first.
- ``"blocked"`` / ``"error"``: a detail page the crawler recognised as an anti-bot challenge or an
  error/maintenance page; still pending, so normalization classifies and rejects it, but it never
  counts as a known URL.

Ingest claims a pending snapshot with :func:`claim_snapshot` before it reads or writes anything of
that page, in the transaction that writes it, so two processes never process the same snapshot.
- ``"list"`` / ``"attachment"``: list pages (kept for auditing) and attachment files (looked up by
  URL); stored already processed, so they never reach normalization. A list page that did not
  parse is stored processed with kind ``"error"`` and the crawler's reason.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, union_all, update
from sqlalchemy.orm import Session

from notices.model import RawPage
from storage.criteria import one_of
from storage.models import CrawlRun, Notice, RawSnapshot, Source, utcnow

CRAWL_RUN_STATUSES = ("running", "ok", "failed", "blocked")
# Snapshots with these kinds are not good copies of the page, so their URL stays "unknown".
BAD_PAGE_KINDS = ("blocked", "error")
# Stored by the crawler already classified: they never reach normalization.
PREPROCESSED_KINDS = ("list", "attachment")


def start_crawl_run(session: Session, source: Source, cycle_id: str, mode: str) -> CrawlRun:
    """A new ``running`` crawl run for ``source`` in cycle ``cycle_id``."""
    run = CrawlRun(cycle_id=cycle_id, source_id=source.id, mode=mode, status="running", stats={})
    session.add(run)
    session.flush()
    return run


def finish_crawl_run(
    session: Session, run: CrawlRun, *, status: str, stats: dict[str, Any], error: str | None = None
) -> CrawlRun:
    """Close ``run`` with its final status (``ok`` | ``failed`` | ``blocked``), stats and error."""
    if status not in CRAWL_RUN_STATUSES:
        raise ValueError(f"unknown crawl run status {status!r}; expected one of {CRAWL_RUN_STATUSES}")
    run = session.merge(run)
    run.status = status
    run.stats = dict(stats)
    run.error = error
    run.finished_at = utcnow()
    return run


def add_snapshot(
    session: Session,
    run: CrawlRun | None,
    source: Source,
    page: RawPage,
    *,
    page_kind: str | None = None,
    reject_reason: str | None = None,
    preprocessed: bool | None = None,
    flush: bool = True,
) -> RawSnapshot:
    """Store one fetched response (body zlib-compressed, with its size and sha256).

    ``page_kind`` is the crawler's hint (see the module docstring). ``preprocessed`` stores the
    snapshot as already processed, so it never reaches normalization (default: for list pages
    and attachments). ``flush=False`` leaves the INSERT to the caller's next flush or commit (the
    snapshot has no id until then), so a batch of snapshots goes to the database in one statement.
    """
    fetched_at = page.fetched_at or utcnow()
    if preprocessed is None:
        preprocessed = page_kind in PREPROCESSED_KINDS
    snapshot = RawSnapshot(
        crawl_run_id=run.id if run is not None else None,
        source_id=source.id,
        url=page.url,
        status=page.status,
        headers={k.lower(): v for k, v in page.headers.items() if k.lower() != "set-cookie"},
        body_zlib=zlib.compress(page.body, 6),
        size=len(page.body),
        sha256=hashlib.sha256(page.body).hexdigest(),
        fetched_at=fetched_at,
        page_kind=page_kind,
        reject_reason=reject_reason,
        processed_at=fetched_at if preprocessed else None,
    )
    session.add(snapshot)
    if flush:
        session.flush()
    return snapshot


def snapshot_page(snapshot: RawSnapshot) -> RawPage:
    """The stored response as a :class:`RawPage` (body decompressed)."""
    return RawPage(
        url=snapshot.url,
        body=zlib.decompress(snapshot.body_zlib),
        status=snapshot.status,
        headers=dict(snapshot.headers or {}),
        fetched_at=snapshot.fetched_at,
    )


def _pending_query(
    query: Select[Any], cycle_id: str | None, source_id: int | None, limit: int | None, after_id: int = 0
) -> Any:
    query = query.where(RawSnapshot.processed_at.is_(None))
    if after_id:
        query = query.where(RawSnapshot.id > after_id)
    if cycle_id is not None:
        # Every pending snapshot of the sites this cycle crawled, earlier cycles' included: a cycle
        # that died before its ingest finished leaves them for the next crawl of the same site.
        query = query.where(
            RawSnapshot.source_id.in_(select(CrawlRun.source_id).where(CrawlRun.cycle_id == cycle_id))
        )
    if source_id is not None:
        query = query.where(RawSnapshot.source_id == source_id)
    query = query.order_by(RawSnapshot.id)
    if limit is not None:
        query = query.limit(limit)
    return query


def pending_snapshots(
    session: Session, *, cycle_id: str | None = None, source_id: int | None = None, limit: int | None = None
) -> list[RawSnapshot]:
    """Snapshots not yet normalized (``processed_at IS NULL``), oldest first.

    ``cycle_id``: only those of the sites crawled in that cycle (from any cycle); ``source_id``:
    only that site's.
    """
    return list(session.scalars(_pending_query(select(RawSnapshot), cycle_id, source_id, limit)))


def pending_snapshot_ids(
    session: Session,
    *,
    cycle_id: str | None = None,
    source_id: int | None = None,
    limit: int | None = None,
    after_id: int = 0,
) -> list[int]:
    """The ids of :func:`pending_snapshots`, without loading the bodies; ``after_id``: only those
    with a larger id (a cursor for a reader that comes back while the crawler is still storing)."""
    query = _pending_query(select(RawSnapshot.id), cycle_id, source_id, limit, after_id)
    return list(session.scalars(query))


def snapshot_urls(session: Session, snapshot_ids: Sequence[int]) -> dict[int, str]:
    """The URL of each of ``snapshot_ids`` (those that exist)."""
    rows = session.execute(select(RawSnapshot.id, RawSnapshot.url).where(RawSnapshot.id.in_(snapshot_ids)))
    return {snapshot_id: url for snapshot_id, url in rows}


def pending_snapshot_count(session: Session, *, cycle_id: str | None = None) -> int:
    """How many snapshots :func:`pending_snapshot_ids` would list (for progress totals)."""
    query = select(func.count()).select_from(RawSnapshot).where(RawSnapshot.processed_at.is_(None))
    if cycle_id is not None:
        query = query.where(
            RawSnapshot.source_id.in_(select(CrawlRun.source_id).where(CrawlRun.cycle_id == cycle_id))
        )
    return int(session.scalar(query) or 0)


def claim_snapshot(session: Session, snapshot_id: int, now: datetime | None = None) -> bool:
    """Claim a pending snapshot for the caller's transaction; False if it is processed or claimed.

    Make it the first statement about this snapshot, and the first claim the transaction's first
    statement: the UPDATE takes the row lock on PostgreSQL (a second claimer waits for the first to
    commit, then finds it processed) and the write lock on SQLite. It sets ``processed_at``; a
    rollback (or a process that dies) leaves it pending again. Several claims in one transaction go
    in id order, so two claimers cannot deadlock.
    """
    claimed = session.connection().execute(
        update(RawSnapshot)
        .where(RawSnapshot.id == snapshot_id, RawSnapshot.processed_at.is_(None))
        .values(processed_at=now or utcnow())
    )
    return bool(claimed.rowcount)


def pending_source_ids(session: Session, source_ids: list[int]) -> set[int]:
    """Which of ``source_ids`` still have snapshots waiting for normalization."""
    if not source_ids:
        return set()
    return set(
        session.scalars(
            select(RawSnapshot.source_id)
            .where(one_of(session, RawSnapshot.source_id, source_ids), RawSnapshot.processed_at.is_(None))
            .distinct()
        )
    )


def mark_snapshot_processed(
    session: Session,
    snapshot: RawSnapshot,
    *,
    page_kind: str,
    reject_reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record what normalization made of ``snapshot``."""
    snapshot = session.merge(snapshot)
    snapshot.page_kind = page_kind
    snapshot.reject_reason = reject_reason
    snapshot.processed_at = now or utcnow()


def known_urls(session: Session, source_id: int, among: Collection[str] | None = None) -> set[str]:
    """URLs already seen at a source: its notices, plus processed good snapshots; ``among``: only
    which of these URLs are (the rows of one list page, rather than every URL the site ever had).

    A snapshot counts once normalization processed it (a notice, or rejected for cause: a list,
    an attachment, not a notice), never while it is pending, nor a challenge or error page.
    """
    if among is not None and not among:
        return set()
    # One statement of plain rows: the snapshots' side reads only ix_raw_snapshots_known_urls (an
    # index-only scan, its URLs in order, so DISTINCT costs no sort) and no ORM object is built.
    notice_urls = select(Notice.url).where(Notice.source_id == source_id)
    snapshot_urls = (
        select(RawSnapshot.url)
        .where(RawSnapshot.source_id == source_id)
        .where(RawSnapshot.processed_at.is_not(None))
        .where(RawSnapshot.status >= 200, RawSnapshot.status < 300)
        .where(or_(RawSnapshot.page_kind.is_(None), RawSnapshot.page_kind.not_in(BAD_PAGE_KINDS)))
        .distinct()
    )
    if among is not None:
        urls = sorted(among)
        notice_urls = notice_urls.where(one_of(session, Notice.url, urls))
        snapshot_urls = snapshot_urls.where(one_of(session, RawSnapshot.url, urls))
    return {url for (url,) in session.execute(union_all(notice_urls, snapshot_urls)).tuples()}


def latest_snapshot_for_url(session: Session, url: str) -> RawSnapshot | None:
    """The most recently stored snapshot of ``url``, if any."""
    return session.scalar(
        select(RawSnapshot).where(RawSnapshot.url == url).order_by(RawSnapshot.id.desc()).limit(1)
    )


def latest_snapshot_ids(session: Session, urls: Iterable[str]) -> dict[str, int]:
    """The id of the most recently stored snapshot of each of ``urls`` (those stored at all)."""
    wanted = list(urls)
    if not wanted:
        return {}
    rows = session.execute(
        select(RawSnapshot.url, func.max(RawSnapshot.id))
        .where(RawSnapshot.url.in_(wanted))
        .group_by(RawSnapshot.url)
    )
    return {url: int(latest) for url, latest in rows}


def crawl_runs_for_cycle(session: Session, cycle_id: str) -> list[CrawlRun]:
    """Every crawl run of one cycle, in the order they started."""
    return list(session.scalars(select(CrawlRun).where(CrawlRun.cycle_id == cycle_id).order_by(CrawlRun.id)))


def snapshots_for_run(session: Session, run_id: int) -> list[RawSnapshot]:
    """Every snapshot stored by one crawl run, in fetch order."""
    return list(
        session.scalars(
            select(RawSnapshot).where(RawSnapshot.crawl_run_id == run_id).order_by(RawSnapshot.id)
        )
    )

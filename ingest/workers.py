"""notices.extract in worker processes, ahead of the writes, for batches worth starting them for.

The database writes stay in the ingest process, in fetch order (see :mod:`ingest.batch`); the
workers only read (the snapshot and its attachments) and return an :class:`Extraction`. A worker
that dies takes no page with it: the rest of the run is extracted in-process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, defer, sessionmaker

import config
import notices
from changes.grouping import fingerprint
from ingest.extraction import Extraction, attachment_lookup, needs_extraction
from notices.model import PageKind
from storage import snapshots as snapshot_store
from storage import versions as version_store
from storage.models import RawSnapshot

log = logging.getLogger(__name__)

# Extraction runs in worker processes when a batch has at least this many pages: starting the
# workers costs about a second, more than a small monitor cycle takes in-process.
POOL_MIN_PAGES = 50
# Pages extracted ahead of the one being written, per worker: enough to keep the workers busy,
# few enough that little is held in memory.
LOOKAHEAD_PER_WORKER = 4
MAX_DEFAULT_WORKERS = 4


def ingest_workers() -> int:
    """Extraction processes: ``POLICYWATCH_INGEST_WORKERS``, else one per CPU up to 4 (1: in-process)."""
    configured = config.current().ingest_workers
    if configured is not None:
        return configured
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


Extracted = Extraction | BaseException | None


class Extractor:
    """notices.extract for the snapshots about to be written: ahead of the writes in worker processes
    (started on the first batch of POOL_MIN_PAGES pages or more), or left to process_snapshot."""

    def __init__(self, sessions: sessionmaker[Session], workers: int) -> None:
        self.workers = workers
        self.database_url = _worker_database_url(sessions) if workers > 1 else None
        self.pool: ProcessPoolExecutor | None = None

    @property
    def load_options(self) -> list[Any]:
        """Loader options for the snapshot being written (with workers, its body is not needed)."""
        return [defer(RawSnapshot.body_zlib)] if self.pool is not None else []

    def extractions(self, snapshot_ids: Sequence[int]) -> Iterator[tuple[int, Extracted]]:
        """(snapshot id, its extraction or the error it raised) in the given order; None: the caller
        extracts it."""
        if self.pool is None and self.database_url is not None and len(snapshot_ids) >= POOL_MIN_PAGES:
            self._start()
        ids = iter(snapshot_ids)
        if self.pool is not None:
            yield from self._pooled(self.pool, ids)
        yield from ((snapshot_id, None) for snapshot_id in ids)

    def _pooled(self, pool: ProcessPoolExecutor, ids: Iterator[int]) -> Iterator[tuple[int, Extracted]]:
        """Extract through ``pool``, a few pages ahead; on a dead worker, stop (the caller extracts
        what is left of ``ids``) and use no workers for the rest of the run."""
        window: deque[tuple[int, Future[Extraction | None]]] = deque()

        def submit(snapshot_id: int) -> None:
            try:
                future = pool.submit(_worker_extract, snapshot_id)
            except BrokenProcessPool as exc:  # a worker died while the pool was idle
                future = Future()
                future.set_exception(exc)
            window.append((snapshot_id, future))

        for snapshot_id in ids:
            submit(snapshot_id)
            if len(window) >= self.workers * LOOKAHEAD_PER_WORKER:
                break
        while window:
            snapshot_id, future = window.popleft()
            next_id = next(ids, None)
            if next_id is not None:
                submit(next_id)
            try:
                result: Extracted = future.result()
            except BrokenProcessPool:
                log.warning("an extraction worker died; extracting the rest of the run in-process")
                # Not waiting: joining a broken pool's manager thread can hang (seen in CI on 3.11).
                self.close(wait=False)
                self.database_url = None
                yield snapshot_id, None
                yield from ((waiting, None) for waiting, _ in window)
                return
            except Exception as exc:
                result = exc
            yield snapshot_id, result

    def _start(self) -> None:
        if self.database_url is None:
            return
        try:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                # Not fork: the caller may have threads (Prefect) and open database connections.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_start,
                initargs=(self.database_url,),
            )
        except Exception:  # noqa: BLE001 - no worker processes here: extract in-process
            log.warning("could not start extraction workers; extracting in-process", exc_info=True)
            self.database_url = None

    def close(self, *, wait: bool = True) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)
            self.pool = None


def _worker_database_url(sessions: sessionmaker[Session]) -> str | None:
    """The URL worker processes can open the same database with (None: they cannot)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        return None
    url = bind.url
    if url.get_backend_name() == "sqlite" and (
        not url.database or url.database == ":memory:" or "mode=memory" in str(url)
    ):
        return None
    return url.render_as_string(hide_password=False)


# ---------------------------------------------------------------------- in the worker processes

_worker_sessions: sessionmaker[Session] | None = None


def _worker_start(database_url: str) -> None:
    global _worker_sessions
    from storage.db import get_engine

    _worker_sessions = sessionmaker(get_engine(database_url, apply_migrations=False))


def _worker_extract(snapshot_id: int) -> Extraction | None:
    """In a worker: extract one snapshot (None if it is not a page to extract), attachments read
    from the database as :func:`ingest.extraction.attachment_lookup` does; with the fingerprint
    when the page is not a known notice yet. An error reading an attachment fails the page, as it
    would fail the transaction in-process on PostgreSQL."""
    assert _worker_sessions is not None, "worker not started"
    with _worker_sessions() as session:
        snapshot = session.get(RawSnapshot, snapshot_id)
        if snapshot is None or not needs_extraction(snapshot):
            return None
        lookup = attachment_lookup(session)
        errors: list[Exception] = []

        def fetch(url: str) -> bytes | None:
            try:
                return lookup(url)
            except Exception as exc:
                errors.append(exc)
                raise

        record = notices.extract(snapshot_store.snapshot_page(snapshot), fetch_attachments=fetch)
        if errors:
            raise errors[0]
        if record.page_kind != PageKind.NOTICE:
            return Extraction(record)
        print_ = None
        if version_store.notice_by_url(session, snapshot.source_id, snapshot.url) is None:
            print_ = fingerprint(record)
        return Extraction(record, print_, record.to_dict())

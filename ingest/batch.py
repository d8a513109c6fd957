"""The ingest run: every pending snapshot, batch after batch, one transaction per page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session, sessionmaker

import config
from ingest.policies import PolicyIndex
from ingest.progress import Progress
from ingest.report import IngestReport
from ingest.snapshot import process_snapshot
from ingest.workers import Extractor, ingest_workers
from storage import snapshots as snapshot_store
from storage.models import RawSnapshot, Source, Subscription

log = logging.getLogger(__name__)


def ingest_pending(
    sessions: sessionmaker[Session],
    *,
    cycle_id: str | None = None,
    subscriptions_loader: Callable[[Session], Sequence[Subscription]],
    removal_threshold: int | None = None,
    on_progress: Callable[[str], None] | None = None,
    batch: int = 200,
    workers: int | None = None,
) -> IngestReport:
    """Process every unprocessed snapshot (of the sites ``cycle_id`` crawled), one transaction each.

    With ``cycle_id``, that is every pending snapshot of the sites crawled in that cycle, earlier
    cycles' included (a cycle killed before its ingest finished left them), oldest first; without
    it, every pending snapshot. Each page is claimed atomically
    (:func:`storage.snapshots.claim_snapshot`), so two processes never process the same one.

    Each page's version, change and deliveries are committed together or not at all; a page that
    fails is marked failed (it stays for ``policywatch reprocess``) and the others go on.
    Snapshots are written one after the other in the order they were fetched; with ``workers`` > 1
    (default :func:`ingest.workers.ingest_workers`) and a batch of at least POOL_MIN_PAGES pages,
    notices.extract runs ahead of the writes in that many worker processes.
    ``removal_threshold``: 404/410 answers in a row before a notice counts as removed (default
    ``POLICYWATCH_REMOVAL_CHECKS``). When ``cycle_id`` is given, the sources whose crawl succeeded
    in that cycle and that have no pending snapshot left have their baseline afterwards (see
    :func:`mark_baselines`).
    """
    if removal_threshold is None:
        removal_threshold = config.current().removal_checks
    report = IngestReport()
    policies = PolicyIndex()
    if on_progress:
        with sessions() as session:
            progress = Progress(snapshot_store.pending_snapshot_count(session, cycle_id=cycle_id))
    extractor = Extractor(sessions, ingest_workers() if workers is None else workers)
    try:
        while True:
            with sessions() as session:
                pending_ids = snapshot_store.pending_snapshot_ids(session, cycle_id=cycle_id, limit=batch)
            if not pending_ids:
                break
            subscriptions = _load_subscriptions(sessions, subscriptions_loader)
            for snapshot_id, extracted in extractor.extractions(pending_ids):
                # What one page adds to the report counts only once its transaction has committed.
                outcome = IngestReport()
                policies.discard_staged()
                try:
                    with sessions() as session, session.begin():
                        # First statement: another process ingesting at once skips this page.
                        if not snapshot_store.claim_snapshot(session, snapshot_id):
                            continue
                        snapshot = session.get(RawSnapshot, snapshot_id, options=extractor.load_options)
                        if snapshot is None:
                            continue
                        if isinstance(extracted, BaseException):
                            raise extracted
                        process_snapshot(
                            session,
                            snapshot,
                            subscriptions=(
                                subscriptions if subscriptions is not None else subscriptions_loader(session)
                            ),
                            removal_threshold=removal_threshold,
                            report=outcome,
                            extracted=extracted,
                            policies=policies,
                        )
                    report.merge(outcome)
                    policies.commit_staged()
                # One bad page must not stop the cycle; its snapshot stays for reprocess.
                except Exception as exc:
                    report.processed += 1
                    log.exception("snapshot %s failed to process", snapshot_id)
                    _mark_failed(sessions, snapshot_id, f"processing failed: {exc}", report)
            if on_progress:
                on_progress(
                    f"normalized {progress.line(report.processed)} pages: {report.versions} new "
                    f"versions, {len(report.changes)} changes, {len(report.rejected)} not notices or rejected"
                )
    finally:
        extractor.close()
    if cycle_id is not None:
        with sessions() as session, session.begin():
            mark_baselines(session, cycle_id)
    return report


def _load_subscriptions(
    sessions: sessionmaker[Session], loader: Callable[[Session], Sequence[Subscription]]
) -> list[Subscription] | None:
    """The active subscriptions, loaded once per batch of snapshots (None: load them per snapshot)."""
    try:
        with sessions() as session:
            return list(loader(session))
    except Exception:  # noqa: BLE001 - each snapshot then loads them itself and fails on its own
        log.warning("could not load the subscriptions once per batch; loading them per page", exc_info=True)
        return None


def _mark_failed(
    sessions: sessionmaker[Session], snapshot_id: int, reason: str, report: IngestReport
) -> None:
    with sessions() as session, session.begin():
        failed = session.get(RawSnapshot, snapshot_id)
        if failed is not None:
            snapshot_store.mark_snapshot_processed(session, failed, page_kind="error", reject_reason=reason)
            report.rejected.append((failed.url, reason))


def mark_baselines(session: Session, cycle_id: str) -> None:
    """Sources whose crawl in this cycle succeeded, and whose snapshots are all processed, now have
    their baseline: later notices are news.

    Called by the run that holds the sites' crawl leases, after its own ingest: a site whose first
    crawl is still being ingested (pages left pending by a killed run included) stays without a
    baseline, so none of its archive is alerted.
    """
    runs = [run for run in snapshot_store.crawl_runs_for_cycle(session, cycle_id) if run.status == "ok"]
    still_pending = snapshot_store.pending_source_ids(session, [run.source_id for run in runs])
    for run in runs:
        source = session.get(Source, run.source_id)
        if source is not None and source.baseline_at is None and source.id not in still_pending:
            source.baseline_at = run.finished_at or run.started_at

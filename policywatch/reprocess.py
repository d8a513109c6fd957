"""`policywatch reprocess`: re-derive records from the raw snapshots kept in storage.

When normalization improves, a stored record may no longer match what the page would give today.
Re-deriving it is not news for subscribers, so a different record becomes a new version (marked
as reprocessed, linked to its snapshot) and never an alert; the next real change is then diffed
against the improved record rather than showing the normalization fix as an edit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import notices
from ingest.extraction import attachment_lookup
from notices.model import PageKind
from spiders.progress import Progress
from storage import snapshots as snapshot_store
from storage import versions as version_store
from storage.db import session_factory
from storage.revisits import latest_version_with_snapshot, notice_ids_of_sites

PROGRESS_EVERY = 200


def reprocess_all(
    site_slugs: Sequence[str] | None, *, dry_run: bool = False, echo: Callable[[str], None] = print
) -> dict[str, Any]:
    """Re-derive every notice of ``site_slugs`` (None: of every site) from its latest snapshot.

    Returns ``{checked, updated}``: notices with a snapshot to re-derive from, and records that came
    out different (with ``dry_run``, counted but not written).
    """
    checked = updated = 0
    sessions = session_factory()
    with sessions() as session:
        notice_ids = notice_ids_of_sites(session, site_slugs)
    progress = Progress(len(notice_ids), "notices")
    for done, notice_id in enumerate(notice_ids):
        if done and done % PROGRESS_EVERY == 0:
            echo(f"  … re-derived {progress.line(done)} so far ({updated} changed)")
        with sessions() as session, session.begin():
            found = latest_version_with_snapshot(session, notice_id)
            if found is None:
                continue
            notice, latest, snapshot = found
            checked += 1

            record = notices.extract(
                snapshot_store.snapshot_page(snapshot), fetch_attachments=attachment_lookup(session)
            )
            if record.page_kind != PageKind.NOTICE:
                echo(
                    f"  notice {notice_id}: its snapshot now reads as {record.page_kind.value}; left as it was"
                )
                continue
            fresh = record.to_dict()
            if version_store.record_hash(fresh) == latest.content_hash:
                continue
            updated += 1
            echo(f"  notice {notice_id} ({notice.url}): record re-derived")
            if not dry_run:
                fresh["reprocessed_from_version"] = latest.id
                version_store.add_version(session, notice, fresh, snapshot_id=snapshot.id)
            else:
                session.rollback()
    return {"checked": checked, "updated": updated}

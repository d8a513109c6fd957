"""Which stored snapshots notices.extract reads, and what it made of one (in-process or in a worker)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

import notices
from notices.attachments import is_attachment_url
from notices.model import Notice as NoticeRecord
from storage import snapshots as snapshot_store
from storage.models import RawSnapshot

HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml")


@dataclass(frozen=True)
class Extraction:
    """What the pure stage made of one snapshot, ahead of its transaction (in a worker process).

    ``record_dict`` is ``record.to_dict()``; ``fingerprint`` is filled when the page looked like a new
    notice. Either is computed when needed if missing.
    """

    record: NoticeRecord
    fingerprint: str | None = None
    record_dict: dict[str, Any] | None = None


def is_attachment(snapshot: RawSnapshot) -> bool:
    """A file rather than a page: by its content type, else by the extension in its URL."""
    content_type = str((snapshot.headers or {}).get("content-type", "")).lower()
    if content_type and not content_type.startswith(HTML_TYPES) and "json" not in content_type:
        return True
    return is_attachment_url(snapshot.url)


def needs_extraction(snapshot: RawSnapshot) -> bool:
    """Whether ingest runs notices.extract on this snapshot."""
    return snapshot.status == 200 and not is_attachment(snapshot)


def attachment_lookup(session: Session) -> Callable[[str], bytes | None]:
    """The fetcher notices.extract reads attachments with: the newest good snapshot of the URL."""

    def fetch(url: str) -> bytes | None:
        snapshot = snapshot_store.latest_snapshot_for_url(session, url)
        if snapshot is None or snapshot.status != 200:
            return None
        return snapshot_store.snapshot_page(snapshot).body

    return fetch


def extract_snapshot(session: Session, snapshot: RawSnapshot) -> NoticeRecord:
    """notices.extract on a stored snapshot, in-process, its attachments read from the database."""
    return notices.extract(
        snapshot_store.snapshot_page(snapshot), fetch_attachments=attachment_lookup(session)
    )

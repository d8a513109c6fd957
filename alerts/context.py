"""AlertContext: everything an alert says about one change, built from its Change and Notice records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from changes.model import KIND_LABELS, REPEALED_LABEL, Change, ChangeKind, LocatedEdit
from notices.model import Notice, PageKind
from storage import outbox as store


@dataclass(frozen=True)
class SourceLink:
    """One place the policy is published."""

    name: str
    url: str
    slug: str = ""
    region: str = ""


@dataclass(frozen=True)
class AlertContext:
    """The typed record renderers and filters work on (see :func:`load_alert_context`)."""

    change_id: int
    kind: ChangeKind
    priority: str
    summary: str
    title: str
    issuer: str | None = None
    doc_number: str | None = None
    written_date: str | None = None
    published_date: str | None = None
    validity: str | None = None
    sources: tuple[SourceLink, ...] = ()
    edits: tuple[LocatedEdit, ...] = ()
    unified_diff: str = ""
    repealed: bool = False
    alert_by_default: bool = True
    body: str = ""  # for keyword filters; never rendered in full
    departments: tuple[str, ...] = ()
    created_at: str | None = None

    @property
    def label(self) -> str:
        return REPEALED_LABEL if self.repealed else KIND_LABELS[self.kind]

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.region for s in self.sources if s.region))

    def to_dict(self) -> dict[str, Any]:
        return {
            "change_id": self.change_id,
            "kind": self.kind.value,
            "label": self.label,
            "priority": self.priority,
            "summary": self.summary,
            "title": self.title,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "written_date": self.written_date,
            "published_date": self.published_date,
            "validity": self.validity,
            "sources": [
                {"name": s.name, "url": s.url, "slug": s.slug, "region": s.region} for s in self.sources
            ],
            "edits": [e.to_dict() for e in self.edits],
        }

    @classmethod
    def from_records(
        cls,
        change: Change,
        notice: Notice,
        sources: tuple[SourceLink, ...] = (),
        *,
        change_id: int = 0,
        created_at: str | None = None,
    ) -> AlertContext:
        """Build from a Change and the Notice record it is about (the version it points to).

        ``sources``: where the policy is published, this notice first (default: the notice itself,
        for previews without a database)."""
        links = sources or (SourceLink(name=notice.source or notice.issuer or notice.url, url=notice.url),)
        departments: list[str] = []
        for responsibility in notice.responsibilities:
            departments.extend(responsibility.lead)
            departments.extend(responsibility.support)
        return cls(
            change_id=change_id,
            kind=change.kind,
            priority=change.priority,
            summary=change.summary,
            title=notice.title or change.title or links[0].url,
            issuer=notice.issuer,
            doc_number=notice.doc_number,
            written_date=_iso(notice.written_date),
            published_date=_iso(notice.published_date),
            validity=notice.validity,
            sources=links,
            edits=change.edits,
            unified_diff=change.unified_diff,
            repealed=change.repealed,
            alert_by_default=change.alert_by_default,
            body=notice.body,
            departments=tuple(dict.fromkeys(departments)),
            created_at=created_at,
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def load_alert_context(session: Session, change_id: int) -> AlertContext:
    """The AlertContext of a stored change: its Change and Notice records, and every source of the
    same policy."""
    stored = store.stored_change(session, change_id)
    row = stored.change
    notice = (
        Notice.from_dict(stored.record)
        if stored.record is not None
        else Notice(url=stored.notice.url, page_kind=PageKind.NOTICE)
    )
    return AlertContext.from_records(
        Change.from_dict(row.detail),
        notice,
        tuple(
            SourceLink(name=name, url=url, slug=slug, region=region)
            for name, url, slug, region in stored.publications
        ),
        change_id=row.id,
        created_at=row.created_at.isoformat() if row.created_at else None,
    )

"""AlertContext: everything an alert says about one change, gathered from storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from changes.model import KIND_LABELS, REPEALED_LABEL, Change, ChangeKind, LocatedEdit
from notices.model import Notice


@dataclass(frozen=True)
class SourceLink:
    """One place the policy is published."""

    name: str
    url: str
    slug: str = ""
    region: str = ""


@dataclass(frozen=True)
class AlertContext:
    """The typed record renderers and filters work on (see ``storage.outbox.load_alert_context``)."""

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
        cls, change: Change, notice: Notice, sources: tuple[SourceLink, ...] = (), *, change_id: int = 0
    ) -> AlertContext:
        """Build without a database (CLI previews, the demo): from a Change and its Notice record."""
        links = sources or (SourceLink(name=notice.source or notice.issuer or notice.url, url=notice.url),)
        return cls.from_change_detail(
            change_id=change_id,
            kind=change.kind.value,
            priority=change.priority,
            summary=change.summary,
            detail=change.to_dict(),
            record=notice.to_dict(),
            sources=links,
        )

    @classmethod
    def from_change_detail(
        cls,
        *,
        change_id: int,
        kind: str,
        priority: str,
        summary: str,
        detail: Mapping[str, Any],
        record: Mapping[str, Any] | None,
        sources: tuple[SourceLink, ...],
        created_at: str | None = None,
    ) -> AlertContext:
        """Build from a stored change (``detail`` = ``Change.to_dict()``) and its notice record."""
        record = record or {}
        departments: list[str] = []
        for resp in record.get("responsibilities") or ():
            departments.extend(resp.get("lead") or ())
            departments.extend(resp.get("support") or ())
        return cls(
            change_id=change_id,
            kind=ChangeKind(kind),
            priority=priority,
            summary=summary,
            title=record.get("title") or detail.get("title") or (sources[0].url if sources else ""),
            issuer=record.get("issuer"),
            doc_number=record.get("doc_number"),
            written_date=record.get("written_date"),
            published_date=record.get("published_date"),
            validity=record.get("validity"),
            sources=sources,
            edits=tuple(LocatedEdit.from_dict(e) for e in detail.get("edits") or ()),
            unified_diff=detail.get("unified_diff", ""),
            repealed=bool(detail.get("repealed")),
            alert_by_default=bool(detail.get("alert_by_default", kind != ChangeKind.REORDERED)),
            body="\n".join(record.get("paragraphs") or ()),
            departments=tuple(dict.fromkeys(departments)),
            created_at=created_at,
        )

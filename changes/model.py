"""The Change record: what differs between two stored versions of one notice, and where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    NONE = "none"
    NEW = "new"
    EDITED = "edited"
    METADATA = "metadata"
    ATTACHMENT = "attachment"
    REMOVED = "removed"
    RESTORED = "restored"
    REORDERED = "reordered"


class EditOp(StrEnum):
    REPLACE = "replace"
    INSERT = "insert"
    DELETE = "delete"


# What subscribers read first, in Chinese. "repealed" is a metadata change that is labelled apart.
KIND_LABELS: dict[str, str] = {
    ChangeKind.NONE: "无变化",
    ChangeKind.NEW: "新发布",
    ChangeKind.EDITED: "内容变更",
    ChangeKind.METADATA: "元数据变更",
    ChangeKind.ATTACHMENT: "附件变更",
    ChangeKind.REMOVED: "已撤下",
    ChangeKind.RESTORED: "已恢复",
    ChangeKind.REORDERED: "顺序调整",
}
REPEALED_LABEL = "已废止"

FIELD_LABELS: dict[str, str] = {
    "title": "标题",
    "doc_number": "文号",
    "issuer": "发文机关",
    "written_date": "成文日期",
    "published_date": "发布日期",
    "validity": "效力",
    "body": "正文",
    "attachments": "附件",
    "order": "段落顺序",
    "status": "状态",
}

# Highlight operations inside one paragraph, as diff-match-patch reports them.
DIFF_DELETE, DIFF_EQUAL, DIFF_INSERT = -1, 0, 1


_EXCERPT_CHARS = 40
_BRIDGE_CHARS = 2
_SHORT_CHANGE_CHARS = 3


def _cap(text: str) -> str:
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1] + "…"


def change_clusters(highlights: tuple[tuple[int, str], ...]) -> list[tuple[str, str]]:
    """(old, new) for each run of changed chunks, as a reader would quote it.

    A unit right after a changed number is kept (2020年 → 2025年); one or two kept characters between
    changes join them into one phrase (加强 → 强化); a short insertion or deletion is shown inside its
    neighbours (农委 → 农业农村委), since "∅ → 业农村" says nothing on its own.
    """
    clusters: list[tuple[str, str]] = []
    old: list[str] = []
    new: list[str] = []
    before = ""  # the last kept character before the current cluster

    def close(after: str) -> None:
        nonlocal old, new
        old_text, new_text = "".join(old), "".join(new)
        unit = after[:1] if after[:1].isalpha() and not after[:1].isascii() else ""
        if unit and (old_text + new_text)[-1:].isdigit():
            old_text, new_text = (
                old_text + unit if old_text else old_text,
                new_text + unit if new_text else new_text,
            )
        elif not (old_text and new_text) and len(old_text + new_text) <= _SHORT_CHANGE_CHARS:
            old_text, new_text = before + old_text + after[:1], before + new_text + after[:1]
        clusters.append((old_text, new_text))
        old, new = [], []

    for position, (op, text) in enumerate(highlights):
        if op == DIFF_EQUAL:
            more_changes = any(later_op != DIFF_EQUAL for later_op, _ in highlights[position + 1 :])
            if (old or new) and len(text) <= _BRIDGE_CHARS and more_changes:
                old.append(text)
                new.append(text)
                continue
            if old or new:
                close(text)
            before = text[-1:]
            continue
        (old if op == DIFF_DELETE else new).append(text)
    if old or new:
        close("")
    return clusters


@dataclass(frozen=True)
class LocatedEdit:
    """One changed paragraph (or metadata field), located by its outline path.

    ``highlights`` holds the character-level diff of the paragraph as (op, text) pairs
    (-1 deleted, 0 kept, 1 inserted). ``field`` is set for metadata edits, ``path`` for body edits.
    """

    path: str | None
    op: EditOp
    old: str | None
    new: str | None
    paragraph_index: int | None = None
    field: str | None = None
    highlights: tuple[tuple[int, str], ...] = ()

    @property
    def location(self) -> str:
        if self.field:
            return FIELD_LABELS.get(self.field, self.field)
        return self.path or "正文"

    def excerpt(self) -> str:
        """``2020年 → 2025年``: the changed characters only (or the whole text for inserts/deletes)."""
        if self.op is EditOp.INSERT:
            return f"新增：{_cap(self.new or '')}"
        if self.op is EditOp.DELETE:
            return f"删除：{_cap(self.old or '')}"
        if not self.highlights:
            return f"{_cap(self.old or '')} → {_cap(self.new or '')}"
        return "；".join(
            f"{_cap(old) or '∅'} → {_cap(new) or '∅'}" for old, new in change_clusters(self.highlights)[:3]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "op": self.op.value,
            "old": self.old,
            "new": self.new,
            "paragraph_index": self.paragraph_index,
            "field": self.field,
            "highlights": [[op, text] for op, text in self.highlights],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LocatedEdit:
        return cls(
            path=data.get("path"),
            op=EditOp(data["op"]),
            old=data.get("old"),
            new=data.get("new"),
            paragraph_index=data.get("paragraph_index"),
            field=data.get("field"),
            highlights=tuple((int(op), str(text)) for op, text in data.get("highlights") or ()),
        )


@dataclass(frozen=True)
class Change:
    """The verdict of :func:`changes.detect` for one notice."""

    kind: ChangeKind
    changed: bool
    priority: str = "normal"  # "high" for 废止/失效 and removals
    summary: str = ""
    fields_changed: tuple[str, ...] = ()
    edits: tuple[LocatedEdit, ...] = ()
    alert_by_default: bool = True
    unified_diff: str = ""
    title: str | None = None
    repealed: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The Chinese label shown first in alerts (已废止 wins over 元数据变更)."""
        return REPEALED_LABEL if self.repealed else KIND_LABELS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "changed": self.changed,
            "priority": self.priority,
            "summary": self.summary,
            "fields_changed": list(self.fields_changed),
            "edits": [e.to_dict() for e in self.edits],
            "alert_by_default": self.alert_by_default,
            "unified_diff": self.unified_diff,
            "title": self.title,
            "repealed": self.repealed,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        return cls(
            kind=ChangeKind(data["kind"]),
            changed=bool(data["changed"]),
            priority=data.get("priority", "normal"),
            summary=data.get("summary", ""),
            fields_changed=tuple(data.get("fields_changed") or ()),
            edits=tuple(LocatedEdit.from_dict(e) for e in data.get("edits") or ()),
            alert_by_default=bool(data.get("alert_by_default", True)),
            unified_diff=data.get("unified_diff", ""),
            title=data.get("title"),
            repealed=bool(data.get("repealed", False)),
            extra=dict(data.get("extra") or {}),
        )

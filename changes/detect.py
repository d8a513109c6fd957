"""Decide whether a new version of a notice is a change worth telling anyone about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from changes.diff import body_edits, unified_diff
from changes.model import FIELD_LABELS, KIND_LABELS, REPEALED_LABEL, Change, ChangeKind, EditOp, LocatedEdit
from changes.normalize import (
    METADATA_FIELDS,
    attachment_keys,
    comparison_key,
    fold_value,
    is_repealed,
    normalize_body,
)
from notices.model import Notice

_MAX_SUMMARY_EDITS = 2


def _display(value: object) -> str:
    if value is None or value == "":
        return "（空）"
    return str(value)


def _title(notice: Notice) -> str:
    return notice.title or notice.url


def unchanged(kind: ChangeKind = ChangeKind.NONE, title: str | None = None, why: str = "无变化") -> Change:
    return Change(kind=kind, changed=False, summary=why, alert_by_default=False, title=title)


def _new_change(current: Notice) -> Change:
    repealed = is_repealed(current.validity)
    summary = f"{KIND_LABELS[ChangeKind.NEW]}：{_title(current)}"
    if current.doc_number:
        summary += f"（{current.doc_number}）"
    return Change(
        kind=ChangeKind.NEW,
        changed=True,
        priority="high" if repealed else "normal",
        summary=summary,
        fields_changed=(),
        title=current.title,
        repealed=False,
    )


def _metadata_edits(previous: Notice, current: Notice) -> list[LocatedEdit]:
    edits = []
    for name in METADATA_FIELDS:
        old, new = getattr(previous, name), getattr(current, name)
        if fold_value(old) != fold_value(new):
            edits.append(
                LocatedEdit(
                    path=None,
                    op=EditOp.REPLACE,
                    old=None if old is None else str(old),
                    new=None if new is None else str(new),
                    field=name,
                )
            )
    return edits


def _attachment_edits(previous: Notice, current: Notice) -> tuple[list[LocatedEdit], list[LocatedEdit]]:
    """(files added, removed or changed; files only renamed). Attachments are told apart by
    name, but one whose name changed at an unchanged URL is the same file renamed: its link text
    often repeats the notice's title and changes with it, which adds or removes nothing."""
    old, new = attachment_keys(previous), attachment_keys(current)
    names_old = {k: a.name for k, a in zip(old, previous.attachments, strict=False)}
    names_new = {k: a.name for k, a in zip(new, current.attachments, strict=False)}
    urls_old = {k: a.url for k, a in zip(old, previous.attachments, strict=False)}
    url_new = {a.url: k for k, a in zip(new, current.attachments, strict=False)}
    edits: list[LocatedEdit] = []
    renames: list[LocatedEdit] = []
    inserted, deleted = new.keys() - old.keys(), old.keys() - new.keys()
    for key in sorted(deleted):
        renamed = url_new.get(urls_old.get(key, ""))
        if renamed not in inserted or renamed is None:
            continue
        inserted.discard(renamed)
        deleted.discard(key)
        edit = LocatedEdit(
            path=None,
            op=EditOp.REPLACE,
            old=names_old.get(key, key),
            new=names_new.get(renamed, renamed),
            field="attachments",
        )
        if old[key] and new[renamed] and old[key] != new[renamed]:  # another file under the link
            edits.append(
                LocatedEdit(path=None, op=EditOp.REPLACE, old=edit.new, new=edit.new, field="attachments")
            )
        else:
            renames.append(edit)
    for key in inserted:
        edits.append(
            LocatedEdit(
                path=None, op=EditOp.INSERT, old=None, new=names_new.get(key, key), field="attachments"
            )
        )
    for key in deleted:
        edits.append(
            LocatedEdit(
                path=None, op=EditOp.DELETE, old=names_old.get(key, key), new=None, field="attachments"
            )
        )
    for key in old.keys() & new.keys():
        if old[key] != new[key]:
            name = names_new.get(key, key)
            edits.append(LocatedEdit(path=None, op=EditOp.REPLACE, old=name, new=name, field="attachments"))
    return edits, renames


def _attachment_summary(edits: Sequence[LocatedEdit]) -> str:
    parts = []
    for edit in edits:
        if edit.op is EditOp.REPLACE and edit.old != edit.new:
            parts.append(f"更名{edit.old} → {edit.new}")
            continue
        verb = {EditOp.INSERT: "新增", EditOp.DELETE: "删除", EditOp.REPLACE: "更新"}[edit.op]
        parts.append(f"{verb}{edit.new or edit.old}")
    return "、".join(parts)


def detect(previous: Notice | None, current: Notice, *, recent: Sequence[Notice] = ()) -> Change:
    """Compare ``current`` with the stored ``previous`` version (None: first sighting).

    Comparison runs on the normalized record (see :mod:`changes.normalize`). ``recent`` are the
    notice's recent stored versions, newest first: content equal to any of them is flapping
    (A → B → A) and yields ``kind=none`` so it is reported at most once.
    """
    if previous is None:
        return _new_change(current)
    folded: dict[str, str] = {}  # versions share most paragraphs: each distinct one is folded once
    new_body = normalize_body(current.paragraphs, folded)
    old_body = normalize_body(previous.paragraphs, folded)
    key = comparison_key(current, new_body)
    if key == comparison_key(previous, old_body):
        return unchanged(title=current.title)
    if any(key == comparison_key(old, normalize_body(old.paragraphs, folded)) for old in recent):
        return unchanged(title=current.title, why="内容与近期版本相同（反复变动），不再提醒")

    meta = _metadata_edits(previous, current)
    attachments, renames = _attachment_edits(previous, current)
    body_changed = old_body.keys != new_body.keys
    reordered = body_changed and Counter(old_body.keys) == Counter(new_body.keys)
    body = () if not body_changed or reordered else body_edits(previous, current, old_body, new_body)

    fields = [e.field for e in meta if e.field]
    if body:
        fields.append("body")
    if attachments or renames:
        fields.append("attachments")
    if reordered:
        fields.append("order")
    repealed = is_repealed(current.validity) and not is_repealed(previous.validity)

    if repealed:
        kind = ChangeKind.METADATA
    elif body:
        kind = ChangeKind.EDITED
    elif attachments:
        kind = ChangeKind.ATTACHMENT
    elif meta:
        kind = ChangeKind.METADATA
    elif renames:
        kind = ChangeKind.ATTACHMENT
    elif reordered:
        kind = ChangeKind.REORDERED
    else:  # only differences the record does not keep apart (cannot happen when keys differ)
        return unchanged(title=current.title)

    edits = tuple(meta) + tuple(body) + tuple(attachments) + tuple(renames)
    label = REPEALED_LABEL if repealed else KIND_LABELS[kind]
    summary = f"{label}：{_title(current)}"
    if repealed:
        summary += f"（效力：{_display(previous.validity)} → {_display(current.validity)}）"
    elif kind is ChangeKind.EDITED:
        shown = "；".join(f"{e.location}: {e.excerpt()}" for e in body[:_MAX_SUMMARY_EDITS])
        more = f"（共{len(body)}处）" if len(body) > _MAX_SUMMARY_EDITS else ""
        summary += f" —— {shown}{more}"
    elif kind is ChangeKind.ATTACHMENT:
        summary += f" —— {_attachment_summary(attachments + renames)}"
    elif kind is ChangeKind.METADATA:
        summary += " —— " + "；".join(
            f"{FIELD_LABELS[e.field or '']} {_display(e.old)} → {_display(e.new)}" for e in meta
        )
    summary = " ".join(summary.split())  # one line, whatever the scraped text holds

    return Change(
        kind=kind,
        changed=True,
        priority="high" if repealed else "normal",
        summary=summary,
        fields_changed=tuple(fields),
        edits=edits,
        alert_by_default=kind is not ChangeKind.REORDERED,
        unified_diff=unified_diff(old_body.texts, new_body.texts, old_name="previous", new_name="current"),
        title=current.title,
        repealed=repealed,
    )

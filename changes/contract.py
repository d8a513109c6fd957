"""The stable ``policywatch diff OLD NEW --json`` shape."""

from __future__ import annotations

from typing import Any

from changes.detect import detect
from changes.model import Change
from notices.model import Notice, PageKind


def contract_json(change: Change) -> dict[str, Any]:
    """``{changed, kind, priority, summary, fields_changed, diff: {edits, unified}}`` for one change.

    ``diff.edits`` lists located edits (path, op, old, new, paragraph_index, field, excerpt);
    ``diff.unified`` is a unified diff of the normalized paragraphs.
    """
    return {
        "changed": change.changed,
        "kind": change.kind.value,
        "priority": change.priority,
        "summary": change.summary,
        "fields_changed": list(change.fields_changed),
        "diff": {
            "edits": [
                {
                    "path": e.path,
                    "op": e.op.value,
                    "old": e.old,
                    "new": e.new,
                    "paragraph_index": e.paragraph_index,
                    "field": e.field,
                    "excerpt": e.excerpt(),
                }
                for e in change.edits
            ],
            "unified": change.unified_diff,
        },
    }


def page_kind_json(old: PageKind, new: PageKind) -> dict[str, Any]:
    """The ``diff --json`` answer when either side is not a notice: nothing to compare line by line,
    but the kind of page is news of its own (a notice that became an error page or a challenge)."""
    same = old is new
    return {
        "changed": not same,
        "kind": "none" if same else "page_kind_changed",
        "priority": "normal",
        "summary": f"两页都不是公文页（{old.value}）" if same else f"页面类型变化：{old.value} → {new.value}",
        "fields_changed": [] if same else ["page_kind"],
        "diff": {"edits": [], "unified": ""},
        "old_page_kind": old.value,
        "new_page_kind": new.value,
    }


def diff_json(old: Notice, new: Notice) -> dict[str, Any]:
    """The whole ``policywatch diff OLD NEW --json`` answer for two extracted pages: the located
    change when both are notices, else what :func:`page_kind_json` says about their kinds."""
    if old.page_kind is not PageKind.NOTICE or new.page_kind is not PageKind.NOTICE:
        return page_kind_json(old.page_kind, new.page_kind)
    return contract_json(detect(old, new))

"""The stable ``policywatch diff OLD NEW --json`` shape."""

from __future__ import annotations

from typing import Any

from changes.model import Change


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

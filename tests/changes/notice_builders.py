"""Build Notice records from partial dicts (test data), with the outline parsed from the paragraphs."""

from __future__ import annotations

from typing import Any

from notices.model import Notice
from notices.outline import parse_outline


def build_notice(base: dict[str, Any], overrides: dict[str, Any] | None) -> Notice:
    data = {**base, **(overrides or {})}
    paragraphs = list(data.get("paragraphs") or [])
    data["outline"] = [_node_dict(n) for n in parse_outline(paragraphs)]
    return Notice.from_dict(data)


def _node_dict(node: Any) -> dict[str, Any]:
    return {
        "path": node.path,
        "marker": node.marker,
        "heading": node.heading,
        "paragraph_index": node.paragraph_index,
        "children": [_node_dict(c) for c in node.children],
    }

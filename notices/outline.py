"""The numbered structure of a notice (一、 / （一） / 1. / （1）) as a tree of located headings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from notices.model import Notice, OutlineNode
from notices.text import ascii_digits

_CN_NUM = "一二三四五六七八九十百零〇"
# (rank, pattern); a lower rank is a higher level. The marker is group 1, its number group 2.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^(([{_CN_NUM}]{{1,4}})\s*[、．.])")),
    (2, re.compile(rf"^([（(]\s*([{_CN_NUM}]{{1,4}})\s*[）)])")),
    # 1. / 1、 / 1． but not "1.5亿" or "2017年"
    (3, re.compile(r"^((\d{1,3})\s*[.．、](?!\d))")),
    (4, re.compile(r"^([（(]\s*(\d{1,3})\s*[）)])")),
    (5, re.compile(r"^(([①-⑳]))")),
)
_HEADING_END = re.compile(r"[。；;：:！!]")
_MAX_HEADING = 60


def match_marker(paragraph: str) -> tuple[int, str, str] | None:
    """(rank, normalized marker, rest of the line) when the paragraph starts with an outline marker."""
    text = ascii_digits(paragraph.lstrip())
    for rank, pattern in _MARKERS:
        match = pattern.match(text)
        if not match:
            continue
        rest = text[match.end() :].strip()
        if not rest and rank != 5:
            # a bare "1." line is a list artefact, not a heading
            return None
        number = match.group(2)
        marker = {1: f"{number}、", 2: f"（{number}）", 3: f"{number}.", 4: f"（{number}）", 5: number}[rank]
        return rank, marker, rest
    return None


def heading_of(rest: str) -> str:
    """The heading part of "指导思想。全面贯彻…" -> "指导思想" (first sentence, capped)."""
    match = _HEADING_END.search(rest)
    head = rest[: match.start()] if match else rest
    head = head.strip()
    return head if len(head) <= _MAX_HEADING else head[:_MAX_HEADING] + "…"


class _Builder:
    def __init__(self, node: OutlineNode, rank: int) -> None:
        self.node = node
        self.rank = rank
        self.children: list[_Builder] = []

    def freeze(self) -> OutlineNode:
        return OutlineNode(
            path=self.node.path,
            marker=self.node.marker,
            heading=self.node.heading,
            paragraph_index=self.node.paragraph_index,
            children=tuple(c.freeze() for c in self.children),
        )


def parse_outline(paragraphs: Iterable[str]) -> tuple[OutlineNode, ...]:
    """Build the outline tree of a notice body.

    Each paragraph that starts with a marker opens a node; it nests under the nearest open node of a
    higher level, so numbering that is out of order or skips a level still yields a sensible tree.
    Paths are the markers from the root, e.g. ``四、（二）5.``; a repeated path gets a ``[2]`` suffix so
    every path stays unique.
    """
    roots: list[_Builder] = []
    stack: list[_Builder] = []
    seen: dict[str, int] = {}
    for index, paragraph in enumerate(paragraphs):
        found = match_marker(paragraph)
        if not found:
            continue
        rank, marker, rest = found
        # (1) under a level that is itself (一)-style would be ambiguous; ranks 2 and 4 share a bracket
        # shape but differ in numerals, so rank alone decides.
        while stack and stack[-1].rank >= rank:
            stack.pop()
        parent_path = stack[-1].node.path if stack else ""
        path = parent_path + marker
        seen[path] = seen.get(path, 0) + 1
        if seen[path] > 1:
            path = f"{path}[{seen[path]}]"
        builder = _Builder(
            OutlineNode(path=path, marker=marker, heading=heading_of(rest), paragraph_index=index), rank
        )
        (stack[-1].children if stack else roots).append(builder)
        stack.append(builder)
    return tuple(b.freeze() for b in roots)


def iter_nodes(nodes: Sequence[OutlineNode]) -> Iterable[OutlineNode]:
    """All nodes in document order (pre-order)."""
    for node in nodes:
        yield node
        yield from iter_nodes(node.children)


def node_for(outline: Sequence[OutlineNode], paragraph_index: int) -> OutlineNode | None:
    """The deepest node whose span contains the paragraph (a node spans until the next node starts)."""
    found: OutlineNode | None = None
    for node in iter_nodes(outline):
        if node.paragraph_index <= paragraph_index:
            found = node
        else:
            break
    return found


def outline_path_for(notice: Notice, paragraph_index: int) -> str | None:
    """The outline path (e.g. ``四、（二）5.``) of the paragraph, or None before the first heading."""
    node = node_for(notice.outline, paragraph_index)
    return node.path if node else None

"""Who must do each task: （市农委、市商务委…按职责分工负责）, （…牵头，…配合）, 责任单位：…"""

from __future__ import annotations

import re
from collections.abc import Sequence

from notices.model import OutlineNode, Responsibility
from notices.outline import node_for

# A parenthetical that ends in a duty verb. 〈〉 may nest inside (省委宣传部〈省网信办〉).
_PAREN_RE = re.compile(r"[（(]([^（()）]{2,600}?(?:负责|牵头|配合|参与|落实))[）)]")
_LABELLED_RE = re.compile(r"^(责任单位|牵头单位|配合单位|责任部门|牵头部门|配合部门)[:：]\s*(.+)$")
_SPLIT_RE = re.compile(r"[、，,；;]")
_DUTY_TAIL_RE = re.compile(
    r"(?:等)?(?:按职责分工|按照职责分工|分别|共同|按职责)?(?:负责|牵头|配合|参与|落实)$"
)
_SENTENCE_END = re.compile(r"[。；;！]")


def _departments(text: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT_RE.split(text):
        name = _DUTY_TAIL_RE.sub("", part.strip()).strip()
        name = re.sub(r"等$", "", name).strip()
        if name and name not in out and len(name) <= 40:
            out.append(name)
    return out


def parse_duty(inner: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split the inside of a duty parenthetical into (lead, support) departments."""
    inner = inner.strip()
    lead_part, support_part = inner, ""
    match = re.search(r"牵头[，,、；;]?", inner)
    if match and match.end() < len(inner):
        lead_part, support_part = inner[: match.start()], inner[match.end() :]
    elif match:
        lead_part = inner[: match.start()]
    lead = _departments(lead_part)
    support = _departments(support_part)
    return tuple(lead), tuple(d for d in support if d not in lead)


def find_responsibilities(
    paragraphs: Sequence[str], outline: Sequence[OutlineNode]
) -> tuple[Responsibility, ...]:
    """One Responsibility per duty clause, tied to the outline node of the task it follows."""
    found: list[Responsibility] = []
    for index, paragraph in enumerate(paragraphs):
        node = node_for(outline, index)
        labelled = _LABELLED_RE.match(paragraph)
        if labelled:
            departments = tuple(_departments(labelled.group(2)))
            lead, support = (
                (departments, ()) if not labelled.group(1).startswith("配合") else ((), departments)
            )
            found.append(_make(node, paragraphs, index, "", lead, support))
            continue
        for match in _PAREN_RE.finditer(paragraph):
            lead, support = parse_duty(match.group(1))
            if not lead and not support:
                continue
            at_end = not paragraph[match.end() :].strip(" 。.；;")
            before = "" if at_end else paragraph[: match.start()]
            found.append(_make(node, paragraphs, index, before, lead, support))
    return tuple(found)


def _make(
    node: OutlineNode | None,
    paragraphs: Sequence[str],
    index: int,
    before: str,
    lead: tuple[str, ...],
    support: tuple[str, ...],
) -> Responsibility:
    if before:
        task = _last_sentence(before)
    elif node is not None:
        task = node.heading
    else:
        previous = (
            paragraphs[index]
            if _PAREN_RE.sub("", paragraphs[index]).strip()
            else paragraphs[max(index - 1, 0)]
        )
        task = _last_sentence(_PAREN_RE.sub("", previous))
    return Responsibility(task_path=node.path if node else None, task=task, lead=lead, support=support)


def _last_sentence(text: str) -> str:
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    sentence = parts[-1] if parts else text.strip()
    return sentence if len(sentence) <= 80 else sentence[:80] + "…"

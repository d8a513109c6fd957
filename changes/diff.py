"""Located diffs: align paragraphs, highlight characters inside changed ones, name the outline path."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from diff_match_patch import diff_match_patch

from changes.model import DIFF_DELETE, DIFF_EQUAL, DIFF_INSERT, EditOp, LocatedEdit
from changes.normalize import NormalizedBody, fold, outline_locator
from notices.model import Notice

_DMP_TIMEOUT = 0.5  # seconds; a pathological paragraph degrades to a coarser diff, never hangs


def highlight(old: str, new: str) -> tuple[tuple[int, str], ...]:
    """Character diff of one paragraph, cleaned up to word-like chunks; layout-only differences kept equal."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = _DMP_TIMEOUT
    # Diff tokens, not characters, so "2020" -> "2025" reads as a whole number replaced.
    encoded_old, encoded_new, tokens = _tokens_to_chars(old, new)
    diffs = dmp.diff_main(encoded_old, encoded_new, False)
    dmp.diff_cleanupSemantic(diffs)
    diffs = [(op, "".join(tokens[ord(c)] for c in text)) for op, text in diffs]
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(diffs):
        op, text = diffs[i]
        nxt = diffs[i + 1] if i + 1 < len(diffs) else None
        # A delete+insert pair that folds to the same text is a full-width/space variant: not a change.
        if op == DIFF_DELETE and nxt and nxt[0] == DIFF_INSERT and fold(text) == fold(nxt[1]):
            out.append((DIFF_EQUAL, nxt[1]))
            i += 2
            continue
        if op != DIFF_EQUAL and not fold(text):
            if op == DIFF_INSERT:
                out.append((DIFF_EQUAL, text))
            i += 1
            continue
        out.append((op, text))
        i += 1
    return tuple(_merge(out))


_TOKEN_RE = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ.．%％]+|.", re.S)


def _tokens_to_chars(old: str, new: str) -> tuple[str, str, list[str]]:
    """Encode each token as one private character (diff-match-patch's line-mode trick, for tokens)."""
    tokens: list[str] = [""]
    index: dict[str, int] = {}

    def encode(text: str) -> str:
        out = []
        for token in _TOKEN_RE.findall(text):
            code = index.get(token)
            if code is None:
                code = index[token] = len(tokens)
                tokens.append(token)
            out.append(chr(code))
        return "".join(out)

    return encode(old), encode(new), tokens


def _merge(parts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    merged: list[tuple[int, str]] = []
    for op, text in parts:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def body_edits(
    previous: Notice, current: Notice, old: NormalizedBody, new: NormalizedBody
) -> tuple[LocatedEdit, ...]:
    """Paragraph-level edits from ``old`` to ``new`` (both normalized), each located in the outline."""
    old_path, new_path = outline_locator(previous), outline_locator(current)
    edits: list[LocatedEdit] = []
    for tag, i1, i2, j1, j2 in _changed_blocks(old.keys, new.keys):
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            a, b = i1 + k, j1 + k
            index = new.indices[b]
            edits.append(
                LocatedEdit(
                    path=new_path(index),
                    op=EditOp.REPLACE,
                    old=old.texts[a],
                    new=new.texts[b],
                    paragraph_index=index,
                    highlights=highlight(old.texts[a], new.texts[b]),
                )
            )
        for a in range(i1 + pairs, i2):
            index = old.indices[a]
            edits.append(
                LocatedEdit(
                    path=old_path(index),
                    op=EditOp.DELETE,
                    old=old.texts[a],
                    new=None,
                    paragraph_index=index,
                )
            )
        for b in range(j1 + pairs, j2):
            index = new.indices[b]
            edits.append(
                LocatedEdit(
                    path=new_path(index),
                    op=EditOp.INSERT,
                    old=None,
                    new=new.texts[b],
                    paragraph_index=index,
                )
            )
    return tuple(edits)


def _changed_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """The opcodes of ``SequenceMatcher(a, b)`` that are not ``equal``.

    Versions of a notice share most paragraphs at the start and at the end: those are matched by a
    plain comparison first and only the paragraphs between go through the matcher. The keys of a
    normalized body are unique, so a paragraph of the common head or tail can match nothing else
    and the opcodes are those the matcher finds on the whole lists.
    """
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    matcher = difflib.SequenceMatcher(a=a[head : len(a) - tail], b=b[head : len(b) - tail], autojunk=False)
    return [
        (tag, i1 + head, i2 + head, j1 + head, j2 + head)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def unified_diff(
    old: Sequence[str], new: Sequence[str], *, old_name: str = "old", new_name: str = "new"
) -> str:
    """A classic unified diff of the (normalized) paragraph lists, one paragraph per line."""
    lines = difflib.unified_diff(list(old), list(new), fromfile=old_name, tofile=new_name, lineterm="", n=1)
    return "\n".join(lines)

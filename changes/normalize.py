"""The normalized view of a notice that change detection compares.

Folding is for comparison only: NFKC (full-width → half-width), no whitespace at all, and a block
that appears twice counts once. Displayed text always comes from the original record.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from notices.model import Notice, OutlineNode

_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u2000-\u200b\u2028\u2029\u202f\u205f\ufeff]+")

METADATA_FIELDS = ("title", "doc_number", "issuer", "written_date", "published_date", "validity")
REPEAL_WORDS = ("废止", "失效")


def fold(text: str | None) -> str:
    """Comparison key of a text: NFKC-folded, whitespace removed."""
    if not text:
        return ""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


def fold_value(value: str | date | None) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return fold(value)


def is_repealed(validity: str | None) -> bool:
    folded = fold(validity)
    return any(word in folded for word in REPEAL_WORDS)


@dataclass(frozen=True)
class NormalizedBody:
    """Paragraphs kept for comparison: folded keys, original texts and their original indices."""

    keys: tuple[str, ...]
    texts: tuple[str, ...]
    indices: tuple[int, ...]


def normalize_body(paragraphs: Sequence[str]) -> NormalizedBody:
    """Drop empty paragraphs and repeated blocks (a paragraph whose folded text was already seen)."""
    seen: set[str] = set()
    keys: list[str] = []
    texts: list[str] = []
    indices: list[int] = []
    for index, paragraph in enumerate(paragraphs):
        key = fold(paragraph)
        if not key or key in seen:
            continue
        seen.add(key)
        keys.append(key)
        texts.append(paragraph)
        indices.append(index)
    return NormalizedBody(tuple(keys), tuple(texts), tuple(indices))


def attachment_keys(notice: Notice) -> dict[str, str]:
    """Folded attachment name → content key (sha256, else folded text, else the URL's file name)."""
    keys: dict[str, str] = {}
    for attachment in notice.attachments:
        content = attachment.sha256 or (fold(attachment.text) if attachment.text else "")
        keys[fold(attachment.name) or attachment.url] = content
    return keys


def comparison_key(notice: Notice) -> tuple[object, ...]:
    """Everything a change is computed on; two notices with equal keys are the same version."""
    meta = tuple(fold_value(getattr(notice, name)) for name in METADATA_FIELDS)
    body = normalize_body(notice.paragraphs).keys
    return (meta, body, tuple(sorted(attachment_keys(notice).items())))


def iter_nodes(nodes: Iterable[OutlineNode]) -> Iterable[OutlineNode]:
    for node in nodes:
        yield node
        yield from iter_nodes(node.children)


def outline_path_for(notice: Notice, paragraph_index: int) -> str | None:
    """The outline path of the deepest heading whose span holds the paragraph (None before any)."""
    found: OutlineNode | None = None
    for node in iter_nodes(notice.outline):
        if node.paragraph_index <= paragraph_index:
            found = node
        else:
            break
    return found.path if found else None

"""The normalized view of a notice that change detection compares.

Folding is for comparison only: NFKC (full-width → half-width), no whitespace at all, and a block
that appears twice counts once. Displayed text always comes from the original record.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
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


# NFKC maps each full-width ASCII form (，：（）) and the ideographic space to its ASCII character, and
# nothing else becomes one: replacing them first yields the same NFKC, and most Chinese text then
# passes the (cheap) is-normalized check, where NFKC itself costs most of comparing two versions.
_WIDE_RE = re.compile("[\uff01-\uff5e\u3000]")
_SEPARATOR = "\x00"  # NFKC leaves it alone and it is no whitespace: folding never moves or drops it


def fold_all(texts: Sequence[str]) -> list[str]:
    """:func:`fold` of each text, computed on all of them at once (one scan, not one per text)."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != max(len(texts) - 1, 0):  # a text holds the separator itself
        return [fold(text) for text in texts]
    for wide in set(_WIDE_RE.findall(joined)):
        joined = joined.replace(wide, unicodedata.normalize("NFKC", wide))
    parts = joined.split(_SEPARATOR)
    for index, part in enumerate(parts):
        if not unicodedata.is_normalized("NFKC", part):
            parts[index] = unicodedata.normalize("NFKC", part)
    folded = _SPACE_RE.sub("", _SEPARATOR.join(parts)).split(_SEPARATOR)
    return folded if texts else []


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


def normalize_body(
    paragraphs: Sequence[str], folded: MutableMapping[str, str] | None = None
) -> NormalizedBody:
    """Drop empty paragraphs and repeated blocks (a paragraph whose folded text was already seen).

    ``folded`` memoizes :func:`fold` (text → key) across calls: two versions of one notice share
    almost every paragraph, and NFKC is most of what comparing them costs, so :func:`changes.detect`
    passes one memo for both versions and each distinct paragraph is folded once.
    """
    folded = {} if folded is None else folded
    missing = [paragraph for paragraph in dict.fromkeys(paragraphs) if paragraph not in folded]
    folded.update(zip(missing, fold_all(missing), strict=True))
    seen: set[str] = set()
    keys: list[str] = []
    texts: list[str] = []
    indices: list[int] = []
    for index, paragraph in enumerate(paragraphs):
        key = folded[paragraph]
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


def comparison_key(notice: Notice, body: NormalizedBody | None = None) -> tuple[object, ...]:
    """Everything a change is computed on; two notices with equal keys are the same version.

    ``body`` is ``normalize_body(notice.paragraphs)`` when the caller already has it.
    """
    meta = tuple(fold_value(getattr(notice, name)) for name in METADATA_FIELDS)
    keys = (body if body is not None else normalize_body(notice.paragraphs)).keys
    return (meta, keys, tuple(sorted(attachment_keys(notice).items())))


def iter_nodes(nodes: Iterable[OutlineNode]) -> Iterator[OutlineNode]:
    """Every node of an outline, each before its children (document order)."""
    stack = list(nodes)[::-1]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def outline_path_for(notice: Notice, paragraph_index: int) -> str | None:
    """The outline path of the deepest heading whose span holds the paragraph (None before any)."""
    return outline_locator(notice)(paragraph_index)


def outline_locator(notice: Notice) -> Callable[[int], str | None]:
    """:func:`outline_path_for` for many paragraphs of one notice: the outline is flattened once and
    each lookup is a binary search (a notice's headings start in paragraph order)."""
    nodes = list(iter_nodes(notice.outline))
    starts = [node.paragraph_index for node in nodes]
    ordered = all(a <= b for a, b in zip(starts, starts[1:], strict=False))

    def locate(paragraph_index: int) -> str | None:
        if ordered:
            at = bisect_right(starts, paragraph_index)
        else:  # the first heading past the paragraph ends the span, as a reader scans them
            at = next((i for i, start in enumerate(starts) if start > paragraph_index), len(starts))
        return nodes[at - 1].path if at else None

    return locate

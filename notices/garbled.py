"""Garbled text: a page whose decoding had to replace byte sequences where its words should be.

A transfer that corrupted bytes (or a proxy that mangled them) gives a page of ``�``: stored as a
version it shows ``��`` in an alert's title, and the clean page that comes back next is an
``edited`` change that is no edit. Such a page is rejected like a truncated one (kind ``error``, so
its URL stays unknown and it is fetched again next cycle); only its own literal ``�`` (the site's
own, stable from fetch to fetch) never counts.
"""

from __future__ import annotations

from collections.abc import Sequence

REPLACEMENT = "\ufffd"
# U+FFFD as the bytes themselves hold it, in UTF-8 and in GB18030: the site's own, not our decoding's.
_LITERAL_REPLACEMENTS = (b"\xef\xbf\xbd", b"\x84\x31\xa4\x37")
# The body is garbled from this many replacements on (a few stray ones are a site's own, stable
# typos), when they are also this share of its characters.
GARBLED_MIN_REPLACEMENTS = 10
GARBLED_SHARE = 0.005


def decoding_replacements(body: bytes, text: str) -> int:
    """How many replacement characters decoding ``body`` into ``text`` introduced."""
    literal = sum(body.count(sequence) for sequence in _LITERAL_REPLACEMENTS)
    return max(text.count(REPLACEMENT) - literal, 0)


def garbled_reason(replaced: int, title: str | None, paragraphs: Sequence[str]) -> str | None:
    """Why a notice read from a page whose decoding replaced ``replaced`` byte sequences is too
    garbled to keep, or None: a replacement in its title, or in its body past the threshold."""
    if replaced <= 0:
        return None
    in_title = (title or "").count(REPLACEMENT)
    if in_title:
        return (
            f"garbled text: decoding replaced {replaced} byte sequences, {in_title} of them in the "
            f"title {title!r}; rejected like a truncated page, fetched again next cycle"
        )
    text = "".join(paragraphs)
    in_body = text.count(REPLACEMENT)
    if in_body >= GARBLED_MIN_REPLACEMENTS and in_body >= GARBLED_SHARE * len(text):
        return (
            f"garbled text: decoding replaced {replaced} byte sequences, {in_body} of them in the "
            f"body ({in_body / len(text):.1%} of its characters); rejected like a truncated page, "
            "fetched again next cycle"
        )
    return None

"""Seeded mutations of a saved page, for the fuzz tests: what a broken network, a careless template
or a hostile page does to bytes. Each takes the page's bytes and a seeded ``random.Random``.

``MARKUP_ONLY`` mutations touch links or markup outside the text only: a notice must stay a notice,
with the same title, whatever they do.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from notices.links import MAX_URL_LENGTH

Mutation = Callable[[bytes, random.Random], bytes]

_TAG_RE = re.compile(rb"<[^<>]{1,200}>")
_INLINE_TAG_RE = re.compile(rb"</?(?:span|font|b|strong|em|i|u)\b[^<>]{0,100}>", re.I)
_HREF_RE = re.compile(rb"""href\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_CHARSET_RE = re.compile(rb"charset\s*=\s*[\"']?[\w-]+", re.I)
_BODY_RE = re.compile(rb"<body\b[^>]*>", re.I)
_LINK_CASES = yaml.safe_load((Path(__file__).parent / "malformed_links.yaml").read_text(encoding="utf-8"))
HOSTILE_HREFS = [
    case["href"].replace("LONG", "x" * (MAX_URL_LENGTH + 10)).encode() for case in _LINK_CASES["cases"]
]
NESTING_UNITS = (b"<font>", b"<span style='color:red'>", b"<font><span>", b"<b><i>")


def byte_flips(body: bytes, rnd: random.Random) -> bytes:
    out = bytearray(body)
    for _ in range(rnd.randint(1, 20)):
        out[rnd.randrange(len(out))] ^= rnd.randint(1, 255)
    return bytes(out)


def truncation(body: bytes, rnd: random.Random) -> bytes:
    return body[: rnd.randrange(len(body) // 10, len(body))]


def tag_deletions(body: bytes, rnd: random.Random) -> bytes:
    tags = list(_TAG_RE.finditer(body))
    chosen = sorted(rnd.sample(tags, min(len(tags), rnd.randint(1, 5))), key=lambda m: -m.start())
    for tag in chosen:
        body = body[: tag.start()] + body[tag.end() :]
    return body


def tag_duplications(body: bytes, rnd: random.Random) -> bytes:
    tags = list(_TAG_RE.finditer(body))
    chosen = sorted(rnd.sample(tags, min(len(tags), rnd.randint(1, 5))), key=lambda m: -m.start())
    for tag in chosen:
        body = body[: tag.end()] + tag.group(0) + body[tag.end() :]
    return body


def garbling(body: bytes, rnd: random.Random) -> bytes:
    start = rnd.randrange(len(body))
    length = rnd.randint(1, 400)
    return body[:start] + b"\xff" * length + body[start + length :]


def encoding_swap(body: bytes, rnd: random.Random) -> bytes:
    """The page's charset declaration says another charset (or none is left)."""
    other = rnd.choice([b"charset=gb2312", b"charset=utf-8", b"charset=big5", b"charset=iso-8859-1", b""])
    return _CHARSET_RE.sub(other, body) if _CHARSET_RE.search(body) else b'<meta charset="gbk">' + body


def malformed_hrefs(body: bytes, rnd: random.Random) -> bytes:
    """Links replaced by real-world malformed ones (markup only)."""

    def replace(match: re.Match[bytes]) -> bytes:
        if rnd.random() < 0.5:
            return match.group(0)
        href = rnd.choice(HOSTILE_HREFS).replace(b'"', b"%22").replace(b"\x00", b"")
        return b'href="' + href + b'"'

    return _HREF_RE.sub(replace, body)


def deep_nesting(levels: int) -> Mutation:
    """``levels`` unclosed inline tags inserted between two tags of the body (markup only)."""

    def mutate(body: bytes, rnd: random.Random) -> bytes:
        opened = _BODY_RE.search(body)
        after = opened.end() if opened else 0
        boundaries = [m.end() for m in _TAG_RE.finditer(body, after)] or [after]
        at = rnd.choice(boundaries)
        return body[:at] + rnd.choice(NESTING_UNITS) * levels + body[at:]

    return mutate


def inline_tag_shuffles(body: bytes, rnd: random.Random) -> bytes:
    """Inline formatting tags (span, font, b …) duplicated or left out (markup only)."""
    tags = sorted(
        rnd.sample(list(_INLINE_TAG_RE.finditer(body)), min(len(_INLINE_TAG_RE.findall(body)), 20)),
        key=lambda m: -m.start(),
    )
    for tag in tags:
        keep = rnd.choice([b"", tag.group(0) * 2])
        body = body[: tag.start()] + keep + body[tag.end() :]
    return body


def mutations(nesting_levels: int) -> dict[str, Mutation]:
    return {
        "byte-flips": byte_flips,
        "truncation": truncation,
        "tag-deletions": tag_deletions,
        "tag-duplications": tag_duplications,
        "garbling": garbling,
        "encoding-swap": encoding_swap,
        "malformed-hrefs": malformed_hrefs,
        "deep-nesting": deep_nesting(nesting_levels),
        "inline-tag-shuffles": inline_tag_shuffles,
    }


MARKUP_ONLY = frozenset({"malformed-hrefs", "deep-nesting", "inline-tag-shuffles"})

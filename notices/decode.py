"""Bytes -> text: honour BOMs, distrust declared charsets, repair double-encoded UTF-8."""

from __future__ import annotations

import codecs
import re

from notices.text import cjk_count

_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# A UTF-8 lead byte (Ã-ï) read as Latin-1/cp1252, followed by a continuation byte read the same way.
_MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]"
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn"}


def normalize_charset(name: str | None) -> str | None:
    """Map a declared charset label to a Python codec name (GB2312/GBK -> gb18030), or None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if codec in _GB_FAMILY else codec


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset named by a ``<meta>`` tag in the first 4 KB, if any."""
    match = _META_CHARSET_RE.search(body[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def decode_html(body: bytes, declared: str | None) -> tuple[str, list[str]]:
    """Decode an HTML body to text and say what was suspicious about it.

    ``declared`` is the charset from the HTTP Content-Type header (or None). The body's own bytes win
    over any declaration: a page that claims UTF-8 but is GBK (or the reverse) is decoded by what it
    really is, with a warning. UTF-8 that was once read as Latin-1 and saved again (mojibake) is
    repaired. Never raises.
    """
    warnings: list[str] = []
    if not body:
        return "", warnings
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            text = body[len(bom) :].decode(codec, errors="replace")
            return _repair_mojibake(text, warnings), warnings

    header = normalize_charset(declared)
    meta = normalize_charset(sniff_meta_charset(body))
    claimed = header or meta
    if header and meta and header != meta:
        warnings.append(
            f"charset conflict: HTTP header says {declared}, <meta> says {sniff_meta_charset(body)}"
        )

    text, used = _best_decoding(body, [c for c in (header, meta) if c] + ["utf-8", "gb18030"])
    if claimed and used != claimed and not _same_family(used, claimed, body):
        warnings.append(f"declared charset {claimed} does not match the bytes; decoded as {used}")
    if text.count("\ufffd") > 10:
        warnings.append(f"{text.count(chr(0xFFFD))} undecodable byte sequences replaced")
    return _repair_mojibake(text, warnings).replace("\x00", ""), warnings


def _same_family(used: str, claimed: str, body: bytes) -> bool:
    # Pure-ASCII bodies decode identically under every ASCII-compatible charset.
    if body.isascii():
        return True
    return {used, claimed} <= {"utf-8", "ascii"}


def _best_decoding(body: bytes, codecs_to_try: list[str]) -> tuple[str, str]:
    # Valid UTF-8 with non-ASCII bytes is near-proof of UTF-8, whatever was declared; GB18030 on the
    # other hand decodes most byte soup, so it only wins when UTF-8 fails. An incremental decoder
    # tolerates a body truncated in the middle of a character.
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=False), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[int, int, str, str] | None = None
    for order, codec in enumerate(dict.fromkeys(c for c in codecs_to_try if c != "utf-8")):
        try:
            text = body.decode(codec, errors="replace")
        except LookupError:
            continue
        bad = text.count("\ufffd")
        if best is None or (bad, order) < (best[0], best[1]):
            best = (bad, order, text, codec)
    utf8 = body.decode("utf-8", errors="replace")
    if best is None or utf8.count("\ufffd") < best[0]:
        best = (utf8.count("\ufffd"), -1, utf8, "utf-8")
    if best[0] > len(body) // 50:
        # Neither candidate fits: let charset-normalizer guess before settling for replacements.
        guess = _charset_normalizer_guess(body)
        if guess is not None and guess[0].count("\ufffd") < best[0]:
            return guess
    return best[2], best[3]


def _charset_normalizer_guess(body: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(body[:200_000]).best()
    except Exception:
        return None
    if match is None:
        return None
    codec = normalize_charset(match.encoding) or match.encoding
    return body.decode(codec, errors="replace"), codec


def _repair_mojibake(text: str, warnings: list[str]) -> str:
    hits = len(_MOJIBAKE_RE.findall(text))
    if hits < 5 or hits < cjk_count(text):
        return text
    repaired = _undo_latin1(text)
    if cjk_count(repaired) > cjk_count(text) and len(_MOJIBAKE_RE.findall(repaired)) < hits:
        warnings.append(f"repaired double-encoded UTF-8 (mojibake: UTF-8 read as Latin-1), {hits} sequences")
        return repaired
    return text


def _undo_latin1(text: str) -> str:
    out = bytearray()
    for ch in text:
        code = ord(ch)
        if code < 256:
            out.append(code)
            continue
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += ch.encode("utf-8")
    return out.decode("utf-8", errors="replace")

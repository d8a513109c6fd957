"""Small text normalizers shared by the extraction modules."""

from __future__ import annotations

import re

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Ideographic space, no-break space, zero-width characters and BOMs all count as layout, not text.
_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u2002-\u200b\u2028\u2029\ufeff]+")
_LABEL_SPACE_RE = re.compile(r"[\s\u3000\u00a0\u200b:：]+")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
# A tag opens with a letter, "/", "!" or "?"; any other "<" is text, as in a title that nests
# a title in raw angle brackets (关于印发<某某措施>的通知), which stripping "<…>" would cut out.
MARKUP_RE = re.compile(r"<[A-Za-z/!?][^>]*>")
_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+")  # Chinese comes in runs: one match per run, not per character


_FULLWIDTH_DIGIT_RE = re.compile("[０-９]")


def ascii_digits(text: str) -> str:
    """Turn full-width digits into ASCII digits."""
    # str.translate looks every character up in the table: only a text that holds one pays for it.
    return text.translate(_FULLWIDTH_DIGITS) if _FULLWIDTH_DIGIT_RE.search(text) else text


def clean_line(text: str) -> str:
    """Collapse every run of whitespace (including full-width spaces) to one space and strip."""
    if "\u200b" in text or "\ufeff" in text:
        return _SPACE_RE.sub(" ", text).strip()
    # The same for the other characters _SPACE_RE matches: str.split() splits at all of them.
    return " ".join(text.split())


def squash(text: str) -> str:
    """Remove all whitespace and colons: ``索 引 号：`` -> ``索引号``."""
    return _LABEL_SPACE_RE.sub("", text)


def cjk_count(text: str) -> int:
    """How many CJK ideographs ``text`` holds."""
    return sum(map(len, _CJK_RUN_RE.findall(text)))

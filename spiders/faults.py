"""Recognise responses that are not the page we asked for: anti-bot challenges and error pages.

Pure functions on (status, body): the downloader middleware and ``spiders.check`` share them.
The challenge markers are :mod:`notices.challenges`, the ones page classification uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from w3lib.encoding import html_to_unicode

from notices.challenges import (
    CHALLENGE_SCRIPT,
    CHALLENGE_TEXT,
    RUISHU,
    challenge_family,
    set_cookie_names,
)


@dataclass(frozen=True)
class Verdict:
    """Why a response is not a good page. ``kind`` is ``blocked`` (challenge) or ``error``.

    ``family`` (a blocked verdict): the anti-bot product (:data:`notices.challenges.CHALLENGE_FAMILIES`),
    ``challenge`` when none is recognised, ``denied`` for a plain refusal (403/521 and no challenge).
    """

    kind: str
    reason: str
    maintenance: bool = False  # an error page that says the site is down for maintenance
    family: str | None = None


# How long a site rests after each kind of block. The named products all want their JavaScript run
# (or a cookie it computes): they answer the same until someone acts, so the crawler leaves them for
# 6 h. An unnamed challenge or a plain refusal is more often a cloud WAF's or a rate limit's, which
# lift within the hour (a geo fence does not; its failures still reach the ops alert after 3 cycles).
CHALLENGE_BACKOFF = timedelta(hours=6)
BACKOFF_BY_FAMILY: dict[str, timedelta] = {"challenge": timedelta(hours=1), "denied": timedelta(hours=1)}


def backoff_for(verdict: Verdict) -> timedelta:
    """How long the site backs off after ``verdict`` (a blocked one)."""
    return BACKOFF_BY_FAMILY.get(verdict.family or "challenge", CHALLENGE_BACKOFF)


_MAINTENANCE_MARKERS = ("系统维护中", "网站维护中", "系统升级中", "网站升级维护", "暂停服务")
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
# Challenge and maintenance pages are short; a real notice that merely mentions "维护" is not.
SHORT_PAGE_CHARS = 600
TINY_PAGE_CHARS = 200
_HEADINGS = re.compile(r"<(title|h[1-3])\b[^>]*>(.*?)</\1>", re.S | re.I)


def visible_text(body: bytes) -> str:
    text = html_to_unicode(None, body[:400_000])[1]
    return re.sub(r"\s+", " ", _TAGS.sub(" ", text)).strip()


def classify(status: int, body: bytes, set_cookies: Iterable[str] = ()) -> Verdict | None:
    """A :class:`Verdict` when the response is a challenge or an error page; None when it looks fine.

    ``set_cookies``: the response's ``Set-Cookie`` values, which name some anti-bot products.
    """
    head = body[:200_000].decode("utf-8", errors="replace")
    if status == 412 or RUISHU.search(head):
        return _challenge(status, head, set_cookies)
    text = visible_text(body)
    short = len(text) < SHORT_PAGE_CHARS
    if short or status in (403, 521):
        if CHALLENGE_TEXT.search(head) or CHALLENGE_SCRIPT.search(head):
            return _challenge(status, head, set_cookies)
        if status in (403, 521):
            return Verdict("blocked", f"access denied (HTTP {status})", family="denied")
    if short and _is_maintenance(head, text):
        marker = _first_marker(text, _MAINTENANCE_MARKERS)
        return Verdict("error", f"a maintenance page (HTTP {status}: {marker})", maintenance=True)
    if status >= 400:
        return Verdict("error", f"an error page (HTTP {status})")
    return None


def _challenge(status: int, head: str, set_cookies: Iterable[str]) -> Verdict:
    family = challenge_family(status, head, set_cookie_names(set_cookies))
    if family is None:
        return Verdict("blocked", f"an anti-bot challenge (HTTP {status})", family="challenge")
    return Verdict("blocked", f"an anti-bot challenge (HTTP {status}, {family.label})", family=family.name)


def _is_maintenance(html: str, text: str) -> bool:
    """A maintenance marker in the title or a heading, or anywhere on a nearly empty page.

    A short notice *about* planned maintenance mentions 系统维护中 in its body, not its headline.
    """
    headings = " ".join(m.group(2) for m in _HEADINGS.finditer(html))
    return _has_marker(headings, _MAINTENANCE_MARKERS) or (
        len(text) < TINY_PAGE_CHARS and _has_marker(text, _MAINTENANCE_MARKERS)
    )


def _has_marker(text: str, markers: tuple[str, ...]) -> bool:
    return any(m in text for m in markers)


def _first_marker(text: str, markers: tuple[str, ...]) -> str:
    return next((m for m in markers if m in text), "")

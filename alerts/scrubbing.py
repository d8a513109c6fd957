"""Keeping a URL's secrets out of text and logs: its secret pieces, and a log scrubber.

:func:`secret_parts` lists what must never be shown of a literal Apprise URL (user, password, token
hosts as written, secret path segments and query values, percent-decoded too, and the partial forms
Apprise's privacy mode prints: ``S...D``, the first and last letter; ``...abcd``, the last four).
While inside :func:`scrubbed_logs`, every log record of any logger has those pieces masked.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, unquote, urlsplit

MASK = "****"
# Query keys whose values are settings, not credentials.
SAFE_QUERY_KEYS = frozenset(
    {
        "format",
        "overflow",
        "mode",
        "smtp",
        "from",
        "to",
        "name",
        "cc",
        "bcc",
        "method",
        "verify",
        "lang",
        "cto",
        "rto",
        "retry",
        "wait",
        "optional",
        "emojis",
        "tz",
        "store",
        "image",
        "port",
        "reply",
    }
)
# Services whose "host" part is itself a token (tgram://BOTTOKEN/chat, discord://ID/TOKEN, …).
TOKEN_HOST_SCHEMES = frozenset(
    {
        "tgram",
        "discord",
        "slack",
        "dingtalk",
        "wecombot",
        "feishu",
        "lark",
        "pover",
        "pbul",
        "msteams",
        "gchat",
        "line",
        "pushplus",
        "serverchan",
        "bark",
        "barks",
        "ifttt",
        "join",
        "kumulos",
        "opsgenie",
    }
)


def secret_parts(url: str) -> set[str]:
    """Every piece of a literal URL that must never be shown (for scrubbing free text): as written,
    percent-decoded, and in the partial forms Apprise prints in privacy mode."""
    return set(_secret_parts(url))


@functools.lru_cache(maxsize=4096)  # pure; the outbox asks again for every message to the same URL
def _secret_parts(url: str) -> frozenset[str]:
    pieces: set[str] = {url}
    try:
        parts = urlsplit(url)
    except ValueError:
        return frozenset(_with_partial_forms(pieces))
    # From the raw netloc, not .username/.hostname: those lower-case the host, and a token host
    # (dingtalk://TOKEN, tgram://BOT:TOKEN) must be scrubbed as it is written.
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    pieces.update(value for value in (user, password) if value)
    if parts.scheme.lower() in TOKEN_HOST_SCHEMES and hostport:
        pieces.add(hostport)
        pieces.update(piece for piece in hostport.split(":") if len(piece) >= 4)
    pieces.update(seg for seg in parts.path.split("/") if len(seg) >= 6)
    pieces.update(v for k, v in parse_qsl(parts.query) if k.lower() not in SAFE_QUERY_KEYS and len(v) >= 4)
    return frozenset(_with_partial_forms(pieces))


def _with_partial_forms(pieces: Iterable[str]) -> set[str]:
    """Each piece, percent-decoded too, plus Apprise's privacy-mode forms of it: ``S...D`` (its
    outer letters, PrivacyMode.Outer) and ``...abcd`` (its tail, PrivacyMode.Tail)."""
    out: set[str] = set()
    for piece in pieces:
        for value in {piece, unquote(piece)}:
            if not value:
                continue
            out.add(value)
            if len(value) >= 2:
                out.add(f"{value[0]}...{value[-1]}")
            if len(value) >= 4:
                out.add(f"...{value[-4:]}")
    return out


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ****, longest first."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class _Scrubber:
    """Rewrites every log record created while secrets are registered (any logger: Apprise, urllib3…).

    Several threads may be inside :func:`scrubbed_logs` at once (the outbox sends concurrently): each
    record is scrubbed of the pieces of every URL in use at that moment, and a URL's pieces are
    dropped once the last user of that URL has left (``counts``), so the set stays as small as the
    URLs in flight."""

    def __init__(self) -> None:
        self.secrets: frozenset[str] = frozenset()
        self.counts: Counter[str] = Counter()
        self.users = 0
        self.lock = threading.Lock()
        self.previous: Callable[..., logging.LogRecord] | None = None

    def factory(self, *args: object, **kwargs: object) -> logging.LogRecord:
        assert self.previous is not None
        record = self.previous(*args, **kwargs)
        secrets = self.secrets
        if secrets:
            try:
                message = record.getMessage()
            except Exception:  # a malformed record: leave it to logging's own error handling
                return record
            record.msg, record.args = scrub(message, secrets), None
            if record.exc_info:  # a traceback's text (urllib3 errors quote URLs) is scrubbed too
                record.exc_text = scrub(logging.Formatter().formatException(record.exc_info), secrets)
                record.exc_info = None
            if record.stack_info:
                record.stack_info = scrub(record.stack_info, secrets)
        return record


_scrubber = _Scrubber()


@contextmanager
def scrubbed_logs(urls: Iterable[str]) -> Iterator[None]:
    """While inside, every log record (from any logger) has the pieces of ``urls`` masked."""
    pieces: set[str] = set()
    for url in urls:
        pieces |= _secret_parts(url)
    with _scrubber.lock:
        _scrubber.counts.update(pieces)
        _scrubber.secrets = frozenset(_scrubber.counts)
        _scrubber.users += 1
        if _scrubber.users == 1:
            _scrubber.previous = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_scrubber.factory)
    try:
        yield
    finally:
        with _scrubber.lock:
            _scrubber.counts.subtract(pieces)
            _scrubber.counts = +_scrubber.counts  # drop the pieces no URL in use has any more
            _scrubber.secrets = frozenset(_scrubber.counts)
            _scrubber.users -= 1
            last = _scrubber.users == 0
            if last and logging.getLogRecordFactory() == _scrubber.factory and _scrubber.previous is not None:
                logging.setLogRecordFactory(_scrubber.previous)

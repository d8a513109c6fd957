"""Secrets in Apprise URLs: masking for display and storage, references resolved only at send time.

A subscription URL is either literal (``json://user:token@host/path``) or a reference:
``$ENV_VAR`` / ``${ENV_VAR}`` (read from the environment) or ``prefect-secret:<block-name>``
(a Prefect Secret block). References are safe to store and print; literal URLs go through
:func:`mask_url` before they reach a log line, an artifact, the CLI or the database, and while one is
in use :func:`scrubbed_logs` masks its pieces in every log record, including the partial forms
Apprise's own privacy mode prints (``S...D``: first and last letter; ``...abcd``: the last four).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, quote, unquote, urlsplit

MASK = "****"
_ENV_RE = re.compile(r"^\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))$")
PREFECT_SECRET_PREFIX = "prefect-secret:"
# Query keys whose values are settings, not credentials.
_SAFE_QUERY_KEYS = frozenset(
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
_TOKEN_HOST_SCHEMES = frozenset(
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


class SecretReferenceError(LookupError):
    """A ``$ENV`` or ``prefect-secret:`` reference that cannot be resolved right now."""


def is_reference(value: str) -> bool:
    return bool(_ENV_RE.match(value.strip())) or value.strip().startswith(PREFECT_SECRET_PREFIX)


def _resolve_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SecretReferenceError(
            f"environment variable {name} is not set (referenced by a subscription URL)"
        )
    return value


def _resolve_prefect_secret(block: str) -> str:
    try:
        from prefect.blocks.system import Secret  # lazy: alerts/ must work without a Prefect server
    except ImportError as exc:  # pragma: no cover - Prefect is a dependency
        raise SecretReferenceError(f"prefect-secret:{block}: Prefect is not installed") from exc
    try:
        value = Secret.load(block).get()  # type: ignore[union-attr]  # sync call of a sync_compatible API
    except Exception as exc:
        raise SecretReferenceError(
            f"prefect-secret:{block}: cannot load the Secret block ({type(exc).__name__})"
        ) from exc
    return str(value)


def resolve_url(value: str, *, prefect_loader: Callable[[str], str] | None = None) -> str:
    """The literal Apprise URL behind ``value`` (itself when it is not a reference)."""
    text = value.strip()
    match = _ENV_RE.match(text)
    if match:
        return _resolve_env(match.group("braced") or match.group("bare"))
    if text.startswith(PREFECT_SECRET_PREFIX):
        return (prefect_loader or _resolve_prefect_secret)(text[len(PREFECT_SECRET_PREFIX) :])
    return text


def _private_host(scheme: str, url: str) -> bool:
    if scheme in _TOKEN_HOST_SCHEMES:
        return True
    from alerts.notify import load_apprise_url  # the one place that calls Apprise (it imports us)

    try:
        server = load_apprise_url(url)
    except Exception:
        return True
    if server is None:  # a scheme Apprise does not know: we cannot tell whether the host is a token
        return True
    try:
        shown = urlsplit(server.url(privacy=True)).hostname or ""
        return shown.lower() != (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False


def mask_url(url: str) -> str:
    """``scheme://host:port`` kept; user, password, path segments and secret query values masked.

    References (``$VAR``, ``prefect-secret:name``) are returned as they are: they hold no secret.
    """
    text = url.strip()
    if is_reference(text):
        return text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return f"{text.split(':', 1)[0]}://{MASK}" if "://" in text else MASK
    scheme = parts.scheme.lower()
    if host and _private_host(scheme, text):
        host = MASK
    auth = ""
    if parts.username is not None or parts.password is not None:
        auth = MASK + (f":{MASK}" if parts.password is not None else "") + "@"
    netloc = auth + host + (f":{port}" if port else "")
    path = "/".join(MASK if seg else "" for seg in parts.path.split("/")) if parts.path.strip("/") else ""
    query = [
        f"{quote(k)}={quote(v, safe='@.,-_') if k.lower() in _SAFE_QUERY_KEYS else MASK}"
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return f"{scheme}://{netloc}{path}" + (f"?{'&'.join(query)}" if query else "")


def secret_parts(url: str) -> set[str]:
    """Every piece of a literal URL that must never be shown (for scrubbing free text): as written,
    percent-decoded, and in the partial forms Apprise prints in privacy mode."""
    pieces: set[str] = {url}
    try:
        parts = urlsplit(url)
    except ValueError:
        return _with_partial_forms(pieces)
    # From the raw netloc, not .username/.hostname: those lower-case the host, and a token host
    # (dingtalk://TOKEN, tgram://BOT:TOKEN) must be scrubbed as it is written.
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    pieces.update(value for value in (user, password) if value)
    if parts.scheme.lower() in _TOKEN_HOST_SCHEMES and hostport:
        pieces.add(hostport)
        pieces.update(piece for piece in hostport.split(":") if len(piece) >= 4)
    pieces.update(seg for seg in parts.path.split("/") if len(seg) >= 6)
    pieces.update(v for k, v in parse_qsl(parts.query) if k.lower() not in _SAFE_QUERY_KEYS and len(v) >= 4)
    return _with_partial_forms(pieces)


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
    """Rewrites every log record created while secrets are registered (any logger: Apprise, urllib3…)."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.users = 0
        self.lock = threading.Lock()
        self.previous: Callable[..., logging.LogRecord] | None = None

    def factory(self, *args: object, **kwargs: object) -> logging.LogRecord:
        assert self.previous is not None
        record = self.previous(*args, **kwargs)
        secrets = set(self.secrets)
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
        pieces |= secret_parts(url)
    with _scrubber.lock:
        _scrubber.secrets = _scrubber.secrets | pieces
        _scrubber.users += 1
        if _scrubber.users == 1:
            _scrubber.previous = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_scrubber.factory)
    try:
        yield
    finally:
        with _scrubber.lock:
            _scrubber.users -= 1
            if _scrubber.users == 0:
                _scrubber.secrets = set()
                if logging.getLogRecordFactory() == _scrubber.factory and _scrubber.previous is not None:
                    logging.setLogRecordFactory(_scrubber.previous)

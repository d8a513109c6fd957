"""Secrets in Apprise URLs: masking for display and storage, references resolved only at send time.

A subscription URL is either literal (``json://user:token@host/path``) or a reference:
``$ENV_VAR`` / ``${ENV_VAR}`` (read from the environment) or ``prefect-secret:<block-name>``
(a Prefect Secret block). References are safe to store and print; literal URLs go through
:func:`mask_url` before they reach a log line, an artifact, the CLI or the database, and while one is
in use :func:`alerts.scrubbing.scrubbed_logs` masks its pieces in every log record, including the partial forms
Apprise's own privacy mode prints (``S...D``: first and last letter; ``...abcd``: the last four).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlsplit

from alerts.notify import load_apprise_url
from alerts.scrubbing import (
    MASK,
    SAFE_QUERY_KEYS,
    TOKEN_HOST_SCHEMES,
    scrub,
    scrubbed_logs,
    secret_parts,
)

__all__ = [
    "MASK",
    "PREFECT_SECRET_PREFIX",
    "SecretReferenceError",
    "is_reference",
    "mask_url",
    "resolve_url",
    "scrub",
    "scrubbed_logs",
    "secret_parts",
]

_ENV_RE = re.compile(r"^\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))$")
# ``${NAME}`` inside a URL stands for part of it (a password, a token); only the braced form, so a
# literal ``$`` in a password is never taken for a reference.
_EMBEDDED_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
PREFECT_SECRET_PREFIX = "prefect-secret:"


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
    """The literal Apprise URL behind ``value``: a whole reference resolved, and every ``${NAME}``
    inside a URL replaced by that environment variable's value, inserted as it is (so it must be
    URL-encoded where the URL needs it). An unset variable raises :class:`SecretReferenceError`."""
    text = value.strip()
    match = _ENV_RE.match(text)
    if match:
        return _resolve_env(match.group("braced") or match.group("bare"))
    if text.startswith(PREFECT_SECRET_PREFIX):
        return (prefect_loader or _resolve_prefect_secret)(text[len(PREFECT_SECRET_PREFIX) :])
    return _EMBEDDED_ENV_RE.sub(lambda found: _resolve_env(found.group(1)), text)


def _private_host(scheme: str, url: str) -> bool:
    if scheme in TOKEN_HOST_SCHEMES:
        return True
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


@functools.lru_cache(maxsize=4096)  # pure, and loads the URL in Apprise: each outbox pass asks again
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
        f"{quote(k)}={quote(v, safe='@.,-_') if k.lower() in SAFE_QUERY_KEYS else MASK}"
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return f"{scheme}://{netloc}{path}" + (f"?{'&'.join(query)}" if query else "")

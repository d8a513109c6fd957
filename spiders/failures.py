"""Download failures in words a site owner can act on."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

_KINDS: tuple[tuple[tuple[type[BaseException], ...], str, str], ...] = (
    ((DownloadTimeoutError, twisted_error.TimeoutError), "timeout", "timed out"),
    (
        (ResponseDataLossError,),
        "dataloss",
        "the body was truncated (connection closed before Content-Length); not stored",
    ),
    ((DownloadConnectionRefusedError, twisted_error.ConnectionRefusedError), "refused", "connection refused"),
    ((CannotResolveHostError, twisted_error.DNSLookupError), "dns", "host name does not resolve"),
    (
        (DownloadCancelledError,),
        "too_large",
        "the download was cancelled (larger than DOWNLOAD_MAXSIZE?); not stored",
    ),
    (
        (
            twisted_error.ConnectionLost,
            twisted_error.ConnectionDone,
            DownloadFailedError,
            twisted_error.ConnectError,
        ),
        "connection",
        "the connection was reset",
    ),
)


def describe_failure(failure: Failure, timeout: float | None = None) -> tuple[str, str]:
    """``(kind, message)`` for a failed download: kind is a short stats key (``timeout``, ``dataloss``…)."""
    retries = getattr(failure, "request", None)
    retry_times = retries.meta.get("retry_times", 0) if retries is not None else 0
    after = f"; gave up after {retry_times} retries" if retry_times else ""
    for types, kind, message in _KINDS:
        if failure.check(*types):
            if kind == "timeout" and timeout:
                message = f"timed out after {timeout:g} s"
            elif kind == "too_large" and str(failure.value):
                message = f"{failure.value} Not stored"
            return kind, f"{message}{after}"
    value = failure.value
    return "other", f"{type(value).__name__}: {value}{after}"

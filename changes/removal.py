"""Removal and restoration: a notice is removed only after N consecutive confirmed 404/410 answers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from changes.model import KIND_LABELS, Change, ChangeKind

DEFAULT_CONFIRMATIONS = 3
GONE_STATUSES = frozenset({404, 410})


class NoticeStatus(StrEnum):
    ACTIVE = "active"
    MISSING = "missing"  # answered 404/410 fewer than N times in a row
    REMOVED = "removed"


@dataclass(frozen=True)
class RemovalDecision:
    """The notice's next state after one check, and the change to record (if any)."""

    status: NoticeStatus
    consecutive_missing: int
    change: ChangeKind | None = None  # REMOVED or RESTORED when the state flips


def is_gone(http_status: int | None) -> bool:
    """A definite "not here any more". Timeouts, 5xx and anti-bot pages are not evidence of removal."""
    return http_status in GONE_STATUSES


def after_check(
    status: str | NoticeStatus,
    consecutive_missing: int,
    *,
    http_status: int | None,
    got_notice: bool,
    confirmations: int = DEFAULT_CONFIRMATIONS,
) -> RemovalDecision:
    """Fold one check result into the notice's removal state.

    ``got_notice`` is True when the page was extracted as a notice. Anything that is neither a
    notice nor a definite 404/410 (network error, 5xx, challenge) leaves the state untouched.
    """
    status = NoticeStatus(status)
    if confirmations < 1:
        raise ValueError("confirmations must be at least 1")
    if got_notice:
        change = ChangeKind.RESTORED if status is NoticeStatus.REMOVED else None
        return RemovalDecision(NoticeStatus.ACTIVE, 0, change)
    if not is_gone(http_status):
        return RemovalDecision(status, consecutive_missing)
    missing = consecutive_missing + 1
    if status is NoticeStatus.REMOVED:
        return RemovalDecision(NoticeStatus.REMOVED, missing)
    if missing >= confirmations:
        return RemovalDecision(NoticeStatus.REMOVED, missing, ChangeKind.REMOVED)
    return RemovalDecision(NoticeStatus.MISSING, missing)


def removal_change(
    kind: ChangeKind, title: str | None, url: str, *, http_status: int | None = None
) -> Change:
    """The Change recorded when a notice is confirmed removed, or answers again after removal."""
    if kind not in (ChangeKind.REMOVED, ChangeKind.RESTORED):
        raise ValueError(f"not a removal kind: {kind}")
    label = KIND_LABELS[kind]
    detail = f"（HTTP {http_status}）" if kind is ChangeKind.REMOVED and http_status else ""
    return Change(
        kind=kind,
        changed=True,
        priority="high" if kind is ChangeKind.REMOVED else "normal",
        summary=f"{label}：{title or url}{detail}",
        fields_changed=("status",),
        title=title,
    )

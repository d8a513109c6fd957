"""Change detection (pure): previous version + new record -> Change; cross-source grouping.

Imports neither Scrapy, Prefect nor SQLAlchemy.
"""

from __future__ import annotations

from changes.contract import contract_json
from changes.detect import detect
from changes.grouping import fingerprint, same_policy
from changes.model import KIND_LABELS, Change, ChangeKind, EditOp, LocatedEdit
from changes.removal import DEFAULT_CONFIRMATIONS, NoticeStatus, RemovalDecision, after_check, removal_change

__all__ = [
    "DEFAULT_CONFIRMATIONS",
    "KIND_LABELS",
    "Change",
    "ChangeKind",
    "EditOp",
    "LocatedEdit",
    "NoticeStatus",
    "RemovalDecision",
    "after_check",
    "contract_json",
    "detect",
    "fingerprint",
    "removal_change",
    "same_policy",
]

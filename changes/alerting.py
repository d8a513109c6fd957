"""Whether a detected change is alerted: the rules for a site's baseline and for reposts (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from changes.model import Change, ChangeKind


class AlertReason(StrEnum):
    """Why a change is (or is not) alerted."""

    NEWS = "news"  # alerted
    KIND_NOT_ALERTED = "kind-not-alerted"  # the kind is recorded only (reordered paragraphs)
    BASELINE = "baseline"  # found by the site's first crawl: its archive, not news
    REPOST = "repost"  # a policy already alerted as new from another source


@dataclass(frozen=True)
class AlertDecision:
    alerted: bool
    reason: AlertReason


def decide_alert(
    change: Change,
    *,
    baseline_done: bool,
    policy_just_created: bool,
    policy_alerted_as_new: Callable[[], bool],
) -> AlertDecision:
    """Decide whether ``change`` is alerted to subscribers, and why.

    ``baseline_done``: the site's first crawl has been ingested, so a notice first seen now is news.
    ``policy_just_created``: the notice founded its policy in this transaction (no change of that
    policy can have been alerted yet). ``policy_alerted_as_new``: whether a ``new`` change of the
    notice's policy was alerted already (published earlier by another source); asked only when the
    answer matters, since it is a database lookup.
    """
    if not change.alert_by_default:
        return AlertDecision(False, AlertReason.KIND_NOT_ALERTED)
    if change.kind is ChangeKind.NEW:
        if not baseline_done:
            return AlertDecision(False, AlertReason.BASELINE)
        # The same policy from a second source is listed in the first alert, not alerted again.
        if not policy_just_created and policy_alerted_as_new():
            return AlertDecision(False, AlertReason.REPOST)
    return AlertDecision(True, AlertReason.NEWS)

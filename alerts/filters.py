"""Does a change concern a subscriber? Every filter that is set must match (any of its values)."""

from __future__ import annotations

from alerts.context import AlertContext
from alerts.subscriptions import SubscriptionConfig
from changes.normalize import fold


def _any_in(needles: list[str], haystack: str) -> bool:
    folded = fold(haystack)
    return any(fold(n) in folded for n in needles)


def matches(subscription: SubscriptionConfig, alert: AlertContext) -> bool:
    """True when ``alert`` passes every filter ``subscription`` sets.

    ``kinds`` may name change kinds (new, edited, …) and ``repealed``. Kinds that are not alerted by
    default (reordered) reach only subscriptions that list them explicitly.
    """
    sub = subscription
    kinds = set(sub.kinds)
    if kinds:
        if alert.kind.value not in kinds and not (alert.repealed and "repealed" in kinds):
            return False
    elif not alert.alert_by_default:
        return False
    if sub.sources and not any(s.slug in sub.sources or s.name in sub.sources for s in alert.sources):
        return False
    if sub.regions and not any(_any_in(sub.regions, region) for region in alert.regions):
        return False
    if sub.keywords and not _any_in(sub.keywords, f"{alert.title}\n{alert.body}"):
        return False
    if sub.doc_number_prefixes:
        doc = fold(alert.doc_number)
        if not doc or not any(doc.startswith(fold(p)) for p in sub.doc_number_prefixes):
            return False
    return not (sub.departments and not any(_any_in(sub.departments, d) for d in alert.departments))

"""Where a sender finds a subscription's URLs: literal ones in the subscriptions file (the database
keeps them masked), references in the file or the database."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alerts.secrets import MASK
from alerts.subscriptions import SubscriptionConfig, SubscriptionError, load_subscriptions

log = logging.getLogger(__name__)


class SubscriptionUrls:
    """Literal URLs come from the subscriptions file; references may also come from the database."""

    def __init__(self, configs: Sequence[SubscriptionConfig] | None) -> None:
        if configs is None:
            try:
                configs = load_subscriptions()
            except SubscriptionError as exc:
                log.info("no subscriptions file for literal URLs (%s); using stored references", exc)
                configs = []
        self.by_name = {c.name: c for c in configs}

    def urls(self, stored: SubscriptionConfig) -> list[str]:
        config = self.by_name.get(stored.name, stored)
        return list(config.urls)

    def missing(self, stored: SubscriptionConfig, url: str) -> str | None:
        """Why a URL cannot be used: the database only has it masked and the file does not have it."""
        if stored.name in self.by_name or MASK not in url:
            return None
        return (
            f"subscription {stored.name!r} is not in the subscriptions file, and the database keeps its "
            "literal URLs masked; add it to the file or use a $ENV / prefect-secret: reference"
        )

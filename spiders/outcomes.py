"""Per-site outcome of one crawl: counters, status and actionable errors.

Counters live in ``crawler.stats`` under ``site/<slug>/<name>`` so they show in the end-of-crawl
stats dump; :meth:`SiteOutcomes.stats_for` folds them back into one dict per site for its CrawlRun.
One broken site never stops the others: each site's trouble is recorded here, and only that site
stops being crawled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

MAX_ERRORS_KEPT = 20


@dataclass
class SiteOutcome:
    slug: str
    status: str = "ok"  # ok | failed | blocked
    errors: list[str] = field(default_factory=list)
    backoff: timedelta | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # non-counter facts for the run stats
    first_at: float | None = None  # monotonic clock: first request, last request or response
    last_at: float | None = None

    @property
    def stopped(self) -> bool:
        """True once the site must not be requested any more in this run."""
        return self.status == "blocked" or self.extra.get("stopped", False)

    @property
    def error(self) -> str | None:
        if not self.errors:
            return None
        more = f" (+{len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        return "; ".join(self.errors[:3]) + more


class SiteOutcomes:
    """Outcomes of every site in one crawl, keyed by slug."""

    def __init__(self, crawler: Crawler, slugs: list[str]) -> None:
        self._crawler = crawler  # its stats exist only once the crawl starts
        self.sites = {slug: SiteOutcome(slug) for slug in slugs}

    @property
    def _stats(self) -> StatsCollector:
        return self._crawler.stats

    def inc(self, slug: str, name: str, count: int = 1) -> None:
        self._stats.inc_value(f"site/{slug}/{name}", count)
        self._stats.inc_value(f"policywatch/{name}", count)

    def get(self, slug: str) -> SiteOutcome:
        return self.sites[slug]

    def fail(self, slug: str, message: str, *, stop: bool = False) -> None:
        """Record an error; ``stop`` ends crawling of this site for the run."""
        outcome = self.sites[slug]
        if outcome.status == "ok":
            outcome.status = "failed"
        if len(outcome.errors) < MAX_ERRORS_KEPT and message not in outcome.errors:
            outcome.errors.append(message)
        self.inc(slug, "errors")
        if stop:
            outcome.extra["stopped"] = True

    def block(self, slug: str, message: str, backoff: timedelta) -> None:
        """An anti-bot challenge: stop the site and back off before trying it again."""
        outcome = self.sites[slug]
        hours = backoff.total_seconds() / 3600
        if outcome.status != "blocked":
            outcome.errors.insert(0, f"{message}; backing off for {hours:g} h")
        outcome.status = "blocked"
        outcome.backoff = backoff
        self.inc(slug, "blocked")

    def touch(self, slug: str) -> None:
        """Mark activity, so a site's own crawl time shows apart from the whole crawl's."""
        outcome = self.sites[slug]
        outcome.last_at = time.monotonic()
        if outcome.first_at is None:
            outcome.first_at = outcome.last_at

    def skip(self, slug: str, message: str) -> None:
        """The site is still backing off from an earlier challenge: not requested in this run."""
        outcome = self.sites[slug]
        outcome.status = "blocked"
        outcome.errors.insert(0, message)
        outcome.extra["stopped"] = True
        self.inc(slug, "skipped_in_backoff")

    def note(self, slug: str, key: str, value: Any) -> None:
        self.sites[slug].extra[key] = value

    def stats_for(self, slug: str) -> dict[str, Any]:
        prefix = f"site/{slug}/"
        counters = {k[len(prefix) :]: v for k, v in self._stats.get_stats().items() if k.startswith(prefix)}
        outcome = self.sites[slug]
        extra = {k: v for k, v in outcome.extra.items() if k != "stopped"}
        if outcome.first_at is not None and outcome.last_at is not None:
            extra["active_seconds"] = round(outcome.last_at - outcome.first_at, 3)
        return {**dict(sorted(counters.items())), **extra}

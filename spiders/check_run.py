"""Many sites checked in one run, politely and within bounds: ``policywatch sites check --all``.

- Sites on different hosts are checked concurrently, by at most ``concurrency`` workers; sites on
  one host (``www.beijing.gov.cn`` serves several entries) are checked one after the other by the
  same worker, and :class:`spiders.polite.PoliteFetcher` keeps every host at one request at a time
  with the site's ``download_delay`` between them, whichever worker asks.
- Each site costs robots.txt (once per host and run), its first list page (plus the data request
  of a JavaScript-rendered list) and at most one detail page.
- After ``deadline`` seconds no further site is started: the ones left are reported
  ``not checked (deadline)``; the requests of a site under way have their timeout cut to the
  time left.
- ``progress`` hears of each site as it finishes ("checked 12 of 94: hainan OK").

:class:`CheckReport` is the one JSON object ``--json`` prints and ``--output`` writes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import config
from sites import Site
from spiders.check import SiteCheck, check_site, not_checked
from spiders.polite import PoliteFetcher

DEFAULT_CONCURRENCY = 4
Progress = Callable[[int, int, SiteCheck], None]  # (done, total, the site just finished)


@dataclass
class CheckReport:
    """One run's results, in the order the sites were given."""

    checked_at: datetime
    results: list[SiteCheck]
    deadline: float | None
    concurrency: int
    requests: dict[str, int]  # requests sent per host (scheme://host:port)
    seconds: float = 0.0  # how long the run took

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def summary(self) -> dict[str, int]:
        return {
            "sites": len(self.results),
            "ok": sum(r.ok for r in self.results),
            "failed": sum(not r.ok for r in self.results),
            "blocked": sum(r.blocked is not None for r in self.results),
            "not_checked": sum(not r.checked for r in self.results),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 2),
            "deadline_seconds": self.deadline,
            "concurrency": self.concurrency,
            "sites": [r.report_entry() for r in self.results],
            "summary": self.summary(),
            "requests_per_host": dict(sorted(self.requests.items())),
        }

    def table(self) -> str:
        """The human report: each site's lines, then the summary line."""
        summary = self.summary()
        tail = (
            f"{summary['ok']} of {summary['sites']} sites OK, {summary['failed']} failed "
            f"({summary['blocked']} blocked, {summary['not_checked']} not checked)"
        )
        return "\n".join([*(r.describe() for r in self.results), tail])


def check_sites(
    sites: Sequence[Site],
    *,
    timeout: float = 30,
    concurrency: int = DEFAULT_CONCURRENCY,
    deadline: float | None = None,
    progress: Progress | None = None,
    fetcher: PoliteFetcher | None = None,
) -> CheckReport:
    """Check ``sites`` (see the module docstring); ``deadline`` is in seconds from now."""
    checked_at = datetime.now(UTC)
    started = time.monotonic()
    fetcher = fetcher or PoliteFetcher(delay_scale=config.current().delay_scale)
    ends = None if deadline is None else time.monotonic() + deadline
    results: dict[str, SiteCheck] = {}
    done_lock = threading.Lock()

    def run_host(group: list[Site]) -> None:
        for site in group:
            if ends is not None and time.monotonic() >= ends:
                result = not_checked(site)
            else:
                result = check_site(site, timeout=timeout, fetcher=fetcher, deadline=ends)
            with done_lock:
                results[site.slug] = result
                if progress is not None:
                    progress(len(results), len(sites), result)

    groups = _by_host(sites)
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(groups) or 1))) as pool:
        for future in [pool.submit(run_host, group) for group in groups]:
            future.result()
    return CheckReport(
        checked_at=checked_at,
        results=[results[s.slug] for s in sites],
        deadline=deadline,
        concurrency=concurrency,
        requests=dict(fetcher.requests),
        seconds=time.monotonic() - started,
    )


def _by_host(sites: Sequence[Site]) -> list[list[Site]]:
    """The sites grouped by the host of their base_url, in order of first appearance."""
    groups: dict[str, list[Site]] = {}
    for site in sites:
        parts = urlsplit(site.base_url)
        groups.setdefault(f"{parts.scheme}://{parts.netloc}", []).append(site)
    return list(groups.values())

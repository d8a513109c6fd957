"""The crawl leases of one cycle: taken before its crawl, renewed while held, given back after ingest.

Plain Python (no Prefect), like flows/steps.py. Two runs never crawl (or ingest) the same site at
once: the second skips a site the first holds and reports it ``skipped``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta

import config
from spiders.run import SiteCrawl
from storage import leases as lease_store
from storage.db import session_factory

log = logging.getLogger(__name__)

SKIPPED = "skipped"


class SiteLeases:
    """The sites this cycle holds; a daemon thread renews them every third of the lease."""

    def __init__(self, cycle_id: str, ttl: timedelta | None = None) -> None:
        self.cycle_id = cycle_id
        self.holder = lease_store.holder_name(cycle_id)
        self.ttl = ttl if ttl is not None else timedelta(seconds=config.current().site_lease_seconds)
        self.held: list[str] = []
        self.skipped: list[SiteCrawl] = []
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def take(self, slugs: Sequence[str]) -> list[str]:
        """Take each site's lease; returns the slugs held. The others are in :attr:`skipped`."""
        sessions = session_factory()
        for slug in slugs:
            with sessions() as session, session.begin():
                taken = lease_store.acquire(session, slug, self.holder, self.ttl)
                holder = None if taken else lease_store.current_holder(session, slug)
            if taken:
                self.held.append(slug)
                continue
            message = skipped_message(slug, holder)
            log.warning(message)
            self.skipped.append(skipped_site(slug, message))
        if self.held and self._renewer is None:
            self._renewer = threading.Thread(
                target=self._renew_until_released, daemon=True, name="site-leases"
            )
            self._renewer.start()
        return list(self.held)

    def release(self) -> None:
        """Give every lease back (after the cycle's ingest) and stop renewing."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=30)
        if self.held:
            with session_factory()() as session, session.begin():
                lease_store.release(session, self.held, self.holder)
        self.held = []

    def _renew_until_released(self) -> None:
        interval = max(self.ttl.total_seconds() / 3, 0.05)
        while not self._stop.wait(interval):
            try:
                with session_factory()() as session, session.begin():
                    still = lease_store.renew(session, self.held, self.holder, self.ttl)
            except Exception:  # noqa: BLE001 - a failed renewal is retried next interval
                log.warning("could not renew the crawl leases of %s; retrying", ", ".join(self.held))
                continue
            lost = sorted(set(self.held) - still)
            if lost:
                log.warning(
                    "cycle %s lost the crawl lease of %s (it expired and another run took it): "
                    "raise POLICYWATCH_SITE_LEASE_SECONDS if the database was slow",
                    self.cycle_id,
                    ", ".join(lost),
                )


def skipped_message(slug: str, holder: lease_store.LeaseHolder | None) -> str:
    """Why ``slug`` was skipped, in words an operator can act on."""
    who = f"{holder.holder}, until {holder.expires_at:%Y-%m-%d %H:%M:%S} UTC" if holder else "another run"
    return (
        f"site {slug}: skipped, another run is crawling it ({who}); it is crawled by the next cycle "
        f"after that run ends, or after its lease expires if it died"
    )


def skipped_site(slug: str, message: str) -> SiteCrawl:
    return SiteCrawl(
        slug=slug,
        crawl_run_id=None,
        status=SKIPPED,
        error=message,
        requests=0,
        items=0,
        not_modified=0,
        elapsed=None,
    )

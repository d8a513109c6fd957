"""Which known notices a recheck re-verifies, and how they split into crawl batches.

A notice published in the last 30 days is due daily, an older one weekly; every due notice is
fetched with a conditional GET (its ETag / Last-Modified), so an unchanged page costs one small
304 answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from storage.db import session_factory
from storage.models import utcnow

RECENT_DAYS = 30
RECENT_RECHECK_EVERY = timedelta(days=1)
OLD_RECHECK_EVERY = timedelta(days=7)
RECHECK_LIMIT = 20000

RecheckItem = dict[str, str | None]  # {slug, url, etag, last_modified}: what the crawler is given


def recheck_items(site_slugs: Sequence[str], policy: str) -> list[RecheckItem]:
    """Known notices to re-verify with conditional GET: "all", "none", or "due" by age tier."""
    if policy == "none":
        return []
    if policy not in ("due", "all"):
        raise ValueError(f"recheck must be 'due', 'all' or 'none', not {policy!r}")
    from storage.revisits import notices_due_of_sites, notices_of_sites

    now = utcnow()
    with session_factory()() as session:
        if policy == "all":
            notices = notices_of_sites(session, site_slugs)
        else:
            notices = notices_due_of_sites(
                session,
                site_slugs,
                checked_before_recent=now - RECENT_RECHECK_EVERY,
                checked_before_old=now - OLD_RECHECK_EVERY,
                recent_since=(now - timedelta(days=RECENT_DAYS)).date().isoformat(),
                limit=RECHECK_LIMIT,
            )
        # A notice that went missing is fetched in full: a 304 would hide that it is back.
        return [
            {
                "slug": slug,
                "url": n.url,
                "etag": n.etag if n.status == "active" else None,
                "last_modified": n.last_modified if n.status == "active" else None,
            }
            for slug, n in notices
        ]


def recheck_batches(items: Sequence[RecheckItem], sites_per_crawl: int) -> list[list[RecheckItem]]:
    """Group recheck items by site, ``sites_per_crawl`` sites a batch.

    A site never spans two batches: one crawler subprocess owns a site's download slot, so its
    politeness (delay, concurrency) holds across the whole recheck.
    """
    if sites_per_crawl < 1:
        raise ValueError(f"sites_per_crawl must be at least 1, not {sites_per_crawl}")
    by_site: dict[str, list[RecheckItem]] = {}
    for item in items:
        by_site.setdefault(str(item["slug"]), []).append(item)
    slugs = sorted(by_site)
    return [
        [item for slug in slugs[i : i + sites_per_crawl] for item in by_site[slug]]
        for i in range(0, len(slugs), sites_per_crawl)
    ]

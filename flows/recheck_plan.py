"""Which known notices a recheck re-verifies, and how they split into crawl batches.

By age (:data:`RECHECK_TIERS`): a notice published in the last 7 days is due on every cycle (the
15-minute monitor included), one of the last 90 days daily, an older or undated one weekly. Every
due notice is fetched with a conditional GET (its ETag / Last-Modified), so an unchanged page costs
one small 304 answer; an edit or a repeal of a fresh notice is seen within one cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from storage.db import session_factory
from storage.models import utcnow

# (published in the last N days, or None for the rest; recheck when last checked longer ago than …)
RECHECK_TIERS: tuple[tuple[int | None, timedelta], ...] = (
    # Not zero, so a run that starts just after another does not fetch its notices again; below a
    # minute, so each cycle of a 1-minute schedule rechecks them (at a minute, a notice checked 59 s
    # before was left to the cycle after, and an edit took two cycles to be seen).
    (7, timedelta(seconds=30)),
    (90, timedelta(days=1)),
    (None, timedelta(days=7)),
)
# At most this many rechecks per site named, least recently checked first. A fixed total would not
# grow with the registry: 3,000 sites of a few hundred notices each have over 100,000 weekly-tier
# notices due a night, and a cap of 20,000 stretched "weekly" to about five weeks. 500 a site keeps a
# site's recheck under about 17 minutes at the 2-second politeness delay, and above what the tiers
# make due for a site of up to 3,500 notices.
RECHECK_LIMIT_PER_SITE = 500

RecheckItem = dict[str, str | None]  # {slug, url, etag, last_modified}: what the crawler is given


RECHECK_POLICIES = ("due", "fresh", "all", "none")


def recheck_items(site_slugs: Sequence[str], policy: str) -> list[RecheckItem]:
    """Known notices to re-verify with conditional GET: "due" by age tier, "fresh" (the first tier
    only: notices of the last 7 days, what the 15-minute monitor deployment rechecks, leaving the
    older tiers to the nightly recheck), "all", or "none"."""
    if policy == "none":
        return []
    if policy not in RECHECK_POLICIES:
        raise ValueError(f"recheck must be one of {', '.join(map(repr, RECHECK_POLICIES))}, not {policy!r}")
    from storage.revisits import notices_due_of_sites, notices_of_sites

    with session_factory()() as session:
        if policy == "all":
            notices = notices_of_sites(session, site_slugs)
        else:
            tiers = recheck_tiers(policy, utcnow())
            notices = notices_due_of_sites(
                session, site_slugs, tiers=tiers, limit=recheck_limit(len(site_slugs))
            )
        # A notice that went missing is fetched in full: a 304 would hide that it is back.
        return [
            {
                "slug": n.slug,
                "url": n.url,
                "etag": n.etag if n.status == "active" else None,
                "last_modified": n.last_modified if n.status == "active" else None,
            }
            for n in notices
        ]


def recheck_limit(site_count: int) -> int:
    """How many due notices one recheck of ``site_count`` sites fetches at most."""
    return RECHECK_LIMIT_PER_SITE * max(1, site_count)


def recheck_tiers(policy: str, now: datetime) -> list[tuple[str | None, datetime]]:
    """The ``(published_since, checked_before)`` pairs of :data:`RECHECK_TIERS` at ``now``, as
    :func:`storage.versions.recheck_due` takes them: every tier for "due", the first for
    "fresh"."""
    return [
        (None if days is None else (now - timedelta(days=days)).date().isoformat(), now - every)
        for days, every in (RECHECK_TIERS[:1] if policy == "fresh" else RECHECK_TIERS)
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

"""Split the notices due for a recheck into crawl batches, so a large recheck fans out like a monitor cycle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def recheck_batches(items: Sequence[dict[str, Any]], sites_per_crawl: int) -> list[list[dict[str, Any]]]:
    """Group recheck items (``{slug, url, etag, last_modified}``) by site, ``sites_per_crawl`` sites a batch.

    A site never spans two batches: one crawler subprocess owns a site's download slot, so its
    politeness (delay, concurrency) holds across the whole recheck.
    """
    if sites_per_crawl < 1:
        raise ValueError(f"sites_per_crawl must be at least 1, not {sites_per_crawl}")
    by_site: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_site.setdefault(item["slug"], []).append(item)
    slugs = sorted(by_site)
    return [
        [item for slug in slugs[i : i + sites_per_crawl] for item in by_site[slug]]
        for i in range(0, len(slugs), sites_per_crawl)
    ]

"""What the notices spider and the components it runs with (middlewares, the pipeline) agree on.

The request meta keys, the face the spider shows its middlewares, and the Source row fields of a
site. Both sides import this module, never each other.
"""

from __future__ import annotations

from typing import Protocol

from sites import Site
from spiders.outcomes import SiteOutcomes
from storage.sources import SourceFields

SITE = "pw_site"  # request.meta key: the site slug (every request the notices spider makes)
ROLE = "pw_role"  # request.meta key: list | detail | attachment
FLAG = "pw_flag"  # request.meta key set by the site guard: (kind, reason) of a challenge or error page


class GuardedSpider(Protocol):
    """What :class:`spiders.middlewares.SiteGuardMiddleware` needs of the spider it guards."""

    outcomes: SiteOutcomes
    retry_http_codes: set[int]
    sites: dict[str, Site]

    def same_site(self, slug: str, url: str) -> bool: ...


def source_fields(site: Site) -> SourceFields:
    """The registry's word on ``site`` for its Source row."""
    return SourceFields(
        slug=site.slug, name=site.name, region=site.region, base_url=site.base_url, flavour=site.flavour
    )

"""Fetching only: list pages -> detail pages (-> attachments) -> raw snapshots in storage.

Entry points:
- :func:`spiders.run.run_crawl` runs a crawl in a subprocess (``python -m spiders.crawl``) and
  returns a per-site :class:`spiders.run.CrawlReport` read back from storage.
- :func:`spiders.check.check_site` (``policywatch sites check``) checks one live site quickly;
  :func:`spiders.check_run.check_sites` checks many (``--all``) into one report, through
  :class:`spiders.polite.PoliteFetcher` (confined, robots.txt, one request at a time per host).
- ``scrapy crawl notices -a sites=a,b -a cycle_id=X -a mode=monitor|recheck|backfill`` works too.

Layout: ``spiders/spiders/notices.py`` is the one config-driven spider; ``flavours/`` holds the list
parsers registered by flavour name; ``middlewares.py`` the site guard (challenges, maintenance,
off-site redirects), retries with back-off and per-site AutoThrottle; ``pipelines.py`` stores
snapshots and crawl runs; ``protocol.py`` is what the spider and those components share (request
meta keys, a site's source fields); ``faults.py`` / ``failures.py`` put bad pages and failed
downloads into words; ``outcomes.py`` keeps each site's status, errors and counters.
"""

"""Scrapy settings for PolicyWatch: polite by default.

Per-site politeness (delay, concurrency, robots) comes from ``sites/*.toml``: the ``notices``
spider gives every site its own download slot named after its slug. PolicyWatch's own settings
(``POLICYWATCH_*``) are read through :func:`config.current`, here and in the components.
"""

from __future__ import annotations

import config

BOT_NAME = "policywatch"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

# A browser-like User-Agent (some government sites refuse obvious bots) that still says who we are.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 PolicyWatch/0.1 (+policy monitoring; contact: policywatch@example.org)"
)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

ROBOTSTXT_OBEY = True  # a site may opt out only with politeness.robots_override_reason
# robots.txt is kept in the database for POLICYWATCH_ROBOTS_TTL_HOURS and shared by every crawler
# process (spiders.robots).

# Politeness: few parallel requests overall, one or two per site, with a delay AutoThrottle can raise.
# Local replicas (govsim) only: POLICYWATCH_DELAY_SCALE scales every delay, e.g. 0.01 to crawl a
# replica in seconds.
_delay_scale = config.current().delay_scale  # lower case: not a Scrapy setting

CONCURRENT_REQUESTS = 16
# Scrapy starts this many asyncio tasks for every callback's output. Ours yield at most one item
# per response (the rest are requests, scheduled at once), so Scrapy's default of 100 only costs
# reactor time (some 15 % of it in a profiled backfill of govsim).
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0 * _delay_scale
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0 * _delay_scale
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30

# Notices rarely exceed a few MB; attachments are capped so one scanned PDF cannot stall a site.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# A truncated body is an error (retried, then reported), never stored as the page.
DOWNLOAD_FAIL_ON_DATALOSS = True

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Seconds before the first retry; doubled for each further one (see spiders.middlewares).
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0

# Monitoring needs fresh pages; rechecks send their own conditional GETs (If-None-Match / If-Modified-Since).
HTTPCACHE_ENABLED = False
# Scrapy 2.19 has one request fingerprinter (the old REQUEST_FINGERPRINTER_IMPLEMENTATION switch is gone).
REQUEST_FINGERPRINTER_CLASS = "scrapy.utils.request.RequestFingerprinter"

# Let every status reach the spider: it decides what a 304, 404 or 5xx means for each site.
HTTPERROR_ALLOW_ALL = True
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = (
    True  # JS-free cookie gates (a Set-Cookie then redirect) pass; stored headers drop Set-Cookie
)

# The crawler fetches only its sites (spiders.confinement): http and https only, so Scrapy's
# file:, data:, ftp: and s3: handlers are off; every request is checked against its site's hosts
# before anything else (robots.txt included) sees it, and every address a name resolves to is
# checked when the connection is made.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
TWISTED_DNS_RESOLVER = "spiders.resolver.ConfinedResolver"

DOWNLOADER_MIDDLEWARES = {
    "spiders.confinement.ConfinementMiddleware": 40,  # before robots.txt (100) and Scrapy's offsite (50)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.robots.CachedRobotsTxtMiddleware": 100,  # Scrapy's own slot for robots.txt
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
    # Above RedirectMiddleware (600), so it sees a redirect before it is followed.
    "spiders.middlewares.SiteGuardMiddleware": 650,
}
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "spiders.middlewares.SiteAutoThrottle": 0,
}
ITEM_PIPELINES = {"spiders.pipelines.SnapshotPipeline": 300}
# Snapshots are stored by one writer thread, in transactions of up to POLICYWATCH_SNAPSHOT_BATCH_SIZE
# pages or POLICYWATCH_SNAPSHOT_BATCH_SECONDS.

TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no control port: crawls are driven by spiders.run
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
FEED_EXPORT_ENCODING = "utf-8"

"""The one config-driven spider: every ``sites/*.toml`` entry, paged the way its flavour says.

    scrapy crawl notices -a sites=hainan,guangdong -a cycle_id=2026-11-23T10 -a mode=monitor

Modes:
- ``monitor`` (default): walk list pages until a run of already-known notices (a whole page of
  them, or ``known_run`` in a row) or ``politeness.max_list_pages``; fetch only unseen details.
  A column's older archives (a flavour's ``ListPage.archives``) are read only until the site has
  its baseline.
- ``backfill``: walk every list page, older archives included; still fetch only unseen details.
A site still backing off after an anti-bot challenge is not requested at all (its run says
``blocked`` and until when) unless ``ignore_backoff=1``.
- ``recheck``: no lists; conditional GETs of the URLs in ``recheck_file`` (a JSON list of
  ``{url, etag, last_modified[, slug]}``); a 304 is counted and reported, not stored.
  In the other modes the same ``recheck_file`` entries are fetched alongside the lists.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

import config
from notices.attachments import is_fetched_attachment_url, may_link_fetched_attachment
from notices.links import PageLinks, absolute_url
from sites import Site, load_registry, select_sites
from spiders.confinement import RequestRefused
from spiders.failures import describe_failure
from spiders.flavours import PageRequest, get_flavour
from spiders.list_signals import changed_rows
from spiders.outcomes import SiteOutcomes
from spiders.protocol import FLAG, ROLE, SITE, source_fields
from spiders.responses import content_type, fetched_page
from spiders.site_memory import SiteMemory
from storage.db import session_scope
from storage.listed import record_listed
from storage.sources import ensure_source, in_backoff

MODES = ("monitor", "recheck", "backfill")
BACKFILL_PAGE_CAP = 2000  # a runaway pager must still end


class NoticesSpider(scrapy.Spider):
    name = "notices"
    outcomes: SiteOutcomes  # set in from_crawler, with the crawler
    retry_http_codes: set[int] = set()
    crawl_run_ids: dict[str, int]  # set by the pipeline when the spider opens

    def __init__(
        self,
        sites: str = "",
        cycle_id: str = "",
        mode: str = "monitor",
        recheck_file: str | None = None,
        known_run: str | int = 5,
        ignore_backoff: str | bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if mode == "recheck" and not recheck_file:
            raise ValueError(
                "mode=recheck needs recheck_file=<path to a JSON list of {url, etag, last_modified}>"
            )
        self.mode = mode
        self.ignore_backoff = str(ignore_backoff).lower() in ("1", "true", "yes")
        self.cycle_id = cycle_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.known_run = int(known_run)
        self.sites: dict[str, Site] = {s.slug: s for s in select_sites(load_registry(), sites.split(","))}
        self.recheck = json.loads(Path(recheck_file).read_text(encoding="utf-8")) if recheck_file else []
        self.memory: dict[str, SiteMemory] = {}  # known urls and list-row signatures, per site
        self.source_ids: dict[str, int] = {}
        self.rechecking: dict[str, set[str]] = {}  # urls this crawl rechecks anyway, per site
        self._list_pages_by_column: dict[str, dict[str, int]] = {}  # a backfill's pages to walk, per site
        self._before_baseline: set[str] = set()  # sites whose first crawl has not been ingested yet

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NoticesSpider:
        spider: NoticesSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.outcomes = SiteOutcomes(crawler, list(spider.sites))
        spider.retry_http_codes = {int(c) for c in crawler.settings.getlist("RETRY_HTTP_CODES")}
        # One download slot per site, with that site's politeness (settings are not frozen yet).
        scale = config.current().delay_scale
        slots = dict(crawler.settings.getdict("DOWNLOAD_SLOTS"))
        for slug, site in spider.sites.items():
            slots[slug] = {
                "concurrency": site.politeness.concurrency,
                "delay": site.politeness.download_delay * scale,
            }
        crawler.settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        crawler.signals.connect(spider.on_callback_error, signal=signals.spider_error)
        return spider

    # -- starting ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        backoff_until: dict[str, datetime] = {}
        with session_scope() as session:
            for slug, site in self.sites.items():
                source = ensure_source(session, source_fields(site))
                self.source_ids[slug] = source.id
                self.memory[slug] = SiteMemory(source.id)
                if source.baseline_at is None:
                    self._before_baseline.add(slug)
                if source.backoff_until is not None and in_backoff(source) and not self.ignore_backoff:
                    backoff_until[slug] = source.backoff_until
        for slug, site in self.sites.items():
            self.outcomes.note(slug, "mode", self.mode)
            if slug in backoff_until:
                self.outcomes.skip(slug, f"site {slug}: {_backoff_message(slug, backoff_until[slug])}")
                continue
            if not site.politeness.obey_robots:
                self.outcomes.note(slug, "robots_override_reason", site.politeness.robots_override_reason)
            # Known notices ride along in the same crawl, so one site never gets two crawlers at once.
            entries = self._recheck_entries(site)
            self.rechecking[slug] = {entry["url"] for entry in entries}
            for entry in entries:
                yield self._recheck_request(site, entry)
            if self.mode == "recheck":
                continue
            for page_request in get_flavour(site.flavour).first_requests(site):
                yield self._list_request(site, page_request)

    def _recheck_entries(self, site: Site) -> list[dict[str, Any]]:
        host = urlsplit(site.base_url).hostname
        entries = []
        for entry in self.recheck:
            slug = entry.get("slug") or entry.get("site")
            if slug == site.slug or (not slug and urlsplit(entry["url"]).hostname == host):
                entries.append(entry)
        return entries

    # -- requests ---------------------------------------------------------------------------

    def _meta(self, site: Site, role: str, **extra: Any) -> dict[str, Any]:
        meta = {
            SITE: site.slug,
            ROLE: role,
            "download_slot": site.slug,
            "download_timeout": site.politeness.timeout,
        }
        if not site.politeness.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return {**meta, **extra}

    def _list_request(self, site: Site, page: PageRequest, column: str | None = None) -> scrapy.Request:
        """``column``: the URL of the first request of the list this page belongs to (by default,
        this page starts one); a backfill counts the list pages to walk per column."""
        meta = self._meta(site, "list", page_request=page, column=column or page.url)
        if page.method == "POST":
            headers = {"Content-Type": "application/x-www-form-urlencoded", **dict(page.headers)}
            return scrapy.Request(
                page.url, method="POST", body=urlencode(page.form), headers=headers, meta=meta,
                callback=self.parse_list, errback=self.on_error, dont_filter=True,
            )  # fmt: skip
        return scrapy.Request(
            page.url,
            headers=dict(page.headers) or None,
            meta=meta,
            callback=self.parse_list,
            errback=self.on_error,
        )

    def _detail_request(self, site: Site, url: str) -> scrapy.Request:
        return scrapy.Request(
            url, meta=self._meta(site, "detail"), callback=self.parse_detail, errback=self.on_error
        )

    def _recheck_request(self, site: Site, entry: dict[str, Any]) -> scrapy.Request:
        headers = {}
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        return scrapy.Request(
            entry["url"], headers=headers, meta=self._meta(site, "detail", recheck=True),
            callback=self.parse_detail, errback=self.on_error, dont_filter=True,
        )  # fmt: skip

    # -- callbacks --------------------------------------------------------------------------

    def parse_list(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta[SITE]]
        page: PageRequest = response.meta["page_request"]
        self._count_response(site.slug, response)
        if response.status != 200:
            self.outcomes.fail(site.slug, self._status_error(site, "list", response), stop=True)
            return
        self.outcomes.inc(site.slug, "list_pages")
        flavour = get_flavour(site.flavour)
        listing = flavour.parse_list(site, page, response.url, response.body, content_type(response))
        self._note_malformed_links(site.slug, listing.malformed_links)
        column = response.meta.get("column", page.url)
        if self.mode == "backfill" and listing.total_pages:
            # A backfill walks every list page, so their number is the crawl's measure of progress:
            # the latest count each column's pager states, summed over the site's columns.
            columns = self._list_pages_by_column.setdefault(site.slug, {})
            columns[column] = min(listing.total_pages, BACKFILL_PAGE_CAP)
            self.outcomes.get(site.slug).extra["list_pages_expected"] = sum(columns.values())
        if not listing.rows and not listing.shell:
            if page.page_no <= 1:
                hint = (
                    f" ({listing.off_pattern} links did not match detail_url_pattern)"
                    if listing.off_pattern
                    else ""
                )
                message = f"list page {response.url} yielded no notices; the template may have changed{hint}"
                self.outcomes.fail(site.slug, f"site {site.slug}: {message}", stop=True)
                # Kept (flagged) so whoever fixes the site entry can see what the page became.
                response.meta[FLAG] = ("error", message)
            yield fetched_page(site.slug, "list", response)
            return
        yield fetched_page(site.slug, "list", response)
        memory = self.memory[site.slug]
        memory.learn((row.url for row in listing.rows), signatures=True)
        yield from self._signalled_requests(site, listing.rows)
        known, fresh, longest_known_run, current_run = memory.known, [], 0, 0
        for row in listing.rows:
            if row.url in known:
                current_run += 1
                longest_known_run = max(longest_known_run, current_run)
            else:
                current_run = 0
                fresh.append(row.url)
        self.outcomes.inc(site.slug, "list_rows", len(listing.rows))
        self.outcomes.inc(site.slug, "list_rows_new", len(fresh))
        for url in fresh:
            known.add(url)
            yield self._detail_request(site, url)
        # Older archives hold no news, so an idle monitor skips them; a site's first crawl, which
        # is its baseline, reads them as it reads any list.
        if self.mode == "backfill" or (self.mode == "monitor" and site.slug in self._before_baseline):
            for archive in listing.archives:
                yield self._list_request(site, archive)
        if listing.next_request is None:
            return
        caught_up = bool(listing.rows) and (not fresh or longest_known_run >= self.known_run)
        limit = BACKFILL_PAGE_CAP if self.mode == "backfill" else site.politeness.max_list_pages
        if self.mode == "monitor" and caught_up:
            self.outcomes.inc(site.slug, "list_stopped_at_known")
        elif listing.next_request.page_no > limit:
            self.outcomes.inc(site.slug, "list_stopped_at_max_pages")
        else:
            yield self._list_request(site, listing.next_request, column)

    def _signalled_requests(self, site: Site, rows: Sequence[Any]) -> Iterator[scrapy.Request]:
        """Known documents whose list row changed since the last visit: fetched again now."""
        memory = self.memory[site.slug]
        signalled, updates = changed_rows(rows, memory.signatures, memory.known)
        if updates:
            with session_scope() as session:
                record_listed(session, self.source_ids[site.slug], updates)
        for url in signalled:
            if url in self.rechecking[site.slug]:
                continue
            self.outcomes.inc(site.slug, "list_signal_rechecks")
            yield self._detail_request(site, url)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta[SITE]]
        self._count_response(site.slug, response)
        if response.status == 304:
            self.outcomes.inc(site.slug, "recheck/not_modified")
            self.outcomes.sites[site.slug].extra.setdefault("not_modified_urls", []).append(response.url)
            return
        if response.status in self.retry_http_codes:
            self.outcomes.fail(site.slug, self._status_error(site, "detail", response))
            return
        yield fetched_page(site.slug, "detail", response)
        if response.status == 200 and FLAG not in response.meta:
            yield from self._attachment_requests(site, response)

    def _attachment_requests(self, site: Site, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, scrapy.http.TextResponse) or not may_link_fetched_attachment(
            response.text
        ):
            return
        selector = Selector(text=response.text, type="html")
        base = absolute_url(response.url, selector.css("base::attr(href)").get() or "") or response.url
        links = PageLinks(response.url, base)
        attachments = [
            url
            for url in (links.url(href) for href in selector.css("a::attr(href)").getall())
            if url is not None
            and is_fetched_attachment_url(url)
            and urlsplit(url).scheme in ("http", "https")
        ]
        memory = self.memory[site.slug]
        memory.learn(attachments)
        for url in attachments:
            if url in memory.known:
                continue
            memory.known.add(url)
            yield scrapy.Request(
                url,
                meta=self._meta(site, "attachment"),
                callback=self.parse_attachment,
                errback=self.on_error,
            )
        self._note_malformed_links(site.slug, links.warnings())

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta[SITE]]
        self._count_response(site.slug, response)
        if response.status != 200:
            self.outcomes.inc(site.slug, "attachments_failed")
            self.outcomes.fail(site.slug, self._status_error(site, "attachment", response))
            return
        self.outcomes.inc(site.slug, "attachments")
        yield fetched_page(site.slug, "attachment", response)

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        slug, role = request.meta[SITE], request.meta.get(ROLE, "detail")
        if failure.check(IgnoreRequest):
            if failure.check(RequestRefused) or "robots.txt" not in str(failure.value):
                return  # a stopped site, a refused redirect or request: already recorded
            self.outcomes.inc(slug, "robots_disallowed")
            message = (
                f"site {slug}: robots.txt disallows {role} page {request.url}; "
                f"set politeness.obey_robots = false with a robots_override_reason in sites/{slug}.toml only if allowed"
            )
            self.outcomes.fail(slug, message, stop=role == "list")
            return
        kind, message = describe_failure(failure, request.meta.get("download_timeout"))
        self.outcomes.inc(slug, f"errors/{kind}")
        self.outcomes.fail(slug, f"site {slug}: {role} page {request.url}: {message}", stop=role == "list")

    def on_callback_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        """A bug in a callback (say, a list parser meeting an odd page) fails that site only."""
        slug = response.meta.get(SITE)
        if slug in self.outcomes.sites:
            role = response.meta.get(ROLE, "detail")
            message = (
                f"site {slug}: the {role} page {response.url} broke the crawler: {failure.getErrorMessage()}"
            )
            self.outcomes.fail(slug, message, stop=role == "list")

    # -- helpers ----------------------------------------------------------------------------

    def _note_malformed_links(self, slug: str, warnings: Sequence[str]) -> None:
        """Links a page got wrong are dropped one by one; the page and the site go on."""
        for warning in warnings:
            self.logger.warning(f"site {slug}: {warning}")
        if warnings:
            self.outcomes.inc(slug, "links_malformed", len(warnings))

    def same_site(self, slug: str, url: str) -> bool:
        """True when ``url`` stays on the site's own hosts (redirects elsewhere are refused)."""
        return self.sites[slug].url_refusal(url) is None

    def _count_response(self, slug: str, response: Response) -> None:
        self.outcomes.touch(slug)
        self.outcomes.inc(slug, f"responses/{response.status}")
        self.outcomes.inc(slug, "bytes", len(response.body))

    def _status_error(self, site: Site, role: str, response: Response) -> str:
        retries = response.meta.get("retry_times", 0)
        after = f"; gave up after {retries} retries" if retries else ""
        return f"site {site.slug}: {role} page {response.url} returned HTTP {response.status}{after}"


def _backoff_message(slug: str, until: datetime) -> str:
    return (
        f"not crawled: backing off after an anti-bot challenge until {until:%Y-%m-%d %H:%M} UTC "
        f"(to try sooner: policywatch run --sites {slug} --ignore-backoff, or the deployment's "
        "ignore_backoff parameter)"
    )

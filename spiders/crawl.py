"""Run the ``notices`` spider in this process: ``python -m spiders.crawl --sites a,b --cycle-id X``.

Scrapy's reactor cannot restart, so ``spiders.run.run_crawl`` always starts this module in a
fresh subprocess. Progress goes to stdout (``policywatch: …`` lines: each list page, each flagged page, a count
every 25 stored pages and every 25 rechecks of a site (of how many, and the time left at the rate so far)
with a total over all sites every 100, a backfill's list pages walked of how many, one status line per
site at the end);
Scrapy's log goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from typing import Any

PROGRESS_PREFIX = "policywatch:"
PROGRESS_EVERY = 25
LIST_PROGRESS_EVERY = 5


def _progress(line: str) -> None:
    print(f"{PROGRESS_PREFIX} {line}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.crawl", description=__doc__)
    parser.add_argument("--sites", required=True, help="comma-separated site slugs")
    parser.add_argument("--cycle-id", required=True)
    parser.add_argument("--mode", default="monitor", choices=("monitor", "recheck", "backfill"))
    parser.add_argument(
        "--recheck-file",
        help="JSON list of {slug, url, etag, last_modified} to re-verify with conditional GET (any mode)",
    )
    parser.add_argument("--ignore-backoff", action="store_true", help="crawl sites still backing off too")
    parser.add_argument("--log-level", default=None)
    args = parser.parse_args(argv)

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "spiders.settings")
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from spiders.progress import Progress
    from spiders.protocol import SITE

    settings = get_project_settings()
    if args.log_level:
        settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("notices")

    stored: Counter[str] = Counter()
    by_role: dict[str, Counter[str]] = {}

    def what_was_stored(site: str) -> str:
        roles = by_role.get(site, Counter())
        return (
            f"{stored[site]} ({roles['detail']} documents, {roles['list']} list pages, "
            f"{roles['attachment']} attachments)"
        )

    # A backfill learns each site's number of list pages from its first one (spider.outcomes).
    list_progress = {slug: Progress(0, "list pages") for slug in args.sites.split(",")}

    def report_list_pages_walked(site: str, spider: Any) -> None:
        expected = spider.outcomes.get(site).extra.get("list_pages_expected")
        progress = list_progress.get(site)
        if not expected or progress is None:
            return
        progress.total = expected
        walked = by_role[site]["list"]
        if walked == 1 or walked % LIST_PROGRESS_EVERY == 0 or walked >= expected:
            _progress(f"site={site} walked {progress.line(walked)}")

    def item_scraped(item: Any, spider: Any, **_: Any) -> None:
        # One line per list page and per flagged page; details and attachments in batches.
        stored[item.site] += 1
        by_role.setdefault(item.site, Counter())[item.role] += 1
        flag = f" flagged={item.flag}" if item.flag else ""
        if item.role == "list" or item.flag:
            _progress(f"stored site={item.site} role={item.role} status={item.status} url={item.url}{flag}")
            if item.role == "list":
                report_list_pages_walked(item.site, spider)
        elif stored[item.site] % PROGRESS_EVERY == 0:
            _progress(f"site={item.site} stored={what_was_stored(item.site)} pages so far")

    def spider_closed(spider: Any, reason: str, **_: Any) -> None:
        for slug, outcome in spider.outcomes.sites.items():
            _progress(
                f"site={slug} status={outcome.status} stored={what_was_stored(slug)} "
                f"error={outcome.error or '-'}"
            )
        _progress(f"finished reason={reason}")

    recheck_totals: Counter[str] = Counter()
    if args.recheck_file:
        with open(args.recheck_file, encoding="utf-8") as entries:
            recheck_totals.update(str(e.get("slug") or e.get("site") or "") for e in json.load(entries))
    rechecked: Counter[str] = Counter()
    # Sites are crawled side by side, so each site's rate runs from the start of the crawl.
    recheck_progress = {slug: Progress(total, "known notices") for slug, total in recheck_totals.items()}
    all_progress = Progress(sum(recheck_totals.values()), "known notices")

    def response_received(response: Any, request: Any, **_: Any) -> None:
        slug = request.meta.get(SITE)
        if not request.meta.get("recheck") or slug not in recheck_totals:
            return
        rechecked[slug] += 1
        if rechecked[slug] % PROGRESS_EVERY == 0 or rechecked[slug] == recheck_totals[slug]:
            _progress(f"site={slug} rechecked {recheck_progress[slug].line(rechecked[slug])}")
        done = sum(rechecked.values())
        if len(recheck_totals) > 1 and (done % (PROGRESS_EVERY * 4) == 0 or done == all_progress.total):
            _progress(f"rechecked {all_progress.line(done)} over {len(recheck_totals)} sites")

    crawler.signals.connect(item_scraped, signal=signals.item_scraped)
    crawler.signals.connect(spider_closed, signal=signals.spider_closed)
    crawler.signals.connect(response_received, signal=signals.response_received)
    kwargs = {"sites": args.sites, "cycle_id": args.cycle_id, "mode": args.mode}
    if args.recheck_file:
        kwargs["recheck_file"] = args.recheck_file
    if args.ignore_backoff:
        kwargs["ignore_backoff"] = "1"
    crashed: list[str] = []

    def crawl_failed(failure: Any) -> None:
        crashed.append(failure.getErrorMessage())
        print(f"crawl failed: {failure.getTraceback()}", file=sys.stderr, flush=True)

    process.crawl(crawler, **kwargs).addErrback(crawl_failed)
    process.start()
    if crashed:
        _progress(f"crashed error={crashed[0]}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Crawling govsim for real: every flavour paged, incremental monitoring, recheck, attachments, bytes.

The module crawls the fourteen named govsim sites once (``first_crawl``); each test then works from
that state with crawls of its own, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import re
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from sites import FLAVOURS
from spiders.crawl import PROGRESS_EVERY
from spiders.run import CrawlReport
from storage.db import session_scope
from storage.snapshots import known_urls, pending_snapshots
from storage.sources import source_by_slug
from tests.spiders.crawl_world import CrawlWorld

SITES = [
    "hainan", "qinghai", "chongqing", "guangdong", "chuzhou",  # seeds: trs ×3, gkmlpt, anhui
    "zhejiang-sim", "lawportal-sim", "gbk-sim", "badcharset-sim", "twice-sim",  # hanweb, portal, trs ×3
    "heilongjiang-sim", "tianjin-sim",  # ucap, igs: JSON lists
    "hangzhou-sim", "shaanxi-sim",  # hanweb_jpaas (a JSON list), ilist
    "shanghai-sim", "sichuan-sim",  # shanghai (jQuery pager), generic (a URL dialect and a 下页 pager)
    "wuhan-sim", "jilin-sim",  # trs whose rows scripts draw from their variables, json_list (a JSONP search answer)
]  # fmt: skip
JSON_LIST_SITES = ["heilongjiang-sim", "tianjin-sim", "hangzhou-sim", "jilin-sim"]
DIALECT_SITES = ["shanghai-sim", "sichuan-sim"]


@pytest.fixture(scope="module")
def first_crawl(world: CrawlWorld) -> CrawlReport:
    world.govsim.admin.reset()
    report = world.crawl(SITES)
    assert report.error is None, report.error
    return report


@pytest.mark.parametrize("slug", SITES)
def test_first_crawl_pages_each_list_and_stores_every_detail_page(
    world: CrawlWorld, first_crawl: CrawlReport, slug: str
) -> None:
    site = first_crawl.sites[slug]
    assert (site.status, site.error) == ("ok", None)
    assert world.detail_urls(slug) == world.published_urls(slug)
    assert site.stats["list_pages"] >= 2  # every site has more than one page of notices
    assert site.items == len(world.snapshots(slug, crawl_run_id=site.crawl_run_id))


def test_detail_snapshots_wait_for_normalization_and_lists_do_not(
    world: CrawlWorld, first_crawl: CrawlReport
) -> None:
    with session_scope(world.database_url) as session:
        source = source_by_slug(session, "hainan")
        assert source is not None
        pending = pending_snapshots(session, source_id=source.id)
        assert {s.url for s in pending} == world.published_urls("hainan")
        assert all(s.page_kind is None and s.status == 200 for s in pending)


def test_hanweb_javascript_list_is_read_through_dataproxy(
    world: CrawlWorld, first_crawl: CrawlReport
) -> None:
    recent = world.govsim.admin.request_log("zhejiang-sim")["recent"]
    posts = [r["path"] for r in recent if r["method"] == "POST"]
    assert posts and all(p.startswith("/module/jpage/dataproxy.jsp?startrecord=") for p in posts)
    assert world.detail_urls("zhejiang-sim") == world.published_urls("zhejiang-sim")


def test_gbk_pages_are_stored_byte_exact(world: CrawlWorld, first_crawl: CrawlReport) -> None:
    snapshot = next(s for s in world.snapshots("gbk-sim") if s.page_kind is None)
    with urllib.request.urlopen(snapshot.url, timeout=10) as response:  # noqa: S310 - govsim on loopback
        served = response.read()
    stored = world.body(snapshot)
    assert stored == served
    assert snapshot.size == len(served)
    with pytest.raises(UnicodeDecodeError):
        stored.decode("utf-8")  # the GBK bytes were kept, not transcoded
    assert "人民政府" in stored.decode("gb18030")


def test_attachments_are_stored_once_by_url(world: CrawlWorld, first_crawl: CrawlReport) -> None:
    expected = {
        a["file_name"]
        for n in world.govsim.admin.notices("hainan")
        for a in n["attachments"]
        if not n.get("removed")
    }
    attachments = [s for s in world.snapshots("hainan") if s.page_kind == "attachment"]
    assert expected and {s.url.rsplit("/", 1)[-1] for s in attachments} == expected
    assert all(s.processed_at is not None for s in attachments)  # looked up by URL, never normalized
    assert all(world.body(s)[:4] in (b"%PDF", b"PK\x03\x04") for s in attachments)


def test_second_monitor_run_requests_one_list_page_per_site_and_no_details(
    world: CrawlWorld, first_crawl: CrawlReport
) -> None:
    world.govsim.admin.reset_request_log()
    report = world.crawl(SITES)
    for slug in SITES:
        log = world.govsim.admin.request_log(slug)["by_kind"]
        lists_expected = 2 if slug == "zhejiang-sim" else 1  # the hanweb shell, then one data page
        assert log.get("list", 0) == lists_expected, slug
        assert log.get("detail", 0) == 0 and log.get("attachment", 0) == 0, slug
        assert report.sites[slug].status == "ok"
        assert report.sites[slug].stats.get("list_stopped_at_known") == 1
        stored = f"stored={lists_expected} (0 documents, {lists_expected} list pages, 0 attachments)"
        assert f"site={slug} status=ok {stored} error=-" in world.progress


@pytest.mark.parametrize(
    "slug",
    [
        "hainan",
        "guangdong",
        "zhejiang-sim",
        "chuzhou",
        "lawportal-sim",
        *JSON_LIST_SITES,
        "shaanxi-sim",
        *DIALECT_SITES,
    ],
)
def test_a_newly_published_notice_is_fetched_on_the_next_run(
    world: CrawlWorld, first_crawl: CrawlReport, slug: str
) -> None:
    published = world.govsim.admin.publish(slug)
    world.govsim.admin.reset_request_log()
    report = world.crawl([slug])
    run = report.sites[slug]
    assert run.status == "ok"
    assert world.detail_urls(slug, crawl_run_id=run.crawl_run_id) == {published["url"]}
    assert world.govsim.admin.request_log(slug)["by_kind"].get("detail") == 1


def test_a_section_of_year_archives_is_read_whole_first_then_through_its_newest_year(
    world: CrawlWorld, first_crawl: CrawlReport
) -> None:
    slug = "shanghai-gov-sim"  # www.shanghai.gov.cn's 沪府规: the section page links one archive per year
    visible = [n for n in world.govsim.admin.notices(slug) if not n["removed"]]
    years = sorted({n["published"][:4] for n in visible})
    assert len(years) >= 2, years  # the replica spreads them over several years' archives
    run = world.crawl([slug]).sites[slug]
    assert (run.status, run.error) == ("ok", None)
    assert world.detail_urls(slug) == {n["url"] for n in visible}  # the first crawl reads every year
    assert run.stats["list_pages"] >= 1 + len(years)  # the section page, then each archive's pages

    with session_scope(world.database_url) as session:  # its first crawl ingested: the baseline
        source = source_by_slug(session, slug)
        assert source is not None
        source.baseline_at = datetime.now(UTC)
    published = world.govsim.admin.publish(slug)
    world.govsim.admin.reset_request_log()
    again = world.crawl([slug]).sites[slug]
    assert world.detail_urls(slug, crawl_run_id=again.crawl_run_id) == {published["url"]}
    older = [year for year in years if year < max(years[-1], published["published"][:4])]
    listed = [r["path"] for r in world.govsim.admin.request_log(slug)["recent"] if r["kind"] == "list"]
    assert listed and not [path for path in listed if any(f"/hfg{year}/" in path for year in older)], listed


def test_recheck_answers_304_for_unchanged_pages_and_refetches_edited_ones(
    world: CrawlWorld, first_crawl: CrawlReport
) -> None:
    notices = [n for n in world.govsim.admin.notices("qinghai") if not n["removed"]][:3]
    items = recheck_items(world, "qinghai", notices)
    edited, unchanged = notices[0], notices[1:]
    world.govsim.admin.edit_paragraph("qinghai", edited["id"], paragraph_index=1, text="第二段已修改。")
    world.govsim.admin.reset_request_log()

    report = world.crawl(["qinghai"], mode="recheck", recheck=items)

    run = report.sites["qinghai"]
    assert (run.status, run.not_modified) == ("ok", 2)
    assert set(run.not_modified_urls) == {n["url"] for n in unchanged}
    assert world.detail_urls("qinghai", crawl_run_id=run.crawl_run_id) == {edited["url"]}
    log = world.govsim.admin.request_log("qinghai")
    assert log["not_modified"] == 2 and log["by_kind"].get("list", 0) == 0
    assert "site=qinghai rechecked 3 of 3 known notices (100%)" in world.progress


def test_a_long_recheck_says_how_far_it_is_and_how_long_is_left(
    world: CrawlWorld, first_crawl: CrawlReport
) -> None:
    slugs = ["qinghai", "hainan"]
    items = [
        item
        for slug in slugs
        for item in recheck_items(
            world, slug, [n for n in world.govsim.admin.notices(slug) if not n["removed"]]
        )
    ]
    per_site = Counter(item["slug"] for item in items)
    assert per_site["qinghai"] > PROGRESS_EVERY, "the site must have more notices than one progress step"

    report = world.crawl(slugs, mode="recheck", recheck=items)

    assert all(report.sites[slug].status == "ok" for slug in slugs)
    step = rf"site=qinghai rechecked {PROGRESS_EVERY} of {per_site['qinghai']} known notices \(\d+%\), about .+ left"
    assert any(re.fullmatch(step, line) for line in world.progress), world.progress
    total = len(items)
    assert f"rechecked {total:,} of {total:,} known notices (100%) over 2 sites" in world.progress


@pytest.mark.parametrize("slug", [*JSON_LIST_SITES, *DIALECT_SITES])
def test_a_site_with_nothing_new_costs_one_list_request_and_304s(
    world: CrawlWorld, first_crawl: CrawlReport, slug: str
) -> None:
    known = [n for n in world.govsim.admin.notices(slug) if not n["removed"]][:3]
    world.govsim.admin.reset_request_log()
    report = world.crawl([slug], recheck=recheck_items(world, slug, known))
    run = report.sites[slug]
    assert (run.status, run.not_modified) == ("ok", 3)
    assert set(run.not_modified_urls) == {n["url"] for n in known}
    assert run.stats.get("list_stopped_at_known") == 1
    assert world.detail_urls(slug, crawl_run_id=run.crawl_run_id) == set()
    log = world.govsim.admin.request_log(slug)
    assert log["by_kind"] == {"list": 1, "detail": 3} and log["not_modified"] == 3


def test_recheck_stores_a_removed_page_flagged_for_normalization(
    world: CrawlWorld, first_crawl: CrawlReport
) -> None:
    removed = [n for n in world.govsim.admin.notices("chongqing") if not n["removed"]][0]
    world.govsim.admin.remove("chongqing", removed["id"], status=410)
    try:
        report = world.crawl(
            ["chongqing"], mode="recheck", recheck=recheck_items(world, "chongqing", [removed])
        )
    finally:
        world.govsim.admin.restore("chongqing", removed["id"])
    run = report.sites["chongqing"]
    (snapshot,) = world.snapshots("chongqing", crawl_run_id=run.crawl_run_id)
    assert run.status == "ok"
    assert (snapshot.url, snapshot.status, snapshot.page_kind, snapshot.processed_at) == (
        removed["url"],
        410,
        "error",
        None,
    )


def recheck_items(world: CrawlWorld, slug: str, notices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the recheck flow sends: each URL with the validators of its stored snapshot."""
    by_url = {s.url: s for s in world.snapshots(slug) if s.page_kind in (None, "notice")}
    return [
        {"slug": slug, "url": n["url"], "etag": by_url[n["url"]].headers.get("etag"),
         "last_modified": by_url[n["url"]].headers.get("last-modified")}
        for n in notices
    ]  # fmt: skip


def test_known_urls_cover_notices_and_good_snapshots(world: CrawlWorld, first_crawl: CrawlReport) -> None:
    world.normalize_pending()  # a page is known once its snapshot was processed
    with session_scope(world.database_url) as session:
        source = source_by_slug(session, "chuzhou")
        assert source is not None
        assert world.published_urls("chuzhou") <= known_urls(session, source.id)


@pytest.mark.parametrize("flavour", ["trs", "hanweb_jpaas", "ilist", "shanghai", "generic"])
def test_monitor_stops_at_max_list_pages_and_backfill_walks_them_all(
    world: CrawlWorld, first_crawl: CrawlReport, flavour: str
) -> None:
    slug = f"scale-{FLAVOURS.index(flavour):03d}"  # the scale sites rotate over the flavours in order
    world.compose_sites({slug: {"max_list_pages": 1}})
    try:
        monitor = world.crawl([slug]).sites[slug]
        assert (monitor.stats["list_pages"], monitor.stats["list_stopped_at_max_pages"]) == (1, 1)
        first_page = world.detail_urls(slug)
        assert 0 < len(first_page) < len(world.published_urls(slug))

        backfill = world.crawl([slug], mode="backfill").sites[slug]
        assert backfill.status == "ok" and backfill.stats["list_pages"] >= 2
        walked = backfill.stats["list_pages"]
        assert f"site={slug} walked {walked} of {walked} list pages (100%)" in world.progress
        first = rf"site={slug} walked 1 of {walked} list pages \(\d+%\), about .+ left"
        assert any(re.fullmatch(first, line) for line in world.progress), world.progress
        new_details = world.detail_urls(slug, crawl_run_id=backfill.crawl_run_id)
        assert new_details == world.published_urls(slug) - first_page  # known pages are not refetched
    finally:
        world.compose_sites()


@pytest.mark.parametrize("slug", ["twice-sim", "shaanxi-sim"])
def test_rechecks_ride_along_with_a_monitor_crawl(
    world: CrawlWorld, first_crawl: CrawlReport, slug: str
) -> None:
    notices = [n for n in world.govsim.admin.notices(slug) if not n["removed"]][:2]
    world.govsim.admin.reset_request_log()
    report = world.crawl([slug], recheck=recheck_items(world, slug, notices))
    run = report.sites[slug]
    assert (run.status, run.not_modified) == ("ok", 2)
    log = world.govsim.admin.request_log(slug)
    assert log["by_kind"].get("list") == 1 and log["not_modified"] == 2


def test_a_site_whose_list_request_never_gets_an_answer_is_not_ok(
    world: CrawlWorld, first_crawl: CrawlReport
) -> None:
    # Two entries for one column (the same list URL): Scrapy's duplicate filter drops the second
    # entry's list request, so no response ever reaches it; that site must not read "ok".
    original = (world.sites_dir / "scale-000.toml").read_text(encoding="utf-8")
    twin = world.sites_dir / "scale-000-twin.toml"
    twin.write_text(original.replace('slug = "scale-000"', 'slug = "scale-000-twin"'), encoding="utf-8")
    try:
        report = world.crawl(["scale-000", "scale-000-twin"])
    finally:
        world.compose_sites()
    statuses = {slug: site.status for slug, site in report.sites.items()}
    assert sorted(statuses.values()) == ["failed", "ok"], statuses
    failed = next(site for site in report.sites.values() if site.status == "failed")
    assert failed.error is not None and "no list page was answered" in failed.error


@pytest.mark.parametrize("slug", ["guangdong", "wuhan-sim", "heilongjiang-sim"])  # gkmlpt, trs scripts, ucap
def test_the_doc_numbers_a_list_names_are_kept_with_its_rows(
    world: CrawlWorld, first_crawl: CrawlReport, slug: str
) -> None:
    from sqlalchemy import select

    from storage.models import ListedRow

    published = {n["url"]: n.get("doc_number") for n in world.govsim.admin.notices(slug)}
    with session_scope(world.database_url) as session:
        source = source_by_slug(session, slug)
        assert source is not None
        listed = {
            url: doc_number
            for url, doc_number in session.execute(
                select(ListedRow.url, ListedRow.doc_number).where(ListedRow.source_id == source.id)
            )
        }
    numbered = {url: doc for url, doc in published.items() if doc and url in listed}
    assert numbered, f"{slug}: no listed row of a notice with a 文号"
    assert {url: listed[url] for url in numbered} == numbered

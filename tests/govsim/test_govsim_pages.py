"""Every site's lists paginate the flavour's way and every row leads to a detail page with the right markup."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import pytest
import yaml
from lxml import html as lxml_html

from govsim.testing import GovsimHandle
from sites import load_registry
from tests.govsim.fetching import fetch

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "sites.yaml").read_text(encoding="utf-8"))


def walk_list(site: dict[str, Any], encoding: str) -> list[str]:
    """All detail URLs a crawler finds by paging through ``site``'s list the flavour's way."""
    first = site["list_urls"][0]
    flavour = site["flavour"]
    urls: list[str] = []
    if flavour == "gkmlpt":
        page = 1
        while True:
            data = json.loads(fetch(re.sub(r"page=\d+", f"page={page}", first)).body)
            urls += [a["url"] for a in data["articles"]]
            if page * data["pageSize"] >= data["total"]:
                return urls
            page += 1
    if flavour == "ucap":
        page = 1
        while True:
            data = json.loads(fetch(re.sub(r"([?&])page=\d+", rf"\g<1>page={page}", first)).body)["data"]
            urls += [urljoin(first, r["url"]) for r in data["results"]]
            if page * data["rows"] >= data["total"]:
                return urls
            page += 1
    if flavour == "igs":
        page = 1
        while True:
            data = json.loads(fetch(re.sub(r"pageNumber=\d+", f"pageNumber={page}", first)).body)["page"]
            urls += [r["DOCPUBURL"] for r in data["content"]]
            if page >= data["totalPages"]:
                return urls
            page += 1
    if flavour == "hanweb_jpaas":
        page = 1
        while True:
            html = json.loads(fetch(re.sub(r"pageNo=\d+", f"pageNo={page}", first)).body)["data"]["html"]
            urls += [
                urljoin(first, h)
                for h in re.findall(r'<li><a title="[^"]*" target="_blank" href="([^"]+)"', html)
            ]
            count, rows = (int(re.search(rf'{k}="(\d+)"', html).group(1)) for k in ("count", "rows"))
            if page * rows >= count:
                return urls
            page += 1
    if flavour == "json_list":
        page = 1
        while True:
            text = fetch(re.sub(r"([?&])page=\d+", rf"\g<1>page={page}", first)).body.decode(encoding)
            data = json.loads(text.strip().removeprefix("result(").removesuffix(");"))["data"]
            if not data:
                return urls
            urls += [r["puburl"] for r in data]
            page += 1
    if flavour == "ilist":
        page = 1
        while True:
            text = fetch(re.sub(r"cur_page=\d+", f"cur_page={page}", first)).body.decode(encoding)
            urls += [urljoin(first, h) for h in re.findall(r'<li><span>[\d-]+</span><a href="([^"]+)"', text)]
            if page >= int(re.search(r"共<span>(\d+)</span>页", text).group(1)):
                return urls
            page += 1
    if flavour == "hanweb":
        shell = fetch(first).body.decode(encoding)
        config = {
            k: re.search(rf"{k}: '?(\d+)", shell).group(1) for k in ("webid", "columnid", "unitid", "perPage")
        }
        per_page, start = int(config["perPage"]), 1
        while True:
            form = {"col": 1, "appid": 1, "webid": config["webid"], "path": "/", "columnid": config["columnid"],
                    "sourceContentType": 1, "unitid": config["unitid"], "webname": "x", "permissiontype": 0}  # fmt: skip
            query = urlencode({"startrecord": start, "endrecord": start + per_page - 1, "perpage": per_page})
            proxy = urljoin(first, f"/module/jpage/dataproxy.jsp?{query}")
            xml = fetch(proxy, method="POST", body=urlencode(form).encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"}).body.decode()  # fmt: skip
            urls += [urljoin(first, h) for h in re.findall(r'<li><a href="([^"]+)"', xml)]
            total = int(re.search(r"<totalrecord>(\d+)</totalrecord>", xml).group(1))
            start += per_page
            if start > total:
                return urls
    url: str | None = first
    pages: int | None = None
    page = 0
    while url:
        text = fetch(url).body.decode(encoding)
        tree = lxml_html.fromstring(text)
        if flavour == "trs":
            # rows as markup, or (scripted_rows) as the script variables the rows are drawn from
            hrefs = tree.xpath("//ul[@class='list']/li/a/@href") or re.findall(
                r'^var url = "([^"]+)";$', text, re.M
            )
            script = tree.xpath("//script[contains(text(),'createPageHTML')]/text()")[0]
            pages = int(re.search(r"createPageHTML\('page_div', (\d+),", script).group(1))
            page += 1
            nxt = urljoin(url, f"index_{page}.html") if page < pages else None
        elif flavour == "anhui":
            hrefs = tree.xpath("//ul[contains(@class,'doc_list')]/li/a/@href")
            pages = int(tree.xpath("//div[@class='pagination']/@data-total-page")[0])
            page += 1
            nxt = re.sub(r"pageIndex=\d+", f"pageIndex={page + 1}", url) if page < pages else None
        elif flavour == "shanghai" and tree.xpath("//ul[@class='list-year']"):
            years = tree.xpath("//ul[@class='list-year']/li/a/@href")  # newest first
            return [
                u for year in years for u in walk_list({**site, "list_urls": [urljoin(url, year)]}, encoding)
            ]
        elif flavour == "shanghai":
            hrefs = tree.xpath("//ul[contains(@class,'uli16')]/li/a/@href")
            script = tree.xpath("//script[contains(text(),'totalPage')]/text()")[0]
            pages = int(re.search(r"totalPage: (\d+)", script).group(1))
            page += 1
            nxt = urljoin(first, f"index_{page + 1}.html") if page < pages else None
        elif flavour == "generic":
            hrefs = tree.xpath("//div[@class='biaobody']//div[@class='lie2']/a/@href")
            nxt_links = tree.xpath("//div[@id='page_div']/a[text()='下页']/@href")
            nxt = urljoin(url, nxt_links[0]) if nxt_links else None
        else:
            hrefs = tree.xpath("//div[@class='news-list']//a[@class='title']/@href")
            nxt_links = tree.xpath("//a[@class='next']/@href")
            nxt = urljoin(url, nxt_links[0]) if nxt_links else None
        urls += [urljoin(url, h) for h in hrefs]
        url = nxt
    return urls


@pytest.mark.parametrize("case", CASES, ids=[c["slug"] for c in CASES])
def test_lists_paginate_to_every_notice_and_details_carry_the_flavour_markup(
    sim: GovsimHandle, case: dict
) -> None:
    site = next(s for s in sim.admin.sites() if s["slug"] == case["slug"])
    encoding = case["encoding"]
    expected = [n["url"] for n in sim.admin.notices(case["slug"]) if n["removed"] is None]

    assert walk_list(site, encoding) == expected

    list_page = fetch(site["list_urls"][0]).body.decode(encoding)
    for snippet in case.get("list_must_contain", []):
        assert snippet in list_page
    for snippet in case.get("list_must_not_contain", []):
        assert snippet not in list_page

    seed = [n for n in sim.admin.notices(case["slug"]) if n["origin"] == "seed"]
    notice = seed[0] if seed else sim.admin.notices(case["slug"])[0]
    page = fetch(notice["url"])
    assert page.status == 200
    text = page.body.decode(encoding)
    assert notice["title"] in text
    for snippet in case.get("detail_must_contain", []):
        assert snippet in text
    for snippet in case.get("detail_must_not_contain", []):
        assert snippet not in text


def test_the_real_registry_entries_run_unchanged_against_their_replicas(sim: GovsimHandle) -> None:
    """Only base_url is overridden: list_urls and detail_url_pattern of sites/*.toml fit the replica."""
    registry = load_registry([Path("sites"), sim.sites_dir], overrides=sim.site_overrides)
    assert set(sim.base_urls) <= set(registry)
    for slug, base_url in sim.base_urls.items():  # the replicated entries; the others stay on the real web
        site = registry[slug]
        assert site.base_url == base_url
        first_list = fetch(site.absolute_list_urls()[0])
        assert first_list.status == 200, slug
        for notice in sim.admin.notices(slug)[:5]:
            assert re.search(site.detail_url_pattern, notice["url"]), (slug, notice["url"])


def test_each_site_has_its_own_host(sim: GovsimHandle) -> None:
    hosts = {re.match(r"http://([\d.]+):", url).group(1) for url in sim.base_urls.values()}
    assert len(hosts) == len(sim.base_urls)


def test_no_two_sites_share_a_template(sim: GovsimHandle) -> None:
    """The chrome around the body differs: compare the page skeleton (tags and classes) of every site."""
    skeletons = {}
    for slug in sim.base_urls:
        notice = sim.admin.notices(slug)[0]
        raw = fetch(notice["url"]).body.decode("gbk" if slug in ("gbk-sim", "badcharset-sim") else "utf-8")
        skeletons[slug] = tuple(re.findall(r'<(\w+)[^>]*class="([^"]+)"', raw)[:40])
    assert len(set(skeletons.values())) == len(skeletons)


def test_seed_pages_show_the_cleaned_corpus_text_once_and_twice_sim_twice(sim: GovsimHandle) -> None:
    hainan = next(n for n in sim.admin.notices("hainan") if n["origin"] == "seed")
    page = fetch(hainan["url"]).body.decode()
    addressee = "现将《海南省新形势下加强打击侵犯知识产权和制售假冒伪劣商品工作实施方案》印发给你们"
    assert page.count(addressee) == 1
    twice = next(n for n in sim.admin.notices("twice-sim") if n["origin"] == "seed")
    assert fetch(twice["url"]).body.decode().count(addressee) == 2


def test_robots_default_allows_and_can_disallow(sim: GovsimHandle) -> None:
    base = sim.base_urls["hainan"]
    assert "Disallow: /\n" not in fetch(base + "/robots.txt").body.decode()
    sim.admin.robots("hainan", disallow=True)
    assert "Disallow: /\n" in fetch(base + "/robots.txt").body.decode()


def test_unknown_paths_and_pages_past_the_end_are_404(sim: GovsimHandle) -> None:
    assert fetch(sim.base_urls["hainan"] + "/hainan/szfwj/index_9.html").status == 404
    assert fetch(sim.base_urls["hainan"] + "/hainan/szfwj/201708/t20170817_1.html").status == 404
    assert fetch(sim.base_urls["lawportal-sim"] + "/fagui/list_9.html").status == 404

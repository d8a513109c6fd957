"""A malformed link in a list page drops that row, never the list (and so never the site); every
URL notices.links accepts is one Scrapy can request (cases in tests/notices/malformed_links.yaml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import scrapy
import yaml

from sites import Site
from spiders.flavours import PageRequest, get_flavour

FIXTURES = Path(__file__).parent / "fixtures"
LINK_TABLE = yaml.safe_load(
    (Path(__file__).parents[1] / "notices" / "malformed_links.yaml").read_text(encoding="utf-8")
)
ACCEPTED = [c for c in LINK_TABLE["cases"] if c["url"] and c["url"].startswith("http")]
BAD_HREFS = {
    "fullwidth-colon-port-typo": ("http://www.hainan.gov.cn：99999/hainan/szfwj/202311/t20231101_1.html", 0),
    "unbalanced-bracket": ("http://[::1/hainan/szfwj/202311/t20231101_1.html", 0),
    # normalized, not dropped: the row is kept with the corrected URL
    "fullwidth-colon-default-port": ("http://www.hainan.gov.cn：443/hainan/szfwj/202311/t20231101_1.html", 1),
}
CASES = {case["id"]: case for case in json.loads((FIXTURES / "list_cases.json").read_text(encoding="utf-8"))}


def make_site(data: dict[str, Any]) -> Site:
    return Site.model_validate(
        {"slug": "case", "name": "测试站点", "region": "测试", "level": "province", **data}
    )


@pytest.mark.parametrize(("href", "kept"), BAD_HREFS.values(), ids=BAD_HREFS.keys())
@pytest.mark.parametrize("case_id", ["trs-first-page", "portal-next-link"])
def test_a_malformed_row_leaves_the_other_rows(case_id: str, href: str, kept: int) -> None:
    case = CASES[case_id]
    site = make_site(case["site"])
    if site.flavour == "portal":
        href = href.replace("/hainan/szfwj/202311/t20231101_1.html", "/fagui/99999.html")
        row = f'<div class="item"><a class="title" href="{href}">关于印发方案的通知</a></div>'
        anchor = '<div class="item">'
    else:
        row = f'<li><a href="{href}" title="关于印发方案的通知">关于印发方案的通知</a><span>2023-11-01</span></li>'
        anchor = '<li><a href="./202311/t20231120_3512345.html"'
    body = (FIXTURES / "lists" / case["fixture"]).read_text(encoding="utf-8").replace(anchor, row + anchor, 1)
    request = PageRequest(url=case["request"]["url"], page_no=case["request"]["page_no"])
    page = get_flavour(site.flavour).parse_list(site, request, request.url, body.encode(), None)
    assert len(page.rows) == case["expect"]["rows"] + kept
    assert page.next_request is not None
    assert len(page.malformed_links) == 1 - kept
    assert all(request.url in warning for warning in page.malformed_links)


@pytest.mark.parametrize("case", ACCEPTED, ids=[c["id"] for c in ACCEPTED])
def test_every_accepted_url_is_one_scrapy_can_request(case: dict[str, Any]) -> None:
    scrapy.Request(case["url"])  # raises ValueError on a URL it cannot request

"""Flavour list parsers on saved list pages (tests/spiders/fixtures/lists), one case per row of list_cases.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sites import FLAVOURS as REGISTRY_FLAVOURS
from sites import Site
from spiders.flavours import FLAVOURS, PageRequest, get_flavour
from spiders.flavours.generic import dialect_of
from spiders.flavours.trs import parse_create_page_html

FIXTURES = Path(__file__).parent / "fixtures"
CASES = json.loads((FIXTURES / "list_cases.json").read_text(encoding="utf-8"))


def make_site(data: dict[str, Any]) -> Site:
    defaults = {"slug": "case", "name": "测试站点", "region": "测试", "level": "province"}
    return Site.model_validate({**defaults, **data})


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_list_page(case: dict[str, Any]) -> None:
    site = make_site(case["site"])
    req = case["request"]
    request = PageRequest(
        url=req["url"],
        page_no=req["page_no"],
        method=req.get("method", "GET"),
        form=tuple(req.get("form", {}).items()),
    )
    body = (FIXTURES / "lists" / case["fixture"]).read_bytes()
    page = get_flavour(site.flavour).parse_list(site, request, req["url"], body, None)
    expect = case["expect"]

    assert len(page.rows) == expect["rows"]
    if "first" in expect:
        first = page.rows[0]
        assert (first.url, first.title, first.date) == (
            expect["first"]["url"],
            expect["first"]["title"],
            expect["first"]["date"],
        )
    if "doc_numbers" in expect:
        assert [row.doc_number for row in page.rows] == expect["doc_numbers"]
    if "index_numbers" in expect:
        assert [row.index_number for row in page.rows] == expect["index_numbers"]
    assert page.shell == expect["shell"]
    assert [archive.url for archive in page.archives] == expect.get("archives", [])
    assert all(archive.page_no == 1 for archive in page.archives)
    if "total_pages" in expect:
        assert page.total_pages == expect["total_pages"]
    if expect["next"] is None:
        assert page.next_request is None
    else:
        nxt = page.next_request
        assert nxt is not None
        assert (nxt.url, nxt.page_no, nxt.method) == (
            expect["next"]["url"],
            expect["next"]["page_no"],
            expect["next"]["method"],
        )
        if "form" in expect["next"]:
            assert dict(nxt.form) == expect["next"]["form"]


@pytest.mark.parametrize("name", REGISTRY_FLAVOURS)
def test_every_parser_documents_its_flavour(name: str) -> None:
    doc = type(FLAVOURS[name]).__doc__ or ""
    assert doc.startswith(f"{name} — "), "the class docstring is the flavour's documentation"


def test_unknown_flavour_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="no list parser for flavour 'nope'"):
        get_flavour("nope")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("createPageHTML('page_div', 3, 0, 'index', 'html', 42);", (3, "index", "html")),
        ('createPageHTML(7, 0, "index", "shtml");', (7, "index", "shtml")),
        ("no pager here", None),
    ],
    ids=["six-args", "old-four-args", "none"],
)
def test_create_page_html(script: str, expected: tuple[int, str, str] | None) -> None:
    assert parse_create_page_html(script) == expected


def test_params_fill_in_when_the_hanweb_script_says_nothing() -> None:
    site = make_site({"flavour": "hanweb", "base_url": "https://www.zj.gov.cn", "list_urls": ["/col/col77/index.html"],
                      "params": {"webid": 1, "unitid": 2, "perpage": 10}})  # fmt: skip
    page = get_flavour("hanweb").parse_list(
        site,
        PageRequest(site.absolute_list_urls()[0], page_no=0),
        site.absolute_list_urls()[0],
        b"<html></html>",
        None,
    )
    assert page.shell and page.next_request is not None
    assert dict(page.next_request.form)["columnid"] == "77"
    assert page.next_request.url.endswith("dataproxy.jsp?startrecord=1&endrecord=10&perpage=10")


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("https://www.hebei.gov.cn/columns/49f13cc2-db03-4d0c-b4fe-2f3f659d3b6e/202403/21/"
         "0b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e.html", "hebei"),
        ("https://www.ln.gov.cn/web/zwgkx/zfwj/szfwj/2024011509123456/index.shtml", "liaoning"),
        ("https://czt.ln.gov.cn/czt/zfxxgk/zc/xzgfxwj/2024011509123456/index.shtml", "tsid"),
        ("https://www.sc.gov.cn/10462/c102914/2024/5/10/0b1e2c3d4f5a4b6c8d7e9f0a1b2c3d4e.shtml", "sichuan"),
        ("https://www.xinjiang.gov.cn/xinjiang/zfl/202403/0b1e2c3d4f5a4b6c8d7e9f0a1b2c3d4e.shtml", "hexmonth"),
        ("http://www.qinghai.gov.cn/zwgk/system/2017/08/17/010279521.shtml", "qinghai"),
        ("https://www.12371.cn/2024/03/21/ARTI1711012345678901.shtml", "arti"),
        ("http://www.sasac.gov.cn/n2588035/n2588320/n2588335/c30012345/content.html", "sasac"),
        ("https://www.hainan.gov.cn/hainan/szfwj/202311/t20231120_3512345.html", "tdate"),
        ("https://www.pingtan.gov.cn/zwgk/ghxx/gzjzqk/202503/t20250321_97999.htm", "tdate"),
        ("https://fgw.sh.gov.cn/fgw_gfxwj/20240321/0b1e2c3d4f5a4b6c8d7e9f0a1b2c3d4e.html", None),
        ("https://jyt.gansu.gov.cn/jyt/c110634/202511/174240943.shtml", None),
    ],
    ids=lambda value: value if isinstance(value, str) and "/" not in value else None,
)  # fmt: skip
def test_generic_dialects(url: str, dialect: str | None) -> None:
    found = dialect_of(url)
    assert (found.key if found else None) == dialect

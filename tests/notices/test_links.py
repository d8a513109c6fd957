"""Page-supplied links (notices.links): typos normalized, malformed links dropped one by one with a
warning naming the page and the link, and never the page (cases in malformed_links.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from notices import PageKind, RawPage, extract
from notices.links import MAX_URL_LENGTH, resolve_link

TABLE = yaml.safe_load((Path(__file__).parent / "malformed_links.yaml").read_text(encoding="utf-8"))
BASE: str = TABLE["default_base"]
CASES: list[dict[str, Any]] = TABLE["cases"]
DROPPED = [c for c in CASES if c["url"] is None and c.get("problem") and not c.get("not_in_page")]


def href_of(case: dict[str, Any]) -> str:
    href: str = case["href"]
    return href.replace("LONG", "x" * case["long"]) if "long" in case else href


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_link(case: dict[str, Any]) -> None:
    link = resolve_link(case.get("base", BASE), href_of(case))
    assert link.url == case["url"]
    if case["url"] is None:
        if case.get("problem") is None:
            assert link.problem is None
        else:
            assert link.problem is not None and case["problem"] in link.problem


def notice_page(links_html: str) -> RawPage:
    paragraphs = "".join(
        f"<p>{i}. 加强打击侵权假冒工作，严格规范公正文明执法，推进公正司法和全民守法。</p>"
        for i in range(1, 8)
    )
    html = (
        "<html><head><title>关于印发实施方案的通知_示例市人民政府</title></head><body>"
        f"<div class='TRS_Editor'><p>各区县人民政府：</p>{paragraphs}<p>示例市人民政府</p><p>2024年1月5日</p>"
        f"<p>附件：<a href='./P020240105.pdf'>实施方案.pdf</a> {links_html}</p></div>"
        "<div class='footer'><a href='http://www.beian.gov.cn：80/portal'>琼公网安备 46010602000251号</a></div>"
        "</body></html>"
    )
    return RawPage(url=BASE, body=html.encode(), status=200, headers={})


@pytest.mark.parametrize("case", DROPPED, ids=[c["id"] for c in DROPPED])
def test_a_malformed_link_never_breaks_a_detail_page(case: dict[str, Any]) -> None:
    href = href_of(case).replace("'", "%27")
    notice = extract(notice_page(f"<a href='{href}'>分工表.docx</a>"))
    assert notice.page_kind is PageKind.NOTICE, notice.warnings
    assert [a.url for a in notice.attachments] == ["http://www.example.gov.cn/zwgk/202401/P020240105.pdf"]
    dropped = [w for w in notice.warnings if w.startswith("dropped malformed link")]
    assert len(dropped) == 1 and BASE in dropped[0] and case["problem"] in dropped[0], notice.warnings


def test_the_full_width_footer_link_is_read_not_fatal() -> None:
    notice = extract(notice_page('<a href="http://www.beian.gov.cn：80/a.docx">备案.docx</a>'))
    assert notice.page_kind is PageKind.NOTICE
    assert "http://www.beian.gov.cn:80/a.docx" in [a.url for a in notice.attachments]
    assert not [w for w in notice.warnings if "malformed" in w]


def test_a_warning_never_shows_a_links_credentials() -> None:
    notice = extract(notice_page("<a href='http://admin:s3cret@www.example.gov.cn/a.pdf'>a.pdf</a>"))
    assert notice.page_kind is PageKind.NOTICE
    assert any("credentials" in w for w in notice.warnings)
    assert not any("s3cret" in w for w in notice.warnings)


def test_a_malformed_row_is_dropped_and_the_list_kept() -> None:
    rows = [
        ("./202401/t20240105_1.html", "2024-01-05"),
        ("http://www.example.gov.cn：99999/zwgk/202401/t20240104_1.html", "2024-01-04"),
        ("http://[::1/zwgk/202401/t20240103_1.html", "2024-01-03"),
        ("./202401/t20240102_1.html", "2024-01-02"),
    ] + [(f"./202312/t202312{day:02d}_1.html", f"2023-12-{day:02d}") for day in range(1, 9)]
    items = "".join(
        f"<li><a href='{href}'>关于印发第{n}号实施方案的通知</a><span>{day}</span></li>"
        for n, (href, day) in enumerate(rows)
    )
    html = f"<html><head><title>通知公告</title></head><body><ul class='list'>{items}</ul></body></html>"
    page = RawPage(url="http://www.example.gov.cn/zwgk/index.html", body=html.encode(), status=200)
    result = extract(page)
    assert result.page_kind is PageKind.LIST, result.warnings
    assert result.listing is not None
    urls = [item.url for item in result.listing.items]
    assert len(urls) == len(rows) - 2
    assert urls[:2] == [
        "http://www.example.gov.cn/zwgk/202401/t20240105_1.html",
        "http://www.example.gov.cn/zwgk/202401/t20240102_1.html",
    ]
    assert sum("dropped malformed link" in w for w in result.warnings) == 2


_HREF_ALPHABET = st.sampled_from(
    list("htps:/／：.。[]@%?#\\ \t\n\x00\u3000abc019ｗ中")
    + ["http://", "https://", "//", ":80", "：8080", "[::1]"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_HREF_ALPHABET, max_size=30).map("".join), st.sampled_from([BASE, "https://a.gov.cn/"]))
def test_any_href_gives_a_usable_url_or_none(href: str, base: str) -> None:
    link = resolve_link(base, href)
    if link.url is None:
        return
    parts = urlsplit(link.url)  # must not raise
    assert parts.scheme in ("http", "https")
    assert parts.hostname
    _ = parts.port  # must not raise
    assert len(link.url) <= MAX_URL_LENGTH
    assert not any(ord(ch) < 32 or ch == "\x7f" for ch in link.url)

"""The page-kind boundaries, one small page each side of each rule (tests/notices/page_kind_cases.yaml),
and the property behind the prose rule: navigation around a notice never makes it a list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import notices
from notices.model import PageKind, RawPage

CASES = yaml.safe_load((Path(__file__).parent / "page_kind_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_page_kind(case: dict[str, Any]) -> None:
    record = notices.extract(RawPage(url=case["url"], body=case["html"].encode("utf-8")))
    assert record.page_kind == case["kind"], record.warnings
    if "reason" in case:
        assert any(case["reason"] in w for w in record.warnings), record.warnings


_NOTICE_TEXT = (
    "为进一步优化营商环境，激发市场主体活力，经市政府同意，现就有关事项通知如下。",
    "一、压减审批时限。各部门要全面梳理行政许可事项，承诺办结时限原则上压减至法定时限的一半以内。",
    "二、推行告知承诺。对申请人承诺符合条件并提交材料的，当场作出审批决定，事后加强监管。",
    "三、强化督促落实。各部门要明确责任分工，细化工作措施，确保各项任务按期完成。",
    "本通知自印发之日起施行，执行中遇到的问题请及时报告市政府办公室。",
)


def _page_with_links(sidebar_rows: int, related_rows: int, title: str) -> bytes:
    def rows(prefix: str, count: int) -> str:
        return "".join(
            f'<li><a href="/{prefix}/t2023050{i % 9 + 1}_{i}.html">某某市召开第{i}次专题工作会议</a>'
            f"<span>2023-05-0{i % 9 + 1}</span></li>"
            for i in range(count)
        )

    body = "".join(f"<p>{p}</p>" for p in _NOTICE_TEXT)
    return (
        f"<html><head><title>{title}</title></head><body>"
        f'<ul class="nav">{rows("news", sidebar_rows)}</ul>'
        f'<div class="article"><h1>{title}</h1><div class="content">{body}'
        "<p>某某市人民政府办公室</p><p>2023年5月8日</p></div></div>"
        f'<ul class="related">{rows("zwgk", related_rows)}</ul></body></html>'
    ).encode()


@settings(max_examples=25, deadline=None)
@given(
    sidebar_rows=st.integers(min_value=0, max_value=40),
    related_rows=st.integers(min_value=0, max_value=40),
    title=st.sampled_from(["进一步优化营商环境若干措施", "某某市优化营商环境工作举措", "优化营商环境"]),
)
def test_navigation_around_prose_never_makes_a_list(sidebar_rows: int, related_rows: int, title: str) -> None:
    page = RawPage(
        url="http://www.example-city.gov.cn/zwgk/202305/t20230508_1.html",
        body=_page_with_links(sidebar_rows, related_rows, title),
    )
    record = notices.extract(page)
    assert record.page_kind is PageKind.NOTICE, record.warnings
    assert record.paragraphs[0] == _NOTICE_TEXT[0]

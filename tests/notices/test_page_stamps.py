"""A page's own clock never reaches the body.

Templates stamp the time a page was generated or served ("页面生成时间：…", "今天是…星期三"),
before, after or inside the content. The stamp changes on every fetch, so a body that kept it would
alert on every cycle. Property: for every notice fixture, a stamp inserted after any ``</div>`` of
the page (each one in turn) leaves the extracted body exactly as it was.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

import notices
from notices.body_lines import is_clock_line
from notices.model import RawPage
from tests.notices.notice_fixtures import load_cases

NOTICE_CASES = [case for case in load_cases() if case.expected.get("page_kind") == "notice"]
STAMPS = (
    "页面生成时间：{dt:%Y-%m-%d %H:%M:%S}",
    "本页生成时间: {dt:%Y-%m-%d %H:%M}",
    "更新时间：{dt:%Y/%m/%d %H:%M:%S}",
    "{dt:%Y-%m-%d %H:%M:%S}",
    "今天是{dt.year}年{dt.month}月{dt.day}日 星期三",
    "Generated at {dt:%Y-%m-%d %H:%M:%S}",
)
MAX_POSITIONS = 40
STAMP_MARKUP = ("<div>{stamp}</div>", '<p class="time">{stamp}</p>', "<span>{stamp}</span>", "<br>{stamp}")


def _with_line_after_each_div(page: RawPage) -> list[tuple[int, RawPage]]:
    """The page once per ``</div>``, with a stamp line inserted after it (formats in rotation)."""
    html = page.body.decode("utf-8")
    ends = [m.end() for m in re.finditer(r"</div\s*>", html, re.I)]
    if len(ends) > MAX_POSITIONS:  # big portal pages: an even spread keeps the test quick
        ends = [ends[i * len(ends) // MAX_POSITIONS] for i in range(MAX_POSITIONS)]
    variants = []
    for index, at in enumerate(ends):
        when = datetime(2020, 1, 1) + timedelta(days=37 * index, seconds=4111 * index)
        stamp = STAMPS[index % len(STAMPS)].format(dt=when)
        line = STAMP_MARKUP[(index // len(STAMPS)) % len(STAMP_MARKUP)].format(stamp=stamp)
        body = (html[:at] + line + html[at:]).encode("utf-8")
        variants.append((at, RawPage(url=page.url, body=body, status=page.status, headers=page.headers)))
    return variants


def _utf8(page: RawPage) -> bool:
    try:
        page.body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize("case", [c for c in NOTICE_CASES if _utf8(c.page)], ids=lambda c: c.name)
def test_a_page_stamp_never_changes_the_body(case) -> None:
    before = notices.extract(case.page)
    changed = [
        at
        for at, page in _with_line_after_each_div(case.page)
        if ((after := notices.extract(page)).page_kind, after.paragraphs)
        != (before.page_kind, before.paragraphs)
    ]
    assert changed == [], (
        f"a stamp after the </div> at these offsets changed the page kind or body: {changed}"
    )


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("页面生成时间：2024-05-01 10:22:33", True),
        ("今天是2024年5月1日 星期三", True),
        ("2024-05-01 10:22:33", True),
        ("Generated at 2024-05-01 10:22:33", True),
        # Content that carries dates and times stays.
        ("海南省人民政府 2017年8月9日", False),
        ("2017年8月9日", False),
        ("报名截止时间：2024年5月10日17:00", False),
        ("会议时间：2024年5月10日 14:30", False),
        ("请于2024年5月10日17:00前报送材料。", False),
    ],
)
def test_clock_lines(line: str, stamp: bool) -> None:
    assert is_clock_line(line) is stamp

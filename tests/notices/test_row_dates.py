"""notices.list_records.row_date: the date a list row shows, with or without its year."""

from __future__ import annotations

from datetime import date

import pytest

from notices.list_records import row_date

DETAIL = "http://www.example.gov.cn/zwgk/202405/t20240513_1.html"


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("某某通知 2024-05-13", None, date(2024, 5, 13)),
        ("某某通知 [2024年5月13日]", None, date(2024, 5, 13)),
        ("某某通知 [05-13]", DETAIL, date(2024, 5, 13)),
        ("某某通知 05/13", DETAIL, date(2024, 5, 13)),
        ("某某通知 5月13日", DETAIL, date(2024, 5, 13)),
        ("某某通知 （05.13）", "http://www.example.gov.cn/art/2024/5/13/art_1_2.html", date(2024, 5, 13)),
        ("某某通知 05-13", "http://www.example.gov.cn/zwgk/2024-05/13/content_9.htm", date(2024, 5, 13)),
        # No year to be had: the URL is not filed by date, or under another month.
        ("某某通知 [05-13]", "http://www.example.gov.cn/info/3101.jspx", None),
        ("某某通知 [05-13]", "http://www.example.gov.cn/zwgk/202406/t20240601_1.html", None),
        ("某某通知 [05-13]", None, None),
        # A month and day that do not end the row, or are no date, are not the row's date.
        ("5月13日召开会议的通知", DETAIL, None),
        ("某某通知 02-30", "http://www.example.gov.cn/zwgk/202402/t20240201_1.html", None),
        ("某某通知 第2024-05号", DETAIL, None),
    ],
)
def test_row_date(text: str, url: str | None, expected: date | None) -> None:
    assert row_date(text, url) == expected

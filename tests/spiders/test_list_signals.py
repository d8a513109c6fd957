"""When a list row of a known document changes between two visits, the document is fetched again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from spiders.flavours.base import ListRow
from spiders.list_signals import changed_rows, row_signature

CASES = yaml.safe_load(Path(__file__).with_name("list_signal_cases.yaml").read_text(encoding="utf-8"))
URL = "https://www.example.gov.cn/zwgk/202611/t20261102_1.html"


def _row(fields: dict[str, Any]) -> ListRow:
    return ListRow(
        url=URL,
        title=fields["title"],
        date=str(fields["date"]) if fields["date"] else None,
        doc_number=fields.get("doc_number"),
    )


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_changed_list_row_signals_a_recheck(case: dict[str, Any]) -> None:
    stored = {URL: row_signature(_row(case["stored"]))} if case["stored"] else {}
    before = dict(stored)
    signalled, updates = changed_rows([_row(case["row"])], stored, {URL} if case["known"] else set())
    assert signalled == ([URL] if case["signal"] else [])
    assert (URL in updates) is case["store"]
    assert stored[URL] == row_signature(_row(case["row"])) or stored == before


def test_a_row_listed_twice_on_one_visit_signals_once() -> None:
    old, new = ListRow(URL, "旧标题", "2026-11-02"), ListRow(URL, "新标题", "2026-11-02")
    stored = {URL: row_signature(old)}
    signalled, _updates = changed_rows([new, new], stored, {URL})
    assert signalled == [URL]


def test_what_a_row_carries_is_stored_with_its_signature() -> None:
    row = ListRow(
        URL,
        "关于印发某某办法的通知",
        "2026-11-02",
        doc_number="粤府〔2023〕50号",
        index_number="006939748/2023-00123",
    )
    _signalled, updates = changed_rows([row], {}, set())
    assert updates[URL] == (row_signature(row), "粤府〔2023〕50号", "006939748/2023-00123")

"""List payloads of each CMS family (tests/notices/list_shape_cases.yaml) through ``extract``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import notices
from notices.model import PageKind, RawPage

CASES = yaml.safe_load((Path(__file__).parent / "list_shape_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_list_shape(case: dict[str, Any]) -> None:
    page = RawPage(
        url=case["url"], body=case["body"].encode("utf-8"), headers={"content-type": case["content_type"]}
    )
    record = notices.extract(page)
    assert record.page_kind is PageKind.LIST, record.warnings
    got = record.contract_json()
    expect = case["expect"]
    assert got["cms"] == expect["cms"]
    assert got["items"] == expect["items"]
    if "next_pages" in expect:
        assert got["next_pages"] == expect["next_pages"]
    start = expect.get("next_pages_start", [])
    assert got["next_pages"][: len(start)] == start, got["next_pages"]

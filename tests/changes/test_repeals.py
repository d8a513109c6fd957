"""Repeal by citation read from a notice's text (tests/changes/repeal_cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from changes.repeals import repeal_citations
from notices.model import Notice, PageKind

CASES = yaml.safe_load(Path(__file__).with_name("repeal_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_what_a_notice_repeals(case: dict[str, Any]) -> None:
    notice = Notice(
        url="https://www.example.gov.cn/zwgk/t20240101_1.html",
        page_kind=PageKind.NOTICE,
        title=case["title"],
        doc_number=case["doc_number"],
        paragraphs=tuple(case["body"]),
    )
    found = [[c.action.value, c.doc_number, c.title] for c in repeal_citations(notice)]
    assert found == case["expect"]
    assert all(c.sentence for c in repeal_citations(notice))

"""Recognising challenges and error pages on saved pages (fixtures/pages, cases in page_cases.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spiders.faults import classify

FIXTURES = Path(__file__).parent / "fixtures"
CASES: list[dict[str, Any]] = json.loads((FIXTURES / "page_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_classify(case: dict[str, Any]) -> None:
    verdict = classify(case["status"], (FIXTURES / "pages" / case["file"]).read_bytes())
    expect = case["expect"]
    if expect is None:
        assert verdict is None
    else:
        assert verdict is not None
        assert (verdict.kind, verdict.reason) == (expect["kind"], expect["reason"])

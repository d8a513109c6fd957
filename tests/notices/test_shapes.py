"""Rules for shapes real pages take, one small page each (tests/notices/shape_cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import notices
from notices.model import RawPage

CASES = yaml.safe_load((Path(__file__).parent / "shape_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_shape(case: dict[str, Any]) -> None:
    record = notices.extract(RawPage(url=case["url"], body=case["html"].encode("utf-8")))
    got = record.contract_json()
    for key, want in case["expect"].items():
        if key == "last_paragraph":
            assert record.paragraphs and record.paragraphs[-1] == want, record.paragraphs
        else:
            assert got[key] == want, f"{key}: {got[key]!r}, expected {want!r} ({record.warnings})"
    for snippet in case.get("body_contains", []):
        assert snippet in record.body, record.body
    for snippet in case.get("body_lacks", []):
        assert snippet not in record.body, record.body

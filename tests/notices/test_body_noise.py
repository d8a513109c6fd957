"""What never reaches a notice's body: clock and page-generation stamps, and the related-links
blocks templates put inside the content container. Cases: tests/notices/body_noise_cases.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from notices.body import body_paragraphs
from notices.body_lines import is_noise_line
from notices.html import parse_html

CASES = yaml.safe_load((Path(__file__).parent / "body_noise_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["lines"], ids=lambda c: c["line"])
def test_line_is_noise_or_text(case: dict[str, Any]) -> None:
    assert is_noise_line(case["line"]) is case["noise"]


@pytest.mark.parametrize("case", CASES["blocks"], ids=lambda c: c["id"])
def test_container_keeps_only_its_text(case: dict[str, Any]) -> None:
    root = parse_html(f"<html><body>{case['html']}</body></html>")
    assert root is not None
    container = root.find(".//body/div")
    paragraphs, _dropped = body_paragraphs(container)
    assert paragraphs == case["paragraphs"]

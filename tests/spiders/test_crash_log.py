"""A dead crawler's error is the one line that says why, never its settings dump or traceback frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from spiders.run import last_error_line

CASES = yaml.safe_load(Path(__file__).with_name("crash_log_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_line_an_operator_reads(case: dict[str, Any]) -> None:
    line = last_error_line(case["tail"])
    assert line == case["line"]
    assert "\n" not in line and "Overridden settings" not in line

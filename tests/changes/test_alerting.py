"""Whether a change is alerted, as a table of cases (alert_cases.yaml): baseline, reposts, kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from changes.alerting import AlertReason, decide_alert
from changes.model import Change, ChangeKind

CASES = yaml.safe_load((Path(__file__).parent / "alert_cases.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_alert_decision(case: dict[str, Any]) -> None:
    facts, expect = case["facts"], case["expect"]
    change = Change(
        kind=ChangeKind(case["change"]["kind"]),
        changed=True,
        alert_by_default=case["change"].get("alert_by_default", True),
    )
    asked: list[bool] = []

    def policy_alerted_as_new() -> bool:
        asked.append(True)
        return bool(facts["policy_alerted_as_new"])

    decision = decide_alert(
        change,
        baseline_done=facts["baseline_done"],
        policy_just_created=facts["policy_just_created"],
        policy_alerted_as_new=policy_alerted_as_new,
    )

    assert (decision.alerted, decision.reason) == (expect["alerted"], AlertReason(expect["reason"]))
    # The lookup is a database query: asked only when the answer decides.
    assert bool(asked) is expect.get("asks", False)

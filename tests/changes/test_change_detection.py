"""Change detection as a table of cases (cases.yaml): every kind, every kind of noise, flapping, locations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from changes import Change, ChangeKind, contract_json, detect, removal_change
from tests.changes.notice_builders import build_notice

TABLE = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))
BASE: dict[str, Any] = TABLE["base"]


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["id"] for c in TABLE["cases"]])
def test_change_detection(case: dict[str, Any]) -> None:
    previous = None if case["previous"] is None else build_notice(BASE, case["previous"])
    current = build_notice(BASE, case["current"])
    recent = [build_notice(BASE, r) for r in case.get("recent", [])]
    expect = case["expect"]

    change = detect(previous, current, recent=recent)

    assert change.kind == ChangeKind(expect["kind"]), change.summary
    assert change.changed is expect["changed"]
    assert change.priority == expect.get("priority", "normal")
    if "fields" in expect:
        assert sorted(change.fields_changed) == sorted(expect["fields"])
    if "paths" in expect:
        assert [e.path for e in change.edits if e.field is None] == expect["paths"]
    for text in expect.get("summary_contains", []):
        assert text in change.summary
    if "alert" in expect:
        assert change.alert_by_default is expect["alert"]
    assert "\n" not in change.summary


def test_change_round_trips_through_json() -> None:
    previous = build_notice(BASE, {})
    current = build_notice(BASE, {"validity": "废止", "published_date": "2021-01-01"})
    change = detect(previous, current)
    again = Change.from_dict(json.loads(json.dumps(change.to_dict(), ensure_ascii=False)))
    assert again == change


def _detected(case: dict[str, Any]) -> Change:
    previous = None if case["previous"] is None else build_notice(BASE, case["previous"])
    recent = [build_notice(BASE, r) for r in case.get("recent", [])]
    return detect(previous, build_notice(BASE, case["current"]), recent=recent)


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["id"] for c in TABLE["cases"]])
def test_every_detected_change_round_trips_exactly(case: dict[str, Any]) -> None:
    """A stored change's detail is ``Change.to_dict()`` as JSON; ``from_dict`` gives it back whole."""
    change = _detected(case)
    stored = json.loads(json.dumps(change.to_dict(), ensure_ascii=False))
    again = Change.from_dict(stored)
    assert again == change
    assert again.to_dict() == stored


@pytest.mark.parametrize("kind", [ChangeKind.REMOVED, ChangeKind.RESTORED])
def test_removal_changes_round_trip_exactly(kind: ChangeKind) -> None:
    change = removal_change(kind, "海南省人民政府关于进一步优化营商环境的通知", BASE["url"], http_status=410)
    stored = json.loads(json.dumps(change.to_dict(), ensure_ascii=False))
    assert Change.from_dict(stored) == change
    assert Change.from_dict(stored).to_dict() == stored


def test_contract_json_shape() -> None:
    previous = build_notice(BASE, {})
    paragraphs = list(BASE["paragraphs"])
    paragraphs[5] = "5. 到2025年底前完成各项建设任务。"
    current = build_notice(BASE, {"paragraphs": paragraphs})
    out = contract_json(detect(previous, current))
    assert out["changed"] is True
    assert out["kind"] == "edited"
    assert out["fields_changed"] == ["body"]
    edit = out["diff"]["edits"][0]
    assert edit["path"] == "四、（二）5."
    assert edit["op"] == "replace"
    assert edit["excerpt"] == "2020年 → 2025年"
    assert "-5. 到2020年底前完成各项建设任务。" in out["diff"]["unified"]
    assert "+5. 到2025年底前完成各项建设任务。" in out["diff"]["unified"]
    json.dumps(out, ensure_ascii=False)


def test_unchanged_contract() -> None:
    notice = build_notice(BASE, {})
    out = contract_json(detect(notice, notice))
    assert out == {
        "changed": False,
        "kind": "none",
        "priority": "normal",
        "summary": "无变化",
        "fields_changed": [],
        "diff": {"edits": [], "unified": ""},
    }


def test_flapping_is_reported_once() -> None:
    a = build_notice(BASE, {})
    b = build_notice(BASE, {"title": "另一个标题"})
    history: list = [a]  # newest first
    reported = []
    for version in (b, a, b, a, b):
        change = detect(history[0], version, recent=history)
        reported.append(change.changed)
        history.insert(0, version)
    assert reported == [True, False, False, False, False]

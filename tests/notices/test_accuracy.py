"""Accuracy gate: every fixture page through ``extract``, scored field by field against expected.json.

Per-case tests name the page and the field that broke; a field listed in a fixture's
``known_misses`` (with the reason) is expected to fail, strictly, so fixing it is noticed.
``test_accuracy_not_below_baseline`` scores real pages and replica pages apart and fails when any
field's accuracy in either drops below its floor in tests/fixtures/accuracy_baseline.json; the
per-field table is printed in the terminal summary (see conftest.py), with or without ``-s``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache

import pytest

from notices import extract
from notices.model import Notice
from tests.notices.notice_fixtures import BASELINE_PATH, Case, checked_fields, field_problems, load_cases

CASES = load_cases()
ACCURACY_TABLE: list[str] = []  # filled by the gate test, printed by conftest's terminal summary


@cache
def _extracted(name: str) -> Notice:
    case = next(c for c in CASES if c.name == name)
    return extract(case.page)


def _field_params() -> list[pytest.param]:
    return [
        pytest.param(
            c,
            f,
            id=f"{c.name}-{f}",
            marks=[pytest.mark.xfail(strict=True, reason=c.known_misses[f])] if f in c.known_misses else [],
        )
        for c in CASES
        for f in checked_fields(c.expected)
    ]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("case", "field"), _field_params())
def test_field(case: Case, field: str) -> None:
    problems = field_problems(_extracted(case.name), case.expected)
    assert field not in problems, f"{case.name}: {field}: {problems[field]}"


def accuracy(origin: str) -> dict[str, tuple[int, int]]:
    """field -> (correct, checked) over the fixture pages of one origin (real or replica)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in CASES:
        if case.origin != origin:
            continue
        problems = field_problems(_extracted(case.name), case.expected)
        for field in checked_fields(case.expected):
            totals[field][1] += 1
            totals[field][0] += field not in problems
    return {k: (v[0], v[1]) for k, v in totals.items()}


@pytest.mark.timeout(120)
def test_accuracy_not_below_baseline() -> None:
    baseline = json.loads(BASELINE_PATH.read_text(encoding="utf-8"))
    ACCURACY_TABLE.clear()
    below = []
    for origin in ("real", "replica"):
        scores = accuracy(origin)
        ACCURACY_TABLE.append(
            f"{origin + ' pages':<22}{'correct':>9}{'pages':>7}{'accuracy':>10}{'floor':>10}"
        )
        for field in sorted(scores):
            correct, checked = scores[field]
            ratio = correct / checked
            floor = float(baseline[origin].get(field, 0.0))
            flag = "  BELOW" if ratio + 1e-9 < floor else ""
            ACCURACY_TABLE.append(f"{field:<22}{correct:>9}{checked:>7}{ratio:>10.3f}{floor:>10.3f}{flag}")
            if flag:
                below.append(f"{origin} {field}: {ratio:.3f} < floor {floor:.3f}")
        ACCURACY_TABLE.append("")
    assert not below, "accuracy fell below the committed floor: " + ", ".join(below)


def test_blocked_and_error_pages_are_never_notices() -> None:
    """A page that is no notice never reads as one (it would alert). The exceptions are the real
    pages whose page_kind is a recorded known miss: their strict per-field xfail shows a fix."""
    wrong = [
        case.name
        for case in CASES
        if case.expected.get("page_kind") in ("blocked", "error", "list", "other")
        and "page_kind" not in case.known_misses
        and _extracted(case.name).page_kind == "notice"
    ]
    assert not wrong, f"taken for notices: {wrong}"


def test_noise_never_reaches_the_record() -> None:
    """Same notice, different counter/timestamp/nonce/related links/markup: identical records."""
    pairs = [(c.name, f"{c.name}_noise") for c in CASES if any(o.name == f"{c.name}_noise" for o in CASES)]
    assert pairs, "expected at least one *_noise fixture pair"
    for plain, noisy in pairs:
        a, b = _extracted(plain), _extracted(noisy)
        assert a.paragraphs == b.paragraphs, plain
        assert a.to_dict() | {"url": ""} == b.to_dict() | {"url": ""}, plain

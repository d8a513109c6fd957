"""Removal needs N consecutive 404/410 answers; anything else is not evidence; a notice again restores."""

from __future__ import annotations

import pytest

from changes import ChangeKind, NoticeStatus, after_check, removal_change


def run(checks: list[tuple[int | None, bool]], confirmations: int = 3) -> list[tuple[str, ChangeKind | None]]:
    status, missing, out = NoticeStatus.ACTIVE, 0, []
    for http_status, got_notice in checks:
        decision = after_check(
            status, missing, http_status=http_status, got_notice=got_notice, confirmations=confirmations
        )
        status, missing = decision.status, decision.consecutive_missing
        out.append((status.value, decision.change))
    return out


def test_single_404_is_not_removal() -> None:
    assert run([(404, False), (200, True)]) == [("missing", None), ("active", None)]


def test_three_consecutive_404_remove_once() -> None:
    out = run([(404, False), (410, False), (404, False), (404, False)])
    assert [c for _, c in out] == [None, None, ChangeKind.REMOVED, None]
    assert out[-1][0] == "removed"


def test_errors_and_challenges_do_not_count() -> None:
    out = run([(404, False), (503, False), (None, False), (412, False), (404, False)])
    assert out[-1] == ("missing", None)


def test_interrupted_streak_starts_over() -> None:
    out = run([(404, False), (404, False), (200, True), (404, False), (404, False)])
    assert all(change is None for _, change in out)


def test_restored_after_removal() -> None:
    out = run([(404, False), (404, False), (404, False), (200, True)])
    assert out[-1] == ("active", ChangeKind.RESTORED)


@pytest.mark.parametrize("n", [1, 5])
def test_confirmations_are_configurable(n: int) -> None:
    out = run([(404, False)] * n, confirmations=n)
    assert out[-1] == ("removed", ChangeKind.REMOVED)
    assert all(change is None for _, change in out[:-1])


def test_removal_change_is_high_priority() -> None:
    change = removal_change(ChangeKind.REMOVED, "某通知", "http://x/1.html", http_status=404)
    assert change.priority == "high" and change.changed and "已撤下" in change.summary
    assert removal_change(ChangeKind.RESTORED, None, "http://x/1.html").summary.startswith("已恢复")

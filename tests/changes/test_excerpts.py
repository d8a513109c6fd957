"""Excerpts read as phrases: the characters a reader needs to see what changed, and no more."""

from __future__ import annotations

import pytest

from changes.diff import highlight
from changes.model import change_clusters

CASES = [
    ("phrase-swap", "加强打击侵权假冒", "强化打击侵权假冒", [("加强", "强化")]),
    ("year-with-unit", "到2020年底前完成", "到2025年底前完成", [("2020年", "2025年")]),
    (
        "two-separate-edits",
        "市农委负责，市商务委配合，全年完成",
        "市农业农村委负责，市商务委配合，上半年完成",
        [("农委", "农业农村委"), ("全", "上半")],
    ),
    ("long-insertion-needs-no-context", "依法严厉打击", "依法从重从快严厉打击", [("", "从重从快")]),
    ("short-deletion-shown-in-context", "市农业农村委负责", "市农委负责", [("农业农村委", "农委")]),
]


@pytest.mark.parametrize(("old", "new", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_change_clusters_are_readable_phrases(old: str, new: str, expected: list[tuple[str, str]]) -> None:
    assert change_clusters(highlight(old, new)) == expected

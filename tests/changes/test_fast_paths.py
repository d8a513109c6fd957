"""The shortcuts change detection takes for speed give exactly what the plain definitions give.

``fold_all`` must equal ``fold`` text by text (on every fixture page's paragraphs and on the
characters NFKC treats specially), and the paragraph opcodes with the common head and tail
matched first must equal difflib's on the whole lists.
"""

from __future__ import annotations

import difflib
import json
import random
from functools import cache
from pathlib import Path

import pytest

from changes.diff import _changed_blocks
from changes.normalize import fold, fold_all
from notices import RawPage, extract

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
FIXTURES = sorted(path.name for path in PAGES.iterdir() if (path / "meta.json").is_file())

# Texts where NFKC does more than map full-width forms: a full-width letter that composes with a
# following combining mark, decomposed accents, ligatures, circled and compatibility ideographs,
# Hangul jamo, the ideographic space, an ellipsis, and the separator fold_all joins texts with.
EDGE_TEXTS = [
    "",
    " ",
    "\u3000\u3000第一条",
    "Ａ\u0301ＢＣ",
    "ｅ\u0301",
    "e\u0301\u0323",
    "ﬁnance ﬀ",
    "①②③ ㈠ ㊣",
    "\uf900\ufa10 豈",
    "\u1100\u1161\u11a8",
    "一、总则……（一）",
    "2020年，（二）：；！？",
    "a\x00b",
    "\x00",
    "﹙小括号﹚ ︵竖排︶",
    "ｶﾀｶﾅ ﾞﾟ",
]


@cache
def fixture_paragraphs(name: str) -> tuple[str, ...]:
    meta = json.loads((PAGES / name / "meta.json").read_text(encoding="utf-8"))
    body = next((PAGES / name).glob("input.*")).read_bytes()
    page = RawPage(
        url=meta["url"], body=body, status=meta.get("status", 200), headers=meta.get("headers") or {}
    )
    return extract(page).paragraphs


@pytest.mark.parametrize("name", FIXTURES)
def test_fold_all_equals_fold_on_fixture_pages(name: str) -> None:
    paragraphs = list(fixture_paragraphs(name))
    assert fold_all(paragraphs) == [fold(p) for p in paragraphs]


@pytest.mark.parametrize("text", EDGE_TEXTS, ids=[repr(t) for t in EDGE_TEXTS])
def test_fold_all_equals_fold_on_special_characters(text: str) -> None:
    texts = ["前文（一）", text, "后文：", text + "Ｚ"]
    assert fold_all(texts) == [fold(t) for t in texts]
    assert fold_all([text]) == [fold(text)]


def test_fold_all_of_nothing() -> None:
    assert fold_all([]) == []


@pytest.mark.parametrize("seed", range(40))
def test_changed_blocks_equal_difflib_on_unique_paragraphs(seed: int) -> None:
    rng = random.Random(seed)
    old = [f"p{i}" for i in range(rng.randint(0, 60))]
    new = list(old)
    for _ in range(rng.randint(0, 6)):
        action = rng.choice(("edit", "insert", "delete", "move"))
        if action == "insert" or not new:
            new.insert(rng.randint(0, len(new)), f"new{rng.random()}")
        elif action == "edit":
            new[rng.randrange(len(new))] = f"edited{rng.random()}"
        elif action == "delete":
            del new[rng.randrange(len(new))]
        else:
            new.insert(rng.randint(0, len(new) - 1), new.pop(rng.randrange(len(new))))
    expected = [
        op for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes() if op[0] != "equal"
    ]
    assert _changed_blocks(old, new) == expected

"""Recognising challenges and error pages on saved pages (fixtures/pages, cases in page_cases.json)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from spiders.faults import classify

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
CASES: list[dict[str, Any]] = json.loads((FIXTURES / "page_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_classify(case: dict[str, Any]) -> None:
    page = (FIXTURES / "pages" / case["file"]).read_bytes()
    verdict = classify(case["status"], page, case.get("set_cookies", ()))
    expect = case["expect"]
    if expect is None:
        assert verdict is None
    else:
        assert verdict is not None
        assert (verdict.kind, verdict.reason) == (expect["kind"], expect["reason"])
        assert verdict.family == expect.get("family")


# The saved real challenge pages whose expected.json names the anti-bot product (read from the
# repository that saved each page: its folder names, notes and code say which one it fought).
NAMED_CHALLENGES = sorted(
    folder
    for folder in PAGES.iterdir()
    if (folder / "expected.json").is_file()
    and "challenge" in json.loads((folder / "expected.json").read_text(encoding="utf-8"))
)


@pytest.mark.parametrize("folder", NAMED_CHALLENGES, ids=[f.name for f in NAMED_CHALLENGES])
def test_real_challenge_pages_name_their_product(folder: Path) -> None:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["challenge"]
    set_cookie = meta.get("headers", {}).get("set-cookie")
    verdict = classify(
        meta["status"], (folder / "input.html").read_bytes(), [set_cookie] if set_cookie else []
    )
    assert verdict is not None and verdict.kind == "blocked"
    assert verdict.family == expected


def test_every_named_product_backs_off_longer_than_an_unnamed_check() -> None:
    from notices.challenges import CHALLENGE_FAMILIES
    from spiders.faults import Verdict, backoff_for

    named = {f.name: backoff_for(Verdict("blocked", "", family=f.name)) for f in CHALLENGE_FAMILIES}
    unnamed = backoff_for(Verdict("blocked", "", family="challenge"))
    denied = backoff_for(Verdict("blocked", "", family="denied"))
    assert set(named.values()) == {timedelta(hours=6)}
    assert unnamed == denied == timedelta(hours=1)

"""Garbled decoding: past a threshold (or in the title) a page is rejected like a truncated one,
kind ``error`` with the reason; the site's own U+FFFD and a few stray bytes are not (cases in
garbled_cases.yaml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from changes import detect
from notices import PageKind, RawPage, extract

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "garbled_cases.yaml").read_text(encoding="utf-8")
)["cases"]


def fixture_page(name: str) -> tuple[RawPage, dict[str, Any]]:
    meta = json.loads((PAGES / name / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((PAGES / name / "expected.json").read_text(encoding="utf-8"))
    body = (PAGES / name / "input.html").read_bytes()
    return RawPage(url=meta["url"], body=body, status=200, headers=meta["headers"]), expected


def charset_of(page: RawPage) -> str:
    return "utf-8" if b"charset=utf-8" in page.body[:2000].lower() else "gb18030"


def corrupted(page: RawPage, expected: dict[str, Any], case: dict[str, Any]) -> bytes:
    body, charset = bytearray(page.body), charset_of(page)
    if "literal" in case:
        snippet = expected["body"]["body_must_contain"][0].encode(charset)
        return page.body.replace(snippet, snippet + "\ufffd".encode(charset) * case["literal"], 1)
    if case["corrupt"] == "title":
        title = expected["title"].encode(charset)
        middle = len(expected["title"]) // 2
        head = expected["title"][:middle].encode(charset)
        count = page.body.count(title)
        assert count, "the title is in the page"
        start = 0
        for _ in range(count):
            at = page.body.index(title, start) + len(head)
            body[at : at + 2] = b"\xff\xff"
            start = at + 2
        return bytes(body)
    start = page.body.index(expected["body"]["body_must_contain"][0].encode(charset))
    for n in range(case["bytes"]):
        body[start + 7 * n] = 0xFF
    return bytes(body)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_garbled_decoding(case: dict[str, Any]) -> None:
    page, expected = fixture_page(case["fixture"])
    clean = extract(page)
    assert clean.page_kind is PageKind.NOTICE
    damaged = extract(RawPage(url=page.url, body=corrupted(page, expected, case), headers=page.headers))
    assert damaged.page_kind.value == case["kind"], damaged.warnings
    if case["kind"] == "error":
        reason = damaged.warnings[-1]
        assert "garbled text" in reason and page.url in reason and "fetched again" in reason
        assert damaged.paragraphs == () and damaged.title is None
    else:
        assert damaged.title == clean.title
        assert not any("garbled" in w for w in damaged.warnings)
    # The clean page read again is no change: nothing of the damaged one was kept.
    assert detect(clean, extract(page)).kind.value == "none"

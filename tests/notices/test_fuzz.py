"""Fuzz: seeded mutations of every fixture page (tests/notices/mutations.py) never raise in
notices.extract, list extraction or changes.detect; a mutation of links or markup only never turns
a notice into anything else; and a page is never a change from itself.

``make test`` runs three mutations of each fixture page (each mutation on a third of the pages);
``make soak`` runs every mutation of every page with five seeds and 100,000 levels of nesting.
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

import pytest

from changes import detect
from notices import Notice, PageKind, RawPage, decode_html, extract
from notices.listing import parse_listing
from tests.notices.mutations import MARKUP_ONLY, mutations

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
FIXTURES = sorted(path.name for path in PAGES.iterdir() if (path / "meta.json").is_file())
SUITE_MUTATIONS = mutations(nesting_levels=3_000)
SOAK_MUTATIONS = mutations(nesting_levels=100_000)
PER_PAGE = 3


@cache
def fixture_page(name: str) -> RawPage:
    meta = json.loads((PAGES / name / "meta.json").read_text(encoding="utf-8"))
    body = next((PAGES / name).glob("input.*")).read_bytes()
    return RawPage(
        url=meta["url"], body=body, status=meta.get("status", 200), headers=meta.get("headers") or {}
    )


@cache
def original(name: str) -> Notice:
    return extract(fixture_page(name))


def suite_cases() -> list[tuple[str, str, int]]:
    names = list(SUITE_MUTATIONS)
    return [
        (page, names[(index + k) % len(names)], index)
        for index, page in enumerate(FIXTURES)
        for k in range(0, len(names), len(names) // PER_PAGE)
    ]


def soak_cases() -> list[tuple[str, str, int]]:
    return [(page, name, seed) for page in FIXTURES for name in SOAK_MUTATIONS for seed in range(5)]


def check_mutant(page_name: str, mutation: str, seed: int, table: dict[str, object]) -> None:
    page = fixture_page(page_name)
    mutate = table[mutation]
    assert callable(mutate)
    body = mutate(page.body, random.Random(f"{page_name}/{mutation}/{seed}"))
    mutant = RawPage(url=page.url, body=body, status=page.status, headers=page.headers)

    first, second = extract(mutant), extract(mutant)
    assert not [w for w in first.warnings if w.startswith("extraction failed")], first.warnings
    # A page is never a change from itself, read twice or compared with itself.
    assert first.to_dict() == second.to_dict()
    assert detect(first, second).kind.value == "none"
    assert detect(first, first).kind.value == "none"
    # List extraction on its own, as the CLI and the list paths call it, never raises either.
    parse_listing(decode_html(body, None)[0], page.url)

    before = original(page_name)
    detect(before, first)  # comparing with the good copy never raises, whatever it finds
    if mutation in MARKUP_ONLY and before.page_kind is PageKind.NOTICE:
        assert first.page_kind is PageKind.NOTICE, first.warnings
        assert first.title == before.title


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("page_name", "mutation", "seed"), suite_cases(), ids=lambda v: str(v))
def test_mutated_page(page_name: str, mutation: str, seed: int) -> None:
    check_mutant(page_name, mutation, seed, SUITE_MUTATIONS)


@pytest.mark.soak
@pytest.mark.timeout(1800)
@pytest.mark.parametrize(("page_name", "mutation", "seed"), soak_cases(), ids=lambda v: str(v))
def test_mutated_page_soak(page_name: str, mutation: str, seed: int) -> None:
    check_mutant(page_name, mutation, seed, SOAK_MUTATIONS)

"""`policywatch diff OLD NEW --json` on the real and corpus notice pages, mutated as a government
site mutates them between two fetches: noise (counters, clock stamps, nonces, related links,
whitespace, class names) must answer ``none``; a real edit (a character, a sentence, the title, the
published date) must be reported as its kind. The table is tests/changes/real_mutation_cases.yaml,
the mutations are in tests/changes/page_mutations.py; ``python benchmarks/real_diff.py`` prints the
same runs as a table of false alerts, misses and errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.changes.page_mutations import (
    INSERTED_SENTENCE,
    MUTATIONS,
    NotApplicable,
    PageText,
    notice_pages,
    old_and_new,
    run,
)
from tests.cli.conftest import cli, describe

TABLE = yaml.safe_load((Path(__file__).parent / "real_mutation_cases.yaml").read_text(encoding="utf-8"))
CASES = [dict(case, group=group) for group in ("noise", "edits") for case in TABLE[group]]
PAGES = notice_pages()


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['mutation']}-{case.get('sides', 'new')}"


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_mutation_gives_its_expected_answer(case: dict[str, Any], page: PageText) -> None:
    outcome = run(case, page)
    if outcome.status == "skipped":
        pytest.skip(f"{case['mutation']} does not apply to {page.name}: {outcome.detail}")
    assert outcome.status == "ok", f"{outcome.status}: {outcome.detail}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_each_mutation_applies_to_enough_pages(case: dict[str, Any]) -> None:
    applied, changed = [], []
    for page in PAGES:
        try:
            old, new = old_and_new(page, case["mutation"], case.get("sides", "new"))
        except NotApplicable:
            continue
        applied.append(page.name)
        changed.append(old.body != new.body)
    assert len(applied) >= case["min_pages"], f"applies to {applied} only"
    if case["mutation"] != "identity":  # a mutation that changes no byte would test nothing
        assert all(changed), [name for name, c in zip(applied, changed, strict=True) if not c]


def test_every_registered_mutation_is_in_the_table() -> None:
    assert set(MUTATIONS) == {case["mutation"] for case in CASES}


@pytest.mark.parametrize(
    ("mutation", "sides", "kind"),
    [("stamp-after-content", "both", "none"), ("body-sentence-inserted", "new", "edited")],
)
def test_the_command_line_answers_as_the_table_says(
    mutation: str, sides: str, kind: str, tmp_path: Path
) -> None:
    page = next(p for p in PAGES if p.name == "real_fujian_putian_trs_detail")
    old, new = old_and_new(page, mutation, sides)
    (tmp_path / "old.html").write_bytes(old.body)
    (tmp_path / "new.html").write_bytes(new.body)
    result = cli(
        "diff", str(tmp_path / "old.html"), str(tmp_path / "new.html"), "--url", page.page.url, "--json"
    )
    assert result.exit_code == 0, describe(result)
    data = json.loads(result.stdout)
    assert data["kind"] == kind, data
    if kind == "edited":
        assert [e["new"] for e in data["diff"]["edits"] if e["op"] != "delete"], data["diff"]
        assert any(INSERTED_SENTENCE in (e["new"] or "") for e in data["diff"]["edits"]), data["diff"]

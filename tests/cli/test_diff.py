"""`policywatch diff OLD NEW --json`: two saved pages of one notice → {changed, kind, summary,
fields_changed, diff}, with edits located by outline path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.conftest import PAGES_DIR, cli, describe

pytestmark = pytest.mark.xdist_group("cli-pages")

CASES = yaml.safe_load((Path(__file__).parent / "diff_cases.yaml").read_text(encoding="utf-8"))
CONTRACT_KEYS = {"changed", "kind", "summary", "fields_changed", "diff"}
KINDS = {"none", "new", "edited", "metadata", "attachment", "removed", "restored", "reordered"}


def _pages(case: dict[str, Any], tmp_path: Path) -> tuple[Path, Path]:
    old = PAGES_DIR / case["fixture"] / "input.html"
    if "other_fixture" in case:
        return old, PAGES_DIR / case["other_fixture"] / "input.html"
    text = old.read_text(encoding="utf-8")
    for before, after in case["replace"]:
        assert text.count(before) == 1, f"{before!r} occurs {text.count(before)} times in {old}"
        text = text.replace(before, after)
    new = tmp_path / "new.html"
    new.write_text(text, encoding="utf-8")
    return old, new


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_diff_contract(case: dict[str, Any], tmp_path: Path) -> None:
    old, new = _pages(case, tmp_path)
    url = json.loads((PAGES_DIR / case["fixture"] / "meta.json").read_text(encoding="utf-8"))["url"]
    result = cli("diff", str(old), str(new), "--url", url, "--json")
    assert result.exit_code == 0, describe(result)
    data = json.loads(result.stdout)
    assert set(data) >= CONTRACT_KEYS and set(data) - CONTRACT_KEYS <= {"priority"}, sorted(data)
    assert data["kind"] in KINDS
    assert isinstance(data["summary"], str)
    assert isinstance(data["fields_changed"], list)
    assert set(data["diff"]) >= {"edits", "unified"}
    for key, want in case["expect"].items():
        assert data[key] == want, f"{key}: {data[key]!r}, expected {want!r}\n{result.stdout}"
    if not data["changed"]:
        assert data["diff"]["edits"] == [] and not data["diff"]["unified"]
        return
    assert data["summary"].strip()
    want_edit = case.get("edit")
    if want_edit:
        assert len(data["diff"]["edits"]) == 1, data["diff"]["edits"]
        edit = data["diff"]["edits"][0]
        if "path_starts" in want_edit:
            assert edit["path"] and edit["path"].startswith(want_edit["path_starts"]), edit
            assert isinstance(edit["paragraph_index"], int)
            assert edit["path"] in data["summary"], "the summary says where the text changed"
            assert want_edit["new_contains"] in edit["new"]
            assert "+" + edit["new"] in data["diff"]["unified"]
        for key in ("op", "excerpt", "field", "old", "new"):
            if key in want_edit:
                assert edit[key] == want_edit[key], (key, edit)


def test_the_text_output_locates_the_edit(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["id"] == "paragraph-edit-is-located")
    old, new = _pages(case, tmp_path)
    result = cli("diff", str(old), str(new))
    assert result.exit_code == 0, describe(result)
    assert "部门 → 机关" in result.stdout
    same = cli("diff", str(old), str(old))
    assert same.exit_code == 0 and "无变化" in same.stdout, describe(same)


@pytest.mark.parametrize(
    ("old", "new", "old_kind", "new_kind"),
    [
        pytest.param("govsim_hainan_list", "govsim_hainan_detail", "list", "notice", id="list-as-old"),
        pytest.param(
            "rw_hubei_zscqj_ruishu_412_challenge",
            "govsim_hainan_detail",
            "blocked",
            "notice",
            id="challenge-as-old",
        ),
        pytest.param(
            "govsim_hainan_detail", "rw_jiujiang_trs_search_results", "notice", "other", id="search-as-new"
        ),
        pytest.param("govsim_hainan_list", "govsim_hainan_list", "list", "list", id="same-list-twice"),
    ],
)
def test_a_page_that_is_not_a_notice_still_gets_an_answer(
    old: str, new: str, old_kind: str, new_kind: str
) -> None:
    result = cli("diff", str(PAGES_DIR / old / "input.html"), str(PAGES_DIR / new / "input.html"), "--json")
    assert result.exit_code == 0, describe(result)
    data = json.loads(result.stdout)
    assert set(data) >= CONTRACT_KEYS
    assert (data["old_page_kind"], data["new_page_kind"]) == (old_kind, new_kind)
    if old_kind == new_kind:
        assert (data["kind"], data["changed"], data["fields_changed"]) == ("none", False, [])
    else:
        assert (data["kind"], data["changed"], data["fields_changed"]) == (
            "page_kind_changed",
            True,
            ["page_kind"],
        )
        assert old_kind in data["summary"] and new_kind in data["summary"]
    assert data["diff"] == {"edits": [], "unified": ""}
    assert "Traceback" not in result.stderr


def test_a_missing_page_is_a_clear_error() -> None:
    result = cli("diff", str(PAGES_DIR / "govsim_hainan_detail" / "input.html"), "nowhere.html", "--json")
    assert result.exit_code != 0
    assert "nowhere.html: no such file" in json.loads(result.stdout)["error"], describe(result)
    plain = cli("diff", str(PAGES_DIR / "govsim_hainan_detail" / "input.html"), "nowhere.html")
    assert plain.exit_code != 0 and "nowhere.html: no such file" in plain.stderr, describe(plain)

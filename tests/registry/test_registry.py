"""The site registry validates every entry when loaded, and the real seed entries are valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govsim.render.detail import DETAIL_BUILDERS
from sites import DEFAULT_SITES_DIR, FLAVOURS, RegistryError, load_registry, load_site_file, select_sites
from spiders.flavours import FLAVOURS as LIST_PARSERS

CASES = json.loads((Path(__file__).parent / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_site_file_validation(case: dict, tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(case["toml"], encoding="utf-8")
    if case["error"] is None:
        assert load_site_file(path).slug == "x"
    else:
        with pytest.raises(RegistryError) as error:
            load_site_file(path)
        assert case["error"] in str(error.value)
        assert str(path) in str(error.value)


def test_slug_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text(CASES[0]["toml"], encoding="utf-8")
    with pytest.raises(RegistryError, match="must match the file name"):
        load_site_file(path)


def test_seed_registry_has_the_five_sources_with_real_urls() -> None:
    registry = load_registry([DEFAULT_SITES_DIR], overrides={})
    assert set(registry) == {"hainan", "chuzhou", "qinghai", "guangdong", "chongqing"}
    assert registry["hainan"].base_url == "https://www.hainan.gov.cn"
    assert registry["guangdong"].flavour == "gkmlpt"
    assert registry["chuzhou"].flavour == "anhui"


def test_base_url_override_keeps_paths(tmp_path: Path) -> None:
    registry = load_registry([DEFAULT_SITES_DIR], overrides={"hainan": "http://127.0.0.5:8123/"})
    assert registry["hainan"].absolute_list_urls() == ["http://127.0.0.5:8123/hainan/szfwj/index.html"]


def test_override_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = tmp_path / "overrides.json"
    overrides.write_text(json.dumps({"qinghai": "http://127.0.0.9:9000"}), encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SITE_OVERRIDES", str(overrides))
    assert load_registry([DEFAULT_SITES_DIR])["qinghai"].base_url == "http://127.0.0.9:9000"


def test_unknown_site_selection_names_the_known_ones() -> None:
    registry = load_registry([DEFAULT_SITES_DIR], overrides={})
    with pytest.raises(RegistryError, match="unknown site\\(s\\): atlantis; known: chongqing"):
        select_sites(registry, ["atlantis"])


def test_duplicate_slug_across_directories(tmp_path: Path) -> None:
    (tmp_path / "hainan.toml").write_text(
        (DEFAULT_SITES_DIR / "hainan.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(RegistryError, match="defined twice"):
        load_registry([DEFAULT_SITES_DIR, tmp_path], overrides={})


def test_every_flavour_has_a_list_parser_and_a_replica_and_nothing_else_does() -> None:
    assert set(LIST_PARSERS) == set(FLAVOURS)
    assert all(name == parser.name for name, parser in LIST_PARSERS.items())
    assert set(DETAIL_BUILDERS) == set(FLAVOURS)

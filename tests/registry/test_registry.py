"""The site registry validates every entry when loaded, and the real seed entries are valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govsim.render.detail import DETAIL_BUILDERS
from sites import (
    DEFAULT_SITES_DIR,
    FLAVOURS,
    RegistryError,
    SiteFileProblem,
    load_registry,
    load_site_file,
    select_sites,
)
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


SEEDS = {"hainan", "chuzhou", "qinghai", "guangdong", "chongqing"}


def test_seed_registry_has_the_five_sources_with_real_urls() -> None:
    registry = load_registry([DEFAULT_SITES_DIR], overrides={})
    assert set(registry) >= SEEDS, "the five seed sources (govsim replicates them) ship with the registry"
    assert registry["hainan"].base_url == "https://www.hainan.gov.cn"
    assert registry["guangdong"].flavour == "gkmlpt"
    assert registry["chuzhou"].flavour == "anhui"


def test_base_url_override_keeps_paths(tmp_path: Path) -> None:
    registry = load_registry([DEFAULT_SITES_DIR], overrides={"hainan": "https://hainan.example.org/"})
    assert registry["hainan"].absolute_list_urls() == ["https://hainan.example.org/hainan/szfwj/index.html"]


def test_override_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """govsim's form: the replica is on loopback, which the override allows for that entry."""
    overrides = tmp_path / "overrides.json"
    replica = {"base_url": "http://127.0.0.9:9000", "allow_private_network": True}
    overrides.write_text(json.dumps({"qinghai": replica}), encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SITE_OVERRIDES", str(overrides))
    registry = load_registry([DEFAULT_SITES_DIR])
    assert registry["qinghai"].base_url == "http://127.0.0.9:9000"
    assert registry["qinghai"].allow_private_network
    assert not registry["hainan"].allow_private_network, "only the overridden entry"


OVERRIDE_REFUSALS = [
    pytest.param("file:///etc/passwd", "base_url", id="file-scheme"),
    pytest.param("http://169.254.169.254/", "169.254.169.254 is a cloud metadata address", id="metadata"),
    pytest.param("http://127.0.0.9:9000", "127.0.0.9 is a loopback address", id="loopback-not-allowed"),
    pytest.param(
        {"base_url": "http://169.254.169.254", "allow_private_network": True},
        "cloud metadata",
        id="metadata-allowed",
    ),
    pytest.param({"base_url": "http://x.example", "extra_hosts": ["y"]}, "extra_hosts", id="unknown-key"),
]


@pytest.mark.parametrize(("override", "error"), OVERRIDE_REFUSALS)
def test_override_file_is_validated(
    override: object, error: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = tmp_path / "overrides.json"
    overrides.write_text(json.dumps({"qinghai": override}), encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SITE_OVERRIDES", str(overrides))
    problems: list[SiteFileProblem] = []
    registry = load_registry([DEFAULT_SITES_DIR], problems=problems)
    # The refused site runs neither at the override nor, in its place, at its real address.
    assert "qinghai" not in registry and "hainan" in registry
    [problem] = problems
    assert f"POLICYWATCH_SITE_OVERRIDES={overrides}: override of qinghai" in problem.message
    assert error in problem.message


def test_govsim_entries_and_overrides_allow_the_private_network_and_real_entries_do_not(
    tmp_path: Path,
) -> None:
    from govsim.server import Govsim, ServeOptions

    assert not any(
        site.allow_private_network for site in load_registry([DEFAULT_SITES_DIR], overrides={}).values()
    )
    sim = Govsim(ServeOptions(state_dir=tmp_path))
    for state in sim.world.sites.values():
        state.base_url = "http://127.0.0.2:8000"
    sim.write_state()
    overrides = json.loads((tmp_path / "overrides.json").read_text(encoding="utf-8"))
    registry = load_registry([DEFAULT_SITES_DIR, tmp_path / "sites"], overrides=overrides)
    replicas = {slug: site for slug, site in registry.items() if slug in overrides}
    assert set(replicas) >= SEEDS and all(site.allow_private_network for site in replicas.values())
    assert not any(site.allow_private_network for slug, site in registry.items() if slug not in overrides), (
        "an entry govsim does not replicate keeps its real address and the public-network rule"
    )


def test_unknown_site_selection_names_the_known_ones_when_they_are_few(tmp_path: Path) -> None:
    for slug in ("chongqing", "hainan"):
        (tmp_path / f"{slug}.toml").write_text(
            (DEFAULT_SITES_DIR / f"{slug}.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    registry = load_registry([tmp_path], overrides={})
    with pytest.raises(RegistryError, match="unknown site\\(s\\): atlantis; known: chongqing, hainan$"):
        select_sites(registry, ["atlantis"])


def test_unknown_site_selection_in_the_full_registry_suggests_close_slugs() -> None:
    registry = load_registry([DEFAULT_SITES_DIR], overrides={})
    with pytest.raises(RegistryError) as error:
        select_sites(registry, ["hainan", "shenzen"])
    message = str(error.value)
    assert message.startswith("unknown site(s): shenzen; did you mean shenzhen")
    assert f"{len(registry)} sites are known (`policywatch sites list` names them)" in message
    assert "hainan" not in message, "a long registry is not spelled out in the error"


def test_duplicate_slug_across_directories(tmp_path: Path) -> None:
    (tmp_path / "hainan.toml").write_text(
        (DEFAULT_SITES_DIR / "hainan.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    problems: list[SiteFileProblem] = []
    registry = load_registry([DEFAULT_SITES_DIR, tmp_path], overrides={}, problems=problems)
    assert registry["hainan"].base_url == "https://www.hainan.gov.cn"
    assert [p.path for p in problems] == [tmp_path / "hainan.toml"]
    assert "defined twice" in problems[0].message


def test_a_broken_site_file_is_skipped_and_named_and_the_others_load(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('slug = "broken"\nname = \n', encoding="utf-8")
    (tmp_path / "nokeys.toml").write_text('slug = "nokeys"\n', encoding="utf-8")
    problems: list[SiteFileProblem] = []
    registry = load_registry([DEFAULT_SITES_DIR, tmp_path], overrides={}, problems=problems)
    assert set(registry) == set(load_registry([DEFAULT_SITES_DIR], overrides={})), "every shipped entry loads"
    assert [(p.slug, str(tmp_path / f"{p.slug}.toml") in p.message) for p in problems] == [
        ("broken", True),
        ("nokeys", True),
    ]
    assert "not valid TOML" in problems[0].message and "name" in problems[1].message
    with pytest.raises(RegistryError, match=r"site broken: .*broken\.toml: not valid TOML"):
        select_sites(registry, ["hainan", "broken"], problems)


def test_every_flavour_has_a_list_parser_and_a_replica_and_nothing_else_does() -> None:
    assert set(LIST_PARSERS) == set(FLAVOURS)
    assert all(name == parser.name for name, parser in LIST_PARSERS.items())
    assert set(DETAIL_BUILDERS) == set(FLAVOURS)

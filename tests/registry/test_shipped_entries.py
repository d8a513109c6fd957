"""The entries that ship in sites/: all load, each says its CMS family, its evidence and when it was
last checked, they cover China's 31 provincial-level governments, and each is polite and confined."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from sites import (
    CMS_NAMES,
    DEFAULT_SITES_DIR,
    FixtureEvidence,
    RepositoryEvidence,
    Site,
    SiteFileProblem,
    load_registry,
    load_site_file,
)
from sites.confinement import literal_address
from sites.reference import coverage

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
FILES = sorted(DEFAULT_SITES_DIR.glob("*.toml"))
PROVINCIAL = yaml.safe_load(
    (Path(__file__).parent / "provincial_governments.yaml").read_text(encoding="utf-8")
)
# Fixture folders that hold a real page saved from a site (the others are govsim renders or corpus
# texts rendered into a template, which show nothing about a real site's URLs).
REAL_PAGE_PREFIXES = ("real_", "rw_")
MIN_ENTRIES = 80
MIN_DELAY_SECONDS = 2.0
MAX_LIST_PAGES = 5


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


@pytest.fixture(scope="module")
def shipped() -> dict[str, Site]:
    problems: list[SiteFileProblem] = []
    registry = load_registry([DEFAULT_SITES_DIR], overrides={}, include_disabled=True, problems=problems)
    assert problems == [], [p.message for p in problems]
    return registry


def test_the_registry_ships_enough_entries_and_every_file_loads(shipped: dict[str, Site]) -> None:
    assert len(FILES) >= MIN_ENTRIES
    assert set(shipped) == {p.stem for p in FILES}, "one entry per file, named by its slug"


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_each_file_states_its_family_evidence_and_check(path: Path) -> None:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert {"cms", "evidence", "checked"} <= raw.keys(), "a shipped entry says these itself, not by default"
    site = load_site_file(path)
    assert site.slug == path.stem
    assert site.cms in CMS_NAMES
    assert site.evidence, "a shipped entry cites where its URL comes from"
    assert site.checked == "never" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", site.checked)
    assert site.notes.strip(), "notes say what is and is not confirmed"
    if not site.enabled:
        assert site.notes.startswith("Disabled:"), "a disabled entry says why"
    # [politeness] stays the last table, so tools that edit it (tests/spiders/crawl_world.py) find it.
    tables = re.findall(r"^\[\[?([a-z_.]+)\]\]?\s*$", path.read_text(encoding="utf-8"), re.M)
    assert tables[-1] == "politeness"


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_each_evidence_cites_a_commit_or_a_saved_real_page(path: Path) -> None:
    for item in load_site_file(path).evidence:
        if isinstance(item, RepositoryEvidence):
            assert re.fullmatch(r"[0-9a-f]{40}", item.commit)
            assert item.repository.count("/") == 1 and not item.path.startswith("/")
        else:
            assert isinstance(item, FixtureEvidence)
            folder = ROOT / item.fixture
            assert folder.is_dir(), f"{item.fixture} does not exist"
            assert folder.name.startswith(REAL_PAGE_PREFIXES), f"{item.fixture} is not a saved real page"
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            site = load_site_file(path)
            assert urlsplit(meta["url"]).hostname.endswith(
                urlsplit(site.base_url).hostname.split(".", 1)[1]
            ), "the saved page comes from the site's own domain"


@pytest.mark.parametrize("case", PROVINCIAL, ids=[c["region"] for c in PROVINCIAL])
def test_every_provincial_level_government_has_an_entry(
    case: dict[str, str], shipped: dict[str, Site]
) -> None:
    entries = [
        s for s in shipped.values() if s.level == case["level"] and s.name.startswith(case["government"])
    ]
    assert entries, f"no {case['level']} entry published by {case['government']}"
    assert all(s.region.startswith(case["region"]) for s in entries)


def test_the_table_of_provincial_governments_is_complete() -> None:
    assert len({c["region"] for c in PROVINCIAL}) == 31


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_each_entry_is_polite_and_stays_on_its_public_host(path: Path) -> None:
    site = load_site_file(path)
    manners = site.politeness
    assert manners.download_delay >= MIN_DELAY_SECONDS
    assert manners.concurrency == 1
    assert manners.max_list_pages <= MAX_LIST_PAGES
    assert manners.obey_robots
    assert not site.allow_private_network, "a real site is on the public network"
    host = urlsplit(site.base_url).hostname or ""
    assert literal_address(host) is None and host.endswith(".gov.cn"), (
        "a government host name, not an address"
    )
    for url in site.absolute_list_urls():
        assert site.url_refusal(url) is None, url


GKMLPT_FILES = [p for p in FILES if load_site_file(p).flavour == "gkmlpt"]


@pytest.mark.parametrize("path", GKMLPT_FILES, ids=_ids(GKMLPT_FILES))
def test_a_gkmlpt_entry_asks_the_api_for_its_own_site(path: Path) -> None:
    site = load_site_file(path)
    [url] = site.absolute_list_urls()
    parts = urlsplit(url)
    assert re.fullmatch(r"/gkmlpt/api/all/\d+", parts.path)
    query = parse_qs(parts.query)
    if "sid" in site.params:
        assert query["sid"] == [str(site.params["sid"])], "params and the first list URL name the same SID"
        assert parts.path.endswith(f"/{site.params['cat_id']}")


def test_the_families_the_pages_are_recognised_as_are_registry_families() -> None:
    """Every family a saved real list page is expected to be recognised as can be named in `cms`."""
    families = set()
    for expected in FIXTURES.glob("*/expected.json"):
        cms = (json.loads(expected.read_text(encoding="utf-8")).get("list") or {}).get("cms")
        if cms:
            families.add(cms)
    assert families and families <= set(CMS_NAMES), families - set(CMS_NAMES)


def test_the_coverage_section_lists_every_entry(shipped: dict[str, Site]) -> None:
    rows = [line for line in coverage() if line.startswith("| ") and "`" in line.split("|")[2]]
    listed = {re.search(r"`([^`]+)`", row.split("|")[2]).group(1) for row in rows}  # type: ignore[union-attr]
    assert listed == set(shipped)
    for site in shipped.values():
        [row] = [r for r in rows if f"`{site.slug}`" in r.split("|")[2]]
        assert f"`{site.cms}`" in row and site.region in row and site.checked in row

"""`sites detect`: the family and the links of a list page, and a site entry that loads.

Saved pages (tests/spiders/detect_cases.yaml, the shape cases of every CMS family in
tests/notices/list_shape_cases.yaml) and, over HTTP, the first list page of every govsim family.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from govsim.testing import GovsimHandle, running_govsim
from notices.model import RawPage
from sites import DEFAULT_SITES_DIR, load_registry, load_site_file
from spiders.detect import Detection, detect_site
from spiders.site_proposal import slug_for_host
from tests.cli.conftest import cli, describe

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
CASES = yaml.safe_load(Path(__file__).with_name("detect_cases.yaml").read_text(encoding="utf-8"))
SHAPES = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "notices" / "list_shape_cases.yaml").read_text(encoding="utf-8")
)


def _saved(fixture: str) -> tuple[RawPage, dict[str, Any]]:
    folder = PAGES / fixture
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    page = RawPage(
        url=meta["url"],
        body=(folder / "input.html").read_bytes(),
        status=meta.get("status", 200),
        headers=meta.get("headers", {}),
    )
    return page, json.loads((folder / "expected.json").read_text(encoding="utf-8"))


def _assert_entry_loads(found: Detection, tmp_path: Path) -> None:
    slug = found.toml.split('slug = "', 1)[1].split('"', 1)[0]
    path = tmp_path / f"{slug}.toml"
    path.write_text(found.toml, encoding="utf-8")
    site = load_site_file(path)
    assert site.flavour == found.flavour


@pytest.mark.parametrize("case", CASES, ids=[c["fixture"] for c in CASES])
def test_the_family_and_links_of_a_saved_list_page(case: dict[str, Any], tmp_path: Path) -> None:
    page, expected = _saved(case["fixture"])
    found = detect_site(page)
    assert (found.cms, found.flavour) == (case["cms"], case["flavour"]), found.reasons
    wanted = expected.get("list", {})
    if "items_count" in wanted:
        assert len(found.items) == wanted["items_count"], found.reasons
    got = [{"url": i.url, "title": i.title, "date": i.date and i.date.isoformat()} for i in found.items]
    first = wanted.get("items_first", [])
    assert got[: len(first)] == first
    assert found.reasons and all(isinstance(r, str) and r for r in found.reasons)
    if found.flavour is None:
        assert "# flavour = ?" in found.toml
    else:
        _assert_entry_loads(found, tmp_path)


@pytest.mark.parametrize("case", SHAPES, ids=[c["id"] for c in SHAPES])
def test_every_cms_family_shape_is_recognised_with_its_links(case: dict[str, Any]) -> None:
    body = case["body"].encode(case.get("encoding", "utf-8"))
    page = RawPage(url=case["url"], body=body, status=200, headers={"content-type": case["content_type"]})
    found = detect_site(page).contract_json()
    expect = case["expect"]
    assert found["cms"] == expect["cms"], found["reasons"]
    if "items" in expect:
        assert [{k: i[k] for k in ("url", "title", "date")} for i in found["items"]] == [
            {"url": i["url"], "title": i["title"], "date": i.get("date")} for i in expect["items"]
        ], found["reasons"]
    assert set(found) == {"cms", "flavour", "items", "next_pages", "toml", "reasons"}


@pytest.mark.parametrize(
    ("host", "slug"),
    [
        ("www.hainan.gov.cn", "hainan"),
        ("scjg.hubei.gov.cn", "hubei-scjg"),
        ("www.gd.gov.cn", "gd"),
        ("127.0.0.1", "1-0-0-127"),
    ],
)
def test_a_slug_is_proposed_from_the_host(host: str, slug: str) -> None:
    assert slug_for_host(host) == slug


# ---------------------------------------------------------------------------- live, over govsim

FAMILIES = [
    "hainan", "chuzhou", "guangdong", "chongqing", "zhejiang-sim", "lawportal-sim", "heilongjiang-sim", "tianjin-sim",
    "hangzhou-sim", "shaanxi-sim",
    "shanghai-sim", "sichuan-sim", "shanghai-gov-sim", "wuhan-sim", "jilin-sim",
]  # fmt: skip


@pytest.fixture(scope="module")
def gov(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GovsimHandle]:
    with (
        running_govsim(tmp_path_factory.mktemp("detect"), sites=FAMILIES) as handle,
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("POLICYWATCH_SITE_OVERRIDES", str(handle.overrides_file))
        env.setenv("POLICYWATCH_SITES_DIRS", f"{DEFAULT_SITES_DIR}:{handle.sites_dir}")
        yield handle


@pytest.mark.xdist_group("spiders-detect")
@pytest.mark.parametrize("slug", FAMILIES)
def test_detect_on_the_first_list_page_of_every_govsim_family(gov: GovsimHandle, slug: str) -> None:
    site = load_registry()[slug]
    list_url = site.absolute_list_urls()[0]
    result = cli("sites", "detect", list_url, "--json")
    assert result.exit_code == 0, describe(result)
    found = json.loads(result.stdout)
    assert found["flavour"] == site.flavour, found["reasons"]
    published = {n["url"]: n for n in gov.admin.notices(slug)}
    urls = [item["url"] for item in found["items"]]
    assert urls, found["reasons"]
    assert set(urls) <= set(published), sorted(set(urls) - set(published))[:3]
    newest = max(published.values(), key=lambda n: (n["published"], n["id"]))
    assert newest["url"] in urls, "the first list page must hold the newest notice"


@pytest.mark.xdist_group("spiders-detect")
def test_detect_reads_a_jpaas_column_page_through_its_gateway_request(gov: GovsimHandle) -> None:
    column = gov.base_urls["hangzhou-sim"] + "/col/col1229063389/index.html"
    result = cli("sites", "detect", column, "--json")
    assert result.exit_code == 0, describe(result)
    found = json.loads(result.stdout)
    assert (found["cms"], found["flavour"]) == ("hanweb_jpaas", "hanweb_jpaas"), found["reasons"]
    first_page = [n["url"] for n in gov.admin.notices("hangzhou-sim") if not n["removed"]][:15]
    assert [item["url"] for item in found["items"]] == first_page
    assert any(
        r.startswith("its data request GET ") and r.endswith("holds 15 rows") for r in found["reasons"]
    )
    assert found["next_pages"][0].endswith("pageNo=2")


@pytest.mark.xdist_group("spiders-detect")
def test_sites_add_writes_an_entry_that_loads_after_reading_one_document(
    gov: GovsimHandle, tmp_path: Path
) -> None:
    list_url = load_registry()["hainan"].absolute_list_urls()[0]
    result = cli("sites", "add", list_url, "--slug", "hainan-again", "--dir", str(tmp_path))
    assert result.exit_code == 0, describe(result)
    assert "page_kind=notice" in result.stdout, result.stdout
    site = load_site_file(tmp_path / "hainan-again.toml")
    assert (site.slug, site.flavour, site.absolute_list_urls()) == ("hainan-again", "trs", [list_url])
    again = cli("sites", "add", list_url, "--slug", "hainan-again", "--dir", str(tmp_path))
    assert again.exit_code == 1 and "already exists" in again.stderr, describe(again)


@pytest.mark.xdist_group("spiders-detect")
def test_sites_add_writes_nothing_when_no_flavour_fits(gov: GovsimHandle, tmp_path: Path) -> None:
    home = gov.base_urls["hainan"] + "/robots.txt"
    result = cli("sites", "add", home, "--slug", "nothing", "--dir", str(tmp_path))
    assert result.exit_code == 1, describe(result)
    assert not (tmp_path / "nothing.toml").exists()

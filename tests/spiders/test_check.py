"""``policywatch sites check``: list and detail extraction checked live, here against govsim."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from govsim.testing import GovsimHandle
from sites import Site, load_registry
from spiders.check import check_site
from tests.spiders.crawl_world import CrawlWorld


@pytest.fixture(scope="module")
def sites(world: CrawlWorld) -> dict[str, Site]:
    return load_registry([world.sites_dir], world.govsim.site_overrides)


@pytest.fixture(autouse=True)
def replica_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The replica needs no politeness delays (the check waits the site's download_delay times this)."""
    monkeypatch.setenv("POLICYWATCH_DELAY_SCALE", "0.01")


@pytest.fixture
def admin(govsim: GovsimHandle) -> Iterator[object]:
    """govsim in its start state before and after the test (faults switched off)."""
    govsim.admin.reset()
    yield govsim.admin
    govsim.admin.reset()


@pytest.mark.parametrize(
    "slug",
    [
        "hainan",
        "chuzhou",
        "zhejiang-sim",
        "lawportal-sim",
        "gbk-sim",
        "heilongjiang-sim",
        "tianjin-sim",
        "hangzhou-sim",
        "shaanxi-sim",
        "shanghai-sim",
        "sichuan-sim",
    ],  # fmt: skip
)
def test_a_healthy_site_lists_rows_and_extracts_a_notice(
    sites: dict[str, Site], admin: object, slug: str
) -> None:
    result = check_site(sites[slug], timeout=5)
    assert result.ok, result.describe()
    assert result.rows >= 10 and result.list_status == 200 and result.detail_status == 200
    assert result.page_kind == "notice" and result.title and result.published_date and result.body_chars > 100


def test_every_flavour_still_lists_rows(sites: dict[str, Site], admin: object) -> None:
    for slug in ("qinghai", "chongqing", "guangdong", "badcharset-sim", "twice-sim"):
        result = check_site(sites[slug], timeout=5)
        assert result.rows >= 10, result.describe()


def test_a_challenged_list_is_reported(sites: dict[str, Site], govsim: GovsimHandle, admin: object) -> None:
    govsim.admin.fault("hainan", "challenge", scope="list")
    result = check_site(sites["hainan"], timeout=5)
    assert not result.ok
    assert result.problems == [
        f"list page {result.list_url} is an anti-bot challenge (HTTP 412, 瑞数 Ruishu)"
    ]
    assert "BROKEN" in result.describe()


def test_a_changed_template_is_reported(sites: dict[str, Site], govsim: GovsimHandle, admin: object) -> None:
    govsim.admin.fault("qinghai", "js_list")
    result = check_site(sites["qinghai"], timeout=5)
    assert not result.ok
    assert len(result.problems) == 1
    assert result.problems[0].startswith("list page yielded no notices; the template may have changed")


def test_an_unreachable_site_is_reported(sites: dict[str, Site]) -> None:
    site = sites["hainan"].with_base_url("http://127.0.0.1:9")  # nothing listens on the discard port
    result = check_site(site, timeout=2)
    assert not result.ok and result.problems[0].startswith("request failed: ")
    assert result.problem_kind == "unreachable" and not result.list_reachable


def test_a_redirect_off_the_site_is_not_followed(
    sites: dict[str, Site], govsim: GovsimHandle, admin: object
) -> None:
    govsim.admin.fault("hainan", "redirect", scope="list")
    alias = next(s["alias_url"] for s in govsim.admin.sites() if s["slug"] == "hainan")
    result = check_site(sites["hainan"], timeout=5)
    path = result.list_url.removeprefix(sites["hainan"].base_url)
    assert not result.ok
    assert result.problems == [
        f"request failed: {result.list_url} redirected to {alias}{path}, not followed: "
        f"{alias} is not the site's host (base_url or extra_hosts)"
    ]
    assert result.problem_kind == "refused" and result.fix is not None
    assert "add it to extra_hosts (or update base_url) in sites/hainan.toml" in result.fix

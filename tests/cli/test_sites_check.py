"""`policywatch sites check SLUG` against govsim: every seed site and a synthetic one work; an
anti-bot challenge is reported clearly, with a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from govsim.testing import GovsimHandle, running_govsim
from sites import DEFAULT_SITES_DIR
from tests.cli.conftest import cli, describe

pytestmark = pytest.mark.xdist_group("cli-sites-check")

SEED_SITES = ["hainan", "chuzhou", "qinghai", "guangdong", "chongqing"]
SYNTHETIC = "zhejiang-sim"  # a registry entry only govsim has (in its sites_dir)


@pytest.fixture(scope="module")
def gov(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GovsimHandle]:
    with (
        running_govsim(tmp_path_factory.mktemp("cli-check"), sites=[*SEED_SITES, SYNTHETIC]) as handle,
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("POLICYWATCH_SITE_OVERRIDES", str(handle.overrides_file))
        env.setenv("POLICYWATCH_SITES_DIRS", f"{DEFAULT_SITES_DIR}:{handle.sites_dir}")
        env.setenv("POLICYWATCH_DELAY_SCALE", "0.01")  # the replica needs no politeness delays
        yield handle


@pytest.mark.parametrize("slug", [*SEED_SITES, SYNTHETIC])
def test_every_site_works_on_the_replica(gov: GovsimHandle, slug: str) -> None:
    result = cli("sites", "check", slug, "--timeout", "10")
    assert result.exit_code == 0, describe(result)
    assert result.stdout.startswith(f"{slug}: OK ("), result.stdout
    assert f"list   {gov.base_urls[slug]}" in result.stdout, (
        "the check fetched the replica, not the real site"
    )
    assert "page_kind=notice" in result.stdout
    assert "problem:" not in result.stdout
    assert f"checked 1 of 1: {slug} OK" in result.stderr
    data = json.loads(cli("sites", "check", slug, "--json").stdout)
    assert [s["slug"] for s in data["sites"]] == [slug] and data["sites"][0]["ok"] is True, data
    site = data["sites"][0]
    assert site["items_found"] > 0 and site["detail_extracted"]["http_status"] == 200, site
    assert site["detail_extracted"]["body_chars"] > 0 and data["summary"]["ok"] == 1


@pytest.mark.parametrize(
    ("slug", "scope", "where"),
    [
        pytest.param("hainan", "list", "list page", id="hainan-list"),
        pytest.param("chongqing", "detail", "detail page", id="chongqing-detail"),
        pytest.param(SYNTHETIC, "all", "list page", id="synthetic-all"),
    ],
)
def test_an_anti_bot_challenge_is_a_clear_failure(
    gov: GovsimHandle, slug: str, scope: str, where: str
) -> None:
    gov.admin.fault(slug, "challenge", scope=scope)
    try:
        result = cli("sites", "check", slug)
    finally:
        gov.admin.fault(slug, "challenge", on=False, scope=scope)
    assert result.exit_code == 1, describe(result)
    assert result.stdout.startswith(f"{slug}: BROKEN"), result.stdout
    assert (
        f"problem: {where} " in result.stdout
        and "anti-bot challenge (HTTP 412, 瑞数 Ruishu)" in result.stdout
    ), result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert cli("sites", "check", slug).exit_code == 0, "the site works again once the challenge is gone"


def test_an_unknown_slug_is_a_clear_error(gov: GovsimHandle) -> None:
    result = cli("sites", "check", "atlantis")
    assert result.exit_code != 0
    assert "unknown site(s): atlantis" in result.stdout + result.stderr + repr(result.exception), describe(
        result
    )


@pytest.mark.parametrize("slug", [*SEED_SITES, SYNTHETIC])
def test_every_notice_the_replica_publishes_extracts_as_a_notice(gov: GovsimHandle, slug: str) -> None:
    """`policywatch extract URL` on each live notice page of the site (what `sites check` samples one of).

    Short cover notices ("现将《…》印发给你们…详见附件", the text in the attachment) are notices too.
    """
    wrong = []
    for notice in gov.admin.notices(slug):
        result = cli("extract", notice["url"], "--json")
        assert result.exit_code == 0, describe(result)
        data = json.loads(result.stdout)
        if data["page_kind"] != "notice" or data["title"] != notice["title"]:
            wrong.append(
                f"{notice['url']}: page_kind={data['page_kind']}, title={data['title']!r}, {data['warnings']}"
            )
    assert not wrong, f"{len(wrong)} notice pages of {slug} do not extract as that notice:\n" + "\n".join(
        wrong
    )

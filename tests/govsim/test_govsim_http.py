"""Charsets, HTTP caching, the request log, scale mode and determinism."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from govsim.render import render_detail, render_list
from govsim.testing import GovsimHandle, running_govsim
from govsim.world import World
from sites import FLAVOURS
from tests.govsim.fetching import body_paragraphs, fetch


def test_gbk_site_sends_gbk_bytes_declared_as_gb2312(sim: GovsimHandle) -> None:
    notice = sim.admin.notices("gbk-sim")[0]
    got = fetch(notice["url"])
    assert "charset" not in got.headers["Content-Type"]
    assert b"charset=gb2312" in got.body
    with pytest.raises(UnicodeDecodeError):
        got.body.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        got.body.decode("gb2312")  # the sign-off date uses 〇, which only GBK has
    text = got.body.decode("gbk")
    assert notice["title"] in text and "〇" in text


def test_badcharset_site_lies_about_its_charset(sim: GovsimHandle) -> None:
    notice = sim.admin.notices("badcharset-sim")[0]
    got = fetch(notice["url"])
    assert got.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'content="text/html; charset=utf-8"' in got.body
    with pytest.raises(UnicodeDecodeError):
        got.body.decode("utf-8")
    assert notice["title"] in got.body.decode("gbk")


def test_static_detail_answers_304_until_the_notice_changes(sim: GovsimHandle) -> None:
    notice = sim.admin.notices("hainan")[0]
    first = fetch(notice["url"])
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert not etag.startswith("W/")
    assert fetch(notice["url"], headers={"If-None-Match": etag}).status == 304
    assert fetch(notice["url"], headers={"If-Modified-Since": modified}).status == 304
    sim.admin.edit_paragraph("hainan", notice["id"])
    changed = fetch(notice["url"], headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["ETag"] != etag
    assert fetch(notice["url"], headers={"If-Modified-Since": modified}).status == 200


def test_dynamic_detail_has_a_weak_etag_over_content_not_per_request_noise(sim: GovsimHandle) -> None:
    notice = sim.admin.notices("chuzhou")[0]
    first = fetch(notice["url"])
    etag = first.headers["ETag"]
    assert etag.startswith("W/")
    assert fetch(notice["url"], headers={"If-None-Match": etag}).status == 304
    sim.admin.change_metadata("chuzhou", notice["id"], validity="已废止")
    assert fetch(notice["url"], headers={"If-None-Match": etag}).status == 200


def test_static_list_pages_answer_304(sim: GovsimHandle) -> None:
    site = next(s for s in sim.admin.sites() if s["slug"] == "qinghai")
    url = site["list_urls"][0]
    etag = fetch(url).headers["ETag"]
    assert fetch(url, headers={"If-None-Match": etag}).status == 304
    sim.admin.publish("qinghai")
    assert fetch(url, headers={"If-None-Match": etag}).status == 200


def test_request_log_counts_by_kind_status_and_bytes(sim: GovsimHandle) -> None:
    sim.admin.reset_request_log()
    site = next(s for s in sim.admin.sites() if s["slug"] == "hainan")
    notice = sim.admin.notices("hainan")[0]
    fetch(site["list_urls"][0])
    page = fetch(notice["url"])
    fetch(notice["url"], headers={"If-None-Match": page.headers["ETag"]})
    fetch(sim.base_urls["hainan"] + "/robots.txt")
    fetch(sim.base_urls["hainan"] + f"/interface/visit/count.jsp?docid={notice['id']}")
    fetch(sim.base_urls["hainan"] + "/nothing-here")
    log = sim.admin.request_log("hainan")
    assert log["by_kind"] == {"list": 1, "detail": 2, "robots": 1, "api": 1, "other": 1}
    assert log["by_status"] == {"200": 4, "304": 1, "404": 1}
    assert log["not_modified"] == 1 and log["requests"] == 6
    assert log["bytes_sent"] > len(page.body)
    assert set(sim.admin.request_log()) == {"hainan"}
    sim.admin.reset_request_log()
    assert sim.admin.request_log("hainan")["requests"] == 0


def test_world_is_deterministic_from_the_seed() -> None:
    def snapshot(seed: int) -> list[bytes]:
        world = World(seed)
        pages = []
        for state in world.sites.values():
            notices = state.visible()
            pages.append(render_list(state.spec, notices, 0, base_url="http://x"))
            pages.append(render_detail(state.spec, notices[-1], base_url="http://x"))
        return pages

    assert snapshot(7) == snapshot(7)
    assert snapshot(7) != snapshot(8)


def test_renderers_work_without_a_server() -> None:
    state = World(7).site("guangdong")
    seed = next(n for n in state.notices() if n.origin == "seed")
    page = render_detail(state.spec, seed, base_url="http://www.gd.gov.cn")
    assert "粤府〔２０１２〕１６号" in page.decode()
    assert body_paragraphs("gkmlpt", page)[0].startswith("各地级以上市人民政府")


def test_scale_mode_serves_50_sites_of_2000_notices_lazily(tmp_path: Path) -> None:
    started = time.monotonic()
    with running_govsim(tmp_path, scale=(50, 2000), sites=["hainan"]) as sim:
        startup = time.monotonic() - started
        assert startup < 10
        scale_slugs = [slug for slug in sim.base_urls if slug.startswith("scale-")]
        assert len(scale_slugs) == 50 and len(list(sim.sites_dir.glob("scale-*.toml"))) == 50
        sites = {s["slug"]: s for s in sim.admin.sites()}
        assert {sites[slug]["flavour"] for slug in scale_slugs} == set(FLAVOURS), "the sites rotate over all"
        by_flavour = [
            next(s for s in scale_slugs if sites[s]["flavour"] == f)
            for f in ("hanweb_jpaas", "ilist", "shanghai", "generic")
        ]
        for slug in (
            "scale-000",
            "scale-001",
            "scale-005",
            "scale-006",
            *by_flavour,
        ):  # trs, gkmlpt, ucap, igs, …
            listing = fetch(sites[slug]["list_urls"][0])
            assert listing.status == 200
            notices = sim.admin.notices(slug)
            assert len(notices) == 2000
            assert fetch(notices[1999]["url"]).status == 200
        assert '"total": 2000' in fetch(sites["scale-001"]["list_urls"][0]).body.decode()

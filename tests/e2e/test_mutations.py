"""govsim mutation suites through the whole pipeline: noise is silent, every real edit is reported
once, with the right kind and location, and reaches the subscriber exactly once."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from tests.e2e.conftest import E2E_SITES, World

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e-mutations")]

CASES = yaml.safe_load((Path(__file__).parent / "mutation_cases.yaml").read_text(encoding="utf-8"))


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.mark.parametrize("slug", E2E_SITES)
def test_every_flavour_and_encoding_yields_true_records(world: World, slug: str) -> None:
    """The baseline crawl stored a record of every notice the replica published (one per URL: the
    notices table keys them by URL), and each agrees with what the replica published."""
    from storage.db import session_factory
    from storage.models import Notice, NoticeVersion, Source

    with session_factory(world.database_url)() as session:
        stored = {
            notice.url: version.record
            for notice, version in session.execute(
                select(Notice, NoticeVersion)
                .join(Source, Source.id == Notice.source_id)
                .join(NoticeVersion, NoticeVersion.id == Notice.latest_version_id)
                .where(Source.slug == slug)
            )
        }
    truth = {n["url"]: n for n in world.gov.admin.notices(slug)}
    assert len(stored) >= 15, f"{slug}: only {len(stored)} notices stored"
    missed = world.published_at_baseline[slug] - set(stored)
    assert not missed, f"{slug}: {len(missed)} published notices never stored, e.g. {sorted(missed)[:3]}"
    for url, record in stored.items():
        expected = truth[url]
        assert _fold(record["title"] or "") == _fold(expected["title"]), url
        if expected["doc_number"]:
            assert _fold(record["doc_number"] or "") == _fold(expected["doc_number"]), url
        assert record["published_date"] == expected["published"], url
        assert len(record["paragraphs"]) >= 3, url
        body = _fold("".join(record["paragraphs"]))
        assert "扫一扫" not in body and "浏览次数" not in body, url
    seeds = [n for n in truth.values() if n["origin"] == "seed"]
    if seeds:  # the corpus notice: no passage more often than the replica really shows it
        record = stored[seeds[0]["url"]]
        published = world.gov.admin.notice(slug, seeds[0]["id"])["paragraphs"]
        extra = len(record["paragraphs"]) - len(set(record["paragraphs"]))
        assert extra <= len(published) - len(set(published)), "duplicated passages kept"


@pytest.mark.parametrize("case", CASES["noise"], ids=[c["id"] for c in CASES["noise"]])
def test_noise_never_alerts(world: World, case: dict[str, Any]) -> None:
    target = world.pick(case["site"], "filler")
    world.gov.admin.noise(case["site"], case["kind"], target["id"])
    world.gov.admin.noise(case["site"], case["kind"])  # site-wide variant too, where the kind has one
    summary = world.cycle(sites=[case["site"]])
    assert summary.ingest.changes == [], world.change_rows(summary)
    assert summary.alerts.sent == 0
    assert all(site.status == "ok" for site in summary.sites), summary.sites


def _mutate(world: World, case: dict[str, Any]) -> dict[str, Any]:
    mutation = dict(case["mutation"])
    op = mutation.pop("op")
    slug = case["site"]
    if op == "publish":
        return world.gov.admin.publish(slug)
    notice_id = world.pick(slug, case["target"])["id"]
    if op == "edit_paragraph":
        return world.gov.admin.edit_paragraph(slug, notice_id)
    if op == "change_metadata":
        return world.gov.admin.change_metadata(slug, notice_id, **mutation["fields"])
    if op == "set_attachment":
        return world.gov.admin.set_attachment(
            slug, notice_id, kind=mutation["kind"], text=mutation.get("text")
        )
    raise AssertionError(f"unknown mutation {op}")


@pytest.mark.parametrize("case", CASES["edits"], ids=[c["id"] for c in CASES["edits"]])
def test_real_edit_is_reported_once_with_kind_and_location(world: World, case: dict[str, Any]) -> None:
    world.webhook.clear()
    facts = _mutate(world, case)
    summary = world.cycle(sites=[case["site"]])
    rows = world.change_rows(summary)
    expect = case["expect"]
    assert [r["kind"] for r in rows] == [expect["kind"]], rows
    change = rows[0]
    assert change["alerted"] is True
    if "priority" in expect:
        assert change["priority"] == expect["priority"]
    for field in expect.get("fields", []):
        assert field in change["change"]["fields_changed"], change
    if "summary_contains" in expect:
        assert expect["summary_contains"] in change["summary"]
    if "new_text" in facts:  # the edit the replica made is the one reported
        new_texts = [e.get("new") or "" for e in change["change"]["edits"]]
        inserted = _fold(facts["new_text"])
        assert any(t and _fold(t) in inserted for t in new_texts), (facts, new_texts)
    if expect.get("located"):
        paths = [e.get("path") for e in change["change"]["edits"] if e.get("field") is None]
        assert any(paths), f"edit not located by outline path: {change['change']['edits']}"
        assert any(p and p in change["summary"] for p in paths)
    assert summary.alerts.sent == 1
    posts = world.webhook.posts
    assert len(posts) == 1, posts
    assert facts["title"][:10] in str(posts[0]["json"]) or (facts.get("title") or "") == ""
    if expect.get("located"):  # the alert itself shows where the text changed
        assert any(f"`{p}`" in str(posts[0]["json"]) for p in paths), (paths, posts[0]["json"])
    if "also_lists" in expect:
        assert world.gov.base_urls[expect["also_lists"]] in str(posts[0]["json"]), "the repost is not listed"


def test_flapping_content_is_reported_once(world: World) -> None:
    target = world.pick("qinghai", "filler")
    first = world.gov.admin.edit_paragraph("qinghai", target["id"])
    assert [r["kind"] for r in world.change_rows(world.cycle(sites=["qinghai"]))] == ["edited"]
    index = first["paragraph_index"]
    # A → B was reported; B → A and A → B again are the same flap, so nothing more is said.
    world.gov.admin.edit_paragraph("qinghai", target["id"], paragraph_index=index, text=first["old_text"])
    assert world.cycle(sites=["qinghai"]).ingest.changes == []
    world.gov.admin.edit_paragraph("qinghai", target["id"], paragraph_index=index, text=first["new_text"])
    assert world.cycle(sites=["qinghai"]).ingest.changes == []


def test_removal_needs_three_confirmations_then_restore(world: World) -> None:
    target = world.pick("chongqing", "filler")
    world.gov.admin.remove("chongqing", target["id"], status=410)
    for attempt in (1, 2):
        summary = world.cycle(sites=["chongqing"])
        assert summary.ingest.changes == [], f"removed after only {attempt} failed check(s)"
    rows = world.change_rows(world.cycle(sites=["chongqing"]))
    assert [(r["kind"], r["priority"]) for r in rows] == [("removed", "high")]
    assert world.cycle(sites=["chongqing"]).ingest.changes == [], "removal is reported once"
    world.gov.admin.restore("chongqing", target["id"])
    assert [r["kind"] for r in world.change_rows(world.cycle(sites=["chongqing"]))] == ["restored"]


def test_a_cycle_leaves_one_diff_artifact_for_all_its_changes(world: World) -> None:
    """The Artifacts page grows by cycle, not by change: every diff of a cycle is in one artifact."""
    from prefect.artifacts import Artifact
    from prefect.client.orchestration import get_client

    for target in ("seed", "filler"):
        world.gov.admin.edit_paragraph("hainan", world.pick("hainan", target)["id"])
    summary = world.cycle(sites=["hainan"])
    rows = world.change_rows(summary)
    assert len(rows) == 2 and all(r["kind"] == "edited" for r in rows), rows
    diffs = Artifact.get("monitor-diffs")
    changes = Artifact.get("monitor-changes")
    assert diffs is not None and changes is not None
    assert all(r["summary"][:30] in str(diffs.data) for r in rows), diffs.data
    table = json.loads(changes.data) if isinstance(changes.data, str) else changes.data
    assert sorted(row["what changed"] for row in table) == sorted(r["summary"] for r in rows), table
    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts() if a.key}
    assert not any(key.startswith("change-") for key in keys), keys


def test_a_changed_list_row_rechecks_its_notice_in_the_same_cycle(world: World) -> None:
    """A retitled notice shows its new title on the list page: the monitor fetches it again in that
    cycle, with no recheck due, and reports the edit; the next cycle fetches it no more."""
    slug = "chongqing"
    world.cycle(sites=[slug], recheck="none")  # the list rows as they stand now
    world.webhook.clear()
    target = world.pick(slug, "filler")
    world.gov.admin.change_metadata(slug, target["id"], title="关于调整本市若干行政规范性文件有效期的通知")
    summary = world.cycle(sites=[slug], recheck="none")
    rows = world.change_rows(summary)
    assert [(r["kind"], r["change"]["fields_changed"]) for r in rows] == [("metadata", ["title"])], rows
    assert summary.sites[0].stats.get("list_signal_rechecks") == 1, summary.sites[0].stats
    assert summary.alerts.sent == 1
    again = world.cycle(sites=[slug], recheck="none")
    assert again.ingest.changes == []
    assert "list_signal_rechecks" not in again.sites[0].stats


def test_a_repeal_by_citation_alerts_the_cited_notice_in_the_same_cycle(world: World) -> None:
    """A new notice says 《…》（…号）同时废止: that notice's subscribers hear 已废止 in the same cycle."""
    slug = "gbk-sim"
    world.webhook.clear()
    cited = next(n for n in world.gov.admin.notices(slug) if n["doc_number"] and not n.get("removed"))
    repealer = world.gov.admin.publish(slug, repeals=[cited["id"]])
    summary = world.cycle(sites=[slug], recheck="none")
    rows = {r["id"]: r for r in world.change_rows(summary)}
    kinds = sorted(r["kind"] for r in rows.values())
    assert kinds == ["metadata", "new"], rows
    mark = next(r for r in rows.values() if r["kind"] == "metadata")
    assert (mark["priority"], mark["alerted"], mark["change"]["repealed"]) == ("high", True, True), mark
    assert mark["change"]["extra"]["repealed_by"]["url"] == repealer["url"]
    assert summary.alerts.sent == 2
    assert any(cited["title"][:10] in str(p["json"]) for p in world.webhook.posts), world.webhook.posts

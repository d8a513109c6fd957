"""`policywatch reprocess`: records re-derived from the stored raw snapshots after normalization
improves become new versions, never changes or alerts; running it again changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.cli.conftest import CliWorld, describe

# One group with test_admin.py: a worker that runs both starts the Prefect test API once. Each test
# states what it needs through module fixtures, so the module is also correct when split over workers.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cli-world")]

CLI_WORLD_SITES = ["hainan", "guangdong"]
SUMMARY = re.compile(r"^(\d+) notices checked, (\d+) records updated( \(dry run: nothing written\))?$", re.M)


def _reprocess(world: CliWorld, *args: str) -> tuple[int, int, str]:
    result = world.cli("reprocess", *args)
    assert result.exit_code == 0, describe(result)
    found = SUMMARY.findall(result.stdout)
    assert len(found) == 1, result.stdout
    checked, updated, dry = found[0]
    assert bool(dry) == ("--dry-run" in args), result.stdout
    return int(checked), int(updated), result.stdout


def _counts(world: CliWorld) -> dict[str, int]:
    from storage.models import Change, Delivery, Notice, NoticeVersion

    with world.session() as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Notice, NoticeVersion, Change, Delivery)
        }


def _notice_ids(world: CliWorld, slug: str | None = None) -> list[int]:
    from storage.models import Notice, Source

    stmt = select(Notice.id).join(Source, Source.id == Notice.source_id).order_by(Notice.id)
    if slug:
        stmt = stmt.where(Source.slug == slug)
    with world.session() as session:
        return list(session.scalars(stmt))


def _latest(world: CliWorld, notice_id: int) -> Any:
    from storage.models import Notice, NoticeVersion

    with world.session() as session:
        notice = session.get(Notice, notice_id)
        return session.get(NoticeVersion, notice.latest_version_id)


def _extracted_from_snapshot(world: CliWorld, snapshot_id: int) -> dict[str, Any]:
    """What the page gives today: notices.extract on the stored snapshot, attachments from storage."""
    import notices
    from storage import snapshots as snapshot_store
    from storage.models import RawSnapshot

    with world.session() as session:

        def fetch(url: str) -> bytes | None:
            found = snapshot_store.latest_snapshot_for_url(session, url)
            return (
                snapshot_store.snapshot_page(found).body
                if found is not None and found.status == 200
                else None
            )

        snapshot = session.get(RawSnapshot, snapshot_id)
        return notices.extract(snapshot_store.snapshot_page(snapshot), fetch_attachments=fetch).to_dict()


@pytest.fixture(scope="module")
def tampered(cli_world: CliWorld) -> dict[int, dict[str, Any]]:
    """An older normalization, simulated: three stored records lost their title (hash kept consistent).
    The Hainan seed notice is one of them, so a later real edit can be checked against it."""
    from storage.models import Notice, NoticeVersion
    from storage.versions import record_hash

    seed_url = cli_world.pick_seed_url("hainan")
    with cli_world.session() as session, session.begin():
        seed_id = session.scalar(select(Notice.id).where(Notice.url == seed_url))
        ids = [seed_id, *_notice_ids(cli_world, "hainan")[-1:], *_notice_ids(cli_world, "guangdong")[:1]]
        before: dict[int, dict[str, Any]] = {}
        for notice_id in ids:
            version = session.get(NoticeVersion, session.get(Notice, notice_id).latest_version_id)
            before[notice_id] = {"version_id": version.id, "version_no": version.version_no,
                                 "snapshot_id": version.snapshot_id, "title": version.record["title"]}  # fmt: skip
            record = {**version.record, "title": None}
            version.record = record
            version.content_hash = record_hash(record)
    assert len(before) == 3 and all(b["title"] for b in before.values())
    return before


def test_dry_run_right_after_a_cycle_finds_nothing_to_update(cli_world: CliWorld) -> None:
    counts = _counts(cli_world)
    checked, updated, _ = _reprocess(cli_world, "--dry-run")
    assert (checked, updated) == (counts["notices"], 0)
    assert counts["notices"] >= 30
    assert _reprocess(cli_world)[:2] == (counts["notices"], 0)
    assert _counts(cli_world) == counts


def test_sites_limits_what_is_checked(cli_world: CliWorld) -> None:
    for slug in CLI_WORLD_SITES:
        assert _reprocess(cli_world, "--sites", slug, "--dry-run")[:2] == (
            len(_notice_ids(cli_world, slug)),
            0,
        )
    assert _reprocess(cli_world, "--sites", "no-such-site", "--dry-run")[:2] == (0, 0)


def test_dry_run_reports_the_stale_records_and_writes_nothing(
    cli_world: CliWorld, tampered: dict[int, dict[str, Any]]
) -> None:
    counts = _counts(cli_world)
    checked, updated, output = _reprocess(cli_world, "--dry-run")
    assert (checked, updated) == (counts["notices"], len(tampered))
    assert sorted(int(i) for i in re.findall(r"notice (\d+) \(.*\): record re-derived", output)) == sorted(
        tampered
    )
    assert _counts(cli_world) == counts
    for notice_id, before in tampered.items():
        assert _latest(cli_world, notice_id).id == before["version_id"]


@pytest.fixture(scope="module")
def reprocessed(cli_world: CliWorld, tampered: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """`policywatch reprocess` once over the tampered records: its report and the row counts around it."""
    before = _counts(cli_world)
    checked, updated, output = _reprocess(cli_world)
    return {
        "before": before,
        "after": _counts(cli_world),
        "checked": checked,
        "updated": updated,
        "output": output,
    }


def test_reprocess_rederives_stale_records_as_new_versions_without_changes_or_alerts(
    cli_world: CliWorld, tampered: dict[int, dict[str, Any]], reprocessed: dict[str, Any]
) -> None:
    from storage.versions import record_hash

    counts = reprocessed["before"]
    assert (reprocessed["checked"], reprocessed["updated"]) == (counts["notices"], len(tampered))
    assert reprocessed["after"] == {**counts, "notice_versions": counts["notice_versions"] + len(tampered)}, (
        "a re-derived record is a new version, never a change or a delivery"
    )
    for notice_id, before in tampered.items():
        version = _latest(cli_world, notice_id)
        assert version.id != before["version_id"]
        assert version.version_no == before["version_no"] + 1
        assert version.snapshot_id == before["snapshot_id"]
        record = dict(version.record)
        assert record.pop("reprocessed_from_version") == before["version_id"]
        assert record == _extracted_from_snapshot(cli_world, before["snapshot_id"])
        assert record["title"] == before["title"]
        assert version.content_hash == record_hash(version.record)
    assert cli_world.webhook.posts == []


def test_reprocess_again_changes_nothing(cli_world: CliWorld, reprocessed: dict[str, Any]) -> None:
    counts = _counts(cli_world)
    assert _reprocess(cli_world)[:2] == (counts["notices"], 0)
    assert _reprocess(cli_world, "--dry-run")[:2] == (counts["notices"], 0)
    assert _counts(cli_world) == counts


def test_the_next_real_edit_is_diffed_against_the_rederived_record(
    cli_world: CliWorld, reprocessed: dict[str, Any]
) -> None:
    """The title fix is not news; the paragraph edit that follows is reported as just that."""
    seed = cli_world.gov.admin.notices("hainan")
    seed = next(n for n in seed if n["origin"] == "seed")
    cli_world.gov.admin.edit_paragraph("hainan", seed["id"])
    summary = cli_world.cycle(recheck="all")
    changes = summary["ingest"]["changes"]
    assert [(c["kind"], c["url"]) for c in changes] == [("edited", seed["url"])], changes
    assert not summary["ingest"]["rejected"], summary["ingest"]["rejected"]
    assert summary["alerts"]["sent"] == 2
    assert len(cli_world.webhook.posts) == 2

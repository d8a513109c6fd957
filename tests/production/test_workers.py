"""Run PolicyWatch like production: a real Prefect server on PostgreSQL, prefect.yaml deployments,
two process workers sharing one PolicyWatch database on PostgreSQL, govsim sites, local alert sinks.

What it shows:
- the cron deployment really creates scheduled runs on the server (SQLAlchemy < 2.1 matters here);
- monitor runs triggered at once fan out across both workers; every site is crawled exactly once
  per cycle (crawl_runs table and govsim's request log agree);
- two cycles' senders running concurrently deliver every alert exactly once (deliveries table,
  webhook and SMTP mailbox).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.production.prefect_stack import (
    REPO,
    PrefectStack,
    asyncpg_url,
    fresh_database,
    running_prefect_server,
    wait_for,
)

pytestmark = [pytest.mark.prefect_server, pytest.mark.slow, pytest.mark.xdist_group("prefect_server")]

SCALE_SITES = 4
NOTICES_PER_SITE = 12
RUN_TIMEOUT = 150.0

SUBSCRIPTIONS = """\
[[subscription]]
name = "ops-webhook"
urls = ["${PW_TEST_WEBHOOK_URL}"]

[[subscription]]
name = "compliance-email"
urls = ["${PW_TEST_SMTP_URL}"]
"""


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectStack]:
    """A Prefect server on a fresh PostgreSQL database, the pool, and every deployment in prefect.yaml."""
    from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES, postgres_available

    reason = postgres_available()
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(f"POLICYWATCH_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(f"the Prefect server test needs PostgreSQL: {reason}")
    home = tmp_path_factory.mktemp("prefect-server")
    with (
        fresh_database(POSTGRES_URL, "pw_prefect") as database,
        running_prefect_server(home, asyncpg_url(POSTGRES_URL, database)) as stack,
    ):
        stack.cli("work-pool", "create", "policywatch-process", "--type", "process")
        stack.cli("--no-prompt", "deploy", "--all", env={"POLICYWATCH_HOME": str(REPO)}, timeout=180)
        yield stack


async def _deployment(client: Any, name: str) -> Any:
    return await client.read_deployment_by_name(name)


async def _scheduled_runs(client: Any, deployment_id: Any) -> list[Any]:
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    return list(
        await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
            ),
        )
    )


def test_cron_deployment_creates_scheduled_runs(deployed: PrefectStack) -> None:
    """The server's scheduler turns the monitor cron (*/15, Asia/Shanghai) into scheduled runs."""
    monitor = deployed.run(lambda c: _deployment(c, "monitor/monitor"))
    schedule = monitor.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("*/15 * * * *", "Asia/Shanghai")
    assert monitor.work_pool_name == "policywatch-process"

    runs = wait_for(
        lambda: deployed.run(lambda c: _scheduled_runs(c, monitor.id)),
        timeout=60,
        what="scheduled runs of monitor/monitor (does the server scheduler work with this SQLAlchemy?)",
        interval=2,
    )
    starts = sorted(r.expected_start_time for r in runs)
    shanghai = [s.astimezone(ZoneInfo("Asia/Shanghai")) for s in starts]
    assert all(s.minute % 15 == 0 and s.second == 0 for s in shanghai), shanghai
    assert all(b - a == timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False)), starts


def test_deployments_limit_how_many_runs_overlap(deployed: PrefectStack) -> None:
    """prefect.yaml's limits reach the server: runs cannot pile up behind a slow one, and the
    monitor deployment rechecks the 7-day tier on every cycle."""
    expected = {"monitor/monitor": 4, "recheck/recheck": 1, "digest/digest": 1}
    for name, limit in expected.items():
        deployment = deployed.run(lambda c, name=name: _deployment(c, name))
        assert deployment.global_concurrency_limit is not None, name
        assert deployment.global_concurrency_limit.limit == limit, name
        assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW", name
    monitor = deployed.run(lambda c: _deployment(c, "monitor/monitor"))
    assert monitor.parameters["recheck"] == "fresh"


async def _quiesce_schedules(client: Any) -> None:
    """Switch every schedule off and drop the runs it made, so only the runs this test creates execute."""
    for name in ("monitor/monitor", "recheck/recheck", "digest/digest"):
        deployment = await client.read_deployment_by_name(name)
        for schedule in deployment.schedules:
            await client.update_deployment_schedule(deployment.id, schedule.id, active=False)
        for run in await _scheduled_runs(client, deployment.id):
            await client.delete_flow_run(run.id)


async def _trigger(client: Any, deployment_id: Any, parameters: dict[str, Any]) -> str:
    run = await client.create_flow_run_from_deployment(deployment_id, parameters=parameters)
    return str(run.id)


async def _states(client: Any, run_ids: list[str]) -> dict[str, Any]:
    return {run_id: (await client.read_flow_run(run_id)).state for run_id in run_ids}


def _run_cycle(stack: PrefectStack, groups: list[list[str]]) -> list[str]:
    """Trigger one monitor run per group of sites at once; wait until all are final; return their ids."""
    monitor = stack.run(lambda c: _deployment(c, "monitor/monitor"))
    run_ids: list[str] = []
    for group in groups:
        parameters = {"sites": group, "sites_per_crawl": 1, "recheck": "none", "mode": "monitor"}

        async def trigger(client: Any, parameters: dict[str, Any] = parameters) -> str:
            return await _trigger(client, monitor.id, parameters)

        run_ids.append(stack.run(trigger))

    def all_final() -> dict[str, Any] | None:
        states = stack.run(lambda c: _states(c, run_ids))
        return states if all(s is not None and s.is_final() for s in states.values()) else None

    states = wait_for(all_final, RUN_TIMEOUT, f"monitor runs {run_ids} to finish", interval=2)
    assert states is not None
    failed = {rid: f"{s.type.value}: {s.message}" for rid, s in states.items() if not s.is_completed()}
    if failed:
        logs = "\n".join(stack.worker_log(name)[-3000:] for name in stack.workers)
        pytest.fail(f"monitor runs did not complete: {failed}\n{logs}")
    return run_ids


def _crawl_runs(database_url: str, cycle_ids: list[str]) -> list[tuple[str, str, str, str]]:
    """(cycle_id, site slug, mode, status) of every crawl run of these cycles."""
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import CrawlRun, Source

    with session_scope(database_url) as session:
        rows = session.execute(
            select(CrawlRun.cycle_id, Source.slug, CrawlRun.mode, CrawlRun.status)
            .join(Source, Source.id == CrawlRun.source_id)
            .where(CrawlRun.cycle_id.in_(cycle_ids))
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _assert_each_site_crawled_once(
    database_url: str, gov: Any, groups: list[list[str]], run_ids: list[str]
) -> None:
    runs = _crawl_runs(database_url, run_ids)
    per_site = Counter(slug for _cycle, slug, _mode, _status in runs)
    assert per_site == Counter({slug: 1 for group in groups for slug in group}), runs
    for cycle_id, group in zip(run_ids, groups, strict=True):
        assert sorted(slug for c, slug, _m, _s in runs if c == cycle_id) == sorted(group)
    assert all(status == "ok" for *_rest, status in runs), runs
    for slug in (s for group in groups for s in group):
        log = gov.admin.request_log(slug)
        # robots.txt comes from the shared database cache once an earlier cycle fetched it.
        assert log["by_kind"].get("robots", 0) <= 1, f"{slug}: robots.txt fetched more than once: {log}"
        fetched = Counter(r["path"] for r in log["recent"] if r["kind"] in ("list", "detail", "api"))
        twice = {path: n for path, n in fetched.items() if n > 1}
        assert not twice, f"{slug}: pages fetched more than once in one cycle: {twice}"


def _alerted_changes(database_url: str, cycle_ids: list[str]) -> dict[int, tuple[str, str]]:
    """change_id -> (notice URL, title) of the alerted changes found by these cycles' crawls."""
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import Change, CrawlRun, Notice, NoticeVersion, RawSnapshot

    with session_scope(database_url) as session:
        rows = session.execute(
            select(Change.id, Notice.url, NoticeVersion.record)
            .join(Notice, Notice.id == Change.notice_id)
            .join(NoticeVersion, NoticeVersion.id == Change.to_version_id)
            .join(RawSnapshot, RawSnapshot.id == NoticeVersion.snapshot_id)
            .join(CrawlRun, CrawlRun.id == RawSnapshot.crawl_run_id)
            .where(Change.alerted.is_(True), CrawlRun.cycle_id.in_(cycle_ids))
        )
        return {cid: (url, str(record.get("title") or "")) for cid, url, record in rows}


def _deliveries(database_url: str) -> list[tuple[int, str, str, str]]:
    """(change_id, subscription, change kind, delivery status) of every delivery."""
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import Change, Delivery, Subscription

    with session_scope(database_url) as session:
        rows = session.execute(
            select(Delivery.change_id, Subscription.name, Change.kind, Delivery.status)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .join(Change, Change.id == Delivery.change_id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_two_workers_crawl_each_site_once_and_deliver_each_alert_once(
    deployed: PrefectStack, postgres_url: str, tmp_path: Path
) -> None:
    from govsim.inbox import LocalMailbox, LocalWebhook
    from govsim.testing import running_govsim

    deployed.run(_quiesce_schedules)
    subscriptions = tmp_path / "subscriptions.toml"
    subscriptions.write_text(SUBSCRIPTIONS, encoding="utf-8")
    with (
        LocalWebhook() as webhook,
        LocalMailbox() as mailbox,
        running_govsim(tmp_path / "govsim", sites=["hainan"], scale=(SCALE_SITES, NOTICES_PER_SITE)) as gov,
    ):
        slugs = sorted(p.stem for p in gov.sites_dir.glob("*.toml"))
        assert len(slugs) == SCALE_SITES
        worker_env = {
            "POLICYWATCH_HOME": str(REPO),
            **gov.environment(
                database_url=postgres_url,
                subscriptions=subscriptions,
                sites_dirs=[gov.sites_dir],
                delay_scale=0.02,
            ),
            "PW_TEST_WEBHOOK_URL": webhook.apprise_url(),
            "PW_TEST_SMTP_URL": mailbox.apprise_url(),
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "PREFECT_WORKER_PREFETCH_SECONDS": "5",
        }
        # As in production (docs/deploy.md): `policywatch db upgrade` once, before the workers start.
        from storage.db import dispose_engines, migrate

        migrate(postgres_url)
        dispose_engines()
        # Limit 1 each: two runs submitted at once must be taken by two different workers.
        for name in ("worker-a", "worker-b"):
            deployed.start_worker(name, {**worker_env, "PREFECT_HOME": str(tmp_path / name)})
        groups = [slugs[: SCALE_SITES // 2], slugs[SCALE_SITES // 2 :]]

        # Cycle 1: the baseline. Every site's archive is recorded, nothing is alerted.
        gov.admin.reset_request_log()
        baseline = _run_cycle(deployed, groups)
        _assert_each_site_crawled_once(postgres_url, gov, groups, baseline)
        # Both workers may try to submit a run; the server lets one through and aborts the other.
        ran_on = {
            run_id: [
                name
                for name in deployed.workers
                if f"submitting flow run '{run_id}'" in deployed.worker_log(name)
                and f"Aborted submission of flow run '{run_id}'" not in deployed.worker_log(name)
            ]
            for run_id in baseline
        }
        assert all(len(names) == 1 for names in ran_on.values()), ran_on
        assert {names[0] for names in ran_on.values()} == {"worker-a", "worker-b"}, ran_on
        assert _deliveries(postgres_url) == []

        # Cycle 2: two new notices per site; both runs send their alerts at the same time.
        published = [gov.admin.publish(slug) for slug in slugs for _ in range(2)]
        gov.admin.reset_request_log()
        second = _run_cycle(deployed, groups)
        _assert_each_site_crawled_once(postgres_url, gov, groups, second)

        alerted = _alerted_changes(postgres_url, second)
        published_urls = {str(n["url"]) for n in published}
        assert alerted and {url for url, _title in alerted.values()} <= published_urls, alerted
        subs = ("ops-webhook", "compliance-email")
        deliveries = _deliveries(postgres_url)
        assert sorted((c, sub, status) for c, sub, _kind, status in deliveries) == sorted(
            (c, sub, "sent") for c in alerted for sub in subs
        ), deliveries
        wait_for(lambda: len(mailbox.messages) >= len(alerted), 30, "every email to reach the SMTP mailbox")
        titles = [str(p["json"].get("title", "")) for p in webhook.posts]
        subjects = [m.subject for m in mailbox.messages]
        assert len(titles) == len(alerted) and len(subjects) == len(alerted), (titles, subjects)
        for _url, title in alerted.values():
            assert sum(title in t for t in titles) == 1, (title, titles)
            assert sum(title in s for s in subjects) == 1, (title, subjects)

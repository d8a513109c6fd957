"""One replica web, one database and one subscriber for a whole module of end-to-end cycles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from flows.steps import CycleReport
from govsim.inbox import LocalWebhook
from govsim.testing import GovsimHandle, running_govsim

E2E_SITES = [
    "hainan", "chuzhou", "qinghai", "guangdong", "chongqing",
    "zhejiang-sim", "lawportal-sim", "gbk-sim", "badcharset-sim", "twice-sim",
    "heilongjiang-sim", "tianjin-sim", "hangzhou-sim", "shaanxi-sim",
    "shanghai-sim", "shanghai-gov-sim", "sichuan-sim", "wuhan-sim", "jilin-sim",
]  # fmt: skip


@dataclass
class World:
    """The running replica, the pipeline's database and the subscriber's webhook."""

    gov: GovsimHandle
    webhook: LocalWebhook
    database_url: str
    sites: list[str]
    published_at_baseline: dict[str, set[str]] = field(default_factory=dict)  # slug -> notice URLs

    def cycle(self, sites: list[str] | None = None, recheck: str = "all") -> CycleReport:
        """One real monitor cycle (the Prefect flow, the Scrapy subprocess, the outbox)."""
        from flows.monitor import monitor
        from flows.outcome import run_cycle

        return run_cycle(monitor, sites=sites or self.sites, recheck=recheck)

    def change_rows(self, summary: CycleReport) -> list[dict[str, Any]]:
        """This cycle's changes as stored, with their detail (kind, priority, edits, fields)."""
        from storage.db import session_factory
        from storage.models import Change

        ids = [c.change_id for c in summary.ingest.changes]
        if not ids:
            return []
        with session_factory(self.database_url)() as session:
            rows = session.scalars(select(Change).where(Change.id.in_(ids)).order_by(Change.id))
            return [
                {"id": r.id, "kind": r.kind, "priority": r.priority, "summary": r.summary,
                 "alerted": r.alerted, "change": r.detail}
                for r in rows
            ]  # fmt: skip

    def pick(self, slug: str, target: str) -> dict[str, Any]:
        """A live notice of ``slug``: its seed notice, or the newest filler without attachments."""
        notices = [n for n in self.gov.admin.notices(slug) if not n.get("removed")]
        if target == "seed":
            return next(n for n in notices if n["origin"] == "seed")
        return next(n for n in notices if n["origin"] == "filler" and not n.get("attachments"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[World]:
    root = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{root / 'policywatch.db'}"
    with LocalWebhook() as webhook, running_govsim(root / "govsim", sites=E2E_SITES) as gov:
        subscriptions = root / "subscriptions.toml"
        subscriptions.write_text(
            f'[[subscription]]\nname = "team"\nurls = ["{webhook.apprise_url()}"]\n', encoding="utf-8"
        )
        with pytest.MonkeyPatch.context() as env:
            for name, value in gov.environment(
                database_url=database_url, subscriptions=subscriptions
            ).items():
                env.setenv(name, value)
            world = World(gov=gov, webhook=webhook, database_url=database_url, sites=list(E2E_SITES))
            baseline = world.cycle(recheck="none")
            assert all(site.status == "ok" for site in baseline.sites), baseline.sites
            assert baseline.alerts.sent == 0, "a site's first crawl is its baseline, never alerted"
            world.published_at_baseline = {
                slug: {n["url"] for n in gov.admin.notices(slug) if not n.get("removed")}
                for slug in E2E_SITES
            }
            webhook.clear()
            yield world

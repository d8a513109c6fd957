"""A crawler subprocess that dies costs only its own batch: the other batches still store and alert.

The crash is real: a ``sitecustomize`` on the crawler's PYTHONPATH kills the ``spiders.crawl``
process that was given the doomed site, before it makes a request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from govsim.inbox import LocalWebhook
from govsim.testing import running_govsim

CRASHING_SITE = "chuzhou"
HEALTHY_SITE = "hainan"

SITECUSTOMIZE = f'''
import os, sys
if "--sites" in sys.argv and sys.argv[sys.argv.index("--sites") + 1] == "{CRASHING_SITE}":
    os._exit(3)
'''


@pytest.fixture()
def crash_world(tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    import flows.monitor

    # Same retries as production, without the production waits between them.
    monkeypatch.setattr(flows.monitor, "crawl", flows.monitor.crawl.with_options(retry_delay_seconds=0))
    database_url = f"sqlite:///{tmp_path / 'policywatch.db'}"
    with (
        LocalWebhook() as webhook,
        running_govsim(tmp_path / "govsim", sites=[HEALTHY_SITE, CRASHING_SITE]) as gov,
    ):
        subscriptions = tmp_path / "subscriptions.toml"
        subscriptions.write_text(
            f'[[subscription]]\nname = "team"\nurls = ["{webhook.apprise_url()}"]\n', encoding="utf-8"
        )
        for name, value in gov.environment(database_url=database_url, subscriptions=subscriptions).items():
            monkeypatch.setenv(name, value)
        yield gov, webhook, tmp_path


def test_a_crashing_crawler_fails_its_sites_but_not_the_cycle(crash_world: tuple) -> None:
    from flows.monitor import monitor
    from flows.outcome import run_cycle

    gov, webhook, tmp_path = crash_world
    baseline = run_cycle(monitor, sites=[HEALTHY_SITE, CRASHING_SITE], recheck="none", sites_per_crawl=1)
    assert {s.slug: s.status for s in baseline.sites} == {HEALTHY_SITE: "ok", CRASHING_SITE: "ok"}

    published = gov.admin.publish(HEALTHY_SITE)
    hook_dir = tmp_path / "crashing-crawler"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", str(hook_dir))
        summary = run_cycle(monitor, sites=[HEALTHY_SITE, CRASHING_SITE], recheck="none", sites_per_crawl=1)
        again = run_cycle(monitor, sites=[HEALTHY_SITE, CRASHING_SITE], recheck="none", sites_per_crawl=1)

    crashed = {s.site: s for s in summary.failing_sites}
    assert list(crashed) == [CRASHING_SITE]
    assert "crawler died before reaching this site" in crashed[CRASHING_SITE].error
    assert crashed[CRASHING_SITE].consecutive_failures == 1
    assert [s.consecutive_failures for s in again.failing_sites] == [2]
    statuses = {s.slug: s.status for s in summary.sites}
    assert statuses == {HEALTHY_SITE: "ok", CRASHING_SITE: "failed"}
    assert [c.title for c in summary.ingest.changes] == [published["title"]]
    assert [p["json"]["title"] for p in webhook.posts if published["title"] in p["json"]["title"]]


# Dies once, mid-crawl: after its crawl run of the site was opened (a real crash leaves it
# "running"), before it finished. The marker file makes the retry's crawler live.
CRASH_ONCE = """
import os, sqlite3, sys, threading, time
marker = {marker!r}
if "--sites" in sys.argv and not os.path.exists(marker):
    database = os.environ["POLICYWATCH_DATABASE_URL"].removeprefix("sqlite:///")

    def die_once_crawling():
        while True:
            try:
                with sqlite3.connect(database) as db:
                    if db.execute("select 1 from crawl_runs where status = 'running'").fetchone():
                        break
            except sqlite3.Error:
                pass
            time.sleep(0.01)
        open(marker, "w").close()
        os._exit(3)

    threading.Thread(target=die_once_crawling, daemon=True).start()
"""


def test_a_crash_that_its_retry_recovered_is_not_a_site_failure(crash_world: tuple) -> None:
    from flows.monitor import monitor
    from flows.outcome import run_cycle

    gov, webhook, tmp_path = crash_world
    baseline = run_cycle(monitor, sites=[HEALTHY_SITE], recheck="none")
    assert [s.status for s in baseline.sites] == ["ok"]

    published = gov.admin.publish(HEALTHY_SITE)
    marker = tmp_path / "crashed-once"
    hook_dir = tmp_path / "crash-once"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(CRASH_ONCE.format(marker=str(marker)), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", str(hook_dir))
        summary = run_cycle(monitor, sites=[HEALTHY_SITE], recheck="none")

    assert marker.exists(), "the crawler never crashed: the test proves nothing"
    assert summary.failing_sites == []
    assert [s.status for s in summary.sites] == ["ok"]
    assert [c.title for c in summary.ingest.changes] == [published["title"]]

"""Race test: two `policywatch run` processes at once on a fresh database and sites never crawled.

Both processes migrate the fresh database (one after the other, under the migration lock), and
each site is crawled by the run that took its lease; the other run skips it and says so. The
sites' first crawl is their baseline: not one of their notices may be alerted, and neither process
may print a traceback. One race per engine in `make test`; the soak runs 20 per engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from govsim.inbox import LocalWebhook
from govsim.testing import GovsimHandle, running_govsim
from tests.resilience.harness import KillWorld, kill_tree, last_json

SITES = ["hainan", "guangdong"]
RACES = [0, *(pytest.param(n, marks=pytest.mark.soak) for n in range(1, 20))]

pytestmark = pytest.mark.xdist_group("resilience")


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GovsimHandle, LocalWebhook]]:
    """One govsim and one webhook for every race: crawling changes nothing in govsim."""
    with LocalWebhook() as webhook, running_govsim(tmp_path_factory.mktemp("govsim"), sites=SITES) as gov:
        yield gov, webhook


@pytest.mark.timeout(600)
@pytest.mark.parametrize("race", RACES)
def test_two_runs_at_once_on_a_fresh_database_alert_no_baseline_notice(
    replica: tuple[GovsimHandle, LocalWebhook],
    database_url: str,
    tmp_path: Path,
    prefect_harness: None,
    race: int,
) -> None:
    from prefect.settings import PREFECT_API_URL

    gov, webhook = replica
    webhook.clear()
    world = KillWorld(
        gov=gov,
        webhook=webhook,
        database_url=database_url,
        sites=list(SITES),
        root=tmp_path,
        prefect_api_url=str(PREFECT_API_URL.value()),
    )
    runs = [world.start_run("--recheck", "none") for _ in range(2)]
    deadline = time.monotonic() + 400
    try:
        for run in runs:
            run.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for run in runs:
            kill_tree(run.pid)
    outputs = [world.run_log(number) for number in (1, 2)]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, f"exit {run.returncode}:\n{output[-4000:]}"
        assert "Traceback" not in output, output[-6000:]
    summaries = [last_json(output) for output in outputs]

    crawled = sorted(s["slug"] for summary in summaries for s in summary["sites"] if s["status"] != "skipped")
    skipped = [s for summary in summaries for s in summary["sites"] if s["status"] == "skipped"]
    assert crawled.count("hainan") >= 1 and crawled.count("guangdong") >= 1, summaries
    for site in skipped:
        assert "another run is crawling it" in site["error"], site
        assert f"site {site['slug']}: skipped" in "\n".join(outputs)  # the log says so too
    assert sum(summary["alerts"]["sent"] for summary in summaries) == 0
    assert not webhook.posts, [p["json"].get("title") for p in webhook.posts]
    assert world.scalar("SELECT count(*) FROM deliveries") == 0, "a baseline notice was queued as news"
    assert world.scalar("SELECT count(*) FROM sources WHERE baseline_at IS NULL") == 0
    notices = sum(len([n for n in gov.admin.notices(slug) if not n.get("removed")]) for slug in SITES)
    assert world.scalar("SELECT count(*) FROM notices") == notices
    print(f"race {race}: crawled {crawled}, skipped {[s['slug'] for s in skipped]}")

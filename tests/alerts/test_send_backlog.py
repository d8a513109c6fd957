"""The cycle's send step drains a backlog bigger than one claim batch (100) in one call."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flows.steps import send_alerts
from govsim.inbox import LocalWebhook
from tests.alerts.outbox_setup import setup_outbox, statuses, write_subscriptions


def test_send_alerts_drains_a_backlog_of_several_batches(pipeline_env: str, tmp_path: Path) -> None:
    with LocalWebhook() as hook:
        configs = write_subscriptions(
            tmp_path / "subscriptions.toml", [{"name": "hook", "urls": [hook.apprise_url()]}]
        )
        setup_outbox(pipeline_env, configs, 230)

        summary = send_alerts(worker_id="backlog")

        assert (summary.claimed, summary.sent, summary.pending) == (230, 230, 0)
        assert statuses(setup_outbox(pipeline_env, configs, 0)) == ["sent"] * 230
        delivered = Counter(post["json"]["title"] for post in hook.posts)
        assert len(delivered) == 230 and set(delivered.values()) == {1}

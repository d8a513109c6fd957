"""Ops alerts for failing sites, and how a recheck fans out across crawler subprocesses."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from alerts.ops import ops_alert_for_failing_sites
from flows.recheck_plan import recheck_batches
from govsim.inbox import LocalWebhook

FAILING = [
    {"site": "hainan", "status": "blocked", "consecutive_failures": 4,
     "error": "monitor: site hainan: list page returned an anti-bot challenge (HTTP 412); backing off for 6 h"},
    {"site": "guangdong", "status": "failed", "consecutive_failures": 3,
     "error": "monitor: site guangdong: list page http://x/gkmlpt/api/all/5 returned HTTP 503 after 2 retries"},
    {"site": "chuzhou", "status": "failed", "consecutive_failures": 5,
     "error": "monitor: site chuzhou: list page http://x/ yielded no notices; the template may have changed"},
    {"site": "qinghai", "status": "failed", "consecutive_failures": 3,
     "error": "monitor: site qinghai: robots.txt disallows list page http://x/index.html; set politeness…"},
    {"site": "chongqing", "status": "failed", "consecutive_failures": 2,
     "error": "monitor: site chongqing: list page http://x/ returned HTTP 500"},
    {"site": "zhejiang", "status": "failed", "consecutive_failures": 9,
     "error": "monitor: site zhejiang: list page http://x/: timed out after 30 s after 2 retries"},
]  # fmt: skip


def test_one_alert_lists_every_site_failing_three_cycles_for_a_reason_that_counts() -> None:
    with LocalWebhook() as webhook:
        alerted = ops_alert_for_failing_sites(FAILING, urls=[webhook.apprise_url("/ops")])
        posts = webhook.posts
    assert alerted == ["chuzhou", "hainan", "guangdong", "qinghai"]
    assert len(posts) == 1
    message = posts[0]["json"]["title"] + "\n" + posts[0]["json"]["message"]
    assert "4 sites failing 3+ cycles" in message
    for expected in ("hainan: blocked by an anti-bot challenge, 4 cycles", "guangdong: server errors (HTTP 5xx)",
                     "chuzhou: list pages stopped yielding notices", "qinghai: robots.txt disallows"):  # fmt: skip
        assert expected in message
    assert "chongqing" not in message  # 2 < threshold
    assert "zhejiang" not in message  # timeouts pass on their own


def test_threshold_is_a_parameter() -> None:
    with LocalWebhook() as webhook:
        alerted = ops_alert_for_failing_sites(FAILING, threshold=2, urls=[webhook.apprise_url()])
    assert "chongqing" in alerted


def test_nothing_due_sends_nothing() -> None:
    with LocalWebhook() as webhook:
        assert ops_alert_for_failing_sites(FAILING[4:], urls=[webhook.apprise_url()]) == []
        assert webhook.posts == []


def test_urls_from_env_references_resolved_and_never_shown(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with LocalWebhook() as webhook:
        secret_url = webhook.apprise_url("/s3cr3t-token-path")
        monkeypatch.setenv("OPS_HOOK", secret_url)
        monkeypatch.setenv("POLICYWATCH_OPS_URLS", " $OPS_HOOK , ")
        with caplog.at_level(logging.INFO, logger="alerts.ops"):
            alerted = ops_alert_for_failing_sites(FAILING[:1])
        assert alerted == ["hainan"] and len(webhook.posts) == 1
    assert "s3cr3t-token-path" not in caplog.text
    assert "ops alert about hainan sent to" in caplog.text


def test_without_urls_it_warns_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("POLICYWATCH_OPS_URLS", raising=False)
    with caplog.at_level(logging.WARNING, logger="alerts.ops"):
        assert ops_alert_for_failing_sites(FAILING) == []
    assert "set POLICYWATCH_OPS_URLS" in caplog.text


def test_an_unreachable_channel_is_reported_not_raised() -> None:
    from govsim.inbox import free_port

    assert ops_alert_for_failing_sites(FAILING[:1], urls=[f"json://127.0.0.1:{free_port()}/ops"]) == []


def _item(slug: str, n: int) -> dict[str, Any]:
    return {"slug": slug, "url": f"http://{slug}/{n}.html", "etag": None, "last_modified": None}


def test_recheck_batches_keep_each_site_in_one_crawler() -> None:
    items = [_item(slug, n) for n in range(3) for slug in ("c", "a", "b")]
    batches = recheck_batches(items, sites_per_crawl=2)
    assert [sorted({i["slug"] for i in batch}) for batch in batches] == [["a", "b"], ["c"]]
    assert sorted(i["url"] for batch in batches for i in batch) == sorted(i["url"] for i in items)
    assert recheck_batches([], 10) == []
    with pytest.raises(ValueError, match="at least 1"):
        recheck_batches(items, 0)

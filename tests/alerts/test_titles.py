"""Webhook and IM titles are plain text: markup stripped, entities decoded, one line, bounded.

The table (title_cases.yaml) says what plain text a scraped title becomes; the end-to-end test sends
a hostile title through the outbox to a local JSON webhook and reads the ``title`` field it received.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from alerts.outbox import send_pending
from alerts.render import CHANNELS, plain_text, render_alert
from govsim.inbox import LocalWebhook
from tests.alerts.outbox_setup import setup_outbox, write_subscriptions
from tests.alerts.test_render import context

CASES = yaml.safe_load((Path(__file__).parent / "title_cases.yaml").read_text(encoding="utf-8"))["cases"]
HOSTILE = "<b>关于&lt;script&gt;alert(1)&lt;/script&gt;印发</b>\r\nBcc: evil@example.org&amp;nbsp;<img src=x onerror=alert(1)>的通知"
HOSTILE_PLAIN = "关于印发 Bcc: evil@example.org 的通知"
TEXT_CHANNELS = sorted(scheme for scheme, channel in CHANNELS.items() if channel.format == "text")


def check_plain(shown: str, case: dict[str, Any], limit: int) -> None:
    if "max_len" in case:
        assert shown.startswith(case["plain"]) and len(shown) <= limit and shown.endswith("…"), shown
    else:
        assert shown == case["plain"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_scraped_title_becomes_plain_text(case: dict[str, Any]) -> None:
    check_plain(plain_text(case["title"], 80), case, 80)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("scheme", ["json", "mailto", *TEXT_CHANNELS])
def test_every_channel_shows_the_plain_title(case: dict[str, Any], scheme: str) -> None:
    ctx = dataclasses.replace(context(), title=case["title"])
    message = render_alert(ctx, CHANNELS[scheme])
    if CHANNELS[scheme].uses_title:  # webhook and mail: Apprise's title field / the Subject
        assert message.title.startswith(f"[{ctx.label}] ")
        check_plain(message.title.removeprefix(f"[{ctx.label}] "), case, 80)
    else:  # IM: the title is the first line of the body, 【kind｜title】
        heading = message.body.splitlines()[0]
        assert heading.startswith(f"【{ctx.label}｜") and heading.endswith("】"), heading
        check_plain(heading.removeprefix(f"【{ctx.label}｜").removesuffix("】"), case, 120)


def test_webhook_receives_a_plain_title(sqlite_url: str, tmp_path: Path) -> None:
    with LocalWebhook() as hook:
        configs = write_subscriptions(
            tmp_path / "subs.toml", [{"name": "hook", "urls": [hook.apprise_url()]}]
        )
        factory = setup_outbox(sqlite_url, configs, 1, title=HOSTILE)
        assert send_pending(factory, subscriptions=configs).sent == 1
        (post,) = hook.posts
    assert post["json"]["title"] == f"[新发布] {HOSTILE_PLAIN}"

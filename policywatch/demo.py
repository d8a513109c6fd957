"""`policywatch demo`: the whole product in miniature, on the local replica web.

Everything runs on 127.0.0.1: govsim serves the five seed sites, its local SMTP server and local
webhook receive the alerts. Nothing touches the internet. govsim ships in the source checkout only
(`policywatch demo` says so where it is missing).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policywatch.environment import temporary_environment

SEED_SITES = ["hainan", "chuzhou", "qinghai", "guangdong", "chongqing"]
EXPECTED = [("new", "hainan"), ("edited", "guangdong")]

SUBSCRIPTIONS_TOML = """\
# Written by `policywatch demo`. URLs are references: the values come from the environment.
[[subscription]]
name = "compliance-email"
urls = ["${DEMO_SMTP_URL}"]
kinds = ["new", "edited", "metadata", "attachment", "removed", "restored"]

[[subscription]]
name = "im-webhook"
urls = ["${DEMO_WEBHOOK_URL}"]
"""


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def run_demo(workdir: Path, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Run the demo; returns {alerts: [...], failures: [...]}."""
    from govsim.inbox import LocalMailbox, LocalWebhook
    from govsim.testing import running_govsim
    from policywatch.report import KIND_LABELS, print_cycle_summary
    from storage.db import dispose_engines

    workdir = workdir.resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / "subscriptions.toml").write_text(SUBSCRIPTIONS_TOML, encoding="utf-8")
    failures: list[str] = []

    echo("▶ starting the local replica web (govsim), an SMTP mailbox and a webhook on 127.0.0.1 …")
    with (
        LocalMailbox() as mailbox,
        LocalWebhook() as webhook,
        running_govsim(workdir / "govsim", sites=SEED_SITES) as gov,
    ):
        env = {
            **gov.environment(
                database_url=f"sqlite:///{workdir / 'policywatch.db'}",
                subscriptions=workdir / "subscriptions.toml",
                delay_scale=0.02,
            ),
            "DEMO_SMTP_URL": mailbox.apprise_url(to="subscriber@example.org"),
            "DEMO_WEBHOOK_URL": webhook.apprise_url(),
        }
        with temporary_environment(env):
            from flows.monitor import monitor
            from flows.outcome import run_cycle

            for slug in SEED_SITES:
                echo(f"  {slug:<10} → {gov.base_urls[slug]}")
            echo("\n▶ cycle 1: the first crawl of every site is its baseline (recorded, not alerted) …")
            first = run_cycle(monitor, sites=SEED_SITES, recheck="none")
            print_cycle_summary(first, echo)

            echo("\n▶ the sites change: Hainan publishes a new notice, Guangdong edits one paragraph …")
            published = gov.admin.publish("hainan")
            echo(f"  published: {published.get('title')}  {published.get('url')}")
            guangdong_seed = next(n for n in gov.admin.notices("guangdong") if n.get("origin") == "seed")
            edited = gov.admin.edit_paragraph("guangdong", guangdong_seed["id"])
            echo(f"  edited paragraph {edited.get('paragraph_index')} of {guangdong_seed.get('title')}")

            echo("\n▶ cycle 2: new notices, and every known notice rechecked with conditional GET …")
            second = run_cycle(monitor, sites=SEED_SITES, recheck="all")
            print_cycle_summary(second, echo)

            expected_count = len(EXPECTED)
            _wait_for(
                lambda: len(mailbox.messages) >= expected_count and len(webhook.posts) >= expected_count, 30
            )
            dispose_engines()

            alerts = _delivered_alerts()
            dispose_engines()

    echo("\n▶ what the subscribers received")
    for message in mailbox.messages:
        echo(f"\n✉  email to {', '.join(message.rcpt_tos)} — {message.subject}")
        echo(_plain(message.readable))
    for post in webhook.posts:
        payload = post["json"] if isinstance(post["json"], dict) else {}
        echo(f"\n⇢  webhook {post['path']} — {payload.get('title', '')}")
        echo(str(payload.get("message", post["json"])).rstrip())
    if len(mailbox.messages) != len(EXPECTED):
        failures.append(f"the mailbox holds {len(mailbox.messages)} messages, expected {len(EXPECTED)}")
    if len(webhook.posts) != len(EXPECTED):
        failures.append(f"the webhook received {len(webhook.posts)} posts, expected {len(EXPECTED)}")

    for channel in ("email", "webhook"):
        got = sorted(
            (a["kind"], a["source"]) for a in alerts if a["channel"] == channel and a["status"] == "sent"
        )
        if got != sorted(EXPECTED):
            failures.append(f"{channel}: expected alerts {sorted(EXPECTED)}, got {got}")
    for line in failures:
        echo(f"✗ {line}")
    if not failures:
        labels = " and ".join(f"{KIND_LABELS[k]} ({s})" for k, s in EXPECTED)
        echo(f"\n✓ demo complete: exactly the expected alerts arrived on both channels: {labels}")
    return {"alerts": alerts, "failures": failures}


CHANNEL_OF_SUBSCRIPTION = {"compliance-email": "email", "im-webhook": "webhook"}


def _delivered_alerts() -> list[dict[str, Any]]:
    """The deliveries, from the outbox: what each subscriber was told, and about what."""
    from changes.model import Change
    from storage.db import session_factory
    from storage.delivery_admin import list_deliveries

    with session_factory()() as session:
        rows = list_deliveries(session, limit=10_000, newest_first=False)
    return [
        {
            "kind": row.change_kind,
            "title": Change.from_dict(row.change_detail).title,
            "source": row.source,
            "channel": CHANNEL_OF_SUBSCRIPTION.get(row.subscription, row.subscription),
            "status": row.status,
        }
        for row in rows
    ]


def _plain(html_or_text: str) -> str:
    """Email bodies are HTML; show them as text in the terminal."""
    import re
    from html import unescape

    text = re.sub(r"(?is)<(script|style).*?</\1>", "", html_or_text)
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6])>", "\n", text)
    text = re.sub(r"(?i)<del[^>]*>", "[-", text)
    text = re.sub(r"(?i)</del>", "-]", text)
    text = re.sub(r"(?i)<ins[^>]*>", "{+", text)
    text = re.sub(r"(?i)</ins>", "+}", text)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip())

"""Apprise's own log records never carry a secret, nor a part of one, on any path that calls Apprise.

Apprise's logger is captured at DEBUG while each URL of apprise_log_cases.yaml is sent to a local
receiver (a subscriber's alert through the outbox, an ops alert) or loaded (``subscriptions check``).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from alerts.admin import check_subscriptions
from alerts.ops import ops_alert_for_failing_sites
from alerts.outbox import send_pending
from govsim.inbox import LocalMailbox, LocalWebhook, free_port
from tests.alerts.outbox_setup import setup_outbox, write_subscriptions

CASES = yaml.safe_load((Path(__file__).parent / "apprise_log_cases.yaml").read_text(encoding="utf-8"))[
    "cases"
]
BLOCKED = [{"site": "hainan", "status": "blocked", "error": "HTTP 412", "consecutive_failures": 4}]


def shown_forms(secret: str) -> list[str]:
    """The secret and the partial forms Apprise's privacy mode prints of a value."""
    return [secret, f"{secret[0]}...{secret[-1]}", f"...{secret[-4:]}"]


@pytest.fixture()
def apprise_debug_log() -> Iterator[io.StringIO]:
    """Everything Apprise logs (at DEBUG and above) while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("apprise")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_apprise_logs_no_secret_nor_part_of_one(
    case: dict[str, Any], apprise_debug_log: io.StringIO, sqlite_url: str, tmp_path: Path
) -> None:
    with LocalWebhook() as hook, LocalMailbox() as box:
        secrets = {f"secret{i}": s for i, s in enumerate(case["secrets"])}
        url = case["url"].format(webhook=hook.port, mailbox=box.port, dead=free_port(), **secrets)
        configs = write_subscriptions(tmp_path / "subs.toml", [{"name": "team", "urls": [url]}])
        if case["path"] == "outbox":
            report = send_pending(setup_outbox(sqlite_url, configs, 1), subscriptions=configs)
            outputs = repr(report)
        elif case["path"] == "ops":
            outputs = repr(ops_alert_for_failing_sites(BLOCKED, threshold=3, urls=[url]))
        else:
            outputs = repr(check_subscriptions(configs=configs))
    logged = apprise_debug_log.getvalue()
    assert "DEBUG apprise" in logged  # Apprise did log, and we captured it
    for secret in case["secrets"]:
        for form in shown_forms(secret):
            assert form not in logged, f"Apprise logged {form!r} (of {secret!r}):\n{logged}"
            assert form not in outputs, f"{form!r} in {outputs}"


PROJECT_ROOT = Path(__file__).resolve().parents[2]
IMPORTS_APPRISE = re.compile(r"^\s*(?:import|from) apprise\b", re.MULTILINE)
STAGES = (
    "alerts",
    "changes",
    "config",
    "flows",
    "ingest",
    "notices",
    "policywatch",
    "sites",
    "spiders",
    "storage",
)


def test_every_apprise_call_is_in_alerts_notify() -> None:
    """One place calls Apprise (inside the scrubber): no other module of the product imports it."""
    importers = sorted(
        str(path.relative_to(PROJECT_ROOT))
        for stage in STAGES
        for path in (PROJECT_ROOT / stage).rglob("*.py")
        if IMPORTS_APPRISE.search(path.read_text(encoding="utf-8"))
    )
    assert importers == ["alerts/notify.py"]

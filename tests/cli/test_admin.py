"""`policywatch alerts|subscriptions|db|sites list` on a real database filled by real cycles, with a
subscriber whose webhook fails and recovers. No command may ever print the webhook's password."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from tests.cli.conftest import POLICYWATCH_BIN, PROJECT_ROOT, SECRET, CliWorld, describe

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cli-world")]

CLI_WORLD_SITES = ["hainan"]
SUBSCRIPTIONS = {"team-ref": "/ref", "team-literal": "/literal"}
TABLES = (
    "sources", "crawl_runs", "raw_snapshots", "notices", "notice_versions", "changes", "subscriptions",
    "deliveries",
)  # fmt: skip


def _deliveries(world: CliWorld, *args: str) -> list[dict[str, Any]]:
    result = world.cli("alerts", "list", "--json", *args)
    assert result.exit_code == 0, describe(result)
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def _db_counts(world: CliWorld) -> dict[str, int]:
    result = world.cli("db", "info")
    assert result.exit_code == 0, describe(result)
    counts = dict(re.findall(r"^\s*(\w+): (\d+)$", result.stdout, re.M))
    assert set(counts) == set(TABLES), result.stdout
    return {k: int(v) for k, v in counts.items()}


def test_db_info_shows_the_database_and_its_row_counts(cli_world: CliWorld) -> None:
    result = cli_world.cli("db", "info")
    assert result.exit_code == 0, describe(result)
    assert result.stdout.startswith(f"database: {cli_world.database_url}\n")
    counts = _db_counts(cli_world)
    assert (
        counts["sources"] >= 1 and counts["notices"] >= 15 and counts["notice_versions"] >= counts["notices"]
    )
    assert counts["subscriptions"] == len(SUBSCRIPTIONS)
    assert counts["changes"] >= counts["notices"], "the baseline records a (silent) change per notice"
    assert counts["deliveries"] == 0, "the baseline is never alerted"


def test_sites_list_shows_the_registry(cli_world: CliWorld) -> None:
    result = cli_world.cli("sites", "list")
    assert result.exit_code == 0, describe(result)
    slugs = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert {"hainan", "guangdong", "qinghai", "chuzhou", "chongqing"} <= slugs
    assert cli_world.gov.base_urls["hainan"] in result.stdout, "the override is what the pipeline fetches"
    rows = json.loads(cli_world.cli("sites", "list", "--json").stdout)
    hainan = next(r for r in rows if r["slug"] == "hainan")
    assert hainan["flavour"] == "trs" and hainan["base_url"] == cli_world.gov.base_urls["hainan"]


def test_subscriptions_check_validates_the_file_and_every_url(cli_world: CliWorld) -> None:
    result = cli_world.cli("subscriptions", "check")
    assert result.exit_code == 0, describe(result)
    assert "every subscription and URL is valid" in result.stdout


@pytest.mark.parametrize(
    ("content", "env", "expected"),
    [
        pytest.param(
            f'[[subscription]]\nname = "x"\nurls = ["json://u:{SECRET}@127.0.0.1:1/h"]\nkinds = ["nonsense"]\n',
            {},
            "nonsense",
            id="unknown-kind",
        ),
        pytest.param(
            '[[subscription]]\nname = "x"\nurls = ["${CLI_TEST_UNSET_URL}"]\n',
            {},
            "CLI_TEST_UNSET_URL",
            id="unset-env",
        ),
        pytest.param(
            f'[[subscription]]\nname = "x"\nurls = ["nosuchscheme://u:{SECRET}@127.0.0.1/h"]\n',
            {},
            "Apprise does not understand",
            id="unknown-scheme",
        ),
        pytest.param("[[subscription]\n", {}, "subscriptions.toml", id="not-toml"),
    ],
)
def test_subscriptions_check_reports_problems_without_secrets(
    cli_world: CliWorld, tmp_path: Any, content: str, env: dict[str, str], expected: str
) -> None:
    broken = tmp_path / "subscriptions.toml"
    broken.write_text(content, encoding="utf-8")
    result = cli_world.cli("subscriptions", "check", env={"POLICYWATCH_SUBSCRIPTIONS": str(broken), **env})
    assert result.exit_code != 0, describe(result)
    assert expected in result.stdout + result.stderr, describe(result)
    assert "Traceback" not in result.stdout + result.stderr


def test_subscriptions_check_without_a_file_says_how_to_start(cli_world: CliWorld, tmp_path: Any) -> None:
    result = cli_world.cli("subscriptions", "check", env={"POLICYWATCH_SUBSCRIPTIONS": str(tmp_path / "no")})
    assert result.exit_code != 0
    assert "does not exist" in result.stderr and "subscriptions.example.toml" in result.stderr, describe(
        result
    )


def test_subscriptions_list_shows_each_subscription_masked(cli_world: CliWorld) -> None:
    result = cli_world.cli("subscriptions", "list")
    assert result.exit_code == 0, describe(result)
    for name in SUBSCRIPTIONS:
        assert re.search(rf"^{name}  \[immediate\]$", result.stdout, re.M), result.stdout
    assert "    -> ${CLI_TEST_HOOK_URL}" in result.stdout, "a reference is shown as the reference"
    assert f"127.0.0.1:{cli_world.webhook.port}" in result.stdout, "a literal URL keeps its host, masked"
    assert "not stored yet" not in result.stdout, "the baseline cycle stored both"


def test_a_failed_delivery_is_listed_then_retried_and_delivered_once(cli_world: CliWorld) -> None:
    webhook = cli_world.webhook
    assert _deliveries(cli_world) == []
    assert "no deliveries" in cli_world.cli("alerts", "list").stdout

    published = cli_world.gov.admin.publish("hainan")
    webhook.set_failing(True)
    summary = cli_world.cycle(recheck="none")
    new = [c for c in summary["ingest"]["changes"] if c["kind"] == "new"]
    assert [c["url"] for c in new] == [published["url"]], summary["ingest"]["changes"]
    assert summary["ingest"]["deliveries_queued"] == len(SUBSCRIPTIONS)
    assert webhook.posts == []

    waiting = _deliveries(cli_world, "--status", "pending")
    assert sorted(r["subscription"] for r in waiting) == sorted(SUBSCRIPTIONS), waiting
    for row in waiting:
        assert row["attempts"] == 1 and row["change_kind"] == "new" and row["last_error"]
        assert row["results"] and not any(r["ok"] for r in row["results"])
    text = cli_world.cli("alerts", "list")
    assert text.exit_code == 0, describe(text)
    assert "pending" in text.stdout and "last error" in text.stdout

    # Retrying while the webhook still fails spends attempts until the outbox gives up: failed.
    ids = [str(r["id"]) for r in waiting]
    for _ in range(20):
        retry = cli_world.cli("alerts", "retry", *[a for i in ids for a in ("--id", i)])
        assert retry.exit_code == 1 and "every send failed" in retry.stderr, describe(retry)
        if all(r["status"] == "failed" for r in _deliveries(cli_world)):
            break
    failed = _deliveries(cli_world, "--status", "failed")
    assert len(failed) == len(SUBSCRIPTIONS), _deliveries(cli_world)
    assert webhook.posts == []

    webhook.set_failing(False)
    result = cli_world.cli("alerts", "retry", "--failed")
    assert result.exit_code == 0, describe(result)
    assert f"{len(SUBSCRIPTIONS)} deliveries re-queued" in result.stdout
    assert f"sent {len(SUBSCRIPTIONS)}, not sent 0" in result.stdout
    assert sorted(p["path"] for p in webhook.posts) == sorted(SUBSCRIPTIONS.values()), webhook.posts
    assert all(published["title"] in json.dumps(p["json"], ensure_ascii=False) for p in webhook.posts)

    # Nothing is delivered twice: not by --failed again, not by naming the sent ones.
    again = cli_world.cli("alerts", "retry", "--failed")
    assert again.exit_code == 0 and "0 deliveries re-queued" in again.stdout, describe(again)
    by_id = cli_world.cli("alerts", "retry", *[a for i in ids for a in ("--id", i)])
    assert by_id.exit_code == 1 and f"delivery {ids[0]} was already sent" in by_id.stderr, describe(by_id)
    assert "nothing re-queued" in by_id.stderr
    assert len(webhook.posts) == len(SUBSCRIPTIONS)
    sent = _deliveries(cli_world, "--status", "sent")
    assert sorted(r["id"] for r in sent) == sorted(int(i) for i in ids)
    assert all(r["sent_at"].endswith("+00:00") for r in sent), "JSON times carry their zone (UTC)"
    listed = cli_world.cli("alerts", "list", "--status", "sent")
    assert listed.exit_code == 0 and "sent" in listed.stdout, describe(listed)
    assert listed.stdout.count("+08:00") == len(sent), "listed times are Shanghai time, with the offset"
    _assert_database_holds_no_secret(cli_world)


def test_alerts_retry_needs_an_id_or_failed(cli_world: CliWorld) -> None:
    result = cli_world.cli("alerts", "retry")
    assert result.exit_code == 2
    assert "--id" in result.stderr and "--failed" in result.stderr


def test_alerts_retry_of_an_unknown_id_is_an_error(cli_world: CliWorld) -> None:
    result = cli_world.cli("alerts", "retry", "--id", "99999")
    assert result.exit_code == 1, describe(result)
    assert "no delivery 99999" in result.stderr and "re-queued" not in result.stdout


def test_the_database_file_never_holds_the_secret(cli_world: CliWorld) -> None:
    _assert_database_holds_no_secret(cli_world)


def _assert_database_holds_no_secret(cli_world: CliWorld) -> None:
    from storage.db import dispose_engines

    dispose_engines()  # checkpoint the WAL into the file
    files = [cli_world.database_path, *cli_world.database_path.parent.glob("policywatch.db-*")]
    for file in files:
        assert SECRET.encode() not in file.read_bytes(), file


# --------------------------------------------------------------------- database URLs with passwords

PG_URL = "postgresql+psycopg://policywatch:Hunter2Passw0rd@127.0.0.1:9/policywatch"


def test_redact_url_hides_a_postgres_password() -> None:
    from storage.db import redact_url

    shown = redact_url(PG_URL)
    assert "Hunter2Passw0rd" not in shown
    assert shown.startswith("postgresql+psycopg://policywatch:") and shown.endswith(
        "@127.0.0.1:9/policywatch"
    )


def test_db_info_never_prints_a_postgres_password_even_when_it_cannot_connect(tmp_path: Any) -> None:
    """A subprocess: the real entry point, its real traceback if any. Nothing listens on port 9."""
    import os

    env = {**os.environ, "POLICYWATCH_DATABASE_URL": PG_URL, "PREFECT_HOME": str(tmp_path)}
    done = subprocess.run(
        [str(POLICYWATCH_BIN), "db", "info"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Hunter2Passw0rd" not in done.stdout + done.stderr
    assert "database: postgresql+psycopg://policywatch:***@127.0.0.1:9/policywatch" in done.stdout

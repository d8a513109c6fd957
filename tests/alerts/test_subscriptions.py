"""Subscriptions: validated at load with errors naming the file and key; filters; stored without secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from alerts.admin import check_subscriptions, list_subscription_rows
from alerts.context import AlertContext, SourceLink
from alerts.filters import matches
from alerts.subscriptions import (
    SubscriptionConfig,
    SubscriptionError,
    load_subscriptions,
    parse_subscriptions,
    sync_subscriptions,
)
from changes.model import ChangeKind
from storage.db import session_factory
from storage.models import Subscription

ROOT = Path(__file__).resolve().parents[2]
TABLE = yaml.safe_load((Path(__file__).parent / "filter_cases.yaml").read_text(encoding="utf-8"))


def alert_from(data: dict[str, Any]) -> AlertContext:
    return AlertContext(
        change_id=1,
        kind=ChangeKind(data["kind"]),
        priority="normal",
        summary="",
        title=data["title"],
        body=data["body"],
        doc_number=data["doc_number"],
        sources=tuple(SourceLink(**s) for s in data["sources"]),
        departments=tuple(data["departments"]),
        repealed=data.get("repealed", False),
        alert_by_default=data.get("alert_by_default", True),
    )


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["id"] for c in TABLE["cases"]])
def test_filters(case: dict[str, Any]) -> None:
    alert = alert_from({**TABLE["alert"], **case.get("alert", {})})
    sub = SubscriptionConfig(name="s", urls=["json://127.0.0.1/x"], **case["sub"])
    assert matches(sub, alert) is case["match"]


def test_example_file_loads() -> None:
    configs = load_subscriptions(ROOT / "subscriptions.example.toml")
    assert {c.mode for c in configs} == {"immediate", "digest"}
    assert all(c.urls for c in configs)


def test_default_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[[subscription]]\nname = "a"\nurls = ["$HOOK"]\n', encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(path))
    assert [c.name for c in load_subscriptions()] == ["a"]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[[subscription]]\nname = "a"\nurls = ["$X"]\nkeyword = ["x"]\n',
            "#1 (a) key keyword: Extra inputs",
        ),
        ('[[subscription]]\nname = "a"\nurls = ["$X"]\nmode = "weekly"\n', "#1 (a) key mode"),
        (
            '[[subscription]]\nname = "a"\nurls = ["$X"]\nmode = "digest"\ndigest_time = "8:30"\n',
            "digest_time",
        ),
        ('[[subscription]]\nname = "a"\nurls = ["$X"]\nkinds = ["changed"]\n', "unknown kind(s) changed"),
        ('[[subscription]]\nname = "a"\nurls = []\n', "key urls"),
        ('[[subscription]]\nname = "a"\nurls = ["hello"]\n', "neither an Apprise URL"),
        (
            '[[subscription]]\nname = "a"\nurls = ["$X"]\n[[subscription]]\nname = "a"\nurls = ["$Y"]\n',
            "twice: a",
        ),
        ("[[subscription]\n", "not valid TOML"),
        ("[settings]\nx = 1\n", "settings: Extra inputs"),
    ],
    ids=[
        "unknown-key",
        "bad-mode",
        "bad-digest-time",
        "unknown-kind",
        "no-urls",
        "not-a-url",
        "dup-name",
        "toml",
        "top-key",
    ],
)
def test_invalid_files_name_file_and_key(tmp_path: Path, toml: str, expected: str) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(SubscriptionError) as info:
        load_subscriptions(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(SubscriptionError, match="subscriptions.example.toml"):
        load_subscriptions(tmp_path / "nope.toml")


def test_stored_without_secrets(sqlite_url: str) -> None:
    configs = parse_subscriptions(
        '[[subscription]]\nname = "team"\n'
        'urls = ["json://bot:S3CRET-TOKEN-123@hooks.example.org/notify/K3YPATH999?secret=QWERTY1234", '
        '"${DING_URL}", "prefect-secret:feishu-bot"]\n'
    )
    factory = session_factory(sqlite_url)
    with factory() as session, session.begin():
        sync_subscriptions(session, configs)
    with factory() as session:
        row = session.scalars(select(Subscription)).one()
        stored = str(row.config)
    for secret in ("S3CRET-TOKEN-123", "K3YPATH999", "QWERTY1234", "bot:"):
        assert secret not in stored
    assert "${DING_URL}" in stored and "prefect-secret:feishu-bot" in stored and "hooks.example.org" in stored


def test_sync_deactivates_removed_subscriptions(sqlite_url: str) -> None:
    factory = session_factory(sqlite_url)
    two = parse_subscriptions(
        '[[subscription]]\nname = "a"\nurls = ["$A"]\n[[subscription]]\nname = "b"\nurls = ["$B"]\n'
    )
    with factory() as session, session.begin():
        sync_subscriptions(session, two)
    with factory() as session, session.begin():
        sync_subscriptions(session, two[:1])
    with factory() as session:
        assert {s.name: s.active for s in session.scalars(select(Subscription))} == {"a": True, "b": False}


def test_list_and_check(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(
        '[[subscription]]\nname = "a"\nurls = ["json://u:PASSWORD99@127.0.0.1:9/x", "$HOOK_A"]\nkeywords = ["数字"]\n'
        '[[subscription]]\nname = "b"\nurls = ["nosuchscheme://x"]\nmode = "digest"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("HOOK_A", raising=False)
    factory = session_factory(sqlite_url)
    with factory() as session, session.begin():
        sync_subscriptions(session, load_subscriptions(path)[:1])
    with factory() as session:
        rows = list_subscription_rows(session, path=path)
    assert [(r.name, r.stored, r.mode) for r in rows] == [("a", True, "immediate"), ("b", False, "digest")]
    assert "PASSWORD99" not in repr(rows) and rows[0].filters == {"keywords": ["数字"]}
    problems = check_subscriptions(path)
    assert [(p.subscription, p.url) for p in problems] == [("a", "$HOOK_A"), ("b", "nosuchscheme://****")]
    assert "HOOK_A is not set" in problems[0].problem
    monkeypatch.setenv("HOOK_A", "json://127.0.0.1:9/y")
    assert [p.subscription for p in check_subscriptions(path)] == ["b"]


def test_a_prefect_secret_that_cannot_be_looked_up_is_not_checked_never_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from policywatch.cli import main

    path = tmp_path / "subs.toml"
    path.write_text(
        '[[subscription]]\nname = "a"\nurls = ["prefect-secret:feishu-bot", "json://127.0.0.1:9/x"]\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    [problem] = check_subscriptions(path)
    assert (problem.subscription, problem.url, problem.checked) == ("a", "prefect-secret:feishu-bot", False)
    assert problem.problem.startswith("not checked")
    result = CliRunner().invoke(
        main, ["subscriptions", "check"], env={"POLICYWATCH_SUBSCRIPTIONS": str(path)}
    )
    assert result.exit_code == 0, result.output
    assert "? a: prefect-secret:feishu-bot — not checked" in result.stdout
    assert (
        "could not be checked here" in result.stdout
        and "every subscription and URL is valid" not in result.stdout
    )


def test_subscriptions_test_sends_one_message_through_every_url_and_reports_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from alerts.secrets import mask_url
    from govsim.inbox import LocalWebhook
    from policywatch.cli import main

    monkeypatch.delenv("UNSET_HOOK", raising=False)
    with LocalWebhook() as hook, LocalWebhook() as broken:
        broken.set_failing(True)
        good = hook.apprise_url("/team")
        failing = f"json://ops:S3cretPw@{broken.host}:{broken.port}/team"
        path = tmp_path / "subs.toml"
        path.write_text(
            f'[[subscription]]\nname = "team"\nurls = ["{good}", "{failing}", "${{UNSET_HOOK}}"]\n'
            '[[subscription]]\nname = "other"\nurls = ["json://127.0.0.1:9/x"]\n',
            encoding="utf-8",
        )
        env = {"POLICYWATCH_SUBSCRIPTIONS": str(path)}
        result = CliRunner().invoke(main, ["subscriptions", "test", "team"], env=env)
        assert result.exit_code == 1, result.output
        lines = result.stdout.splitlines()
        assert lines[0] == f"✓ {mask_url(good)}", "shown masked, as everywhere"
        assert lines[1].startswith("✗ json://") and "S3cretPw" not in result.output
        assert lines[2].startswith("✗ ${UNSET_HOOK}") and "UNSET_HOOK is not set" in lines[2]
        assert "2 of 3 URLs of team did not take the test message" in result.stderr
        assert [p["path"] for p in hook.posts] == ["/team"], "one message, to the subscriber's own URL"
        assert "测试消息" in str(hook.posts[0]["json"])
        unknown = CliRunner().invoke(main, ["subscriptions", "test", "nobody"], env=env)
        assert unknown.exit_code == 1 and "no subscription 'nobody'" in unknown.stderr
        assert "team, other" in unknown.stderr

"""Secrets in Apprise URLs never appear in clear: not in logs, the database, reports or CLI rows."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from alerts.admin import check_subscriptions, list_alerts, list_subscription_rows
from alerts.outbox import send_pending
from alerts.secrets import MASK, mask_url, resolve_url, scrub, secret_parts
from govsim.inbox import LocalWebhook, free_port
from storage.db import get_engine
from tests.alerts.outbox_setup import setup_outbox, write_subscriptions


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("json://user:pw123456@127.0.0.1:8080/hook", "json://****:****@127.0.0.1:8080/****"),
        (
            "mailto://me:app-pass@smtp.qq.com:465?mode=ssl&from=a@qq.com&to=b@qq.com",
            "mailto://****:****@smtp.qq.com:465?mode=ssl&from=a@qq.com&to=b@qq.com",
        ),
        ("dingtalk://ACCESSTOKEN123/?secret=SIGNSECRET", "dingtalk://****?secret=****"),
        ("wecombot://BOTKEY-abc-123", "wecombot://****"),
        ("feishu://TOKEN-xyz", "feishu://****"),
        ("tgram://123456789:AAE-token/-100200300", "tgram://****"),
        (
            "jsons://hooks.example.org/api/T0KEN/xyz?format=markdown",
            "jsons://hooks.example.org/****/****/****?format=markdown",
        ),
        ("$DINGTALK_URL", "$DINGTALK_URL"),
        ("${WECOM_URL}", "${WECOM_URL}"),
        ("prefect-secret:feishu-bot", "prefect-secret:feishu-bot"),
    ],
    ids=[
        "json-auth",
        "mailto-auth",
        "dingtalk",
        "wecom",
        "feishu",
        "telegram",
        "path-tokens",
        "env",
        "env-braced",
        "block",
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_references_resolve_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_URL", "json://a:b@h/p")
    assert resolve_url("$HOOK_URL") == resolve_url("${HOOK_URL}") == "json://a:b@h/p"
    assert resolve_url("prefect-secret:x", prefect_loader=lambda name: f"json://{name}") == "json://x"
    monkeypatch.delenv("HOOK_URL")
    with pytest.raises(LookupError, match="HOOK_URL is not set"):
        resolve_url("$HOOK_URL")


def test_a_reference_inside_a_url_is_expanded_and_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``${NAME}`` for part of a URL is sent expanded, never literally, and `subscriptions check`
    says when its variable is unset instead of calling the URL valid."""
    url = "json://hook:${HOOK_TOKEN}@127.0.0.1:9/notify"
    configs = write_subscriptions(tmp_path / "subs.toml", [{"name": "team", "urls": [url]}])
    monkeypatch.delenv("HOOK_TOKEN", raising=False)
    with pytest.raises(LookupError, match="HOOK_TOKEN is not set"):
        resolve_url(url)
    [problem] = check_subscriptions(configs=configs)
    assert "HOOK_TOKEN is not set" in problem.problem
    monkeypatch.setenv("HOOK_TOKEN", "T0kenValue")
    assert resolve_url(url) == "json://hook:T0kenValue@127.0.0.1:9/notify"
    assert resolve_url("json://a:$5ecret@h/p") == "json://a:$5ecret@h/p", "a bare $ in a password stays"
    assert check_subscriptions(configs=configs) == []
    assert "T0kenValue" not in mask_url(url) + mask_url(resolve_url(url))


def test_scrub_free_text() -> None:
    url = "json://bot:TOPSECRET9@127.0.0.1/hook/PATHTOKEN7"
    text = f"failed to post to {url} (auth TOPSECRET9, path PATHTOKEN7)"
    cleaned = scrub(text, secret_parts(url))
    assert "TOPSECRET9" not in cleaned and "PATHTOKEN7" not in cleaned and MASK in cleaned


SECRETS = ("LITERALPW111", "PATHTOKEN222", "QUERYSECRET333", "ENVPW444", "DEADPW555")


def test_secrets_never_in_logs_db_or_outputs(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with LocalWebhook() as hook:
        monkeypatch.setenv("ENV_HOOK", f"json://env:ENVPW444@127.0.0.1:{hook.port}/env")
        dead = free_port()
        subs = tmp_path / "subs.toml"
        configs = write_subscriptions(
            subs,
            [
                {
                    "name": "secretive",
                    "urls": [
                        f"json://bot:LITERALPW111@127.0.0.1:{hook.port}/hook/PATHTOKEN222?token=QUERYSECRET333",
                        "${ENV_HOOK}",
                        f"json://dead:DEADPW555@127.0.0.1:{dead}/down",
                    ],
                }
            ],
        )
        factory = setup_outbox(database_url, configs, 2)
        t0 = datetime.now(UTC)
        reports = [
            send_pending(factory, now=t0 + timedelta(minutes=m), subscriptions=configs) for m in (0, 5)
        ]
        assert len(hook.posts) == 4  # two alerts x two live URLs, each once
        assert reports[0].errors  # the dead URL failed, and said so
        with factory() as session:
            outputs = [
                repr(reports),
                repr(list_alerts(session)),
                repr(list_subscription_rows(session, path=subs)),
            ]
        outputs.append(repr(check_subscriptions(subs)))

    dump = []
    engine = get_engine(database_url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for table in metadata.tables.values():
            dump.extend(repr(row) for row in conn.execute(select(table)))
    haystacks = {"logs": caplog.text, "database": "\n".join(dump), "outputs": "\n".join(outputs)}
    for where, text in haystacks.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} leaked into {where}"
    assert "127.0.0.1" in haystacks["database"] and "$" not in SECRETS[0]
    assert "Connection" in haystacks["outputs"] or "connect" in haystacks["outputs"].lower()

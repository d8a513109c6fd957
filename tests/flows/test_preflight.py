"""A cycle checks its subscriptions file before it crawls: a missing file never switches the
stored subscribers off, a malformed one stops the cycle, an empty one is allowed and says so."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pytest

from alerts.subscriptions import SubscriptionError
from flows import steps
from tests.cli.conftest import POLICYWATCH_BIN

TWO = (
    '[[subscription]]\nname = "legal"\nurls = ["json://127.0.0.1:9/a"]\n\n'
    '[[subscription]]\nname = "ops"\nurls = ["json://127.0.0.1:9/b"]\n'
)


def _active(database_url: str) -> list[str]:
    from storage.db import session_scope
    from storage.subscriptions import active_subscriptions

    with session_scope(database_url) as session:
        return sorted(s.name for s in active_subscriptions(session))


@pytest.fixture()
def two_subscribers(pipeline_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "subscriptions.toml"
    path.write_text(TWO, encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(path))
    assert steps.sync_subscriptions_from_file() == 2
    return pipeline_env


def test_a_misspelt_path_stops_before_anything_changes(
    two_subscribers: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(tmp_path / "subscriptons.toml"))
    with pytest.raises(SubscriptionError, match="subscriptons.toml: no such subscriptions file, but 2"):
        steps.preflight(["hainan"])
    with pytest.raises(SubscriptionError, match="nothing was crawled or changed"):
        steps.sync_subscriptions_from_file()
    assert _active(two_subscribers) == ["legal", "ops"]


def test_a_malformed_file_stops_the_cycle(
    two_subscribers: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[subscription]\nname = ", encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(broken))
    with pytest.raises(SubscriptionError, match="broken.toml: not valid TOML"):
        steps.preflight(["hainan"])
    assert _active(two_subscribers) == ["legal", "ops"]


def test_an_empty_file_is_allowed_and_says_so(
    two_subscribers: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(empty))
    with caplog.at_level(logging.WARNING):
        assert steps.sync_subscriptions_from_file() == 0
    assert "names no subscription" in caplog.text
    assert _active(two_subscribers) == []


def test_no_file_on_a_new_install_only_warns(
    pipeline_env: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert steps.sync_subscriptions_from_file() == 0
    assert "no one is alerted" in caplog.text


def test_policywatch_run_with_a_misspelt_path_is_one_line_and_crawls_nothing(
    two_subscribers: str, tmp_path: Path
) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    # Never reachable: if the check did not stop the run, its crawl would fail on this site.
    (sites / "local.toml").write_text(
        'slug = "local"\nname = "本地"\nregion = "某省"\nlevel = "province"\n'
        'base_url = "http://127.0.0.1:9"\nflavour = "trs"\nlist_urls = ["/index.html"]\n'
        "allow_private_network = true\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "POLICYWATCH_SUBSCRIPTIONS": str(tmp_path / "subscriptons.toml"),
        "POLICYWATCH_SITES_DIRS": str(sites),
        "POLICYWATCH_SITE_OVERRIDES": "",
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    done = subprocess.run(
        [str(POLICYWATCH_BIN), "run", "--no-send"], env=env, capture_output=True, text=True, timeout=120
    )
    shown = done.stdout + done.stderr
    assert done.returncode == 1, shown
    assert "Traceback" not in shown and "Prefect" not in shown, shown
    assert "subscriptons.toml: no such subscriptions file, but 2 subscriptions are active" in done.stderr
    from storage.db import session_scope
    from storage.models import CrawlRun

    with session_scope(two_subscribers) as session:
        assert session.query(CrawlRun).count() == 0
    assert _active(two_subscribers) == ["legal", "ops"]


def test_a_cycle_prints_its_summary_without_prefects_log_lines(tmp_path: Path) -> None:
    """What a user reads is PolicyWatch's summary; Prefect's INFO lines need -v (the UI keeps them)."""
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "local.toml").write_text(
        'slug = "local"\nname = "本地"\nregion = "某省"\nlevel = "province"\n'
        'base_url = "http://127.0.0.1:9"\nflavour = "trs"\nlist_urls = ["/index.html"]\n'
        "allow_private_network = true\n[politeness]\ntimeout = 2\n",
        encoding="utf-8",
    )
    (tmp_path / "subscriptions.toml").write_text("", encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("POLICYWATCH_", "PREFECT_LOGGING"))
    }
    env.update(
        {
            "POLICYWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'pw.db'}",
            "POLICYWATCH_SUBSCRIPTIONS": str(tmp_path / "subscriptions.toml"),
            "POLICYWATCH_SITES_DIRS": str(sites),
            "PREFECT_HOME": str(tmp_path / "prefect"),
        }
    )
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [str(POLICYWATCH_BIN), "run", "--no-send", "--recheck", "none"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    shown = done.stdout + done.stderr
    assert "local" in done.stdout, shown  # the cycle summary names the (failing) site
    assert " | INFO " not in shown, shown
    assert "Traceback" not in shown, shown
    # Its progress, in words: what was stored for the site, and of what kind.
    assert "… site=local status=failed stored=0 (0 documents, 0 list pages, 0 attachments)" in done.stderr, (
        shown
    )


def test_the_console_level_is_set_for_the_command_only() -> None:
    """A command run in-process leaves the caller's environment as it was (workers started later
    by the same process must keep their INFO lines)."""
    from click.testing import CliRunner

    from policywatch.cli import CONSOLE_LEVEL, main

    before = os.environ.get(CONSOLE_LEVEL)
    result = CliRunner().invoke(main, ["sites", "list"])
    assert result.exit_code in (0, 1), result.output
    assert os.environ.get(CONSOLE_LEVEL) == before

"""The command line as users and outside checks see it: `policywatch …` through click's CliRunner
(or a subprocess where process isolation matters), on real pages, a real database and govsim."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from govsim.inbox import LocalWebhook
from govsim.testing import GovsimHandle, running_govsim

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = PROJECT_ROOT / "tests" / "fixtures" / "pages"
POLICYWATCH_BIN = PROJECT_ROOT / ".venv" / "bin" / "policywatch"

# Never to be shown by any command: it is the password of every webhook URL the world subscribes.
SECRET = "S3cretToken"
REF_ENV = "CLI_TEST_HOOK_URL"


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """``policywatch ARGS`` in this process (click's CliRunner on the real entry point)."""
    from policywatch.cli import main

    return CliRunner().invoke(main, list(args), env=env, prog_name="policywatch")


def describe(result: Result) -> str:
    """Everything a failed assertion needs: exit code, stdout, stderr, the exception."""
    exc = (
        "" if result.exception is None or isinstance(result.exception, SystemExit) else repr(result.exception)
    )
    return f"exit {result.exit_code} {exc}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"


def cli_json(*args: str) -> Any:
    result = cli(*args)
    assert result.exit_code == 0, describe(result)
    return json.loads(result.stdout)


@dataclass
class CliWorld:
    """govsim, a webhook subscribed twice (by ${ENV} reference and by literal URL), a database that
    has seen one baseline cycle."""

    gov: GovsimHandle
    webhook: LocalWebhook
    database_url: str
    database_path: Path
    sites: list[str]

    def cycle(self, recheck: str = "all") -> dict[str, Any]:
        """One real monitor cycle (the Prefect flow, the Scrapy subprocess, the outbox), run as
        ``policywatch run --json``: its summary as the JSON it prints."""
        return cli_json("run", "--sites", ",".join(self.sites), "--recheck", recheck, "--json")

    def pick_seed_url(self, slug: str) -> str:
        """The URL of ``slug``'s seed notice (the corpus notice govsim can edit)."""
        return str(next(n for n in self.gov.admin.notices(slug) if n["origin"] == "seed")["url"])

    def session(self) -> Any:
        from storage.db import session_factory

        return session_factory(self.database_url)()

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """A command whose output, whatever it is, must never show the webhook password."""
        result = cli(*args, env=env)
        for stream in (result.stdout, result.stderr, repr(result.exception)):
            assert SECRET not in stream, f"`policywatch {' '.join(args)}` printed the secret:\n{stream}"
        return result


def subscriptions_toml(webhook: LocalWebhook) -> str:
    literal = f"json://user:{SECRET}@{webhook.host}:{webhook.port}/literal"
    return (
        '[[subscription]]\nname = "team-ref"\nurls = ["${' + REF_ENV + '}"]\n\n'
        f'[[subscription]]\nname = "team-literal"\nurls = ["{literal}"]\n'
    )


@pytest.fixture(scope="module")
def cli_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> Iterator[CliWorld]:
    """One world per module; the module names its sites with ``CLI_WORLD_SITES``."""
    sites: Sequence[str] = getattr(request.module, "CLI_WORLD_SITES", ["hainan"])
    root = tmp_path_factory.mktemp("cli-world")
    database_path = root / "policywatch.db"
    database_url = f"sqlite:///{database_path}"
    with LocalWebhook() as webhook, running_govsim(root / "govsim", sites=list(sites)) as gov:
        subscriptions = root / "subscriptions.toml"
        subscriptions.write_text(subscriptions_toml(webhook), encoding="utf-8")
        with pytest.MonkeyPatch.context() as env:
            for name, value in gov.environment(
                database_url=database_url, subscriptions=subscriptions
            ).items():
                env.setenv(name, value)
            env.setenv(REF_ENV, f"json://user:{SECRET}@{webhook.host}:{webhook.port}/ref")
            world = CliWorld(gov, webhook, database_url, database_path, list(sites))
            baseline = world.cycle(recheck="none")
            assert all(s["status"] == "ok" for s in baseline["sites"]), baseline["sites"]
            assert baseline["alerts"]["sent"] == 0, "a site's first crawl is its baseline, never alerted"
            assert not webhook.posts
            yield world
        from storage.db import dispose_engines

        dispose_engines()

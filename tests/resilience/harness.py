"""Real `policywatch run` processes against a govsim world, and a way to kill them at a chosen phase.

``KillWorld`` holds govsim, a local webhook as the one subscriber, and a database; a cycle to be
killed is ``policywatch run`` in a subprocess, pointed at the tests' Prefect API so it does not
spend its time starting one. ``kill_tree`` SIGKILLs a run and every process it started
(crawler included), frozen first so none of them gets to react. ``PhaseWatch`` tells which phase
a run is in by watching its process tree, the database and the webhook.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import text

from govsim.inbox import LocalWebhook
from govsim.testing import GovsimHandle

REPO = Path(__file__).resolve().parents[2]
POLICYWATCH_BIN = REPO / ".venv" / "bin" / "policywatch"
PHASES = ("crawl", "ingest", "send")
# How long a killed run keeps its sites' leases: short, so the next round does not wait long.
LEASE_SECONDS = 2.0


@dataclass
class KillWorld:
    """govsim, the subscriber's webhook and the database that every `policywatch run` shares."""

    gov: GovsimHandle
    webhook: LocalWebhook
    database_url: str
    sites: list[str]
    root: Path
    prefect_api_url: str
    runs: int = 0

    @property
    def env(self) -> dict[str, str]:
        subscriptions = self.root / "subscriptions.toml"
        if not subscriptions.exists():
            subscriptions.write_text(
                f'[[subscription]]\nname = "team"\nurls = ["{self.webhook.apprise_url()}"]\n',
                encoding="utf-8",
            )
        return {
            **os.environ,
            **self.gov.environment(database_url=self.database_url, subscriptions=subscriptions),
            "POLICYWATCH_SITE_LEASE_SECONDS": str(LEASE_SECONDS),
            "PREFECT_API_URL": self.prefect_api_url,
            "PYTHONUNBUFFERED": "1",
        }

    def start_run(self, *args: str) -> subprocess.Popen[str]:
        """``policywatch run --sites … --json`` in its own process group; output goes to a log file."""
        self.runs += 1
        log = (self.root / f"run-{self.runs:03d}.log").open("w", encoding="utf-8")
        command = [str(POLICYWATCH_BIN), "run", "--sites", ",".join(self.sites), "--json", *args]
        return subprocess.Popen(
            command, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True
        )

    def run_log(self, number: int | None = None) -> str:
        return (self.root / f"run-{number or self.runs:03d}.log").read_text(
            encoding="utf-8", errors="replace"
        )

    def cycle(self, recheck: str) -> dict[str, Any]:
        """One whole cycle in this process (the same flow, without a process start-up); its summary."""
        import dataclasses

        from flows.monitor import monitor
        from flows.outcome import run_cycle

        return dataclasses.asdict(run_cycle(monitor, sites=self.sites, recheck=recheck))

    def scalar(self, sql: str) -> int:
        from storage.db import get_engine

        with get_engine(self.database_url).connect() as connection:
            return int(connection.scalar(text(sql)) or 0)

    def wait_for_leases_to_expire(self) -> None:
        """A killed run's site leases expire after LEASE_SECONDS; the next run must not skip its sites."""
        from storage.db import session_factory
        from storage.leases import current_holder

        deadline = time.monotonic() + LEASE_SECONDS * 5
        while time.monotonic() < deadline:
            with session_factory(self.database_url)() as session:
                if all(current_holder(session, slug) is None for slug in self.sites):
                    return
            time.sleep(0.2)
        raise AssertionError(f"the site leases of {self.sites} did not expire within {LEASE_SECONDS * 5:g} s")


def last_json(output: str) -> dict[str, Any]:
    """The JSON summary `policywatch run --json` prints last."""
    start = output.rfind("\n{") + 1
    value, _end = json.JSONDecoder().raw_decode(output[start:])
    assert isinstance(value, dict)
    return value


def process_tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def kill_tree(pid: int) -> int:
    """SIGSTOP the run and its descendants (until no new one appears), then SIGKILL them all."""
    frozen: dict[int, psutil.Process] = {}
    for _ in range(5):
        fresh = [p for p in process_tree(pid) if p.pid not in frozen]
        if not fresh and frozen:
            break
        for proc in fresh:
            try:
                proc.suspend()
                frozen[proc.pid] = proc
            except psutil.NoSuchProcess:
                pass
    for proc in frozen.values():
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(list(frozen.values()), timeout=10)
    return len(frozen)


@dataclass
class PhaseWatch:
    """Where one run is: its crawler alive (crawl), pages processed (ingest), alerts posted (send)."""

    world: KillWorld
    pid: int
    processed_at_start: int = 0
    posts_at_start: int = 0
    sending_at_start: int = 0  # claims earlier killed senders left, until their lease passes
    crawler_seen: bool = False

    def __post_init__(self) -> None:
        self.processed_at_start = self.processed()
        self.posts_at_start = len(self.world.webhook.posts)
        self.sending_at_start = self.sending()

    def sending(self) -> int:
        return self.world.scalar("SELECT count(*) FROM deliveries WHERE status = 'sending'")

    def processed(self) -> int:
        return self.world.scalar(
            "SELECT count(*) FROM raw_snapshots WHERE processed_at IS NOT NULL "
            "AND (page_kind IS NULL OR page_kind NOT IN ('list', 'attachment'))"
        )

    def crawler_alive(self) -> bool:
        for proc in process_tree(self.pid):
            try:
                if "spiders.crawl" in " ".join(proc.cmdline()):
                    self.crawler_seen = True
                    return True
            except psutil.Error:
                continue
        return False

    def posts(self) -> int:
        return len(self.world.webhook.posts) - self.posts_at_start

    def phase(self) -> str:
        """The phase the run is in right now (``startup`` before its crawler, ``after`` once it exited)."""
        if self.crawler_alive():
            return "crawl"
        if self.posts() or self.sending() > self.sending_at_start:
            return "send"
        if self.processed() > self.processed_at_start:
            return "ingest"
        return "startup" if not self.crawler_seen else "between"

    def wait_until(
        self, condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float
    ) -> bool:
        """Poll ``condition`` every 10 ms; False if the run ended (or time ran out) first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            if process.poll() is not None:
                return False
            time.sleep(0.01)
        return False


@dataclass
class KillRecord:
    """One kill point: the phase aimed at, the phase it hit, and the alerts posted before it."""

    target: str
    hit: str
    posted_before_kill: list[str] = field(default_factory=list)


def alert_keys(posts: list[dict[str, Any]]) -> Counter[str]:
    """How many times each alert (its webhook title: ``[kind] notice title``) arrived."""
    return Counter(str(post["json"].get("title", "")) for post in posts)

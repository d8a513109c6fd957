"""A real Prefect stack for the production tests: server on PostgreSQL, deployments, process workers.

Everything runs as subprocesses in their own process groups, so a failing test still leaves
nothing behind: :func:`stop_group` ends the whole group (the worker's flow-run processes and their
crawler subprocesses included).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from govsim.inbox import free_port

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "policywatch-process"
T = TypeVar("T")


def admin_dsn(postgres_url: str) -> str:
    """A psycopg DSN for the server's maintenance database (to create and drop databases)."""
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_database(postgres_url: str, prefix: str) -> Iterator[str]:
    """CREATE a uniquely named database, yield its name, DROP it afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_dsn(postgres_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin_dsn(postgres_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def asyncpg_url(postgres_url: str, database: str) -> str:
    """The same server as ``postgres_url``, as Prefect's server wants it (asyncpg driver)."""
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


def stop_group(process: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after ``grace`` seconds."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # children may outlive their leader
    if process.poll() is None:
        process.wait(timeout=grace)


def wait_for(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.5) -> T:
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class PrefectStack:
    """A running ``prefect server start`` and the environment its clients need."""

    home: Path
    api_url: str
    server: subprocess.Popen[bytes]
    logs: Path
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """Environment for CLI calls, workers and in-process clients of this server."""
        return {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_CLI_PROMPT": "false",
        }

    def cli(self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120) -> str:
        """Run ``prefect ARGS`` against this server from the repository root; return its output."""
        result = subprocess.run(
            [PREFECT, *args], cwd=REPO, env={**self.env, **(env or {})}, capture_output=True,
            text=True, timeout=timeout,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(
                f"prefect {' '.join(args)} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def start_worker(self, name: str, env: Mapping[str, str], *, limit: int = 1) -> subprocess.Popen[bytes]:
        """``prefect worker start --pool policywatch-process`` in its own process group."""
        log = (self.logs / f"worker-{name}.log").open("wb")
        process = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", POOL, "--type", "process", "--name", name,
             "--limit", str(limit), "--install-policy", "never"],
            cwd=REPO, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.workers[name] = process
        return process

    def worker_log(self, name: str) -> str:
        return (self.logs / f"worker-{name}.log").read_text(encoding="utf-8", errors="replace")

    def run(self, coroutine_factory: Callable[[Any], Coroutine[Any, Any, T]]) -> T:
        """Run ``coroutine_factory(client)`` with a Prefect client bound to this server."""
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        async def main() -> T:
            with temporary_settings(updates={PREFECT_API_URL: self.api_url}):
                async with get_client() as client:
                    return await coroutine_factory(client)

        return asyncio.run(main())

    def stop(self) -> None:
        for process in self.workers.values():
            stop_group(process)
        stop_group(self.server, grace=15)


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def running_prefect_server(
    home: Path, database_url: str, *, scheduler_loop_seconds: int = 5, startup_timeout: float = 120
) -> Iterator[PrefectStack]:
    """``prefect server start`` on a free port, with its own PREFECT_HOME and its API database at ``database_url``."""
    home.mkdir(parents=True, exist_ok=True)
    logs = home / "logs"
    logs.mkdir(exist_ok=True)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_DATABASE_CONNECTION_URL": database_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        # The scheduler normally wakes every 60 s; the schedule test should not wait that long.
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": str(scheduler_loop_seconds),
        "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    log = (logs / "server.log").open("wb")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui", "--analytics-off"],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    stack = PrefectStack(home=home, api_url=api_url, server=server, logs=logs)
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(api_url):
            if server.poll() is not None or time.monotonic() > deadline:
                tail = (logs / "server.log").read_text(errors="replace")[-4000:]
                raise RuntimeError(f"the Prefect server did not start on {api_url}:\n{tail}")
            time.sleep(0.5)
        yield stack
    finally:
        stack.stop()

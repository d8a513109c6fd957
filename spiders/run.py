"""Run a crawl in a subprocess and report, per site, what happened (read back from storage).

Scrapy's Twisted reactor cannot be restarted inside one process, so every crawl is a fresh
``python -m spiders.crawl`` subprocess: flows call :func:`run_crawl` as often as they like.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import config
from spiders.crawl import PROGRESS_PREFIX
from storage.db import session_scope
from storage.models import CrawlRun, Source
from storage.snapshots import crawl_runs_for_cycle, finish_crawl_run

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STDERR_TAIL_LINES = 40
KILL_GRACE_SECONDS = 5


@dataclass(frozen=True)
class SiteCrawl:
    """One site's crawl run in this cycle, as stored."""

    slug: str
    crawl_run_id: int | None  # None when the crawler died before reaching the site
    status: str  # ok | failed | blocked | running (the subprocess died before finishing it)
    error: str | None
    requests: int
    items: int
    not_modified: int
    elapsed: float | None  # seconds from the site's first request to its last response
    not_modified_urls: tuple[str, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CrawlReport:
    cycle_id: str
    mode: str
    exit_code: int | None  # None when the subprocess was killed for running past the timeout
    sites: dict[str, SiteCrawl]
    error: str | None = None  # set when the subprocess crashed or timed out
    stderr_tail: str = ""
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and all(s.status == "ok" for s in self.sites.values())


def run_crawl(
    site_slugs: list[str],
    *,
    cycle_id: str,
    mode: str = "monitor",
    recheck: list[dict[str, Any]] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 1800,
    log_file: Path | None = None,
    on_progress: Callable[[str], None] | None = None,
    ignore_backoff: bool = False,
) -> CrawlReport:
    """Crawl ``site_slugs`` in a ``python -m spiders.crawl`` subprocess and report per site.

    ``env`` is added to this process's environment (e.g. ``POLICYWATCH_DATABASE_URL``,
    ``POLICYWATCH_SITE_OVERRIDES``, ``POLICYWATCH_SITES_DIRS``). ``recheck`` (mode ``recheck``)
    lists ``{url, etag, last_modified}`` to fetch with conditional GETs. Progress lines go to
    ``on_progress``; Scrapy's log goes to ``log_file`` (its tail is kept on failure). Past
    ``timeout`` seconds the whole process group is killed and the report says so. Sites still
    backing off after an anti-bot challenge are reported ``blocked`` without a request, unless
    ``ignore_backoff``.
    """
    if not site_slugs:
        raise ValueError("run_crawl needs at least one site slug")
    if mode == "recheck" and recheck is None:
        raise ValueError("mode='recheck' needs recheck=[{url, etag, last_modified}, ...]")
    full_env = {**os.environ, **(env or {})}
    database_url = config.Settings.from_environ(full_env).database_url  # the crawler's, maybe not ours
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), full_env.get("PYTHONPATH")]))
    full_env.setdefault("PYTHONUNBUFFERED", "1")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="policywatch-crawl-") as tmp:
        command = [
            sys.executable,
            "-m",
            "spiders.crawl",
            "--sites",
            ",".join(site_slugs),
            "--cycle-id",
            cycle_id,
        ]
        command += ["--mode", mode]
        if ignore_backoff:
            command.append("--ignore-backoff")
        if recheck is not None:
            recheck_file = Path(tmp) / "recheck.json"
            recheck_file.write_text(json.dumps(recheck, ensure_ascii=False), encoding="utf-8")
            command += ["--recheck-file", str(recheck_file)]
        exit_code, stderr_tail, timed_out = _run(command, full_env, timeout, log_file, on_progress)
    error = None
    if timed_out:
        error = f"crawl of {', '.join(site_slugs)} ran past its {timeout:g} s timeout and was killed"
    elif exit_code != 0:
        error = f"crawler subprocess {_exit_words(exit_code)}: {last_error_line(stderr_tail)}"
    sites = _read_back(database_url, cycle_id, mode, site_slugs, error)
    missing = [s for s in site_slugs if s not in sites]
    if missing and error is None:
        error = f"no crawl run was recorded for {', '.join(missing)}: {last_error_line(stderr_tail)}"
    return CrawlReport(
        cycle_id=cycle_id,
        mode=mode,
        exit_code=exit_code,
        sites=sites,
        error=error,
        stderr_tail=stderr_tail if error else "",
        elapsed=time.monotonic() - started,
    )


def _run(
    command: list[str],
    env: dict[str, str],
    timeout: float,
    log_file: Path | None,
    on_progress: Callable[[str], None] | None,
) -> tuple[int | None, str, bool]:
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    log = log_file.open("a", encoding="utf-8") if log_file else None
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8", errors="replace", start_new_session=True,
    )  # fmt: skip

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            if log:
                log.write(line + "\n")
            if on_progress and line.startswith(PROGRESS_PREFIX):
                on_progress(line[len(PROGRESS_PREFIX) :].strip())

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            tail.append(line.rstrip("\n"))
            if log:
                log.write(line)

    readers = [
        threading.Thread(target=read_stdout, daemon=True),
        threading.Thread(target=read_stderr, daemon=True),
    ]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process)
    for reader in readers:
        reader.join(timeout=5)
    if log:
        log.close()
    return (None if timed_out else process.returncode), "\n".join(tail), timed_out


def _kill_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM lets Scrapy close the spider (and finish its crawl runs); SIGKILL if it lingers."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


_ERROR_LINE = re.compile(r"(?:\w+(?:Error|Exception|Exit|Interrupt)\b(?:[:(]|$)|\bCRITICAL\b|\bERROR\b)")
_LOG_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:[.,]\d+)? \[[^\]]+\] \w+: ")


def _exit_words(exit_code: int | None) -> str:
    if exit_code is not None and exit_code < 0:
        try:
            return f"was killed by {signal.Signals(-exit_code).name}"
        except ValueError:
            pass
    return f"exited with code {exit_code}"


def last_error_line(stderr_tail: str, limit: int = 300) -> str:
    """The one line of a crawler's last log lines that says what went wrong (the exception, not the
    settings dump or the traceback frames before it), for the error an operator reads; the whole
    tail stays in :attr:`CrawlReport.stderr_tail`."""
    lines = [line.strip() for line in stderr_tail.splitlines() if line.strip()]
    for line in reversed(lines):
        if _ERROR_LINE.search(line) and not line.startswith(("File ", "Traceback")):
            return _LOG_PREFIX.sub("", line)[:limit]
    if not lines:
        return "no log output"
    # Nothing it logged says why: it was killed (OOM killer, os._exit, a signal) between two lines.
    return f"no error logged (killed?); its last line: {_LOG_PREFIX.sub('', lines[-1])}"[:limit]


def _read_back(
    database_url: str, cycle_id: str, mode: str, slugs: list[str], error: str | None
) -> dict[str, SiteCrawl]:
    wanted = set(slugs)
    sites: dict[str, SiteCrawl] = {}
    with session_scope(database_url) as session:
        for run in crawl_runs_for_cycle(session, cycle_id):
            source = session.get(Source, run.source_id)
            if source is None or source.slug not in wanted or run.mode != mode:
                continue
            if run.status == "running":  # the subprocess died before closing it
                run = finish_crawl_run(
                    session,
                    run,
                    status="failed",
                    stats=run.stats or {},
                    error=error or "the crawler stopped early",
                )
            sites[source.slug] = _site_crawl(source.slug, run)  # the latest run wins on a re-run
    return sites


def _site_crawl(slug: str, run: CrawlRun) -> SiteCrawl:
    stats = dict(run.stats or {})
    elapsed = stats.get("active_seconds")
    if elapsed is None and run.finished_at is not None and run.started_at is not None:
        # SQLite hands back naive datetimes, PostgreSQL aware ones: compare them as naive UTC.
        finished, started = (_naive_utc(t) for t in (run.finished_at, run.started_at))
        elapsed = (finished - started).total_seconds()
    return SiteCrawl(
        slug=slug,
        crawl_run_id=run.id,
        status=run.status,
        error=run.error,
        requests=int(stats.get("requests", 0)),
        items=int(stats.get("items", 0)),
        not_modified=int(stats.get("recheck/not_modified", 0)),
        elapsed=elapsed,
        not_modified_urls=tuple(stats.get("not_modified_urls", ())),
        stats=stats,
    )


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment

"""Shared pieces of the benchmarks: results, the machine, and the scale scenario they run against.

A :class:`Scenario` is one govsim scale world plus one PolicyWatch database. Its sites are split in
two: a few *pipeline* sites are crawled and normalized (the full-pipeline throughput, and the
changes the fan-out sends), and the *scale* sites (50 × 200 notices) are crawled only (the
10,000-page crawl, the idle cycle, the recheck). Each expensive step runs once, on first need,
and every benchmark that needs it reads the same measurement.
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policywatch.environment import temporary_environment

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "POLICYWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Benchmarks time the crawler at the sites' own politeness, not scaled down as the tests' replicas are.
PRODUCTION_DELAY_SCALE = 1.0


@dataclass
class Figure:
    """One measured number, with its goal (if any) and whether it meets it."""

    name: str
    value: float | None
    unit: str
    goal: str = ""
    met: bool | None = None  # None: no goal

    def shown(self) -> str:
        if self.value is None:
            return "—"
        number = f"{self.value:,.2f}" if abs(self.value) < 100 else f"{self.value:,.0f}"
        return f"{number} {self.unit}".strip()


@dataclass
class Result:
    """What one benchmark module reports: figures, how they were measured, and raw details."""

    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    method: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    appendix: str = ""  # markdown shown after the method: tables, query plans
    seconds: float = 0.0
    error: str | None = None


def machine() -> dict[str, str]:
    """nproc, RAM, Python and the versions the numbers depend on."""
    import psutil

    versions = {}
    for package in ("prefect", "scrapy", "sqlalchemy", "apprise", "lxml", "psycopg"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing package is shown as such
            versions[package] = "absent"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        **versions,
    }


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


class RssSampler:
    """Peak resident memory of a process tree (the root and all its descendants), sampled in a thread."""

    def __init__(self, match: Callable[[Any], bool], interval: float = 0.1) -> None:
        self.match = match
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree_rss(self) -> int:
        import psutil

        total = 0
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if self.match(child):
                    tree = [child, *child.children(recursive=True)]
                    total += sum(p.memory_info().rss for p in tree)
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = self._tree_rss()
            if rss:
                self.samples += 1
                self.peak = max(self.peak, rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def is_crawler(process: Any) -> bool:
    """A ``python -m spiders.crawl`` subprocess."""
    cmdline = process.cmdline()
    return "spiders.crawl" in cmdline


@contextlib.contextmanager
def benchmark_database(workdir: Path) -> Iterator[tuple[str, str]]:
    """(url, label): a fresh PostgreSQL database when one answers (dropped afterwards), else SQLite."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        admin = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres")
        dsn = admin.render_as_string(hide_password=False)
        with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as conn:
            name = f"pw_bench_{uuid.uuid4().hex[:10]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001 - no PostgreSQL here: SQLite it is
        yield f"sqlite:///{workdir / 'bench.db'}", "SQLite file"
        return
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url, "PostgreSQL 127.0.0.1"
    finally:
        from storage.db import dispose_engines

        dispose_engines()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class CrawlMeasure:
    cycle_id: str
    wall: float
    requests: int
    items: int
    peak_rss: int
    rss_samples: int
    sites: dict[str, Any]


class Scenario:
    """One govsim scale world and one database, shared by the benchmarks.

    ``pipeline_sites`` sites are crawled, then normalized; as many other sites of the same size
    are crawled with the ingest streaming beside the crawl; the other ``scale_sites`` are crawled only.
    """

    def __init__(
        self, scale_sites: int, notices: int, pipeline_sites: int, workdir: Path | None = None
    ) -> None:
        self.pipeline_count = pipeline_sites
        self.scale_count = scale_sites
        self.sites_count = scale_sites + self._streamed_offset() + pipeline_sites
        self.notices_per_site = notices
        self._tmp = tempfile.TemporaryDirectory(prefix="policywatch-bench-") if workdir is None else None
        self.workdir: Path = Path(self._tmp.name) if self._tmp is not None else Path(str(workdir))
        self._stack = contextlib.ExitStack()
        self._cache: dict[str, Any] = {}
        self.gov: Any = None
        self.database_url = ""
        self.database_label = ""
        self.slugs: list[str] = []  # the scale sites
        self.pipeline_slugs: list[str] = []
        self.streamed_slugs: list[str] = []

    def _streamed_offset(self) -> int:
        """The first scale site of the streamed set: the first rotation step after the pipeline set."""
        from sites import FLAVOURS

        steps = -(-self.pipeline_count // len(FLAVOURS))
        return steps * len(FLAVOURS)

    def __enter__(self) -> Scenario:
        from govsim.testing import running_govsim

        self.gov = self._stack.enter_context(
            running_govsim(
                self.workdir / "govsim",
                sites=["hainan"],
                scale=(self.sites_count, self.notices_per_site),
                startup_timeout=60,
            )
        )
        every = sorted(p.stem for p in self.gov.sites_dir.glob("*.toml"))
        # The two pipeline sets start on the same step of the scale rotation, so they hold the same
        # flavours in the same order: one is crawled then ingested, the other with streaming.
        count, second = self.pipeline_count, self._streamed_offset()
        self.pipeline_slugs = [f"scale-{i:03d}" for i in range(count)]
        self.streamed_slugs = [f"scale-{i:03d}" for i in range(second, second + count)]
        pipeline = {*self.pipeline_slugs, *self.streamed_slugs}
        self.slugs = [slug for slug in every if slug not in pipeline][: self.scale_count + 1]
        self.database_url, self.database_label = self._stack.enter_context(benchmark_database(self.workdir))
        self.env = self.gov.environment(
            database_url=self.database_url,
            subscriptions=self.workdir / "no-subscriptions.toml",
            sites_dirs=[self.gov.sites_dir],
            delay_scale=PRODUCTION_DELAY_SCALE,
        )
        self._stack.enter_context(temporary_environment(self.env))
        from storage.db import migrate

        migrate(self.database_url)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        if self._tmp:
            self._tmp.cleanup()

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def crawl(
        self, mode: str, *, recheck: list[dict[str, Any]] | None = None, slugs: list[str] | None = None
    ) -> CrawlMeasure:
        """One crawler subprocess over the scale sites (or ``slugs``), timed, its peak RSS sampled."""
        from flows import steps

        cycle_id = f"bench-{mode}-{uuid.uuid4().hex[:8]}"
        with RssSampler(is_crawler) as sampler:
            started = time.monotonic()
            report = steps.crawl(slugs or self.slugs, cycle_id=cycle_id, mode=mode, recheck=recheck)
            wall = time.monotonic() - started
        sites = report.sites
        bad = {slug: s.status for slug, s in sites.items() if s.status != "ok"}
        if report.error or bad:
            raise RuntimeError(f"{mode} crawl failed: {report.error or bad}")
        return CrawlMeasure(
            cycle_id=cycle_id,
            wall=wall,
            requests=sum(s.requests for s in sites.values()),
            items=sum(s.items for s in sites.values()),
            peak_rss=sampler.peak,
            rss_samples=sampler.samples,
            sites=sites,
        )

    def baseline(self) -> CrawlMeasure:
        """The first crawl of every scale site in backfill mode (every list page, every notice)."""
        return self.once("baseline", lambda: self.crawl("backfill"))

    def baseline_known(self) -> CrawlMeasure:
        """The baseline crawl, normalized as its cycle would have before the next one: a page is known
        (and the next monitor stops at it) only once its snapshot was processed."""

        def run() -> CrawlMeasure:
            from flows import steps

            crawl = self.baseline()
            steps.ingest(crawl.cycle_id)
            return crawl

        return self.once("baseline_known", run)

    def pipeline_crawl(self) -> CrawlMeasure:
        """The first crawl of the pipeline sites in backfill mode."""
        return self.once("pipeline_crawl", lambda: self.crawl("backfill", slugs=self.pipeline_slugs))

    def ingested(self) -> dict[str, Any]:
        """Normalize and diff everything the pipeline sites' crawl stored (timed)."""

        def run() -> dict[str, Any]:
            from flows import steps

            cycle_id = self.pipeline_crawl().cycle_id
            started = time.monotonic()
            report = steps.ingest(cycle_id)
            return {"wall": time.monotonic() - started, "report": report}

        return self.once("ingested", run)

    def streamed(self) -> dict[str, Any]:
        """The streamed pipeline sites' backfill crawl with the ingest beside it, as a monitor flow
        runs them (the crawl waited on in a thread, the ingest in this one), timed from crawl start
        to the end of the ingest."""

        def run() -> dict[str, Any]:
            from flows import steps

            cycle_id = f"bench-streamed-{uuid.uuid4().hex[:8]}"
            crawled: dict[str, Any] = {}

            def crawl() -> None:
                crawled["report"] = steps.crawl(self.streamed_slugs, cycle_id=cycle_id, mode="backfill")

            crawler = threading.Thread(target=crawl, name="bench-streamed-crawl")
            started = time.monotonic()
            crawler.start()
            report = steps.ingest(cycle_id, while_crawling=crawler.is_alive)
            crawler.join()
            wall = time.monotonic() - started
            sites = crawled["report"].sites
            bad = {slug: s.status for slug, s in sites.items() if s.status != "ok"}
            if crawled["report"].error or bad:
                raise RuntimeError(f"streamed backfill crawl failed: {crawled['report'].error or bad}")
            return {
                "wall": wall,
                "report": report,
                "cycle_id": cycle_id,
                "items": sum(s.items for s in sites.values()),
            }

        return self.once("streamed", run)

    def fetched_urls(self, cycle_id: str | None = None) -> list[str]:
        """Every URL a crawl stored (list pages, notices, attachments), in fetch order: the pipeline
        sites' crawl, or cycle ``cycle_id``'s."""
        from sqlalchemy import select

        from storage.db import session_scope
        from storage.models import CrawlRun, RawSnapshot

        with session_scope(self.database_url) as session:
            return list(
                session.scalars(
                    select(RawSnapshot.url)
                    .join(CrawlRun, CrawlRun.id == RawSnapshot.crawl_run_id)
                    .where(CrawlRun.cycle_id == (cycle_id or self.pipeline_crawl().cycle_id))
                    .order_by(RawSnapshot.id)
                )
            )

    def bare_scrapy(self, cycle_id: str | None = None) -> dict[str, Any]:
        """A minimal Scrapy spider GETting a crawl's URLs (the pipeline crawl's, or cycle
        ``cycle_id``'s) with the same concurrency (timed)."""

        def run() -> dict[str, Any]:
            urls = self.fetched_urls(cycle_id)
            url_file = self.workdir / f"bare-urls-{cycle_id or 'pipeline'}.txt"
            url_file.write_text("\n".join(urls), encoding="utf-8")
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "benchmarks.bare_scrapy", str(url_file)],
                cwd=ROOT, capture_output=True, text=True, timeout=1800,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )  # fmt: skip
            wall = time.monotonic() - started
            if result.returncode != 0:
                raise RuntimeError(f"bare Scrapy crawl failed:\n{result.stderr[-2000:]}")
            fetched = int(result.stdout.strip().splitlines()[-1])
            return {"wall": wall, "urls": len(urls), "fetched": fetched}

        return self.once(f"bare-{cycle_id or 'pipeline'}", run)


class Context:
    """What a benchmark gets: the size switch and the shared scenario (started on first use)."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self._scenario: Scenario | None = None

    @property
    def scale(self) -> tuple[int, int, int]:
        """(scale sites, notices per site, pipeline sites): 50 × 200 = 10,000 notices + twice 10 × 200,
        or small."""
        return (10, 30, 3) if self.quick else (50, 200, 10)

    def scenario(self) -> Scenario:
        if self._scenario is None:
            self._scenario = Scenario(*self.scale).__enter__()
        return self._scenario

    def close(self) -> None:
        if self._scenario is not None:
            self._scenario.__exit__(None, None, None)
            self._scenario = None

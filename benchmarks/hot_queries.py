"""The database's hot queries at 1,000,000 stored versions on PostgreSQL (issue 14): ≤ 10 ms each.

Each query is the product's own storage function, called as the pipeline calls it (the known URLs a
site's crawl starts from, the ingest's pending snapshots and claim, the monitor's and the nightly
recheck's due notices, the sender's outbox claim, …). They run on a generated county-level world
(:mod:`benchmarks.hot_queries_data`) twice: on the schema before the hot-query indexes (revision
:data:`BEFORE_REVISION`), then after upgrading to the newest revision, with the SQL each emitted
captured and shown with its ``EXPLAIN (ANALYZE, BUFFERS)``.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from benchmarks.common import POSTGRES_URL, Figure, Result, percentile
from benchmarks.hot_queries_data import LIST_PAGE_ROWS, Size, World, build, table_sizes, vacuum_analyze

KEY = "hot_queries"
TITLE = "Hot database queries at 1,000,000 stored versions (PostgreSQL)"
GOAL_MS = 10.0
DATABASE = "policywatch_hotq_bench"
# The schema as it was before the hot-query indexes of revision 0006: the "before" measurement.
BEFORE_REVISION = "0005"
PLAN_LINE_LIMIT = 160  # an IN list of 3,000 site ids is cut, not printed whole


SERVER_TIME = re.compile(r"^(?:Planning|Execution) Time: ([0-9.]+) ms$", re.M)


@dataclass(frozen=True)
class HotQuery:
    """One storage call the pipeline makes often, and who makes it."""

    name: str
    caller: str
    call: Callable[[Any, World, int], Any]  # (session, world, sample number) -> the function's answer
    repeats: int = 200


@dataclass
class Timing:
    p50: float
    p99: float
    rows: int  # what the last call returned (rows, or the count)
    plans: list[str] = field(default_factory=list)  # EXPLAIN (ANALYZE, BUFFERS) of each statement it ran

    @property
    def server_ms(self) -> float:
        """Planning and execution time of every statement, as EXPLAIN ANALYZE reports them."""
        return sum(float(ms) for plan in self.plans for ms in SERVER_TIME.findall(plan))


def _answer_size(answer: Any) -> int:
    if isinstance(answer, bool):
        return int(answer)
    if isinstance(answer, int):
        return answer
    if answer is None:
        return 0
    return len(answer) if hasattr(answer, "__len__") else 1


def hot_queries(world: World, quick: bool) -> list[HotQuery]:
    """Every hot query, each called with arguments drawn from ``world`` as the pipeline draws them."""
    from alerts.outbox import DEFAULT_LEASE
    from alerts.sending import DEFAULT_BATCH
    from flows.recheck_plan import recheck_limit, recheck_tiers
    from storage import leases, listed, outbox, revisits, snapshots, versions

    rng = random.Random(5)
    sites = list(world.notices_per_source)
    rng.shuffle(sites)
    largest = max(world.notices_per_source, key=world.notices_per_source.__getitem__)
    notices = rng.sample(world.sample_notices, min(len(world.sample_notices), 2_000))
    slugs = world.source_slugs
    now = world.now
    heavy = 5 if quick else 20

    def site(i: int) -> int:
        return sites[i % len(sites)]

    def due(policy: str) -> Callable[[Any, World, int], Any]:
        tiers = recheck_tiers(policy, now)
        return lambda s, w, i: revisits.notices_due_of_sites(
            s, slugs, tiers=tiers, limit=recheck_limit(len(slugs))
        )

    return [
        HotQuery("known URLs of a list page", "the spider, once per list page (`storage.snapshots.known_urls`, "
                 f"among its {LIST_PAGE_ROWS} URLs)",
                 lambda s, w, i: snapshots.known_urls(s, site(i), among=w.list_page_urls[site(i)]), 300),
        HotQuery(f"known URLs of a list page of the largest site ({world.notices_per_source[largest]:,} notices)",
                 "the same, for the site with the most notices",
                 lambda s, w, i: snapshots.known_urls(s, largest, among=w.list_page_urls[largest]), 300),
        HotQuery("listed rows of a list page", "the spider, once per list page (`storage.listed.listed_signatures`, "
                 f"among its {LIST_PAGE_ROWS} URLs)",
                 lambda s, w, i: listed.listed_signatures(s, site(i), among=w.list_page_urls[site(i)]), 300),
        HotQuery("pending snapshots of the cycle (a batch of 200)",
                 "ingest, once per batch (`storage.snapshots.pending_snapshot_ids`)",
                 lambda s, w, i: snapshots.pending_snapshot_ids(s, cycle_id=w.current_cycle, limit=200)),
        HotQuery("pending snapshots of the cycle (count)", "ingest, once per run (`pending_snapshot_count`)",
                 lambda s, w, i: snapshots.pending_snapshot_count(s, cycle_id=w.current_cycle)),
        HotQuery("claim a pending snapshot", "ingest, once per page (`storage.snapshots.claim_snapshot`)",
                 lambda s, w, i: snapshots.claim_snapshot(s, w.pending_snapshot_ids[i % len(w.pending_snapshot_ids)],
                                                          now)),
        HotQuery("sites with snapshots still pending", "ingest's baselines, once per cycle "
                 "(`storage.snapshots.pending_source_ids`, every site)",
                 lambda s, w, i: snapshots.pending_source_ids(s, list(w.notices_per_source))),
        HotQuery("a notice by its URL", "ingest, once per page (`storage.versions.notice_by_url`)",
                 lambda s, w, i: versions.notice_by_url(s, notices[i % len(notices)][1], notices[i % len(notices)][2])),
        HotQuery("a notice's latest versions", "ingest, once per known page (`storage.versions.recent_versions`)",
                 lambda s, w, i: versions.recent_versions(s, notices[i % len(notices)][0], limit=5)),
        HotQuery("a policy by its 文号", "ingest, once per notice (`storage.versions.find_policy`)",
                 lambda s, w, i: versions.find_policy(
                     s, doc_number=w.sample_doc_numbers[i % len(w.sample_doc_numbers)], fingerprint=None)),
        HotQuery("due rechecks, monitor cycle (7-day tier, every site)",
                 "the 15-minute monitor, once per cycle (`storage.revisits.notices_due_of_sites`, policy fresh)",
                 due("fresh"), heavy),
        HotQuery(f"due rechecks, nightly (every tier, every site, up to {recheck_limit(len(slugs)):,})",
                 "the nightly recheck, once a day (the same, policy due)", due("due"), heavy),
        HotQuery(f"outbox claim ({DEFAULT_BATCH} due deliveries)",
                 "the sender, once per batch (`storage.outbox.claim_due`)",
                 lambda s, w, i: outbox.claim_due(s, worker_id="bench", now=now, lease=DEFAULT_LEASE,
                                                  limit=DEFAULT_BATCH)),
        HotQuery("digest deliveries due", "the sender, once per run (`storage.outbox.digest_groups`)",
                 lambda s, w, i: outbox.digest_groups(s, now)),
        HotQuery("take a site's lease", "every run, once per site (`storage.leases.acquire`)",
                 lambda s, w, i: leases.acquire(s, slugs[i % len(slugs)], "bench", timedelta(hours=1), now=now)),
    ]  # fmt: skip


@contextmanager
def _database() -> Iterator[tuple[str, str]]:
    """(SQLAlchemy URL, libpq DSN) of a fresh :data:`DATABASE`, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres").render_as_string(False)
    try:
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')  # left by a killed run
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"this benchmark needs PostgreSQL: none answers at {make_url(POSTGRES_URL).render_as_string()} "
            f"({str(exc).strip().splitlines()[0]}); set POLICYWATCH_TEST_POSTGRES_URL"
        ) from exc
    url = make_url(POSTGRES_URL).set(database=DATABASE)
    try:
        yield url.render_as_string(False), url.set(drivername="postgresql").render_as_string(False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _alembic_upgrade(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    command.upgrade(config, revision)


def _statements_of(engine: Any, run: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SQL statements (with their parameters) that ``run`` sent to the database."""
    from sqlalchemy import event

    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def _explain(engine: Any, statement: str, parameters: Any) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement, in a transaction rolled back (claims write)."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).all()
        connection.rollback()
    lines = [str(row[0]) for row in rows]
    return "\n".join(
        line if len(line) <= PLAN_LINE_LIMIT else line[:PLAN_LINE_LIMIT] + " …" for line in lines
    )


def measure(engine: Any, query: HotQuery, world: World) -> Timing:
    """Call ``query`` ``repeats`` times (each in its own session, rolled back), after a warm-up; then
    EXPLAIN what one call sent."""
    from sqlalchemy.orm import Session

    answer: Any = None
    for i in range(3):
        with Session(engine) as session:
            query.call(session, world, i)
            session.rollback()
    elapsed = []
    for i in range(query.repeats):
        with Session(engine) as session:
            started = time.perf_counter()
            answer = query.call(session, world, i)
            elapsed.append((time.perf_counter() - started) * 1000)
            session.rollback()
    with Session(engine) as session:
        sent = _statements_of(engine, lambda: query.call(session, world, 0))
        session.rollback()
    plans = [f"{statement}\n\n{_explain(engine, statement, parameters)}" for statement, parameters in sent]
    return Timing(percentile(elapsed, 50), percentile(elapsed, 99), _answer_size(answer), plans)


ACCESS = re.compile(
    r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)(?: Backward)?"
    r"(?: using (\S+))? on (\S+)"
)


def access_paths(plans: list[str]) -> list[str]:
    """How each plan reads its tables: ``Seq Scan on t``, ``Index Scan using ix``, … (in plan order)."""
    paths: list[str] = []
    for plan in plans:
        explained = plan.split("\n\n", 1)[-1]
        for kind, using, on in ACCESS.findall(explained):
            if kind == "Bitmap Heap Scan":
                continue  # its Bitmap Index Scan names the index
            path = f"{kind} on {on}" if kind == "Seq Scan" else f"{kind} `{using or on}`"
            if path not in paths:
                paths.append(path)
    return paths


def _index_definitions(engine: Any, names: set[str]) -> dict[str, str]:
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        )
        return {name: definition for name, definition in rows if name in names}


def _measure_all(url: str, world: World, queries: list[HotQuery]) -> dict[str, Timing]:
    from sqlalchemy import create_engine

    engine = create_engine(url, pool_size=2)
    try:
        return {query.name: measure(engine, query, world) for query in queries}
    finally:
        engine.dispose()


def run(ctx: Any) -> Result:
    from sqlalchemy import create_engine

    from storage.db import dispose_engines

    size = Size.of(ctx.quick)
    with _database() as (url, dsn):
        _alembic_upgrade(url, BEFORE_REVISION)
        world = build(dsn, size)
        queries = hot_queries(world, ctx.quick)
        before = _measure_all(url, world, queries)
        started = time.monotonic()
        _alembic_upgrade(url, "head")
        migration_seconds = time.monotonic() - started
        vacuum_analyze(dsn)
        after = _measure_all(url, world, queries)
        sizes = table_sizes(dsn)
        engine = create_engine(url)
        try:
            used = {
                m.group(1)
                for t in after.values()
                for p in access_paths(t.plans)
                if (m := re.search("`(.+)`", p))
            }
            indexes = _index_definitions(engine, used)
        finally:
            engine.dispose()
        dispose_engines()
    figures = [
        Figure(f"{q.name}: p99", after[q.name].p99, "ms", f"≤ {GOAL_MS:.0f} ms", after[q.name].p99 <= GOAL_MS)
        for q in queries
    ]
    figures.append(Figure("build of the database (COPY, then VACUUM ANALYZE)", world.seconds, "s"))
    figures.append(Figure("upgrade to the newest revision on that database", migration_seconds, "s"))
    counts = ", ".join(f"{n:,} {table}" for table, n in world.counts.items())
    return Result(
        key=KEY,
        title=TITLE,
        figures=figures,
        method=(
            f"A PostgreSQL database `{DATABASE}` built by COPY at revision {BEFORE_REVISION} ({counts}; "
            f"{world.seconds:.0f} s with VACUUM ANALYZE): {size.sources:,} sites, most with a few hundred "
            "notices and one in fifty with 3,000–15,000, a fifth of the notices with 2–6 versions, each "
            f"version with its detail snapshot, {size.cycles} past 15-minute cycles (a crawl run and a list "
            f"snapshot per site and cycle), {size.pending_snapshots:,} pages of the current cycle pending, "
            f"{size.pending_deliveries:,} pending deliveries behind {size.settled_deliveries:,} settled ones. "
            "Each query is the product's storage function, called with arguments drawn as the pipeline "
            "draws them (a random site, a random known notice), each call in its own session and "
            "rolled back (claims write), after 3 warm-up calls; p50 and p99 of the wall time in the "
            "benchmark process (statement, network and building the ORM objects). Measured first at "
            f"revision {BEFORE_REVISION}, then after upgrading to the newest revision and VACUUM "
            "ANALYZE, on the same rows. The whole database fits in the OS page cache; shared_buffers "
            "is PostgreSQL's default."
        ),
        details={"before": before, "after": after, "sizes": sizes},
        appendix=_appendix(queries, before, after, indexes, sizes),
    )


def _appendix(
    queries: list[HotQuery],
    before: dict[str, Timing],
    after: dict[str, Timing],
    indexes: dict[str, str],
    sizes: dict[str, tuple[int, int]],
) -> str:
    lines = [
        f"| query | called by | rows | p50 / p99 before ({BEFORE_REVISION}) | p50 / p99 now | in the server "
        "before → now | access path now |",
        "|---|---|---|---|---|---|---|",
    ]
    for q in queries:
        b, a = before[q.name], after[q.name]
        lines.append(
            f"| {q.name} | {q.caller} | {a.rows:,} | {b.p50:.2f} / {b.p99:.2f} ms | {a.p50:.2f} / {a.p99:.2f} ms "
            f"| {b.server_ms:.2f} → {a.server_ms:.2f} ms | {'; '.join(access_paths(a.plans))} |"
        )
    lines += [
        "",
        "p50 / p99: wall time of the storage call in the benchmark process; in the server: planning and "
        "execution time of its statements in one `EXPLAIN ANALYZE` (the rest is the round trips and "
        "building the rows or ORM objects in Python).",
    ]
    lines += ["", "Access paths before the upgrade:", ""]
    lines += [f"- {q.name}: {'; '.join(access_paths(before[q.name].plans))}" for q in queries]
    lines += ["", "Indexes the plans use now:", "", "```sql"]
    lines += [f"{definition};" for _name, definition in sorted(indexes.items())]
    lines += ["```", "", "Tables (rows, size with indexes):", ""]
    lines += [f"- {table}: {rows:,} rows, {total / 2**20:,.0f} MiB" for table, (rows, total) in sizes.items()]
    lines += ["", "Plans now (`EXPLAIN (ANALYZE, BUFFERS)` of the statements each call sent):", ""]
    for q in queries:
        lines += [f"<details><summary>{q.name}</summary>", "", "```"]
        lines += ["\n\n".join(after[q.name].plans), "```", "", "</details>", ""]
    return "\n".join(lines)

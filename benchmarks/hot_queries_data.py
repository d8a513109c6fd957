"""The database the hot-query benchmark runs on: a county-level China in PostgreSQL, built by COPY.

The schema is the product's (Alembic migrations); the rows are generated here, spread as a
long-running deployment would have them: 3,000 sites, most with a few hundred notices and a few with
many thousands, some notices edited several times, every version with the detail snapshot it came
from, a list-page snapshot and a crawl run per site and cycle, listed rows, a current cycle whose
new pages wait for ingest, and an outbox with a backlog of pending deliveries behind its settled ones.
"""

from __future__ import annotations

import json
import math
import random
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

SEED = 14
SUBSCRIPTIONS = 50
VERSIONS_PER_NOTICE = ((1, 0.80), (2, 0.15), (3, 0.04), (6, 0.01))  # (versions, share of notices)
MEAN_VERSIONS = sum(n * share for n, share in VERSIONS_PER_NOTICE)
LIST_PAGE_ROWS = 20  # rows on a list page, the newest first: what a crawl asks about at a time
BODY = zlib.compress("<html><body><div class='article'>正文</div></body></html>".encode() * 4, 6)
HEADERS = json.dumps({"content-type": "text/html; charset=utf-8"})


@dataclass(frozen=True)
class Size:
    """How big a world to build."""

    versions: int
    sources: int
    cycles: int  # past monitor cycles: each left one crawl run and one list snapshot per site
    pending_snapshots: int  # detail pages of the current cycle waiting for ingest
    pending_deliveries: int  # the outbox backlog
    settled_deliveries: int

    @classmethod
    def of(cls, quick: bool) -> Size:
        if quick:
            return cls(versions=50_000, sources=300, cycles=20, pending_snapshots=200,
                       pending_deliveries=2_000, settled_deliveries=25_000)  # fmt: skip
        return cls(versions=1_000_000, sources=3_000, cycles=100, pending_snapshots=2_000,
                   pending_deliveries=20_000, settled_deliveries=500_000)  # fmt: skip


@dataclass
class World:
    """What was built, for the queries to pick their arguments from."""

    now: datetime
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    source_slugs: list[str] = field(default_factory=list)
    notices_per_source: dict[int, int] = field(default_factory=dict)
    sample_notices: list[tuple[int, int, str]] = field(default_factory=list)  # (notice id, source id, url)
    # source id -> the URLs on its first list page: its newest notices, and one not seen yet
    list_page_urls: dict[int, list[str]] = field(default_factory=dict)
    sample_doc_numbers: list[str] = field(default_factory=list)
    pending_snapshot_ids: list[int] = field(default_factory=list)
    current_cycle: str = ""


def _site_sizes(rng: random.Random, size: Size) -> list[int]:
    """Notices per site: most a few hundred (log-normal around 200), one in fifty many thousands."""
    raw = [
        rng.uniform(3_000, 15_000)
        if i % 50 == 7
        else min(1_500.0, max(30.0, rng.lognormvariate(math.log(200), 0.6)))
        for i in range(size.sources)
    ]
    wanted = size.versions / MEAN_VERSIONS
    scale = wanted / sum(raw)
    return [max(1, round(n * scale)) for n in raw]


def _versions_of(rng: random.Random) -> int:
    pick = rng.random()
    for versions, share in VERSIONS_PER_NOTICE:
        if pick < share:
            return versions
        pick -= share
    return 1


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


class _Copier:
    """COPY rows into one table, on a connection of its own (one COPY at a time per connection), so
    several tables fill side by side. Ids are given: rows point at rows of tables still filling."""

    def __init__(self, dsn: str, table: str, columns: str) -> None:
        import psycopg

        self.connection = psycopg.connect(dsn)
        # The generated rows are consistent by construction: skip the per-row foreign-key triggers.
        self.connection.execute("SET session_replication_role = replica")
        self._copying = self.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN")
        self.copy = self._copying.__enter__()
        self.rows = 0

    def row(self, *values: Any) -> None:
        self.copy.write_row(values)
        self.rows += 1

    def close(self) -> int:
        self._copying.__exit__(None, None, None)
        self.connection.commit()
        self.connection.close()
        return self.rows


def build(dsn: str, size: Size) -> World:
    """Fill the empty, migrated PostgreSQL database at ``dsn`` (a libpq DSN); VACUUM ANALYZE it."""
    import psycopg

    started = time.monotonic()
    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    world = World(now=now, current_cycle=f"cycle-{size.cycles:04d}")
    sizes = _site_sizes(rng, size)
    sources = _Copier(dsn, "sources", "id, slug, name, region, base_url, flavour, consecutive_failures, "
                      "baseline_at, created_at")  # fmt: skip
    leases = _Copier(dsn, "site_leases", "slug, holder, acquired_at, expires_at")
    for source_id in range(1, size.sources + 1):
        slug = f"county-{source_id:04d}"
        world.source_slugs.append(slug)
        sources.row(source_id, slug, f"县政府 {source_id}", "某省", f"http://www.s{source_id}.gov.cn/",
                    "trs", 0, now - timedelta(days=400), now - timedelta(days=400))  # fmt: skip
        leases.row(slug, "earlier run", now - timedelta(hours=1), now - timedelta(minutes=30))
    world.counts["sources"] = sources.close()
    leases.close()

    subscriptions = _Copier(dsn, "subscriptions", "id, name, config, active, created_at")
    for sub_id in range(1, SUBSCRIPTIONS + 1):
        subscriptions.row(sub_id, f"subscriber-{sub_id:02d}", "{}", True, now)
    subscriptions.close()

    runs = _Copier(dsn, "crawl_runs", "id, cycle_id, source_id, mode, status, started_at, finished_at, stats")
    snapshots = _Copier(dsn, "raw_snapshots", "id, crawl_run_id, source_id, url, status, headers, body_zlib, "
                        "size, sha256, fetched_at, page_kind, processed_at")  # fmt: skip
    run_id = snapshot_id = 0
    cycle_started = now - timedelta(minutes=15 * size.cycles)
    for cycle in range(size.cycles + 1):
        at = cycle_started + timedelta(minutes=15 * cycle)
        for source_id in range(1, size.sources + 1):
            run_id += 1
            finished = None if cycle == size.cycles else at + timedelta(minutes=5)
            runs.row(run_id, f"cycle-{cycle:04d}", source_id, "monitor", "ok" if finished else "running",
                     at, finished, "{}")  # fmt: skip
            snapshot_id += 1
            snapshots.row(snapshot_id, run_id, source_id, f"http://www.s{source_id}.gov.cn/zwgk/zcwj/index.html",
                          200, HEADERS, BODY, 4096, _hex(rng, 64), at, "list", at)  # fmt: skip
    world.counts["crawl_runs"] = runs.close()
    current_runs = {source_id: run_id - size.sources + source_id for source_id in range(1, size.sources + 1)}

    policies = _Copier(dsn, "policies", "id, doc_number, title, fingerprint, created_at")
    notices = _Copier(dsn, "notices", "id, source_id, policy_id, url, status, consecutive_missing, etag, "
                      "last_modified, first_seen_at, last_checked_at, latest_version_id, published_date")  # fmt: skip
    versions = _Copier(dsn, "notice_versions", "id, notice_id, version_no, record, content_hash, snapshot_id, "
                       "created_at")  # fmt: skip
    listed = _Copier(dsn, "listed_rows", "source_id, url, signature, seen_at")
    changes = _Copier(dsn, "changes", "id, notice_id, policy_id, kind, priority, from_version_id, "
                      "to_version_id, summary, detail, alerted, created_at")  # fmt: skip
    notice_id = version_id = policy_id = change_id = 0
    alerted_changes: list[int] = []
    for source_id, count in enumerate(sizes, start=1):
        world.notices_per_source[source_id] = count
        newest: list[tuple[str, str]] = []  # (published, url) of the site's newest notices
        for _ in range(count):
            notice_id += 1
            # Archives reach back ten years; a fifth of what a site keeps is from the last one.
            age = rng.randrange(3_650) if rng.random() < 0.8 else rng.randrange(365)
            published = None if rng.random() < 0.02 else today - timedelta(days=age)
            published_iso = published.isoformat() if published else None
            url = f"http://www.s{source_id}.gov.cn/zwgk/zcwj/{(published or today):%Y%m}/t{notice_id}.html"
            doc_number = (
                f"某政发〔{(published or today).year}〕{notice_id % 997}号" if rng.random() < 0.7 else None
            )
            if rng.random() < 0.6:
                policy_id += 1
                policies.row(policy_id, doc_number, f"关于印发政策文件{notice_id}的通知", _hex(rng, 64), now)
                this_policy: int | None = policy_id
                if doc_number and len(world.sample_doc_numbers) < 5_000 and rng.random() < 0.05:
                    world.sample_doc_numbers.append(doc_number)
            else:
                this_policy = None
            first_seen = now - timedelta(
                days=age if published else rng.randrange(400), hours=rng.random() * 20
            )
            first_seen = min(first_seen, now - timedelta(hours=1))
            checked = _last_checked(rng, now, published, today)
            status = "active" if rng.random() < 0.97 else rng.choice(("missing", "removed"))
            n_versions = _versions_of(rng)
            for version_no in range(1, n_versions + 1):
                version_id += 1
                snapshot_id += 1
                created = first_seen + (now - first_seen) * ((version_no - 1) / n_versions)
                snapshots.row(snapshot_id, None, source_id, url, 200, HEADERS, BODY, 9000, _hex(rng, 64),
                              created, "notice", created)  # fmt: skip
                record = {"url": url, "title": f"关于印发政策文件{notice_id}的通知", "doc_number": doc_number,
                          "published_date": published_iso, "body": "各乡镇人民政府，县政府各部门：" * 6}  # fmt: skip
                versions.row(version_id, notice_id, version_no, json.dumps(record, ensure_ascii=False),
                             _hex(rng, 64), snapshot_id, created)  # fmt: skip
                if version_no > 1 or rng.random() < 0.1:
                    change_id += 1
                    changes.row(change_id, notice_id, this_policy, "edited" if version_no > 1 else "new",
                                "normal", version_id - 1 if version_no > 1 else None, version_id,
                                "正文有修改", '{"kind": "edited"}', True, created)  # fmt: skip
                    alerted_changes.append(change_id)
            if rng.random() < 0.1:  # an attachment, fetched and stored processed
                snapshot_id += 1
                snapshots.row(snapshot_id, None, source_id, url.replace(".html", ".pdf"), 200, HEADERS, BODY,
                              90000, _hex(rng, 64), first_seen, "attachment", first_seen)  # fmt: skip
            notices.row(notice_id, source_id, this_policy, url, status, 0 if status == "active" else 1,
                        f'"{_hex(rng, 12)}"' if rng.random() < 0.7 else None,
                        "Mon, 01 Dec 2026 08:00:00 GMT" if rng.random() < 0.5 else None,
                        first_seen, checked, version_id, published_iso)  # fmt: skip
            listed.row(
                source_id, url, _hex(rng, 40), now - timedelta(minutes=15 * rng.randrange(size.cycles))
            )
            if len(world.sample_notices) < 20_000 and rng.random() < 0.05:
                world.sample_notices.append((notice_id, source_id, url))
            if len(newest) < LIST_PAGE_ROWS - 1 or (published_iso or "", url) > newest[-1]:
                newest = sorted([*newest, (published_iso or "", url)], reverse=True)[: LIST_PAGE_ROWS - 1]
        unseen = f"http://www.s{source_id}.gov.cn/zwgk/zcwj/{today:%Y%m}/new-on-the-list.html"
        world.list_page_urls[source_id] = [unseen, *(url for _published, url in newest)]
    # The current cycle's new and re-fetched pages, waiting for ingest, on a tenth of the sites.
    busy = rng.sample(range(1, size.sources + 1), max(1, size.sources // 10))
    for n in range(size.pending_snapshots):
        source_id = busy[n % len(busy)]
        snapshot_id += 1
        world.pending_snapshot_ids.append(snapshot_id)
        snapshots.row(snapshot_id, current_runs[source_id], source_id,
                      f"http://www.s{source_id}.gov.cn/zwgk/zcwj/{today:%Y%m}/new{n}.html", 200, HEADERS, BODY,
                      9000, _hex(rng, 64), now - timedelta(minutes=2), None, None)  # fmt: skip
    world.counts["policies"] = policies.close()
    world.counts["notices"] = notices.close()
    world.counts["notice_versions"] = versions.close()
    world.counts["listed_rows"] = listed.close()
    world.counts["changes"] = changes.close()
    world.counts["raw_snapshots"] = snapshots.close()
    world.counts["deliveries"] = _deliveries(dsn, rng, size, alerted_changes, now)
    with psycopg.connect(dsn) as conn:
        for table in ("sources", "subscriptions", "crawl_runs", "raw_snapshots", "policies", "notices",
                      "notice_versions", "changes", "deliveries"):  # fmt: skip
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    vacuum_analyze(dsn)
    world.seconds = time.monotonic() - started
    return world


def _last_checked(rng: random.Random, now: datetime, published: date | None, today: date) -> datetime | None:
    """When the notice was last fetched, as its recheck tier keeps it (see flows/recheck_plan.py)."""
    if rng.random() < 0.01:
        return None  # found on a list, never rechecked yet
    age = (today - published).days if published else None
    if age is not None and age < 7:
        return now - timedelta(minutes=rng.uniform(0, 15))  # every cycle
    if age is not None and age < 90:
        return now - timedelta(hours=rng.uniform(0, 24.5))  # daily
    return now - timedelta(days=rng.uniform(0, 7.05))  # weekly


def _deliveries(dsn: str, rng: random.Random, size: Size, alerted: list[int], now: datetime) -> int:
    """Settled deliveries (sent, a few failed) behind a backlog of pending ones, a few claims in
    flight (some stale) and digest rows waiting for their hour; at most one per (change, subscriber)."""
    deliveries = _Copier(dsn, "deliveries", "id, change_id, subscription_id, status, attempts, next_attempt_at, "
                         "claimed_by, claimed_at, sent_at, results, created_at")  # fmt: skip
    wanted = size.settled_deliveries + size.pending_deliveries + 1_000
    per_change = max(1, min(SUBSCRIPTIONS, math.ceil(wanted / max(1, len(alerted)))))
    delivery_id = 0
    # The newest changes are the ones still waiting: the backlog sits at the end of the outbox.
    for change_id in alerted:
        for subscription_id in rng.sample(range(1, SUBSCRIPTIONS + 1), per_change):
            delivery_id += 1
            if delivery_id > wanted:
                return deliveries.close()
            remaining = wanted - delivery_id
            claimed_by = claimed_at = sent_at = None
            attempts, next_at = 1, now - timedelta(days=rng.uniform(1, 300))
            if remaining < size.pending_deliveries:
                status, attempts = "pending", 0 if rng.random() < 0.9 else 2
                next_at = now + timedelta(minutes=rng.uniform(-30, 10 if attempts else 0))
            elif remaining < size.pending_deliveries + 200:
                status, claimed_by = "sending", "sender on another host"
                claimed_at = now - timedelta(minutes=rng.choice((1, 45)))  # live, or stale past the lease
            elif remaining < size.pending_deliveries + 1_000:
                status, next_at = "digest", now + timedelta(hours=rng.uniform(-1, 20))
            elif rng.random() < 0.01:
                status, attempts = "failed", 5
            else:
                status, sent_at = "sent", next_at
            deliveries.row(delivery_id, change_id, subscription_id, status, attempts, next_at, claimed_by,
                           claimed_at, sent_at, "[]", next_at)  # fmt: skip
    return deliveries.close()


def vacuum_analyze(dsn: str) -> None:
    """VACUUM ANALYZE every table: fresh statistics, and the visibility map autovacuum keeps set."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def table_sizes(dsn: str) -> dict[str, tuple[int, int]]:
    """table -> (rows, total bytes with indexes and TOAST), for the tables the queries read."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT relname, n_live_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables "
            "WHERE relname <> 'alembic_version' ORDER BY pg_total_relation_size(relid) DESC"
        ).fetchall()
    return {name: (int(n), int(size)) for name, n, size in rows}

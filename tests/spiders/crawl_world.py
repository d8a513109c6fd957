"""A temporary SQLite file and real crawls against a running govsim.

``CrawlWorld`` composes a sites directory (the seed entries from ``sites/`` plus govsim's synthetic
ones, with per-test politeness tweaks), points the crawler at govsim through
``POLICYWATCH_SITE_OVERRIDES``, and runs :func:`spiders.run.run_crawl` in a subprocess.
"""

from __future__ import annotations

import itertools
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from govsim.testing import GovsimHandle
from spiders.run import CrawlReport, run_crawl
from storage.db import session_scope
from storage.models import RawSnapshot, Source
from storage.snapshots import snapshot_page

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CrawlWorld:
    govsim: GovsimHandle
    root: Path
    database_url: str = ""
    sites_dir: Path = field(init=False)
    progress: list[str] = field(default_factory=list)  # the last crawl's progress lines
    _cycles: Iterator[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.database_url = self.database_url or f"sqlite:///{self.root / 'policywatch.db'}"
        self.sites_dir = self.root / "sites"
        self.compose_sites()

    def compose_sites(self, politeness: dict[str, dict[str, Any]] | None = None) -> None:
        """Copy every site entry into one directory, overriding ``[politeness]`` keys per slug."""
        self.sites_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.sites_dir.glob("*.toml"):
            stale.unlink()
        politeness = politeness or {}
        for path in [
            *sorted((PROJECT_ROOT / "sites").glob("*.toml")),
            *sorted(self.govsim.sites_dir.glob("*.toml")),
        ]:
            text = path.read_text(encoding="utf-8")
            for key, value in {"timeout": 5.0, **politeness.get(path.stem, {})}.items():
                text = _set_politeness(text, key, value)
            (self.sites_dir / path.name).write_text(text, encoding="utf-8")

    @property
    def env(self) -> dict[str, str]:
        return {
            **self.govsim.environment(database_url=self.database_url, sites_dirs=[self.sites_dir]),
            # Each crawl is a fresh interpreter: cached bytecode (outside the tree) halves its start-up.
            "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "policywatch-test-pycache"),
        }

    def crawl(
        self, slugs: list[str], *, mode: str = "monitor", env: dict[str, str] | None = None, **kwargs: Any
    ) -> CrawlReport:
        """One crawl subprocess; ``env`` adds variables (e.g. settings) to :attr:`env` for this crawl.

        The previous crawl's pages are normalized first, as a cycle would have: a URL counts as
        known only once its snapshot was processed.
        """
        self.normalize_pending()
        cycle_id = f"test-{next(self._cycles)}-{mode}"
        log_file = self.root / "crawl.log"
        self.progress = []
        kwargs.setdefault("on_progress", self.progress.append)
        return run_crawl(
            slugs, cycle_id=cycle_id, mode=mode, env={**self.env, **(env or {})}, log_file=log_file, **kwargs
        )

    def normalize_pending(self) -> None:
        """Ingest every pending snapshot (no subscriptions, so no alerts), in this process."""
        from ingest.batch import ingest_pending
        from storage.db import session_factory

        ingest_pending(session_factory(self.database_url), subscriptions_loader=lambda _s: [], workers=1)

    def snapshots(self, slug: str, *, crawl_run_id: int | None = None) -> list[RawSnapshot]:
        with session_scope(self.database_url) as session:
            query = (
                select(RawSnapshot)
                .join(Source, RawSnapshot.source_id == Source.id)
                .where(Source.slug == slug)
            )
            if crawl_run_id is not None:
                query = query.where(RawSnapshot.crawl_run_id == crawl_run_id)
            return list(session.scalars(query.order_by(RawSnapshot.id)))

    def detail_urls(self, slug: str, **kwargs: Any) -> set[str]:
        return {s.url for s in self.snapshots(slug, **kwargs) if s.page_kind is None and s.status == 200}

    def body(self, snapshot: RawSnapshot) -> bytes:
        return snapshot_page(snapshot).body

    def published_urls(self, slug: str) -> set[str]:
        return {n["url"] for n in self.govsim.admin.notices(slug) if not n.get("removed")}


def _set_politeness(text: str, key: str, value: Any) -> str:
    """``text`` (a site entry whose last table is ``[politeness]``) with ``key = value`` set there."""
    rendered = json.dumps(value, ensure_ascii=False)  # JSON scalars are valid TOML scalars
    if "[politeness]" not in text:
        text += "\n[politeness]\n"
    head, _, section = text.partition("[politeness]")
    pattern = re.compile(rf"^{key}\s*=.*$", re.M)
    section = (
        pattern.sub(f"{key} = {rendered}", section)
        if pattern.search(section)
        else f"\n{key} = {rendered}{section}"
    )
    return f"{head}[politeness]{section}"

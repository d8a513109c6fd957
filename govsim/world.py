"""The simulated web's state: every site's notices, noise epochs, faults and request log.

Notices are generated lazily, a whole site at a time on first access, so a scale world of
50 × 2,000 notices starts instantly and only pays for the sites a crawl touches.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from govsim.content import site_notices
from govsim.faults import Fault
from govsim.model import Notice, SiteSpec
from govsim.noise import CHINA, NoiseView, noise_view
from govsim.sites import catalogue
from govsim.urls import detail_path


@dataclass
class RequestLog:
    """Per-site counters: requests by path kind and status, 304s, bytes sent, recent requests."""

    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    not_modified: int = 0
    bytes_sent: int = 0
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    recent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=200))

    def record(self, method: str, path: str, kind: str, status: int, sent: int, fault: str | None) -> None:
        self.requests += 1
        self.by_kind[kind] += 1
        self.by_status[str(status)] += 1
        self.not_modified += status == 304
        self.bytes_sent += sent
        if fault:
            self.faults[fault] += 1
        self.recent.append({"method": method, "path": path, "kind": kind, "status": status, "fault": fault})

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_kind": dict(self.by_kind),
            "by_status": dict(self.by_status),
            "not_modified": self.not_modified,
            "bytes_sent": self.bytes_sent,
            "faults": dict(self.faults),
            "recent": list(self.recent),
        }


def _publication_time(notice: Notice) -> datetime:
    day = notice.url_date or notice.published
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=CHINA).astimezone(UTC)


class SiteState:
    """One served site: spec, lazily generated notices, and what the admin API has switched."""

    def __init__(self, spec: SiteSpec, seed: int) -> None:
        self.spec = spec
        self.seed = seed
        self.base_url = ""
        self.alias_url: str | None = None  # another host serving the same site (redirect fault)
        self._notices: list[Notice] | None = None
        self.published_count = 0
        self.noise: dict[str, int] = {}
        self.noise_modified: datetime | None = None
        self.faults: dict[str, Fault] = {}
        self.robots_disallow = False
        self.log = RequestLog()
        self.hits = 0
        self.generation = 0  # bumped by reset, so cached pages of the old state are not served

    def notices(self) -> list[Notice]:
        """All notices, removed ones included, newest first."""
        if self._notices is None:
            self._notices = site_notices(self.spec, self.seed)
        return self._notices

    def resort(self) -> None:
        self.notices().sort(key=lambda n: (n.published, int(n.id)), reverse=True)

    def visible(self) -> list[Notice]:
        return [n for n in self.notices() if n.removed is None]

    def notice(self, notice_id: str) -> Notice:
        for n in self.notices():
            if n.id == str(notice_id):
                return n
        raise KeyError(f"site {self.spec.slug}: no notice {notice_id}")

    def url(self, notice: Notice) -> str:
        return self.base_url + detail_path(self.spec, notice)

    def modified(self, notice: Notice | None = None) -> datetime:
        """Last-Modified: the notice's (or the newest notice's) time, or the last republication."""
        if notice is not None:
            times = [notice.modified or _publication_time(notice)]
        else:
            times = [n.modified or _publication_time(n) for n in self.visible()[:50]] or [
                datetime(2000, 1, 1, tzinfo=UTC)
            ]
        if self.noise_modified:
            times.append(self.noise_modified)
        return max(times)

    def bump_noise_modified(self) -> None:
        self.noise_modified = next_modified(self.noise_modified)

    def epochs(self, notice: Notice | None = None) -> dict[str, int]:
        merged = dict(self.noise)
        if notice is not None:
            for kind, value in notice.noise.items():
                merged[kind] = merged.get(kind, 0) + value
        return merged

    def noise_for(self, notice: Notice | None, *, live: bool) -> NoiseView:
        key = f"{self.spec.slug}|{notice.id if notice else 'list'}"
        return noise_view(self.epochs(notice), key=key, live=live and self.spec.dynamic, hits=self.hits)

    def related(self, notice: Notice, count: int = 4) -> list[tuple[str, str]]:
        """Sibling notices for the related-links box (the next ones in the list)."""
        visible = self.visible()
        try:
            at = next(i for i, n in enumerate(visible) if n.id == notice.id)
        except StopIteration:
            at = 0
        siblings = visible[at + 1 : at + 1 + count] or visible[:count]
        return [(n.title, self.url(n)) for n in siblings if n.id != notice.id]

    def describe(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "slug": spec.slug,
            "name": spec.name,
            "flavour": spec.flavour,
            "base_url": self.base_url,
            "alias_url": self.alias_url,
            "list_urls": [self.base_url + spec.list_path],
            "detail_url_pattern": spec.detail_url_pattern,
            "synthetic": spec.synthetic,
            "encoding": spec.encoding,
            "declared_charset": spec.declared_charset,
            "dynamic": spec.dynamic,
            "faults": {k: f.describe() for k, f in self.faults.items()},
            "robots_disallow": self.robots_disallow,
            "notices": len(self._notices)
            if self._notices is not None
            else spec.filler_count + bool(spec.seed_key),
        }


def next_modified(previous: datetime | None) -> datetime:
    """Now, but strictly after ``previous`` by a whole second, so If-Modified-Since sees the change."""
    now = datetime.now(UTC).replace(microsecond=0)
    if previous is not None and now <= previous:
        now = previous + timedelta(seconds=1)
    return now


class World:
    """All sites govsim serves, keyed by slug. Mutations hold ``lock``."""

    def __init__(
        self, seed: int = 7, *, scale: tuple[int, int] | None = None, sites: list[str] | None = None
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.only = sites
        self.lock = threading.RLock()
        self.sites: dict[str, SiteState] = {s.slug: SiteState(s, seed) for s in catalogue(scale, sites)}

    def site(self, slug: str) -> SiteState:
        try:
            return self.sites[slug]
        except KeyError:
            raise KeyError(f"unknown site {slug!r}; known: {', '.join(sorted(self.sites))}") from None

    def reset(self) -> None:
        """Back to the state at start: notices regenerated, noise, faults and logs cleared."""
        with self.lock:
            for state in self.sites.values():
                base, alias, generation = state.base_url, state.alias_url, state.generation
                state.__init__(state.spec, self.seed)  # type: ignore[misc]
                state.base_url, state.alias_url, state.generation = base, alias, generation + 1

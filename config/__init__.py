"""PolicyWatch's settings: every ``POLICYWATCH_*`` environment variable, typed, in one place.

Every stage reads its settings through :func:`current`, never from ``os.environ`` itself, so
each variable has one name, one default, one parser and one line of documentation (the README's
configuration table is checked against :data:`FIELDS` by a test). A malformed value is an error
that names the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "POLICYWATCH_"


class SettingsError(ValueError):
    """A ``POLICYWATCH_*`` variable holds a value that cannot be used."""


# The backends PolicyWatch is built and tested on; the key is the URL's scheme.
_DATABASE_SCHEMES = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite+pysqlite",
    "postgresql+psycopg": "postgresql+psycopg",
    # SQLAlchemy reads a bare postgresql:// as psycopg2, which is not installed: use psycopg (3).
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
}


def _database_url(raw: str) -> str:
    scheme, sep, rest = raw.partition("://")
    if not sep:
        raise ValueError("not a database URL; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
    backend = _DATABASE_SCHEMES.get(scheme.lower())
    if backend is None:
        raise ValueError(
            f"unsupported database {scheme!r}; PolicyWatch runs on SQLite (sqlite:///PATH) "
            "and PostgreSQL (postgresql+psycopg://USER@HOST/DB)"
        )
    return f"{backend}://{rest}"


def _path_list(raw: str) -> tuple[Path, ...]:
    return tuple(Path(p) for p in raw.split(os.pathsep) if p)


def _url_list(raw: str) -> tuple[str, ...]:
    return tuple(u.strip() for u in raw.split(",") if u.strip())


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def _non_negative_float(raw: str) -> float:
    value = float(raw)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _setting(
    env: str,
    default: Any,
    parse: Callable[[str], Any],
    doc: str,
    shown_default: str,
    *,
    secret: bool = False,
) -> Any:
    """One setting; ``secret``: its value may hold a password, so an error never repeats it."""
    return field(
        default=default,
        metadata={"env": env, "parse": parse, "doc": doc, "shown_default": shown_default, "secret": secret},
    )


@dataclass(frozen=True)
class Settings:
    """The settings in force, parsed from the environment by :meth:`from_environ`."""

    database_url: str = _setting(
        "POLICYWATCH_DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'var' / 'policywatch.db'}",
        _database_url,
        "e.g. `postgresql+psycopg://user@host/db` in production; migrations apply on first use",
        "`sqlite:///./var/policywatch.db`",
        secret=True,
    )
    subscriptions_path: Path = _setting(
        "POLICYWATCH_SUBSCRIPTIONS",
        Path("subscriptions.toml"),
        Path,
        "subscribers and their filters; see `subscriptions.example.toml`",
        "`./subscriptions.toml`",
    )
    sites_dirs: tuple[Path, ...] = _setting(
        "POLICYWATCH_SITES_DIRS",
        (PROJECT_ROOT / "sites",),
        _path_list,
        "site registry folders (`:`-separated)",
        "`./sites`",
    )
    site_overrides_path: Path | None = _setting(
        "POLICYWATCH_SITE_OVERRIDES",
        None,
        Path,
        "a JSON file `{slug: base_url}` or `{slug: {base_url, allow_private_network}}`; govsim writes one so real entries run against the replica",
        "—",
    )
    removal_checks: int = _setting(
        "POLICYWATCH_REMOVAL_CHECKS",
        3,
        _positive_int,
        "consecutive 404/410 answers before a notice counts as removed",
        "`3`",
    )
    ingest_workers: int | None = _setting(
        "POLICYWATCH_INGEST_WORKERS",
        None,
        _positive_int,
        "processes that run extraction in parallel for batches of 50+ pages; `1` extracts in-process",
        "min(CPUs, 4)",
    )
    robots_ttl_hours: float = _setting(
        "POLICYWATCH_ROBOTS_TTL_HOURS",
        24.0,
        _non_negative_float,
        "how long a site's robots.txt is reused from the database before it is fetched again",
        "`24`",
    )
    send_budget_seconds: float = _setting(
        "POLICYWATCH_SEND_BUDGET_SECONDS",
        600.0,
        _non_negative_float,
        "how long one cycle's send step may drain the outbox; the rest goes out next cycle",
        "`600`",
    )
    site_lease_seconds: float = _setting(
        "POLICYWATCH_SITE_LEASE_SECONDS",
        600.0,
        _non_negative_float,
        "how long a run that died keeps its sites' crawl leases; a live run renews them every third of it",
        "`600`",
    )
    ops_urls: tuple[str, ...] = _setting(
        "POLICYWATCH_OPS_URLS",
        (),
        _url_list,
        "Apprise URLs (comma-separated) for the ops alert about sites failing 3+ cycles in a row",
        "—",
        secret=True,
    )
    delay_scale: float = _setting(
        "POLICYWATCH_DELAY_SCALE",
        1.0,
        _non_negative_float,
        "multiplies every politeness delay; for local replicas only (the demo and tests use `0.01`)",
        "`1`",
    )
    snapshot_batch_size: int = _setting(
        "POLICYWATCH_SNAPSHOT_BATCH_SIZE",
        50,
        _positive_int,
        "pages the crawler writes to the database in one transaction at most",
        "`50`",
    )
    snapshot_batch_seconds: float = _setting(
        "POLICYWATCH_SNAPSHOT_BATCH_SECONDS",
        0.2,
        _non_negative_float,
        "how long the crawler waits to fill a batch of pages before it writes a shorter one",
        "`0.2`",
    )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Parse the ``POLICYWATCH_*`` variables of ``environ`` (default: this process's).

        An empty variable counts as unset."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in FIELDS:
            raw = environ.get(spec.metadata["env"], "").strip()
            if not raw:
                continue
            try:
                values[spec.name] = spec.metadata["parse"](raw)
            except ValueError as exc:
                shown = spec.metadata["env"] if spec.metadata["secret"] else f"{spec.metadata['env']}={raw!r}"
                raise SettingsError(f"{shown}: {exc}") from exc
        return cls(**values)


FIELDS = tuple(fields(Settings))
ENV_NAMES = tuple(spec.metadata["env"] for spec in FIELDS)

_cache: dict[tuple[tuple[str, str], ...], Settings] = {}


def current() -> Settings:
    """The settings of this process's environment as it is now.

    Parsed once per distinct set of values, so reading them on every call costs a dict lookup,
    and a test or a CLI command that changes the environment sees the change."""
    key = tuple((name, os.environ.get(name, "")) for name in ENV_NAMES)
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = Settings.from_environ()
    return found


def markdown_table() -> str:
    """The README's configuration table, as it must read (a test compares the two)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for spec in FIELDS:
        meta = spec.metadata
        rows.append(f"| `{meta['env']}` | {meta['shown_default']} | {meta['doc']} |")
    return "\n".join(rows)

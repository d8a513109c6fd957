"""Engines and sessions. Migrations are applied on first use of a database URL, under a lock."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, pool, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# pg_advisory_lock key shared by every PolicyWatch process (and storage/migrations/env.py).
MIGRATION_LOCK_KEY = 0x506F6C6963

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def database_url() -> str:
    """The settings' ``database_url``: $POLICYWATCH_DATABASE_URL, or an SQLite file under ./var."""
    return config.current().database_url


def redact_url(url: str) -> str:
    """The URL with its password hidden, for logs and CLI output."""
    return make_url(url).render_as_string(hide_password=True)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used as it is: missing, unreachable, or behind the code's migrations."""


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        # WAL + a generous busy timeout let the crawler subprocess, the flow and the sender share one file.
        # WAL stays set in the file: asking again while another process writes can fail at once
        # with "database is locked" (the busy timeout does not cover it), so only a new file asks.
        cursor.execute("PRAGMA busy_timeout=30000")
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def migrate(url: str) -> None:
    """Bring the database at ``url`` up to the newest Alembic revision.

    Holds :func:`migration_lock` throughout, so processes that first use a fresh database at the
    same moment migrate it one after the other (the later ones find it current).
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    with migration_lock(url):
        config.attributes["migration_lock_held"] = True
        command.upgrade(config, "head")


@contextmanager
def migration_lock(url: str) -> Iterator[None]:
    """One migrating process per database: pg_advisory_lock on PostgreSQL, an fcntl lock on the
    file ``<database>.migrate.lock`` next to an SQLite database (none for in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            yield
            return
        lock_path = Path(parsed.database).with_name(Path(parsed.database).name + ".migrate.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    if parsed.get_backend_name() != "postgresql":
        yield
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()


def _migrate_reachable(url: str) -> None:
    """:func:`migrate`, with an unreachable server or missing database said in one line."""
    from sqlalchemy.exc import OperationalError

    try:
        migrate(url)
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise DatabaseUnavailable(f"cannot open the database {redact_url(url)}: {reason}") from exc


def get_engine(url: str | None = None, *, apply_migrations: bool = True) -> Engine:
    """A cached engine for ``url`` (default: :func:`database_url`), migrated on first use."""
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            _configure_sqlite(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        if apply_migrations:
            _migrate_reachable(url)
        if parsed.get_backend_name() == "sqlite":
            # Migrations write the file through their own engine: one connection of this one puts
            # it in WAL mode now, before processes that open it next race to switch it.
            with engine.connect():
                pass
        _engines[url] = engine
        return engine


def open_existing(url: str | None = None) -> sessionmaker[Session]:
    """Sessions on a database that exists and is migrated, for the commands that only read or re-queue.

    Unlike :func:`session_factory` it never creates or migrates anything (only ``db upgrade`` and the
    cycle commands do), so a misspelt SQLite path is an error instead of a new empty database.
    Raises :class:`DatabaseUnavailable` with what to do.
    """
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    url = url or database_url()
    shown = redact_url(url)
    parsed = make_url(url)
    on_disk = parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
    if on_disk and not Path(str(parsed.database)).is_file():
        raise DatabaseUnavailable(
            f"no database at {parsed.database}: check POLICYWATCH_DATABASE_URL, "
            "or create it with `policywatch db upgrade` (a cycle does too)"
        )
    engine = get_engine(url, apply_migrations=False)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseUnavailable(f"cannot open the database {shown}: {reason}") from exc
    alembic_config = Config()
    alembic_config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(alembic_config).get_current_head()
    if revision != head:
        raise DatabaseUnavailable(
            f"the database {shown} is at revision {revision or '(none: empty)'}, this version needs {head}: "
            "run `policywatch db upgrade`"
        )
    return sessionmaker(engine, expire_on_commit=False)


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def row_counts(session: Session) -> dict[str, int]:
    """How many rows the pipeline's main tables hold, by table name, in pipeline order."""
    from storage import models

    tables = (
        models.Source,
        models.CrawlRun,
        models.RawSnapshot,
        models.Notice,
        models.NoticeVersion,
        models.Change,
        models.Subscription,
        models.Delivery,
    )
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0 for model in tables
    }

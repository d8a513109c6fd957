"""Fixtures shared by every stage's tests: databases (SQLite file, PostgreSQL) and Prefect."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_POSTGRES = os.environ.get("POLICYWATCH_REQUIRE_POSTGRES") == "1"
POSTGRES_URL = os.environ.get(
    "POLICYWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_admin_dsn() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(_postgres_admin_dsn(), connect_timeout=3):
            return None
    except Exception as exc:  # any failure means "not here"
        return (
            f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}: {str(exc).strip()[:200]}"
        )


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL URL; skips (or fails, when POLICYWATCH_REQUIRE_POSTGRES=1) if none runs."""
    reason = postgres_available()
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(f"POLICYWATCH_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(f"{reason} (set POLICYWATCH_TEST_POSTGRES_URL, or run PostgreSQL on 127.0.0.1:5432)")
    return POSTGRES_URL


@pytest.fixture()
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"pw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    yield url
    from storage.db import dispose_engines

    dispose_engines()
    with psycopg.connect(_postgres_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'policywatch.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes this runs on an SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'policywatch.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture()
def pipeline_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> str:
    """Point every stage (and crawler subprocesses) at the test database."""
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("POLICYWATCH_SUBSCRIPTIONS", str(tmp_path / "subscriptions.toml"))
    return database_url


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A throwaway Prefect API for the tests that run flows (starts in 10–25 s, once per worker)."""
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield

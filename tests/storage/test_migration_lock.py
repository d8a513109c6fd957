"""Processes that first use a fresh database at the same instant migrate it one after the other.

Real processes, started together on a fresh SQLite file or PostgreSQL database: each one must
exit cleanly, without a traceback, and leave the schema at the newest revision.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
PROCESSES = 4
# One attempt per engine in `make test`; the soak runs more (the race is lost about every other
# attempt on SQLite without the lock).
ATTEMPTS = [0, *(pytest.param(n, marks=pytest.mark.soak) for n in range(1, 10))]
MIGRATOR = """
import sys, time
from storage.db import migrate
url, start = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
migrate(url)
"""


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return str(ScriptDirectory.from_config(config).get_current_head())


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_concurrent_first_use_of_a_fresh_database_is_safe(database_url: str, attempt: int) -> None:
    start = time.time() + 2.5  # every process has imported Alembic and SQLAlchemy by then
    migrators = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATOR, database_url, str(start)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    errors = [migrator.communicate(timeout=120)[1] for migrator in migrators]
    for migrator, err in zip(migrators, errors, strict=True):
        assert migrator.returncode == 0 and "Traceback" not in err, err
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
    finally:
        engine.dispose()

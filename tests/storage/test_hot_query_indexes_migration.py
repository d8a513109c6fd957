"""Revision 0006 adds the indexes the hot queries need at scale, and takes them away on downgrade.

On an SQLite file and on PostgreSQL (skipped with the reason when none runs, unless
POLICYWATCH_REQUIRE_POSTGRES=1): upgraded from 0005 the indexes are there, with the claimable
deliveries' index partial; downgraded to 0005 they are gone and the rest of the schema is as it was;
upgraded again they are back. (Revision 0007 replaces the two notices indexes by two-column ones.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

# (index, table, columns, words of its partial-index condition or None)
ADDED = [
    ("ix_notices_published_date", "notices", ["published_date"], None),
    ("ix_notices_last_checked_at", "notices", ["last_checked_at"], None),
    ("ix_deliveries_claimable", "deliveries", ["next_attempt_at", "id"], ("status", "pending", "sending")),
]


def _alembic(url: str, action: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    getattr(command, action)(config, revision)


def _indexes(url: str) -> dict[str, tuple[str, list[str], str]]:
    """index name -> (table, columns, the SQL that defines it), for every index of every table."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                rows = connection.execute(
                    text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
                )
            else:
                rows = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
            definitions = {name: str(sql or "") for name, sql in rows}
            inspector = inspect(connection)
            return {
                str(index["name"]): (
                    table,
                    [str(c) for c in index["column_names"]],
                    definitions.get(str(index["name"]), ""),
                )
                for table in inspector.get_table_names()
                for index in inspector.get_indexes(table)
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize(("name", "table", "columns", "condition"), ADDED, ids=[row[0] for row in ADDED])
def test_0006_adds_the_index_and_its_downgrade_removes_it(
    database_url: str, name: str, table: str, columns: list[str], condition: tuple[str, ...] | None
) -> None:
    _alembic(database_url, "upgrade", "0005")
    before = _indexes(database_url)
    assert name not in before

    _alembic(database_url, "upgrade", "0006")
    upgraded = _indexes(database_url)
    assert upgraded[name][:2] == (table, columns)
    definition = upgraded[name][2].lower()
    if condition is None:
        assert " where " not in definition, definition
    else:
        where = definition.split(" where ", 1)[1]
        assert all(word in where for word in condition), definition
    assert {k: v for k, v in upgraded.items() if k not in {row[0] for row in ADDED}} == before

    _alembic(database_url, "downgrade", "0005")
    assert _indexes(database_url) == before

    _alembic(database_url, "upgrade", "0006")
    assert _indexes(database_url)[name] == upgraded[name]

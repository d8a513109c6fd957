"""Revision 0008 puts covering indexes of the due rechecks in place of 0007's two-column ones, and
its downgrade puts those back.

On an SQLite file and on PostgreSQL (skipped with the reason when none runs, unless
POLICYWATCH_REQUIRE_POSTGRES=1): upgraded from 0007 the new indexes have the same key columns in
order, on PostgreSQL INCLUDE the columns a recheck reads, and the replaced ones are gone, the rest
of the schema as it was; downgraded to 0007 the schema is as it was; upgraded again the new indexes
are back.
"""

from __future__ import annotations

import pytest

from tests.storage.test_hot_query_indexes_migration import _alembic, _indexes

# (index, table, key columns)
ADDED = [
    ("ix_notices_recheck_by_age", "notices", ["published_date", "last_checked_at"]),
    ("ix_notices_recheck_by_check", "notices", ["last_checked_at", "published_date"]),
]
INCLUDED = "include (source_id, url, status, etag, last_modified)"
REPLACED = ["ix_notices_published_checked", "ix_notices_checked_published"]


def test_0008_adds_covering_indexes_in_place_of_the_two_column_ones_and_its_downgrade_restores_them(
    database_url: str,
) -> None:
    _alembic(database_url, "upgrade", "0007")
    before = _indexes(database_url)
    assert set(REPLACED) <= set(before)
    assert not {name for name, *_ in ADDED} & set(before)

    _alembic(database_url, "upgrade", "0008")
    upgraded = _indexes(database_url)
    for name, table, columns in ADDED:
        assert upgraded[name][:2] == (table, columns), name
        definition = upgraded[name][2].lower()
        assert " where " not in definition, definition
        if database_url.startswith("postgresql"):
            assert definition.endswith(INCLUDED), definition
    assert not set(REPLACED) & set(upgraded)
    unchanged = {name for name in before if name not in REPLACED}
    assert {k: upgraded[k] for k in unchanged} == {k: before[k] for k in unchanged}

    _alembic(database_url, "downgrade", "0007")
    assert _indexes(database_url) == before

    _alembic(database_url, "upgrade", "0008")
    assert {name: _indexes(database_url)[name] for name, *_ in ADDED} == {
        name: upgraded[name] for name, *_ in ADDED
    }


@pytest.mark.parametrize("name", [row[0] for row in ADDED])
def test_the_models_declare_the_covering_index(name: str) -> None:
    from storage.models import Base

    declared = {
        index.name: index.dialect_options["postgresql"]["include"]
        for table in Base.metadata.tables.values()
        for index in table.indexes
    }
    assert list(declared[name]) == ["source_id", "url", "status", "etag", "last_modified"]
    assert not set(REPLACED) & set(declared)

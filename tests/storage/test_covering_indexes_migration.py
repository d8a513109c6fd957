"""Revision 0007 adds the covering and two-column indexes of the hot queries, in place of 0006's
one-column notices indexes, and its downgrade puts those back.

On an SQLite file and on PostgreSQL (skipped with the reason when none runs, unless
POLICYWATCH_REQUIRE_POSTGRES=1): upgraded from 0006 the new indexes are there with their columns in
order and the replaced ones are gone, the rest of the schema as it was; downgraded to 0006 the
schema is as it was; upgraded again the new indexes are back.
"""

from __future__ import annotations

import pytest

from tests.storage.test_hot_query_indexes_migration import _alembic, _indexes

# (index, table, columns)
ADDED = [
    (
        "ix_raw_snapshots_known_urls",
        "raw_snapshots",
        ["source_id", "url", "status", "page_kind", "processed_at"],
    ),
    ("ix_listed_rows_signatures", "listed_rows", ["source_id", "url", "signature"]),
    ("ix_notices_published_checked", "notices", ["published_date", "last_checked_at"]),
    ("ix_notices_checked_published", "notices", ["last_checked_at", "published_date"]),
]
REPLACED = ["ix_notices_published_date", "ix_notices_last_checked_at"]


def test_0007_adds_the_indexes_in_place_of_the_one_column_ones_and_its_downgrade_restores_them(
    database_url: str,
) -> None:
    _alembic(database_url, "upgrade", "0006")
    before = _indexes(database_url)
    assert set(REPLACED) <= set(before)
    assert not {name for name, *_ in ADDED} & set(before)

    _alembic(database_url, "upgrade", "0007")
    upgraded = _indexes(database_url)
    for name, table, columns in ADDED:
        assert upgraded[name][:2] == (table, columns), name
        assert " where " not in upgraded[name][2].lower(), upgraded[name][2]
    assert not set(REPLACED) & set(upgraded)
    unchanged = {name for name in before if name not in REPLACED}
    assert {k: upgraded[k] for k in unchanged} == {k: before[k] for k in unchanged}

    _alembic(database_url, "downgrade", "0006")
    assert _indexes(database_url) == before

    _alembic(database_url, "upgrade", "head")
    assert {name: _indexes(database_url)[name] for name, *_ in ADDED} == {
        name: upgraded[name] for name, *_ in ADDED
    }


@pytest.mark.parametrize("name", [row[0] for row in ADDED])
def test_the_models_declare_the_index(name: str) -> None:
    from storage.models import Base

    declared = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    assert name in declared
    assert not set(REPLACED) & declared

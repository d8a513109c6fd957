"""covering indexes for the due rechecks: each tier's range read from the index alone

At 3,000 sites and 1,000,000 stored versions (docs/benchmarks.md, "Hot database queries"), the due
rechecks (``storage.revisits.notices_due_of_sites``) found their notices by ranges of revision
0007's two-column indexes, then read every due row from the table for the five columns a recheck
needs. The same two indexes, holding those columns after their keys (PostgreSQL's INCLUDE), answer
each range of ``storage.versions.recheck_due_ranges`` by an index-only scan: ``(published_date,
last_checked_at)`` the dated tiers, ``(last_checked_at, published_date)`` the old and undated ones.
SQLite has no INCLUDE: there they are the two-column indexes they replace, renamed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# What a recheck reads of a due notice (storage.revisits.RecheckTarget, its site by source_id).
RECHECK_COLUMNS = ["source_id", "url", "status", "etag", "last_modified"]
ADDED = [
    ("ix_notices_recheck_by_age", "notices", ["published_date", "last_checked_at"]),
    ("ix_notices_recheck_by_check", "notices", ["last_checked_at", "published_date"]),
]
REPLACED = [
    ("ix_notices_published_checked", "notices", ["published_date", "last_checked_at"]),
    ("ix_notices_checked_published", "notices", ["last_checked_at", "published_date"]),
]


def upgrade() -> None:
    for name, table, columns in ADDED:
        op.create_index(name, table, columns, postgresql_include=RECHECK_COLUMNS)
    for name, table, _columns in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns)
    for name, table, _columns in reversed(ADDED):
        op.drop_index(name, table_name=table)

"""covering indexes for the spider's per-site reads, and two-column indexes for the due rechecks

At 3,000 sites and 1,000,000 stored versions (docs/benchmarks.md, "Hot database queries"):
- the known URLs a site's crawl starts from (``storage.snapshots.known_urls``) read every snapshot
  row of the site to test its status, kind and processing; an index holding those columns after
  the URL answers from the index alone (an index-only scan, its URLs already in order);
- the signatures of a site's list rows (``storage.listed.listed_signatures``): the same, with the
  signature after the primary key's columns;
- the due rechecks (``storage.versions.recheck_due``) select ranges of ``published_date`` and
  ``last_checked_at`` together: ``(published_date, last_checked_at)`` answers the dated tiers and
  ``(last_checked_at, published_date)`` the old and undated ones, each without visiting the rows
  that are not due. They take the place of revision 0006's one-column indexes, which are their
  prefixes (and which the planner preferred, visiting every recent notice to find the stale ones).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

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
REPLACED = [
    ("ix_notices_published_date", "notices", ["published_date"]),
    ("ix_notices_last_checked_at", "notices", ["last_checked_at"]),
]


def upgrade() -> None:
    for name, table, columns in ADDED:
        op.create_index(name, table, columns)
    for name, table, _columns in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns)
    for name, table, _columns in reversed(ADDED):
        op.drop_index(name, table_name=table)

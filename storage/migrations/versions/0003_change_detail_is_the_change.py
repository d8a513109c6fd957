"""a stored change's detail is exactly Change.to_dict()

Until now ingest stored ``{"change": Change.to_dict(), "record": {...}}``; the record part
repeated fields of the version the change points to, which is where the alerts read them now.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 500
# What the old shape left out of its copy of the record.
OLD_RECORD_OMITS = ("paragraphs", "outline", "responsibilities")

changes = sa.table(
    "changes",
    sa.column("id", sa.Integer),
    sa.column("detail", sa.JSON),
    sa.column("from_version_id", sa.Integer),
    sa.column("to_version_id", sa.Integer),
)
versions = sa.table("notice_versions", sa.column("id", sa.Integer), sa.column("record", sa.JSON))


def _rows(bind: sa.Connection) -> Iterator[Any]:
    """Every change, in batches by id (a large table is never loaded at once)."""
    last = 0
    while True:
        rows = bind.execute(
            sa.select(changes).where(changes.c.id > last).order_by(changes.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _rewrite(reshape: Callable[[sa.Connection, Any], dict[str, Any] | None]) -> None:
    bind = op.get_bind()
    for row in _rows(bind):
        detail = reshape(bind, row)
        if detail is not None:
            bind.execute(changes.update().where(changes.c.id == row.id).values(detail=detail))


def _new_shape(_bind: sa.Connection, row: Any) -> dict[str, Any] | None:
    detail = row.detail
    if isinstance(detail, dict) and "kind" not in detail and isinstance(detail.get("change"), dict):
        return dict(detail["change"])
    return None  # already Change.to_dict()


def _old_shape(bind: sa.Connection, row: Any) -> dict[str, Any] | None:
    """The shape the code before this revision reads: the change, and the record of the version
    it was detected on (the new version; for a removal, the last one)."""
    detail = row.detail
    if not isinstance(detail, dict) or "kind" not in detail:
        return None
    old: dict[str, Any] = {"change": detail}
    version_id = row.to_version_id or row.from_version_id
    if version_id is not None:
        record = bind.execute(sa.select(versions.c.record).where(versions.c.id == version_id)).scalar()
        if isinstance(record, dict):
            old["record"] = {k: v for k, v in record.items() if k not in OLD_RECORD_OMITS}
    return old


def upgrade() -> None:
    _rewrite(_new_shape)


def downgrade() -> None:
    _rewrite(_old_shape)

"""listed rows keep the 文号 and 索引号 a list row carried, for notices whose own page lacks them

gkmlpt's, UCAP's and IGS's JSON lists and Wuhan's script-drawn rows name each document's 文号 (and
gkmlpt its 索引号); ingest fills them into a notice whose page does not show them
(``storage.listed.listed_metadata``). Adding nullable columns rewrites nothing on PostgreSQL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listed_rows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("doc_number", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("index_number", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("listed_rows", schema=None) as batch_op:
        batch_op.drop_column("index_number")
        batch_op.drop_column("doc_number")

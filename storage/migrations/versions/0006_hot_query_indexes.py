"""indexes for the hot queries at scale: due rechecks by age tier, and the outbox claim

At 3,000 sites and 1,000,000 stored versions (docs/benchmarks.md, "Hot database queries"):
- the monitor's and the nightly recheck's due notices (``storage.versions.notices_due_for_recheck``)
  read the whole ``notices`` table: the tiers select by ``published_date`` and ``last_checked_at``,
  which had no index;
- the sender's claim (``storage.outbox.claim_due``) sorted every pending delivery to take the 100
  oldest; a partial index on the claimable rows, in claim order, lets it read just those.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CLAIMABLE = "status IN ('pending', 'sending')"


def upgrade() -> None:
    op.create_index("ix_notices_published_date", "notices", ["published_date"])
    op.create_index("ix_notices_last_checked_at", "notices", ["last_checked_at"])
    op.create_index(
        "ix_deliveries_claimable",
        "deliveries",
        ["next_attempt_at", "id"],
        postgresql_where=sa.text(CLAIMABLE),
        sqlite_where=sa.text(CLAIMABLE),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_claimable", table_name="deliveries")
    op.drop_index("ix_notices_last_checked_at", table_name="notices")
    op.drop_index("ix_notices_published_date", table_name="notices")

"""outbox watch indexes: undelivered rows by status and due time; attempts by finish time

Revision ID: 0013_outbox_watch_indexes
Revises: 0012_audit_streams
Create Date: 2026-11-29 09:40:00

The supervisors of every hub process (lease expiry, due destinations), /readyz and the backlog
gauges look for undelivered rows across all destinations; a partial index keeps that to the rows
still in the outbox, however many were delivered.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_outbox_watch_indexes"
down_revision = "0012_audit_streams"
branch_labels = None
depends_on = None

UNDELIVERED = sa.text("status IN ('pending', 'in_flight')")


def upgrade() -> None:
    op.create_index("ix_deliveries_undelivered", "deliveries", ["status", "next_attempt_at"],
                    postgresql_where=UNDELIVERED, sqlite_where=UNDELIVERED)
    op.create_index("ix_delivery_attempts_finished_at", "delivery_attempts", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_delivery_attempts_finished_at", table_name="delivery_attempts")
    op.drop_index("ix_deliveries_undelivered", table_name="deliveries")

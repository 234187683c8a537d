"""derive failures: messages whose mapped forms could not be made, retried with backoff

Revision ID: 0015_derive_failures
Revises: 0014_imported_records_key_order
Create Date: 2026-11-29 12:40:00

The derive stage kept failed messages in memory and tried them again only when a process started.
Kept in the store, every hub process (and the console) sees why a mapping failed, and the running
dispatch process retries each one when its ``next_attempt_at`` comes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_derive_failures"
down_revision = "0014_imported_records_key_order"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "derive_failures",
        sa.Column("message_seq", BigInt, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_seq"], ["messages.seq"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_seq"),
    )
    op.create_index("ix_derive_failures_next_attempt_at", "derive_failures", ["next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_derive_failures_next_attempt_at", table_name="derive_failures")
    op.drop_table("derive_failures")

"""audit group links: messages and delivery attempts carry the seq of their group's audit entry

Revision ID: 0016_audit_group_links
Revises: 0015_derive_failures
Create Date: 2026-11-29 15:10:00

An accept group and a group of delivery outcomes each add one audit entry listing every message
(or attempt) of the group; the rows point at it, so one message finds its entries without reading
JSON. Rows written before keep their one entry each, found by subject — an index makes that lookup
(and the console's, for operator actions named by receipt id) a lookup instead of a scan; with one
entry per group instead of one per message, the index costs little on insert.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_audit_group_links"
down_revision = "0015_derive_failures"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("audit_seq", BigInt, nullable=True))
    with op.batch_alter_table("delivery_attempts") as batch:
        batch.add_column(sa.Column("audit_seq", BigInt, nullable=True))
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    with op.batch_alter_table("delivery_attempts") as batch:
        batch.drop_column("audit_seq")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("audit_seq")

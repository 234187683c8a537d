"""audit streams: the chain is split into a fixed set of streams, each with its own head row

Revision ID: 0012_audit_streams
Revises: 0011
Create Date: 2026-11-29 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_audit_streams"
down_revision = "0011"
branch_labels = None
depends_on = None

STREAMS = 32  # broker.audit.STREAMS at the time of this revision
GENESIS = "0" * 64


def upgrade() -> None:
    # entries written before streams existed form stream 1, whose head is the old single head row
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("stream", sa.Integer(), nullable=False, server_default="1"))
        batch.create_index("ix_audit_log_stream_seq", ["stream", "seq"])
    heads = sa.table("audit_head", sa.column("id", sa.Integer), sa.column("last_seq", sa.BigInteger),
                     sa.column("last_hash", sa.String))
    present = {row[0] for row in op.get_bind().execute(sa.select(heads.c.id))}
    missing = [{"id": i, "last_seq": 0, "last_hash": GENESIS} for i in range(1, STREAMS + 1) if i not in present]
    if missing:
        op.bulk_insert(heads, missing)


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_stream_seq")
        batch.drop_column("stream")
    op.execute(sa.text("DELETE FROM audit_head WHERE id > 1"))

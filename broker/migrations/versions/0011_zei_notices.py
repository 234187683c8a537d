"""個人住民税: the notice projection and the signed 正本 per recipient

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "zei_notices",
        sa.Column("message_seq", BigInt, nullable=False),
        sa.Column("lg_code", sa.String(length=6), nullable=False),
        sa.Column("nendo", sa.Integer(), nullable=False),
        sa.Column("shitei_no", sa.String(length=15), nullable=False),
        sa.Column("tsuchi_kubun", sa.String(length=1), nullable=False),
        sa.Column("tsuchi_date", sa.String(length=10), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_seq"], ["messages.seq"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_seq"),
    )
    op.create_index("ix_zei_notices_employer", "zei_notices", ["lg_code", "shitei_no", "nendo"])
    op.create_index("ix_zei_notices_nendo", "zei_notices", ["lg_code", "nendo"])
    op.create_table(
        "zei_seihon",
        sa.Column("message_seq", BigInt, nullable=False),
        sa.Column("system_id", sa.String(length=64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_seq"], ["messages.seq"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_seq", "system_id"),
    )


def downgrade() -> None:
    op.drop_table("zei_seihon")
    op.drop_index("ix_zei_notices_nendo", table_name="zei_notices")
    op.drop_index("ix_zei_notices_employer", table_name="zei_notices")
    op.drop_table("zei_notices")

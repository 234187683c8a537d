"""notifications: subscribers, topics, guardian links, notices, rule state, keys

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-29 06:15:05.928427
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('notify_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('notify_rule_state',
    sa.Column('rule_id', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('rule_id', 'subject')
    )
    op.create_table('notify_subscribers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lg_code', 'address_hash', name='uq_notify_subscribers_address')
    )
    op.create_table('notify_guardian_links',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('subscriber_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tag_id', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['notify_subscribers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subscriber_id', 'tag_id', name='uq_notify_guardian_links')
    )
    with op.batch_alter_table('notify_guardian_links', schema=None) as batch_op:
        batch_op.create_index('ix_notify_guardian_links_tag', ['tag_id'], unique=False)

    op.create_table('notify_notices',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('rule_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('window', sa.String(length=64), nullable=False),
    sa.Column('subscriber_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('message_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subscriber_id'], ['notify_subscribers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rule_id', 'subject', 'window', 'subscriber_id', name='uq_notify_notices_dedup')
    )
    with op.batch_alter_table('notify_notices', schema=None) as batch_op:
        batch_op.create_index('ix_notify_notices_status', ['status', 'subscriber_id'], unique=False)
        batch_op.create_index('ix_notify_notices_subscriber', ['subscriber_id', 'created_at'], unique=False)

    op.create_table('notify_topics',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('subscriber_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['subscriber_id'], ['notify_subscribers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subscriber_id', 'kind', 'key', name='uq_notify_topics')
    )
    with op.batch_alter_table('notify_topics', schema=None) as batch_op:
        batch_op.create_index('ix_notify_topics_lookup', ['kind', 'key'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('notify_topics', schema=None) as batch_op:
        batch_op.drop_index('ix_notify_topics_lookup')

    op.drop_table('notify_topics')
    with op.batch_alter_table('notify_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notify_notices_subscriber')
        batch_op.drop_index('ix_notify_notices_status')

    op.drop_table('notify_notices')
    with op.batch_alter_table('notify_guardian_links', schema=None) as batch_op:
        batch_op.drop_index('ix_notify_guardian_links_tag')

    op.drop_table('notify_guardian_links')
    op.drop_table('notify_subscribers')
    op.drop_table('notify_rule_state')
    op.drop_table('notify_keys')


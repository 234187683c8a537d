"""sensor feeds: things, sensors, datastreams, readings, observations, events, みまもり tags, NGSI subscriptions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 05:58:40.214042
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mimamori_tags',
    sa.Column('tag_id', sa.String(length=64), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('child_name', sa.String(length=200), nullable=False),
    sa.Column('guardian_name', sa.String(length=200), nullable=False),
    sa.Column('guardian_contact', sa.String(length=300), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retain_until', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tag_id')
    )
    with op.batch_alter_table('mimamori_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mimamori_tags_retain_until'), ['retain_until'], unique=False)

    op.create_table('ngsi_subscriptions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('system_id', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.JSON(), nullable=False),
    sa.Column('notification', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('expires', sa.String(length=40), nullable=True),
    sa.Column('throttling', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ngsi_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_ngsi_subscriptions_tenant', ['lg_code'], unique=False)

    op.create_table('sensor_sensors',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('encoding_type', sa.String(length=100), nullable=False),
    sa.Column('metadata', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sensor_things',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('family', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('oaza', sa.String(length=64), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('sensor_id', sa.String(length=64), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sensor_id'], ['sensor_sensors.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sensor_things', schema=None) as batch_op:
        batch_op.create_index('ix_sensor_things_tenant', ['lg_code', 'family'], unique=False)

    op.create_table('sensor_datastreams',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('thing_id', sa.String(length=64), nullable=False),
    sa.Column('observed_property', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['thing_id'], ['sensor_things.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('thing_id', 'observed_property', name='uq_sensor_datastreams_property')
    )
    op.create_table('sensor_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('thing_id', sa.String(length=64), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['thing_id'], ['sensor_things.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sensor_events', schema=None) as batch_op:
        batch_op.create_index('ix_sensor_events_thing', ['thing_id', 'id'], unique=False)

    op.create_table('sensor_readings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('thing_id', sa.String(length=64), nullable=False),
    sa.Column('lg_code', sa.String(length=6), nullable=False),
    sa.Column('phenomenon_ms', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('phenomenon_time', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('result_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('original', sa.LargeBinary(), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['thing_id'], ['sensor_things.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('thing_id', 'phenomenon_ms', 'seq', name='uq_sensor_readings_key')
    )
    with op.batch_alter_table('sensor_readings', schema=None) as batch_op:
        batch_op.create_index('ix_sensor_readings_tenant_time', ['lg_code', 'phenomenon_ms'], unique=False)

    op.create_table('sensor_observations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('datastream_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reading_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('phenomenon_ms', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('result', sa.Float(), nullable=False),
    sa.Column('quality', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['datastream_id'], ['sensor_datastreams.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reading_id'], ['sensor_readings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sensor_observations', schema=None) as batch_op:
        batch_op.create_index('ix_sensor_observations_stream_time', ['datastream_id', 'phenomenon_ms'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sensor_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_sensor_observations_stream_time')

    op.drop_table('sensor_observations')
    with op.batch_alter_table('sensor_readings', schema=None) as batch_op:
        batch_op.drop_index('ix_sensor_readings_tenant_time')

    op.drop_table('sensor_readings')
    with op.batch_alter_table('sensor_events', schema=None) as batch_op:
        batch_op.drop_index('ix_sensor_events_thing')

    op.drop_table('sensor_events')
    op.drop_table('sensor_datastreams')
    with op.batch_alter_table('sensor_things', schema=None) as batch_op:
        batch_op.drop_index('ix_sensor_things_tenant')

    op.drop_table('sensor_things')
    op.drop_table('sensor_sensors')
    with op.batch_alter_table('ngsi_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_ngsi_subscriptions_tenant')

    op.drop_table('ngsi_subscriptions')
    with op.batch_alter_table('mimamori_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mimamori_tags_retain_until'))

    op.drop_table('mimamori_tags')

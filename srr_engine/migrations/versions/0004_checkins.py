"""Check-ins (the nudge outbox) and digests; a language per contact.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))
    op.create_table('digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=36), nullable=False),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digests')),
    sa.UniqueConstraint('key', name=op.f('uq_digests_key'))
    )
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digests_recipient'), ['recipient'], unique=False)
        batch_op.create_index(batch_op.f('ix_digests_status'), ['status'], unique=False)
    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('message', JSON, nullable=False),
    sa.Column('figures', JSON, nullable=False),
    sa.Column('expects_answer', sa.Boolean(), nullable=False),
    sa.Column('answered_by_report', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('delivery', sa.String(length=16), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.String(length=32), nullable=True),
    sa.Column('answer_note', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=100), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_checkins_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['digest_id'], ['digests.id'], name=op.f('fk_checkins_digest_id_digests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
    sa.UniqueConstraint('contract_id', 'rule', 'role', 'period', name=op.f('uq_checkins_contract_id'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index('ix_checkins_delivery', ['delivery', 'digest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_contract_id'), ['contract_id'], unique=False)


def downgrade() -> None:
    op.drop_table('checkins')
    op.drop_table('digests')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('language')

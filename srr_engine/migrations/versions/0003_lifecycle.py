"""Lifecycle: award date, evaluations, and the cursor of the event relay to Prefect.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awarded_on', sa.Date(), nullable=True))
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('results', JSON, nullable=False),
    sa.Column('evaluated_by', sa.String(length=100), nullable=False),
    sa.Column('signed_off_by', sa.String(length=100), nullable=True),
    sa.Column('signed_off_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_evaluations_contract_id_contracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
    sa.UniqueConstraint('contract_id', 'as_of', name=op.f('uq_evaluations_contract_id'))
    )
    op.create_table('event_cursors',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('last_event_id', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_event_cursors'))
    )


def downgrade() -> None:
    op.drop_table('event_cursors')
    op.drop_table('evaluations')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('awarded_on')

"""Check-ins indexed by contract, delivery and date (replaces the index on contract alone).

The sweep asks, per batch of contracts, for the check-ins sent and not answered in time. Without
statistics (SQLite's are never gathered) the planner took the index on delivery and read every check-in
ever sent, once per batch: a sweep that slows down as history grows. Led by the contract, this index is
chosen with or without statistics. The index on the contract alone goes: this one and the unique key
(contract, rule, role, period) both start with it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index('ix_checkins_contract_delivery', ['contract_id', 'delivery', 'planned_on'], unique=False)
        batch_op.drop_index('ix_checkins_contract_id')


def downgrade() -> None:
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index('ix_checkins_contract_id', ['contract_id'], unique=False)
        batch_op.drop_index('ix_checkins_contract_delivery')

"""Contract bundles: small contracts of one supplier pooled into one obligation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bundle', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_contracts_bundle'), ['bundle'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_bundle'))
        batch_op.drop_column('bundle')

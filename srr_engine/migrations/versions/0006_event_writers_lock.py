"""PostgreSQL: event writers take a shared advisory lock, so the relay can wait for them.

Event ids come from a sequence when a row is inserted, but a row is seen only when its transaction
commits, and transactions commit in any order: a relay that read ids 11 and 12 while the transaction
holding id 10 was still open would move its cursor past 10 and never emit it. Every statement that
inserts events now first takes a shared transaction-level advisory lock (a statement trigger); the
relay takes the same lock exclusively before it reads (`srr_engine.emission.EVENT_WRITERS_LOCK`), so
it reads once the writers of every id handed out so far have committed or rolled back. Writers do not
wait for each other. SQLite needs none of this: its writers take turns.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

EVENT_WRITERS_LOCK = 7_310_251_129  # the same number as srr_engine.emission.EVENT_WRITERS_LOCK


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE FUNCTION srr_events_writer_lock() RETURNS trigger LANGUAGE plpgsql AS "
               f"$$ BEGIN PERFORM pg_advisory_xact_lock_shared({EVENT_WRITERS_LOCK}); RETURN NULL; END $$")
    op.execute("CREATE TRIGGER events_writer_lock BEFORE INSERT ON events "
               "FOR EACH STATEMENT EXECUTE FUNCTION srr_events_writer_lock()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS events_writer_lock ON events")
    op.execute("DROP FUNCTION IF EXISTS srr_events_writer_lock()")

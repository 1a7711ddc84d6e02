"""The schema comes from the migrations, on SQLite and PostgreSQL, and matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from srr_engine.storage.db import current_revision, downgrade, head_revision, make_engine, upgrade
from srr_engine.storage.schema import Base


def test_upgrade_downgrade_upgrade(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert {"contracts", "events", "realisations"} <= set(inspect(engine).get_table_names())
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert "contracts" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree; write a migration: {diff}"


def test_events_are_append_only(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO events (occurred_at, type, actor, payload) "
                          "VALUES (CURRENT_TIMESTAMP, 'contract.registered', 't', '{}')"))
    for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events"):
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        except Exception as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError(f"{statement} was allowed")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT actor FROM events")) == "t"
    engine.dispose()

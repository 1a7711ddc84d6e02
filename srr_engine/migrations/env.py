"""Alembic environment: runs on the engine the caller passes, or on the configured database."""

from alembic import context

from srr_engine.storage.db import make_engine
from srr_engine.storage.schema import Base

config = context.config


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from srr_engine.settings import get_settings

        url = config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url
        engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()

"""Helpers shared by the tests (a module of its own: conftest modules are not importable by name)."""

from __future__ import annotations

from sqlalchemy import func, select


def reset_caches() -> None:
    """Forget settings, plugins and engines cached for the previous test's environment."""
    from srr_engine.plugins import get_plugins
    from srr_engine.registry import get_registry
    from srr_engine.settings import get_settings
    from srr_engine.storage.db import engine_for

    for cache in (get_settings, get_plugins, get_registry):
        cache.cache_clear()
    for engine in list(_engines()):
        engine.dispose()
    engine_for.cache_clear()


def _engines():  # type: ignore[no-untyped-def]
    from srr_engine.storage.db import get_engine

    try:
        yield get_engine()
    except Exception:
        return


def row_counts(url: str) -> dict[str, int]:
    """Rows per table: to show that a refused command changed nothing."""
    from srr_engine.storage import schema
    from srr_engine.storage.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in schema.Base.metadata.sorted_tables}
    finally:
        engine.dispose()

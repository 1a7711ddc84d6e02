"""Commands for operations: database set-up, installed instruments, effective settings."""

from __future__ import annotations

import json

import typer

from srr_engine.cli import reports, status
from srr_engine.cli.output import say, table
from srr_engine.messages import msg

config_app = typer.Typer(help="Instellingen / settings.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("instruments")(instruments)
    app.command("status")(status.status)
    app.command("leniency")(status.leniency)
    app.command("report")(reports.report)
    app.add_typer(config_app, name="config")


def init() -> None:
    """Maak of upgrade de database (migraties). / Create or upgrade the database (migrations)."""
    from srr_engine.redact import redact_url
    from srr_engine.settings import get_settings
    from srr_engine.storage.db import current_revision, get_engine, head_revision, upgrade

    engine = get_engine()
    before = current_revision(engine)
    upgrade(engine)
    where = redact_url(get_settings().effective_database_url)
    if before == head_revision():
        say(msg(f"Database is al bijgewerkt ({where}).", f"Database is up to date already ({where})."))
    else:
        say(msg(f"Database klaar op versie {head_revision()} ({where}).",
                f"Database ready at revision {head_revision()} ({where})."))


def instruments() -> None:
    """Toon de geïnstalleerde instrumenten met pakket en versie. / List installed instruments."""
    from srr_engine.plugins import get_plugins
    from srr_engine.registry import get_registry

    registry = get_registry()
    plugins = get_plugins().plugins
    rows = []
    for kind, inst in sorted(registry.instruments.items()):
        info = plugins.get(registry.origins[kind])
        rows.append([kind, inst.title.nl, info.package if info else "?", info.version if info else "?"])
    table(["instrument", "titel", "pakket", "versie"], rows)
    tables = registry.tables.all()
    if tables:
        typer.echo("")
        table(["tabel", "versie", "geldig vanaf", "bron"], [[t.region, t.version, t.valid_from, t.source] for t in tables])
    for name, why in sorted(registry.failures.items()):
        typer.echo(f"Plugin {name} niet geladen / not loaded: {why}", err=True)


@config_app.command("show")
def config_show() -> None:
    """Toon de geldende instellingen (geheimen verborgen). / Show effective settings, secrets hidden."""
    from srr_engine.settings import get_settings

    typer.echo(json.dumps(get_settings().redacted(), indent=2, ensure_ascii=False))

"""The hooks a plugin can implement. Every hook is documented here; `docs/plugins.md` lists them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("srr_engine")
hookimpl = pluggy.HookimplMarker("srr_engine")


@hookspec
def register_instruments(register: Callable[[type], None]) -> None:
    """Register procurement instruments.

    Call ``register(cls)`` once for each ``srr_engine.instrument.Instrument`` subclass the plugin
    provides. The instrument's ``name`` is its ``kind`` in contract files and must be unique.
    """


@hookspec
def register_valuation_tables(register: Callable[[Any], None]) -> None:
    """Register valuation tables (bouwblokken).

    Call ``register(table)`` with a ``srr_engine.valuation.ValuationTable`` for each table (one region
    and version). ``srr_engine.valuation.load_table_file(path)`` reads a table from a TOML file.
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the ``srr`` command line.

    ``cli`` is the root ``typer.Typer`` application; add a sub-application with
    ``cli.add_typer(app, name=...)`` or a command with ``cli.command()``. Keep imports inside the
    command functions so ``srr --help`` stays fast.
    """

"""Built-in plugin: the valuation tables shipped in `config/valuation/`, one TOML file per version."""

from __future__ import annotations

from collections.abc import Callable

from srr_engine.hookspecs import hookimpl
from srr_engine.settings import config_dir
from srr_engine.valuation import ValuationTable, load_table_file


@hookimpl
def register_valuation_tables(register: Callable[[ValuationTable], None]) -> None:
    for path in sorted((config_dir() / "valuation").glob("*.toml")):
        register(load_table_file(path))

"""Options shared by commands, and how their defaults are resolved at the CLI boundary."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

By = Annotated[str | None, typer.Option("--by", help="Wie dit doet (audit trail). / Who does this.")]
AsOf = Annotated[
    date | None, typer.Option("--as-of", help="Peildatum JJJJ-MM-DD (standaard vandaag). / As-of date.")
]


def resolve_actor(by: str | None) -> str:
    from srr_engine.settings import get_settings

    return by or get_settings().actor


def resolve_date(day: date | None) -> date:
    """The given date, else today in the configured time zone (only ever decided at the edge)."""
    from srr_engine.settings import local_today

    return day if day is not None else local_today()

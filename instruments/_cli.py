"""What the instruments' commands share: reading dates, and recording a fact with a confirmation."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

from srr_engine.messages import Message


def parse_date(value: str) -> date:
    """A date given on the command line (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is geen datum (gebruik JJJJ-MM-DD) / is not a date (use YYYY-MM-DD)"
        ) from None


def record(reference: str, kind: str, on: date, data: dict[str, Any], by: str | None, done: Message) -> None:
    """Store the fact through the core and confirm. A refusal (`UserError`) is left to the `srr` entry
    point, which prints it the same way for every command."""
    from srr_engine.facts import record_fact
    from srr_engine.settings import get_settings

    settings = get_settings()
    record_fact(reference=reference, kind=kind, on=on, data=data, actor=by or settings.actor)
    typer.echo(done.text(settings.language))

"""Printing for people: Dutch first (settings.language), tables, and errors on stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from srr_engine.messages import Message


def language() -> str:
    from srr_engine.settings import get_settings

    return get_settings().language


def say(message: Message) -> None:
    typer.echo(message.text(language()))  # type: ignore[arg-type]


def fail(error: Exception, code: int = 2) -> None:
    """Print a user error (every problem on its own line) and exit non-zero."""
    from srr_engine.errors import UserError

    head = "Fout" if language() == "nl" else "Error"
    text = error.text(language()) if isinstance(error, UserError) else str(error)  # type: ignore[arg-type]
    lines = text.splitlines() or [""]
    typer.echo(f"{head}: {lines[0]}" if len(lines) == 1 else f"{head}:\n  " + "\n  ".join(lines), err=True)
    typer.echo("Er is niets gewijzigd. / Nothing was changed.", err=True)
    sys.exit(code)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain aligned table (fast to print, easy to read in a terminal or a log)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            typer.echo("  ".join("-" * w for w in widths))

"""`srr partnership ...`: record sessions, KPI counts and finished action points."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import typer

from instruments._cli import parse_date, record
from instruments.partnership import DONE_FACT, KPI_CODE, KPI_FACT, SESSION_FACT
from srr_engine.cli.common import resolve_date
from srr_engine.messages import msg

app = typer.Typer(
    help="Partnerschap: sessies, KPI's en actiepunten vastleggen / Partnership: record sessions, KPIs and "
    "actions.",
    no_args_is_help=True,
)

Reference = Annotated[str, typer.Argument(help="Contractkenmerk / contract reference")]
By = Annotated[str | None, typer.Option("--by", help="Wie legt vast / who records")]


def parse_action(text: str, on: date, number: int) -> dict[str, Any]:
    """`"text;owner;due"` -> an action point. Its id is the session date and its number on the command
    line (e.g. `2026-03-29.1`), so people can refer to it in `srr partnership done`."""
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != 3 or not all(parts):
        raise typer.BadParameter(
            f'{text!r}: gebruik "tekst;eigenaar;JJJJ-MM-DD" / use "text;owner;YYYY-MM-DD"'
        )
    return {
        "id": f"{on.isoformat()}.{number}",
        "text": parts[0],
        "owner": parts[1],
        "due": parse_date(parts[2]).isoformat(),
    }


@app.command()
def session(
    reference: Reference,
    on: Annotated[date, typer.Option("--date", parser=parse_date, help="Datum van de sessie / session date")],
    notes: Annotated[str | None, typer.Option("--notes", help="Verslag / notes")] = None,
    action: Annotated[
        list[str] | None, typer.Option("--action", help='Actiepunt / action: "tekst;eigenaar;JJJJ-MM-DD"')
    ] = None,
    by: By = None,
) -> None:
    """Een gehouden sessie vastleggen / Record a session held."""
    actions = [parse_action(text, on, n) for n, text in enumerate(action or [], start=1)]
    listed = ", ".join(a["id"] for a in actions)
    record(
        reference,
        SESSION_FACT,
        on,
        {"notes": notes, "actions": actions},
        by,
        msg(
            f"Sessie van {on} vastgelegd voor {reference}" + (f"; actiepunten: {listed}" if actions else ""),
            f"Session of {on} recorded for {reference}" + (f"; action points: {listed}" if actions else ""),
        ),
    )


@app.command()
def kpi(
    reference: Reference,
    code: Annotated[str, typer.Argument(metavar="KPI", help="KPI-code, bijv. learning_places / KPI code")],
    count: Annotated[int, typer.Argument(min=0, help="Stand op de datum / count on the date")],
    as_of: Annotated[
        date, typer.Option("--as-of", parser=parse_date, help="Datum van de stand / date of the count")
    ],
    by: By = None,
) -> None:
    """De stand van een KPI vastleggen / Record a KPI count."""
    if not re.match(KPI_CODE, code):
        raise typer.BadParameter(
            f"{code!r}: alleen kleine letters, cijfers en _ / only lower-case letters, digits and _",
            param_hint="KPI",
        )
    record(
        reference,
        KPI_FACT,
        as_of,
        {"kpi": code, "count": count},
        by,
        msg(
            f"{code} = {count} op {as_of} vastgelegd voor {reference}",
            f"{code} = {count} on {as_of} recorded for {reference}",
        ),
    )


@app.command()
def done(
    reference: Reference,
    action_id: Annotated[str, typer.Argument(help="Id van het actiepunt / action id")],
    on: Annotated[
        date | None,
        typer.Option(
            "--date", parser=parse_date, help="Afgerond op (standaard vandaag) / done on (default today)"
        ),
    ] = None,
    by: By = None,
) -> None:
    """Een actiepunt afmelden / Mark an action point done."""
    day = resolve_date(on)
    record(
        reference,
        DONE_FACT,
        day,
        {"action_id": action_id},
        by,
        msg(
            f"Actiepunt {action_id} afgerond op {day} ({reference})",
            f"Action {action_id} done on {day} ({reference})",
        ),
    )

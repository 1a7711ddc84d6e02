"""`srr reservation ...`: record new evidence of the supplier's share of disadvantaged staff."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from instruments._cli import parse_date, record
from srr_engine.messages import msg

app = typer.Typer(
    help="Voorbehouden opdracht: bewijs vastleggen / Reserved contract: record evidence.",
    no_args_is_help=True,
)


def parse_share(value: str) -> Decimal:
    """A share between 0 and 1 (0.4 is 40 %)."""
    try:
        share = Decimal(value)
    except InvalidOperation:
        share = Decimal(-1)
    if not Decimal(0) <= share <= Decimal(1):
        raise typer.BadParameter(
            f"{value!r}: geef een aandeel tussen 0 en 1 (0.4 is 40 %) / give a share between 0 and 1 (0.4 is "
            "40 %)"
        )
    return share


@app.command()
def evidence(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk / contract reference")],
    share: Annotated[
        Decimal, typer.Option("--share", parser=parse_share, help="Aandeel doelgroep, 0..1 / share, 0..1")
    ],
    as_of: Annotated[
        date, typer.Option("--as-of", parser=parse_date, help="Datum van het bewijs / evidence date")
    ],
    source: Annotated[str, typer.Option("--source", help="Bron, bijv. accountantsverklaring / source")],
    by: Annotated[str | None, typer.Option("--by", help="Wie legt vast / who records")] = None,
) -> None:
    """Nieuw bewijs vastleggen / Record new evidence."""
    percentage = f"{(share * 100).normalize():f}"
    record(
        reference,
        "reservation.evidence",
        as_of,
        {"share_disadvantaged": str(share), "source": source},
        by,
        msg(
            f"Bewijs vastgelegd voor {reference}: {percentage.replace('.', ',')} % doelgroep op {as_of} "
            f"({source})",
            f"Evidence recorded for {reference}: {percentage} % disadvantaged staff on {as_of} ({source})",
        ),
    )

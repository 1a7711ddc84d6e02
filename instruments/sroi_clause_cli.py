"""`srr sroi_clause ...`: record invoiced turnover for a clause on the base `invoiced_turnover`."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from instruments._cli import parse_date, record
from instruments._common import eur_en, eur_nl
from instruments.sroi_config import BASE_WORDS, NAME, TURNOVER_FACT, SroiConfig
from srr_engine.messages import msg

app = typer.Typer(
    help="Social return-bepaling: gefactureerde omzet vastleggen / Social return clause: record invoiced "
    "turnover.",
    no_args_is_help=True,
)

AMOUNT = re.compile(r"\d+(\.\d{1,2})?")


def parse_amount(value: str) -> Decimal:
    """An amount in euros above 0 with at most two decimals, written with a point: `12500.50`."""
    amount = Decimal(value) if AMOUNT.fullmatch(value) else Decimal(0)
    if amount <= 0:
        raise typer.BadParameter(
            f"{value!r}: geef een bedrag in euro's boven 0 met hoogstens 2 decimalen, met een punt (12500.50) "
            "/ give an amount in euros above 0 with at most 2 decimals, with a point (12500.50)"
        )
    return amount


def refuse_other_base(reference: str) -> None:
    """Turnover only counts for a clause on invoiced turnover; refuse it for any other base.

    `record_fact` checks that the contract has the instrument, not its config, so the clause is read
    first, in a transaction of its own. Nothing can change in between that matters: a clause's base is
    fixed once applied (award only raises the percentage). A contract without the clause, or an unknown
    reference, is left to `record_fact`, which refuses it the way it does for every instrument.
    """
    from srr_engine.errors import UserError
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    with unit_of_work() as session:
        stored = require_contract(session, reference)
    base = next(
        (SroiConfig.model_validate(a.config).base for a in stored.applications if a.kind == NAME), None
    )
    if base is not None and base != "invoiced_turnover":
        base_nl, base_en = BASE_WORDS[base]
        raise UserError(
            msg(
                f"de social return van {reference} is een percentage van {base_nl}, niet van de "
                "gefactureerde omzet: omzet vastleggen heeft hier geen zin",
                f"the social return of {reference} is a percentage of {base_en}, not of the invoiced "
                "turnover: recording turnover does not apply here",
            )
        )


@app.command()
def turnover(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk / contract reference")],
    amount: Annotated[
        Decimal,
        typer.Argument(
            metavar="AMOUNT_EUR", parser=parse_amount, help="Gefactureerd, excl. btw / invoiced, excl. VAT"
        ),
    ],
    on: Annotated[date, typer.Option("--on", parser=parse_date, help="Factuurdatum / invoice date")],
    invoice: Annotated[str | None, typer.Option("--invoice", help="Factuurnummer / invoice number")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Wie legt vast / who records")] = None,
) -> None:
    """Gefactureerde omzet vastleggen / Record invoiced turnover."""
    refuse_other_base(reference)
    label_nl = f" (factuur {invoice})" if invoice else ""
    label_en = f" (invoice {invoice})" if invoice else ""
    record(
        reference,
        TURNOVER_FACT,
        on,
        {"amount_eur": f"{amount:.2f}", "invoice": invoice},
        by,
        msg(
            f"Omzet {eur_nl(amount)} op {on}{label_nl} vastgelegd voor {reference}",
            f"Turnover {eur_en(amount)} on {on}{label_en} recorded for {reference}",
        ),
    )

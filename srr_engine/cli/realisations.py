"""Commands for realisations: import a supplier's report, list, and review (accept or reject)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from srr_engine.cli.common import AsOf, By, resolve_actor, resolve_date
from srr_engine.cli.output import say, table
from srr_engine.messages import msg

app = typer.Typer(help="Realisaties van leveranciers inlezen en beoordelen. / Import and review realisations.",
                  no_args_is_help=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV (zoals examples/realisations.csv) of XLSX.")],
    reported_on: Annotated[date | None, typer.Option("--reported-on", help="Datum van de rapportage (standaard vandaag).")] = None,
    by: By = None,
) -> None:
    """Lees een rapportage in: alles of niets. / Import a report: all rows or none."""
    from srr_engine.realisations import import_file
    from srr_engine.registry import get_registry

    result = import_file(file, get_registry(), resolve_actor(by), resolve_date(reported_on))
    per = ", ".join(f"{ref}: {n}" for ref, n in sorted(result.per_contract.items()))
    say(msg(f"{result.rows} realisaties ingelezen ({per}), ter beoordeling: EUR {result.submitted_cents / 100:,.2f}",
            f"{result.rows} realisations imported ({per}), awaiting review: EUR {result.submitted_cents / 100:,.2f}"))


@app.command("list")
def list_(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk.")],
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON voor scripts.")] = False,
) -> None:
    """Toon de realisaties van een contract met hun waarde. / List a contract's realisations and values."""
    from sqlalchemy import select

    from srr_engine.storage import schema
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work
    from srr_engine.storage.realisations import value_as_of

    day = resolve_date(as_of)
    with unit_of_work() as session:
        stored = require_contract(session, reference)
        r = schema.Realisation
        rows = session.execute(
            select(r.id, r.candidate, r.kind, r.target_group, r.start, r.end, r.status, value_as_of(day),
                   r.reviewed_by, r.review_reason).where(r.contract_id == stored.id).order_by(r.id)
        ).all()
    data = [
        {"id": i, "candidate": cand, "kind": kind, "target_group": group, "start": str(start), "end": str(end),
         "status": status, "value_eur": f"{cents / 100:.2f}", "reviewed_by": who, "reason": why}
        for i, cand, kind, group, start, end, status, cents, who, why in rows
    ]
    if as_json:
        typer.echo(json.dumps({"reference": reference, "as_of": str(day), "realisations": data}, indent=2))
        return
    table(["id", "kandidaat", "soort", "doelgroep", "van", "tot", "status", f"waarde {day}"],
          [[d["id"], d["candidate"] or "-", d["kind"], d["target_group"] or "-", d["start"], d["end"], d["status"],
            d["value_eur"]] for d in data])


@app.command("review")
def review(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk.")],
    accept: Annotated[list[int] | None, typer.Option("--accept", help="Accepteer realisatie ID (herhaalbaar).")] = None,
    accept_all: Annotated[bool, typer.Option("--accept-all", help="Accepteer alle ingediende realisaties.")] = False,
    reject: Annotated[list[int] | None, typer.Option("--reject", help="Wijs realisatie ID af (herhaalbaar).")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Reden van afwijzen (verplicht bij --reject).")] = None,
    by: By = None,
) -> None:
    """Accepteer of wijs af wat de leverancier rapporteerde. / Accept or reject what the supplier reported."""
    from srr_engine.realisations import review as do_review

    accepted, rejected = do_review(reference, resolve_actor(by), accept, accept_all, reject, reason)
    say(msg(f"{reference}: {accepted} geaccepteerd, {rejected} afgewezen",
            f"{reference}: {accepted} accepted, {rejected} rejected"))


@app.command("template")
def template(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Het werkblad (.xlsx) voor de leverancier.")],
) -> None:
    """Werkblad voor de leverancier met keuzelijsten uit de waarderingstabel. / Supplier workbook with drop-downs."""
    from srr_engine.errors import UserError
    from srr_engine.interop.sheets import write_template
    from srr_engine.registry import get_registry

    if output.suffix.lower() != ".xlsx":
        raise UserError(msg(f"{output}: het werkblad wordt een .xlsx-bestand", f"{output}: the workbook is an .xlsx file"))
    made = write_template(reference, get_registry(), output)
    say(msg(f"Werkblad voor {reference} ({made.table.region} {made.table.version}): {output}",
            f"Workbook for {reference} ({made.table.region} {made.table.version}): {output}"))


@app.command("export")
def export(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV- of XLSX-bestand.")],
    as_of: AsOf = None,
    delimiter: Annotated[str, typer.Option("--delimiter", help="Scheidingsteken voor CSV (bijv. ';').")] = ",",
) -> None:
    """Schrijf de realisaties van een contract naar CSV of XLSX. / Write a contract's realisations to CSV or XLSX."""
    from srr_engine.interop.exports import REALISATION_HEADERS, realisation_rows, write_table
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    day = resolve_date(as_of)
    with unit_of_work() as session:
        stored = require_contract(session, reference)
        count = write_table(output, REALISATION_HEADERS, realisation_rows(session, stored.id, reference, day),
                            "Realisaties", delimiter)
    say(msg(f"{count} realisaties van {reference} (waarde per {day}) geschreven naar {output}",
            f"{count} realisations of {reference} (value as of {day}) written to {output}"))

"""`srr status`: assess one contract or the portfolio as of a date, without starting Prefect."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import typer

from srr_engine.cli.common import AsOf, resolve_date
from srr_engine.cli.output import language, table


def _eur(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def status(
    reference: Annotated[str | None, typer.Argument(help="Contractkenmerk; zonder: de hele portefeuille.")] = None,
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON voor scripts.")] = False,
    portfolio: Annotated[bool, typer.Option(
        "--portfolio", help="Totalen per opdrachtgever, leverancier, categorie en instrument; banen; bundelkansen; "
        "pilots (uit de opgeslagen monitoring). / Portfolio totals.")] = False,
) -> None:
    """Stand van zaken per contract en instrument. / Status per contract and instrument."""
    if portfolio:
        portfolio_view(resolve_date(as_of), as_json)
        return
    from srr_engine.assess import assess_contracts, batches, monitored_query
    from srr_engine.registry import get_registry
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    day = resolve_date(as_of)
    registry = get_registry()
    lang = language()
    contracts: list[dict[str, Any]] = []
    with unit_of_work() as session:
        if reference:
            require_contract(session, reference)
        for batch in batches(session, monitored_query([reference] if reference else None), 1000):
            for result in assess_contracts(session, registry, batch, day):
                contracts.append({
                    "reference": result.stored.contract.reference,
                    "status": result.status,
                    "instruments": [
                        {
                            "kind": a.kind,
                            "status": a.status,
                            "obligation_eur": _eur(a.obligation_eur),
                            "expected_eur": _eur(a.expected_eur),
                            "realised_eur": _eur(a.realised_eur),
                            "pending_eur": _eur(a.pending_eur),
                            "figures": a.figures,
                            "reasons": [r.text(lang) for r in a.reasons],  # type: ignore[arg-type]
                        }
                        for a in (i.assessment for i in result.instruments)
                    ],
                })
    if as_json:
        typer.echo(json.dumps({"as_of": day.isoformat(), "contracts": contracts}, indent=2, default=str,
                              ensure_ascii=False))
        return
    rows = []
    for c in contracts:
        for i in c["instruments"]:
            rows.append([c["reference"], c["status"], i["kind"], i["status"], i["obligation_eur"] or "-",
                         i["expected_eur"] or "-", i["realised_eur"] or "-", i["pending_eur"] or "-",
                         "; ".join(i["reasons"])])
    typer.echo(f"Peildatum / as of: {day}")
    table(["contract", "status", "instrument", "status", "verplichting", "verwacht", "gerealiseerd",
           "ter beoordeling", "toelichting"], rows)


def portfolio_view(day: date, as_json: bool) -> None:
    """Totals committed vs. realised per buyer, supplier, CPV division and instrument, jobs for the
    banenafspraak, bundling candidates and pilots, from the stored monitoring history."""
    from srr_engine.portfolio import report
    from srr_engine.storage.db import unit_of_work

    with unit_of_work() as session:
        data = report(session, day)
    totals = {view: {key: {"committed_eur": _eur(c), "realised_eur": _eur(r)} for key, (c, r) in values.items()}
              for view, values in data.totals.items()}
    candidates = [{"buyer": b.buyer, "supplier": b.supplier, "contracts": b.references, "total_eur": _eur(b.total)}
                  for b in data.bundle_candidates]
    pilots = [{"reference": p.reference, "title": p.title, "phase": p.phase, "status": p.status,
               "evaluated": p.evaluated} for p in data.pilots]
    if as_json:
        typer.echo(json.dumps({"as_of": day.isoformat(), "statuses": dict(data.statuses), "totals": totals,
                               "banenafspraak_jobs": data.banenafspraak_jobs, "bundle_candidates": candidates,
                               "pilots": pilots}, indent=2, ensure_ascii=False))
        return
    typer.echo(f"Peildatum / as of: {day}")
    for view, values in totals.items():
        typer.echo("")
        table([view, "toegezegd / committed", "gerealiseerd / realised"],
              [[key, v["committed_eur"], v["realised_eur"]] for key, v in values.items()])
    typer.echo(f"\nBanen voor de banenafspraak / banenafspraak jobs: {data.banenafspraak_jobs}")
    if candidates:
        typer.echo("\nKleine contracten om te bundelen / small contracts that could be bundled:")
        table(["opdrachtgever", "leverancier", "contracten", "samen / total"],
              [[c["buyer"], c["supplier"], ", ".join(c["contracts"]), c["total_eur"]] for c in candidates])
    if pilots:
        typer.echo("\nPilots:")
        table(["contract", "titel", "fase", "status", "evaluatie"],
              [[p["reference"], p["title"], p["phase"], p["status"] or "-", p["evaluated"] or "-"] for p in pilots])


def leniency(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk.")],
    reason: Annotated[str, typer.Option("--reason", help="Waarom (bijv. crisis in de sector).")],
    percentage: Annotated[Decimal | None, typer.Option("--percentage", help="Nieuw percentage van de verplichting.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Nieuwe uiterste datum JJJJ-MM-DD.")] = None,
    instrument: Annotated[str | None, typer.Option("--instrument", help="Alleen voor dit instrument.")] = None,
    on: AsOf = None,
    by: Annotated[str | None, typer.Option("--by", help="Wie besluit (audit trail).")] = None,
) -> None:
    """Verleen coulance: lagere verplichting of latere termijn. / Grant leniency: lower obligation or later deadline."""
    from datetime import date

    from srr_engine.cli.common import resolve_actor
    from srr_engine.cli.output import say
    from srr_engine.errors import UserError
    from srr_engine.facts import grant_leniency
    from srr_engine.messages import msg

    try:
        until_date = date.fromisoformat(until) if until else None
    except ValueError:
        raise UserError(msg(f"--until {until!r} is geen datum (JJJJ-MM-DD)", f"--until {until!r} is not a date (YYYY-MM-DD)")) from None
    grant_leniency(reference, resolve_actor(by), reason, resolve_date(on), percentage, until_date, instrument)
    say(msg(f"Coulance vastgelegd voor {reference}.", f"Leniency recorded for {reference}."))

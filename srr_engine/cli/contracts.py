"""Commands for contract managers: register, list and show contracts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from srr_engine.cli.common import AsOf, By, resolve_actor, resolve_date
from srr_engine.cli.output import language, say, table
from srr_engine.messages import msg

app = typer.Typer(help="Contracten registreren en bekijken. / Register and view contracts.", no_args_is_help=True)




@app.command("add")
def add(
    files: Annotated[list[Path], typer.Argument(help="YAML- of JSON-bestanden met één contract of een lijst.")],
    by: By = None,
) -> None:
    """Registreer contracten uit bestanden: alles of niets. / Register contracts from files: all or nothing."""
    from srr_engine.contracts import check_file, register_contracts
    from srr_engine.errors import UserError
    from srr_engine.registry import get_registry
    from srr_engine.settings import get_settings

    registry = get_registry()
    checked, problems = [], []
    for path in files:
        try:
            checked += check_file(path, registry)
        except UserError as exc:
            problems += exc.problems
    if problems:
        raise UserError(problems)
    for item in checked:
        for warning in item.warnings:
            typer.echo(f"Let op / note: {warning.text(language())}", err=True)  # type: ignore[arg-type]
    refs = register_contracts(checked, by or get_settings().actor)
    say(msg(f"{len(refs)} contract(en) geregistreerd: {', '.join(refs)}",
            f"{len(refs)} contract(s) registered: {', '.join(refs)}"))


@app.command("apply")
def apply(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk.")],
    file: Annotated[Path, typer.Argument(help="YAML/JSON met één instrument of een lijst (zoals onder instruments:).")],
    on: AsOf = None,
    by: By = None,
) -> None:
    """Voeg instrumenten toe aan een contract, ook een lopend. / Add instruments, also to a running contract."""
    from srr_engine.contracts import apply_instruments
    from srr_engine.files import read_records
    from srr_engine.registry import get_registry

    kinds = apply_instruments(reference, read_records(file), get_registry(), resolve_actor(by), resolve_date(on))
    say(msg(f"{reference}: toegevoegd: {', '.join(kinds)}", f"{reference}: added: {', '.join(kinds)}"))


@app.command("note")
def note(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk.")],
    text: Annotated[str, typer.Argument(help="Het verhaal of de les, zonder namen. / The story or lesson, no names.")],
    lesson: Annotated[bool, typer.Option("--lesson", help="Een les in plaats van een verhaal. / A lesson.")] = False,
    on: AsOf = None,
    by: By = None,
) -> None:
    """Leg een verhaal of les vast voor de evaluatie. / Record a story or lesson for the evaluation."""
    from srr_engine.facts import record_note

    kind = "contract.lesson" if lesson else "contract.story"
    record_note(reference, kind, resolve_date(on), text, resolve_actor(by))
    say(msg(f"{reference}: {'les' if lesson else 'verhaal'} vastgelegd", f"{reference}: {'lesson' if lesson else 'story'} recorded"))


@app.command("list")
def list_(
    phase: Annotated[str | None, typer.Option(help="planned, tendering, awarded, active, evaluating, closed")] = None,
    buyer: Annotated[str | None, typer.Option(help="(Deel van) de naam van de opdrachtgever.")] = None,
    supplier: Annotated[str | None, typer.Option(help="(Deel van) de naam van de leverancier.")] = None,
    status: Annotated[str | None, typer.Option(help="Laatst vastgestelde status, bijv. behind.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON voor scripts.")] = False,
) -> None:
    """Toon contracten, te filteren. / List contracts, with filters."""
    from srr_engine.domain import Phase
    from srr_engine.errors import UserError
    from srr_engine.storage.assessments import latest_statuses
    from srr_engine.storage.contracts import contracts_query, load_contracts
    from srr_engine.storage.db import unit_of_work

    if phase and phase not in Phase.__members__:
        raise UserError(msg(f"onbekende fase {phase!r} (kies uit: {', '.join(Phase)})",
                            f"unknown phase {phase!r} (choose from: {', '.join(Phase)})"))
    with unit_of_work() as session:
        found = load_contracts(session, contracts_query(phase, buyer, supplier))
        statuses = latest_statuses(session, [s.id for s in found])
    if status:
        found = [s for s in found if statuses.get(s.id) == status]
    rows = [
        {
            "reference": s.contract.reference,
            "title": s.contract.title,
            "phase": str(s.contract.phase),
            "buyer": s.contract.buyer.name,
            "supplier": s.contract.supplier.name if s.contract.supplier else None,
            "instruments": [a.kind for a in s.applications],
            "status": statuses.get(s.id),
        }
        for s in found
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table(
        ["kenmerk", "fase", "opdrachtgever", "leverancier", "instrumenten", "status", "titel"],
        [[r["reference"], r["phase"], r["buyer"], r["supplier"] or "-", ",".join(r["instruments"]),
          r["status"] or "-", r["title"]] for r in rows],
    )


@app.command("show")
def show(
    reference: Annotated[str, typer.Argument(help="Het contractkenmerk, bijv. RWS-2026-0042.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON voor scripts.")] = False,
) -> None:
    """Toon één contract met zijn instrumenten. / Show one contract with its instruments."""
    from srr_engine.redact import redact_notify_url
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    with unit_of_work() as session:
        stored = require_contract(session, reference)
    c = stored.contract
    data = c.model_dump(mode="json", exclude={"instruments", "contacts"})
    data["contacts"] = {
        str(role): {"name": contact.name, "notify": [redact_notify_url(u.get_secret_value()) for u in contact.notify]}
        for role, contact in c.contacts.items()
    }
    data["instruments"] = [{"kind": a.kind, "applied_on": str(a.applied_on), **a.config} for a in stored.applications]
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    shown = ("reference", "title", "phase", "category", "cpv", "value_eur", "wage_sum_eur", "start", "end", "pilot",
             "bundle")
    for key in shown:
        typer.echo(f"{key:14} {data[key]}")
    typer.echo(f"{'buyer':14} {c.buyer.name}")
    typer.echo(f"{'supplier':14} {c.supplier.name if c.supplier else '-'}")
    for role, contact in data["contacts"].items():
        typer.echo(f"{role:14} {contact['name']}  {' '.join(contact['notify'])}")
    for inst in data["instruments"]:
        kind = inst.pop("kind")
        typer.echo(f"instrument     {kind}: {json.dumps(inst, ensure_ascii=False)}")

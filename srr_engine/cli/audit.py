"""Commands for trust: `srr audit REF` (a contract's history) and `srr privacy purge|export` (GDPR)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from srr_engine.cli.common import AsOf, By, resolve_actor, resolve_date
from srr_engine.cli.output import say, table
from srr_engine.messages import msg

privacy_app = typer.Typer(help="Privacy (AVG/GDPR): bewaartermijn en inzageverzoek. / Retention and access requests.",
                          no_args_is_help=True)


def audit(
    reference: Annotated[str, typer.Argument(help="Contractkenmerk.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON voor scripts.")] = False,
) -> None:
    """Geschiedenis van een contract: wie deed wat, wanneer en waarom. / A contract's history: who, what, why."""
    from sqlalchemy import select

    from srr_engine.storage import schema
    from srr_engine.storage.contracts import require_contract
    from srr_engine.storage.db import unit_of_work

    with unit_of_work() as session:
        stored = require_contract(session, reference)
        rows = [{"id": e.id, "at": e.occurred_at.isoformat(timespec="seconds"), "type": e.type, "actor": e.actor,
                 "details": e.payload}
                for e in session.scalars(select(schema.Event).where(schema.Event.contract_id == stored.id)
                                         .order_by(schema.Event.id))]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table(["#", "wanneer / when", "wat / what", "wie / who", "details"],
          [[r["id"], r["at"], r["type"], r["actor"], json.dumps(r["details"], ensure_ascii=False)] for r in rows])


@privacy_app.command("purge")
def purge(
    older_than: Annotated[str, typer.Option("--older-than", help="Bewaartermijn, bijv. 7y, 18m, 90d.")],
    as_of: AsOf = None,
    by: By = None,
) -> None:
    """Verwijder koppelingen met kandidaten na de bewaartermijn; totalen blijven. / Purge candidate links."""
    from srr_engine.privacy import parse_duration
    from srr_engine.privacy import purge as run_purge

    result = run_purge(parse_duration(older_than), resolve_date(as_of), resolve_actor(by))
    say(msg(f"{result.realisations} realisaties (geëindigd vóór {result.before}) losgekoppeld van hun kandidaat; "
            "waarden en totalen zijn gebleven",
            f"{result.realisations} realisations (ended before {result.before}) unlinked from their candidate; "
            "values and totals are kept"))


@privacy_app.command("export")
def export(pseudonym: Annotated[str, typer.Argument(help="Het pseudoniem van de kandidaat / the pseudonym.")]) -> None:
    """Alles wat onder een pseudoniem is opgeslagen (inzageverzoek), als JSON. / Subject access request."""
    from srr_engine.privacy import subject_access

    typer.echo(json.dumps({"pseudonym": pseudonym, "realisations": subject_access(pseudonym)}, indent=2,
                          ensure_ascii=False))

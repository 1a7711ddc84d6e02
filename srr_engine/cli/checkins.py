"""Commands for check-ins (list, answer) and nudges (list deliveries, send what is due)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from srr_engine.cli.common import AsOf, By, resolve_actor, resolve_date
from srr_engine.cli.output import language, say, table
from srr_engine.messages import msg

checkins_app = typer.Typer(help="Check-ins bekijken en beantwoorden. / View and answer check-ins.", no_args_is_help=True)
nudges_app = typer.Typer(help="Verzonden en wachtende berichten. / Sent and waiting nudges.", no_args_is_help=True)
At = Annotated[datetime | None, typer.Option(
    "--at", help="Moment van verzenden, lokale tijd (standaard nu). / Moment of sending, local time (default now).")]


@checkins_app.command("list")
def list_checkins(
    reference: Annotated[str | None, typer.Option("--contract", help="Alleen dit contract. / Only this contract.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Alleen onbeantwoorde vragen. / Unanswered only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON voor scripts.")] = False,
) -> None:
    """Toon check-ins, nieuwste eerst. / List check-ins, newest first."""
    from sqlalchemy import select

    from srr_engine.storage import schema
    from srr_engine.storage.db import unit_of_work

    c = schema.Checkin
    query = select(c, schema.Contract.reference).join(schema.Contract).order_by(c.id.desc())
    if reference:
        query = query.where(schema.Contract.reference == reference)
    if open_only:
        query = query.where(c.expects_answer.is_(True), c.answer.is_(None))
    lang = language()
    with unit_of_work() as session:
        rows: list[dict[str, Any]] = [
            {"id": row.id, "contract": ref, "rule": row.rule, "role": row.role, "period": row.period,
             "planned_on": row.planned_on.isoformat(), "delivery": row.delivery, "answer": row.answer,
             "answered_by": row.answered_by, "message": row.message.get(lang)}
            for row, ref in session.execute(query)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table(["id", "contract", "regel / rule", "rol / role", "gepland / planned", "bezorging", "antwoord"],
          [[r["id"], r["contract"], r["rule"], r["role"], r["planned_on"], r["delivery"], r["answer"] or "-"]
           for r in rows])


@checkins_app.command("answer")
def answer_checkin(
    checkin_id: Annotated[int, typer.Argument(help="Nummer van de check-in (srr checkins list).")],
    status: Annotated[str, typer.Option("--status", help="on_track | needs_help | behind | done")],
    note: Annotated[str | None, typer.Option("--note", help="Toelichting, zonder namen. / Note, no names.")] = None,
    on: AsOf = None,
    by: By = None,
) -> None:
    """Beantwoord een check-in; dat stopt de escalatie. / Answer a check-in; this stops its escalation."""
    from srr_engine.checkins import answer

    reference = answer(checkin_id, status, note, resolve_actor(by), resolve_date(on))
    say(msg(f"Check-in {checkin_id} ({reference}) beantwoord: {status}",
            f"Check-in {checkin_id} ({reference}) answered: {status}"))


@nudges_app.command("list")
def list_nudges(
    failed: Annotated[bool, typer.Option("--failed", help="Alleen mislukte bezorgingen. / Failed only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON voor scripts.")] = False,
) -> None:
    """Toon berichten (digests) met hun status. / List digests and their delivery status."""
    from sqlalchemy import func, select

    from srr_engine.storage import schema
    from srr_engine.storage.db import unit_of_work

    d = schema.Digest
    query = (select(d, func.count(schema.Checkin.id)).outerjoin(schema.Checkin, schema.Checkin.digest_id == d.id)
             .group_by(d.id).order_by(d.id.desc()))
    if failed:
        query = query.where(d.status != "sent")
    with unit_of_work() as session:
        rows = [{"id": dg.id, "key": dg.key, "status": dg.status, "checkins": n, "attempts": dg.attempts,
                 "language": dg.language, "created_at": dg.created_at.isoformat(),
                 "sent_at": dg.sent_at.isoformat() if dg.sent_at else None, "error": dg.last_error}
                for dg, n in session.execute(query)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table(["id", "status", "check-ins", "pogingen / tries", "verzonden / sent", "fout / error"],
          [[r["id"], r["status"], r["checkins"], r["attempts"], r["sent_at"] or "-", r["error"] or ""] for r in rows])


@nudges_app.command("send")
def send_nudges(at: At = None) -> None:
    """Verstuur wat klaarstaat en probeer mislukte opnieuw. / Send what is due and retry failures."""
    from srr_engine.nudges import deliver
    from srr_engine.settings import get_settings, local_now

    summary = deliver(at or local_now(), get_settings())
    if summary.held_back:
        say(msg(f"Nu niets verstuurd: {summary.held_back.nl}", f"Nothing sent now: {summary.held_back.en}"))
        return
    say(msg(f"{summary.digests_sent} berichten verstuurd ({summary.checkins_sent} check-ins), "
            f"{summary.digests_failed} mislukt", f"{summary.digests_sent} digests sent ({summary.checkins_sent} "
            f"check-ins), {summary.digests_failed} failed"))
    if summary.digests_failed:
        raise typer.Exit(1)

"""Recording facts for instruments (sessions held, KPI counts, new evidence) and leniency decisions.

This is the public write API for instrument plugins' commands: each call is one transaction that
stores the fact and its event together.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from srr_engine.errors import UserError
from srr_engine.events import EventType, record_event
from srr_engine.messages import msg
from srr_engine.storage import schema
from srr_engine.storage.contracts import StoredApplication, require_contract
from srr_engine.storage.db import unit_of_work


def _application(applications: list[StoredApplication], kind: str, reference: str) -> StoredApplication:
    for app in applications:
        if app.kind == kind:
            return app
    raise UserError(msg(f"contract {reference} heeft geen instrument {kind}",
                        f"contract {reference} has no instrument {kind}"))


def record_fact(
    reference: str, kind: str, on: date, data: dict[str, Any], actor: str, engine: Engine | None = None
) -> int:
    """Store a fact of `kind` (prefixed with the instrument's name, e.g. `partnership.session`) for
    the contract's instrument of that name; returns the fact's id."""
    instrument_kind = kind.split(".", 1)[0]
    with unit_of_work(engine) as session:
        stored = require_contract(session, reference)
        app = _application(stored.applications, instrument_kind, reference)
        return _store_fact(session, stored.id, app.id, kind, on, data, actor)


def _store_fact(
    session: Session, contract_id: int, application_id: int | None, kind: str, on: date, data: dict[str, Any],
    actor: str,
) -> int:
    """The fact and its event, in the caller's transaction. The event names the fact, never its text."""
    fact = schema.Fact(contract_id=contract_id, application_id=application_id, kind=kind, on=on, data=data,
                       recorded_by=actor, recorded_at=datetime.now(UTC))
    session.add(fact)
    session.flush()
    contract = session.get(schema.Contract, contract_id)
    record_event(session, EventType.fact_recorded, actor, contract, {"kind": kind, "on": on.isoformat(), "fact_id": fact.id})
    return fact.id


def record_note(
    reference: str, kind: str, on: date, text: str, actor: str, engine: Engine | None = None
) -> int:
    """Store a story or a lesson (`contract.story`, `contract.lesson`) for the evaluation."""
    if not text.strip():
        raise UserError(msg("de tekst is leeg", "the text is empty"))
    with unit_of_work(engine) as session:
        stored = require_contract(session, reference)
        return _store_fact(session, stored.id, None, kind, on, {"text": text.strip()}, actor)


def grant_leniency(
    reference: str,
    actor: str,
    reason: str,
    granted_on: date,
    percentage: Decimal | None = None,
    until: date | None = None,
    kind: str | None = None,
    engine: Engine | None = None,
) -> int:
    """Lower an obligation (`percentage`) or move its deadline (`until`), with who and why."""
    if (percentage is None) == (until is None):
        raise UserError(msg("geef --percentage of --until (één van beide)", "give --percentage or --until (one of them)"))
    if not reason.strip():
        raise UserError(msg("geef een reden (--reason)", "give a reason (--reason)"))
    if percentage is not None and not (Decimal(0) <= percentage <= Decimal(100)):
        raise UserError(msg("percentage moet tussen 0 en 100 liggen", "percentage must be between 0 and 100"))
    with unit_of_work(engine) as session:
        stored = require_contract(session, reference)
        if kind is not None:
            _application(stored.applications, kind, reference)
        row = schema.LeniencyDecision(contract_id=stored.id, kind=kind,
                                      percentage=None if percentage is None else str(percentage),
                                      until=until, reason=reason, granted_by=actor, granted_on=granted_on)
        session.add(row)
        session.flush()
        contract = session.get(schema.Contract, stored.id)
        payload = {"kind": kind, "percentage": row.percentage, "until": until.isoformat() if until else None,
                   "reason": reason}
        record_event(session, EventType.leniency_granted, actor, contract, payload)
        return row.id

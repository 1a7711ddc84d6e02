"""Which check-ins are due, planned in the sweep's transaction, and how they are answered.

The engine adds the regular check-in to the contract manager (every 4 weeks when on track, every
week otherwise), the first contact after award and the escalation of an unanswered check-in; the
instruments add their own through `Instrument.checkins`. Each check-in is unique per (contract, rule,
role, period): planning the same one twice is a no-op, so re-runs and concurrent sweeps are safe.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from srr_engine.assess import ContractResult
from srr_engine.domain import Role
from srr_engine.errors import UserError
from srr_engine.events import EventType, record_event
from srr_engine.instrument import CheckinDue
from srr_engine.messages import Message, msg
from srr_engine.registry import Registry
from srr_engine.settings import NudgeSettings
from srr_engine.status import Status
from srr_engine.storage import schema
from srr_engine.storage.db import core, unit_of_work

log = logging.getLogger(__name__)
REGULAR = "checkin.regular"
FIRST_CONTACT = "checkin.first_contact"
UNANSWERED = "checkin.unanswered"
BEHIND = "checkin.behind"
Answer = Literal["on_track", "needs_help", "behind", "done"]
ANSWERS: tuple[str, ...] = ("on_track", "needs_help", "behind", "done")
URGENCY = {Status.error: 8, Status.not_met: 7, Status.behind: 6, Status.at_risk: 4}


@dataclass(frozen=True)
class PlannedCheckin:
    contract_id: int
    rule: str
    role: Role
    period: str
    urgency: int
    message: Message
    figures: dict[str, Any]
    expects_answer: bool = False
    answered_by_report: bool = False


def contract_figures(result: ContractResult) -> dict[str, Any]:
    """What a nudge shows about a contract: figures, statuses and reasons (never candidates)."""
    def eur(amount: Any) -> str | None:
        return None if amount is None else f"{amount:.2f}"

    c = result.stored.contract
    return {
        "reference": c.reference, "title": c.title, "status": str(result.status) if result.status else None,
        "instruments": [
            {"kind": a.kind, "status": str(a.status), "obligation_eur": eur(a.obligation_eur),
             "expected_eur": eur(a.expected_eur), "realised_eur": eur(a.realised_eur),
             "reasons": [r.model_dump() for r in a.reasons[:3]]}
            for a in (i.assessment for i in result.instruments)
        ],
    }


def regular_checkin(
    result: ContractResult, as_of: date, settings: NudgeSettings, figures: dict[str, Any] | None = None
) -> PlannedCheckin | None:
    """The contract manager's regular check-in: every `checkin_every_days` (28) when on track, every
    `checkin_every_days_at_risk` (7) when at risk, behind or not met, counted from the contract's start."""
    status = result.status
    if status is None or status == Status.met:
        return None
    c = result.stored.contract
    every = settings.checkin_every_days_at_risk if status in URGENCY else settings.checkin_every_days
    period = f"every{every}-{(as_of - c.start).days // every}"
    return PlannedCheckin(
        result.stored.id, REGULAR, Role.contract_manager, period, URGENCY.get(status, 1),
        msg(f"Hoe staat het met de social return op {c.reference}? Geef de stand door en of je hulp nodig hebt.",
            f"How is social return on {c.reference} going? Tell us where it stands and whether you need help."),
        figures or contract_figures(result), expects_answer=True)


def first_contact(
    result: ContractResult, as_of: date, awarded_on: date | None, settings: NudgeSettings,
    figures: dict[str, Any] | None = None,
) -> PlannedCheckin | None:
    """Within `first_contact_days` of award: make the first appointment about social return."""
    if awarded_on is None or not awarded_on <= as_of:
        return None
    c = result.stored.contract
    due = awarded_on + timedelta(days=settings.first_contact_days)
    return PlannedCheckin(
        result.stored.id, FIRST_CONTACT, Role.contract_manager, "award", 5,
        msg(f"{c.reference} is gegund: plan vóór {due} het eerste gesprek over social return met de leverancier.",
            f"{c.reference} was awarded: hold the first conversation about social return with the supplier "
            f"before {due}."),
        figures or contract_figures(result), expects_answer=True)


def instrument_checkins(
    result: ContractResult, registry: Registry, figures: dict[str, Any] | None = None
) -> list[PlannedCheckin]:
    """What each instrument asks for; a plugin that fails here is logged and skipped. The config
    validated for the assessment is reused."""
    planned = []
    for item in result.instruments:
        instrument = registry.instruments.get(item.application.kind)
        if instrument is None or item.assessment.status == Status.error:
            continue
        try:
            config = item.config if item.config is not None else instrument.config_model.model_validate(
                item.application.config)
            due: list[CheckinDue] = instrument.checkins(result.facts, config, item.assessment)
        except Exception as exc:
            log.error("check-ins of %s failed on %s: %s", item.application.kind, result.stored.contract.reference,
                      type(exc).__name__)
            continue
        if due:
            figures = figures or contract_figures(result)
            planned += [PlannedCheckin(result.stored.id, d.rule, role, d.period, d.urgency, d.message, figures,
                                       answered_by_report=d.answered_by_report)
                        for d in due for role in d.roles]
    return planned


def fell_behind(result: ContractResult, as_of: date, figures: dict[str, Any] | None = None) -> PlannedCheckin:
    """An escalation when an instrument's status changed to `behind` (once per ISO week)."""
    c = result.stored.contract
    year, week, _ = as_of.isocalendar()
    return PlannedCheckin(
        result.stored.id, BEHIND, Role.escalation, f"{year}-W{week:02d}", 6,
        msg(f"{c.reference} is achterop geraakt met social return. Wil je met de contractmanager en de leverancier "
            "bespreken wat nodig is?",
            f"{c.reference} has fallen behind on social return. Could you discuss with the contract manager and "
            "the supplier what is needed?"),
        figures or contract_figures(result))


def due_checkins(
    results: list[ContractResult], as_of: date, registry: Registry, settings: NudgeSettings,
    awarded: dict[int, date | None],
) -> list[PlannedCheckin]:
    """The regular, first-contact and instruments' check-ins of each result. A contract's figures (the
    same for each of its check-ins) are worked out once, and only for a contract that has a check-in."""
    planned: list[PlannedCheckin] = []
    for result in results:
        figures = contract_figures(result) if _may_have_checkin(result, as_of, awarded.get(result.stored.id)) else None
        planned += [p for p in (regular_checkin(result, as_of, settings, figures),
                                first_contact(result, as_of, awarded.get(result.stored.id), settings, figures)) if p]
        planned += instrument_checkins(result, registry, figures)
    return planned


def _may_have_checkin(result: ContractResult, as_of: date, awarded_on: date | None) -> bool:
    """Whether the regular or first-contact check-in applies (then the figures are needed anyway)."""
    return (result.status is not None and result.status != Status.met) or (
        awarded_on is not None and awarded_on <= as_of)


def unanswered(session: Session, contract_ids: list[int], as_of: date, settings: NudgeSettings) -> list[PlannedCheckin]:
    """An escalation for each check-in sent and still unanswered `unanswered_days` after it was planned."""
    c = schema.Checkin
    rows = core(session).execute(select(c.id, c.contract_id, c.rule, c.planned_on, c.figures).where(
        c.contract_id.in_(contract_ids), c.expects_answer.is_(True), c.answer.is_(None), c.delivery == "sent",
        c.planned_on <= as_of - timedelta(days=settings.unanswered_days)))
    return [PlannedCheckin(
        contract_id, UNANSWERED, Role.escalation, f"checkin-{checkin_id}", 7,
        msg(f"Een check-in over {figures.get('reference')} van {planned_on} is na {settings.unanswered_days} dagen "
            "niet beantwoord. Wil je navragen hoe het gaat?",
            f"A check-in about {figures.get('reference')} of {planned_on} has not been answered after "
            f"{settings.unanswered_days} days. Could you ask how it is going?"),
        figures) for checkin_id, contract_id, rule, planned_on, figures in rows]


def store_checkins(session: Session, planned: list[PlannedCheckin], as_of: date) -> int:
    """Insert the check-ins not planned before (the unique key decides); returns how many are new."""
    if not planned:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _store_checkins_postgresql(session, planned, as_of)
    from sqlalchemy.dialects.sqlite import insert as upsert

    rows = [{"contract_id": p.contract_id, "rule": p.rule, "role": str(p.role), "period": p.period,
             "planned_on": as_of, "urgency": p.urgency, "message": p.message.model_dump(), "figures": p.figures,
             "expects_answer": p.expects_answer, "answered_by_report": p.answered_by_report, "delivery": "pending"}
            for p in planned]
    table = schema.Checkin.__table__
    statement = upsert(table).on_conflict_do_nothing(
        index_elements=["contract_id", "rule", "role", "period"]).returning(table.c.id)
    return len(core(session).execute(statement, rows).all())


# One statement with the rows as one JSON array: a multi-row VALUES with RETURNING (how SQLAlchemy sends
# an executemany that returns ids) is parsed anew by psycopg for every page, and arrays of JSON texts are
# escaped element by element; either cost more than the insert itself.
_INSERT_CHECKINS_POSTGRESQL = """
INSERT INTO checkins (contract_id, rule, role, period, planned_on, urgency, message, figures, expects_answer,
                      answered_by_report, delivery)
SELECT CAST(x->>'c' AS integer), x->>'r', x->>'o', x->>'p', CAST(:planned_on AS date), CAST(x->>'u' AS integer),
       x->'m', x->'f', CAST(x->>'e' AS boolean), CAST(x->>'b' AS boolean), 'pending'
FROM jsonb_array_elements(CAST(:rows AS jsonb)) WITH ORDINALITY AS t(x, n)
ORDER BY n
ON CONFLICT (contract_id, rule, role, period) DO NOTHING
RETURNING id"""


def _store_checkins_postgresql(session: Session, planned: list[PlannedCheckin], as_of: date) -> int:
    """`store_checkins` on PostgreSQL: the same rows, in the same order, in one statement."""
    import json

    from sqlalchemy import text

    rows = json.dumps([{"c": p.contract_id, "r": p.rule, "o": str(p.role), "p": p.period, "u": p.urgency,
                        "m": p.message.model_dump(), "f": p.figures, "e": p.expects_answer,
                        "b": p.answered_by_report} for p in planned])
    return len(core(session).execute(text(_INSERT_CHECKINS_POSTGRESQL), {"planned_on": as_of, "rows": rows}).all())


def answer(checkin_id: int, answer: str, note: str | None, actor: str, on: date, engine: Engine | None = None) -> str:
    """Answer a check-in; an answer stops its escalation. Returns the contract's reference."""
    if answer not in ANSWERS:
        raise UserError(msg(f"antwoord {answer!r} is onbekend; kies uit {', '.join(ANSWERS)}",
                            f"answer {answer!r} is unknown; choose from {', '.join(ANSWERS)}"))
    with unit_of_work(engine) as session:
        row = session.get(schema.Checkin, checkin_id)
        if row is None:
            raise UserError(msg(f"check-in {checkin_id} bestaat niet (zie `srr checkins list`)",
                                f"check-in {checkin_id} does not exist (see `srr checkins list`)"))
        if row.answer is not None:
            raise UserError(msg(f"check-in {checkin_id} is al beantwoord ({row.answer}, {row.answered_on})",
                                f"check-in {checkin_id} was answered already ({row.answer}, {row.answered_on})"))
        row.answer, row.answer_note, row.answered_by, row.answered_on = answer, note, actor, on
        contract = session.get_one(schema.Contract, row.contract_id)
        record_event(session, EventType.checkin_answered, actor, contract,
                     {"checkin_id": row.id, "rule": row.rule, "answer": answer})
        return contract.reference


def answer_by_report(session: Session, contract_ids: list[int], actor: str, on: date) -> int:
    """An imported supplier report answers the open "report overdue" check-ins of its contracts."""
    c = schema.Checkin
    done = session.connection().execute(update(c).where(
        c.contract_id.in_(contract_ids), c.answered_by_report.is_(True), c.answer.is_(None),
    ).values(answer="done", answer_note="rapportage ingelezen / report imported", answered_by=actor, answered_on=on))
    return done.rowcount or 0

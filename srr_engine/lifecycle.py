"""Tender and award: the contract's way from `planned` to `active`, each step one transaction.

`planned -> tendering` when the tender texts are produced; `-> active` when the contract is awarded
to a supplier (with the supplier's offer, e.g. 10 % social return where 5 % was asked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from srr_engine.contracts import combination_problems
from srr_engine.domain import Contract, Organisation, Phase
from srr_engine.errors import ContractError, Problem, UserError, problems_from_validation
from srr_engine.events import EventType, record_event
from srr_engine.instrument import ContractFacts, Instrument, Obligation, TenderOutput
from srr_engine.messages import Message, msg
from srr_engine.registry import Registry
from srr_engine.storage import contracts as store
from srr_engine.storage import schema
from srr_engine.storage.contracts import StoredApplication
from srr_engine.storage.db import unit_of_work

TENDER_PHASES = (Phase.planned, Phase.tendering)


@dataclass
class InstrumentTender:
    kind: str
    title: Message
    output: TenderOutput
    obligations: list[Obligation]


@dataclass
class TenderResult:
    contract: Contract
    instruments: list[InstrumentTender] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    phase_changed: bool = False


@dataclass
class AwardResult:
    contract: Contract
    configs: dict[str, dict[str, Any]]
    phase_changed: bool


def set_phase(session: Session, row: schema.Contract, phase: Phase, actor: str) -> bool:
    """Move a contract to `phase` with a `phase.changed` event; False when it is there already."""
    if row.phase == str(phase):
        return False
    record_event(session, EventType.phase_changed, actor, row, {"from": row.phase, "to": str(phase)})
    row.phase = str(phase)
    return True


def validated_config(instrument: Instrument, app: StoredApplication, where: str) -> BaseModel:
    try:
        return instrument.config_model.model_validate(app.config)
    except ValidationError as exc:
        raise UserError(problems_from_validation(exc, where)) from None


def _require_phase(contract: Contract, allowed: tuple[Phase, ...], action: Message) -> None:
    if contract.phase not in allowed:
        names = ", ".join(str(p) for p in allowed)
        raise UserError(msg(f"{contract.reference} staat in fase {contract.phase}; {action.nl} kan alleen in {names}",
                            f"{contract.reference} is in phase {contract.phase}; {action.en} is only possible in {names}"))


def tender(reference: str, registry: Registry, actor: str, on: date, engine: Engine | None = None) -> TenderResult:
    """Check the instruments and their combination, compute the obligations and the tender texts, and
    move the contract to `tendering`. Running it again in `tendering` gives the same texts."""
    with unit_of_work(engine) as session:
        stored = store.require_contract(session, reference)
        contract = stored.contract
        _require_phase(contract, TENDER_PHASES, msg("aanbesteden", "tendering"))
        instruments = [(app, registry.instrument(app.kind)) for app in stored.applications]
        problems = combination_problems([inst for _, inst in instruments])
        if problems:
            raise UserError([Problem(reference, p) for p in problems])
        result = TenderResult(contract)
        facts = ContractFacts(contract=contract, as_of=on)
        for app, inst in instruments:
            config = validated_config(inst, app, f"{reference}, {app.kind}")
            try:
                result.instruments.append(InstrumentTender(
                    app.kind, inst.title, inst.tender(contract, config), inst.obligations(facts, config)))
            except ContractError as exc:
                raise UserError([Problem(f"{reference}, {app.kind}", exc.message)]) from None
            result.warnings += inst.not_applicable(contract, config)
        row = session.get_one(schema.Contract, stored.id)
        if set_phase(session, row, Phase.tendering, actor):
            result.phase_changed = True
            record_event(session, EventType.tender_published, actor, row, {
                "kinds": [t.kind for t in result.instruments],
                "eforms": {t.kind: t.output.eforms for t in result.instruments}})
        result.contract = contract.model_copy(update={"phase": Phase(row.phase)})
    return result


def award(
    reference: str,
    supplier: str,
    offers: dict[str, dict[str, Any]],
    registry: Registry,
    actor: str,
    on: date,
    engine: Engine | None = None,
) -> AwardResult:
    """Award the contract to `supplier` with its offer per instrument (e.g. `{"sroi_clause":
    {"percentage": "10"}}`). Every instrument's award rules must allow it, or nothing changes."""
    with unit_of_work(engine) as session:
        stored = store.require_contract(session, reference)
        _require_phase(stored.contract, TENDER_PHASES, msg("gunnen", "awarding"))
        unknown = sorted(set(offers) - {a.kind for a in stored.applications})
        if unknown:
            raise UserError(msg(f"aanbod voor {', '.join(unknown)}, maar dat instrument staat niet op {reference}",
                                f"offer for {', '.join(unknown)}, but {reference} has no such instrument"))
        contract = stored.contract.model_copy(update={"supplier": Organisation(name=supplier)})
        configs: dict[int, BaseModel] = {}
        problems: list[Problem] = []
        for app in stored.applications:
            inst = registry.instrument(app.kind)
            where = f"{reference}, {app.kind}"
            try:
                configs[app.id] = inst.award(contract, validated_config(inst, app, where), offers.get(app.kind, {}))
            except ContractError as exc:
                problems.append(Problem(where, exc.message))
                continue
            problems += [Problem(where, m) for m in inst.award_problems(contract, configs[app.id], on)]
        if problems:
            raise UserError(problems)
        by_id = {a.id: a for a in session.scalars(select(schema.InstrumentApplication).where(
            schema.InstrumentApplication.contract_id == stored.id))}
        for app_id, config in configs.items():
            by_id[app_id].config = config.model_dump(mode="json")
        row = session.get_one(schema.Contract, stored.id)
        row.supplier_id = store.organisation_id(session, Organisation(name=supplier))
        row.awarded_on = on
        record_event(session, EventType.contract_awarded, actor, row,
                     {"supplier": supplier, "on": on.isoformat(), "offers": {k: {f: str(v) for f, v in o.items()} for k, o in offers.items()}})
        changed = set_phase(session, row, Phase.active, actor)
        return AwardResult(contract.model_copy(update={"phase": Phase.active}),
                           {by_id[i].kind: by_id[i].config for i in configs}, changed)

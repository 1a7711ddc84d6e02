"""Evaluating a contract: every instrument's final figures, the stories and lessons, and sign-off.

The evaluation is stored per contract and as-of date (running it again for the same date with the
same facts changes nothing); the contract moves to `evaluating`, and to `closed` when signed off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from srr_engine.assess import load_facts
from srr_engine.domain import Contract, Phase
from srr_engine.errors import UserError
from srr_engine.events import EventType, record_event
from srr_engine.instrument import Evaluation, Fact
from srr_engine.lifecycle import set_phase
from srr_engine.messages import msg
from srr_engine.registry import Registry
from srr_engine.status import Status
from srr_engine.storage import contracts as store
from srr_engine.storage import schema
from srr_engine.storage.db import unit_of_work

log = logging.getLogger(__name__)
EVALUATED_PHASES = (Phase.awarded, Phase.active, Phase.evaluating)
NOTE_KINDS = ("contract.story", "contract.lesson")


@dataclass
class EvaluationResult:
    contract: Contract
    as_of: date
    evaluations: list[Evaluation]
    notes: list[Fact] = field(default_factory=list)
    signed_off_by: str | None = None
    changed: bool = False


def evaluate_one(registry: Registry, kind: str, config: dict[str, Any], facts: Any) -> Evaluation:
    """One instrument's evaluation; a missing or failing plugin gives an `error` evaluation."""
    try:
        instrument = registry.instrument(kind)
        return instrument.evaluate(facts, instrument.config_model.model_validate(config))
    except Exception as exc:
        log.error("evaluation by %s failed on %s: %s", kind, facts.contract.reference, type(exc).__name__)
        return Evaluation(kind=kind, status=Status.error, reasons=[msg(
            f"evaluatie mislukt in plugin {kind} ({type(exc).__name__})",
            f"evaluation failed in plugin {kind} ({type(exc).__name__})")])


def evaluate(
    reference: str,
    as_of: date,
    registry: Registry,
    actor: str,
    sign_off: bool = False,
    engine: Engine | None = None,
) -> EvaluationResult:
    """Evaluate the contract as of a date, store it, move it to `evaluating` (or `closed` on sign-off)."""
    with unit_of_work(engine) as session:
        stored = store.require_contract(session, reference)
        contract = stored.contract
        if contract.phase not in EVALUATED_PHASES:
            raise UserError(msg(f"{reference} staat in fase {contract.phase} en kan niet geëvalueerd worden",
                                f"{reference} is in phase {contract.phase} and cannot be evaluated"))
        facts = load_facts(session, [stored], as_of, with_realisations=True)[stored.id]
        evaluations = [evaluate_one(registry, a.kind, a.config, facts) for a in stored.applications]
        results = [e.model_dump(mode="json") for e in evaluations]
        row = session.get_one(schema.Contract, stored.id)
        saved = session.scalar(select(schema.Evaluation).where(
            schema.Evaluation.contract_id == stored.id, schema.Evaluation.as_of == as_of))
        changed = saved is None or saved.results != results
        if saved is None:
            saved = schema.Evaluation(contract_id=stored.id, as_of=as_of, results=results, evaluated_by=actor)
            session.add(saved)
        else:
            saved.results = results
        if changed:
            record_event(session, EventType.evaluation_done, actor, row, {
                "as_of": as_of.isoformat(),
                "instruments": {e.kind: str(e.status) for e in evaluations}})
        changed |= set_phase(session, row, Phase.evaluating, actor)
        if sign_off:
            saved.signed_off_by, saved.signed_off_on = actor, as_of
            changed |= set_phase(session, row, Phase.closed, actor)
        return EvaluationResult(contract.model_copy(update={"phase": Phase(row.phase)}), as_of, evaluations,
                                [f for f in facts.facts if f.kind in NOTE_KINDS], saved.signed_off_by, changed)

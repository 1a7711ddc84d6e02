"""Registering contracts: validate everything first, then store all of it in one transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from srr_engine.domain import Contract, Phase
from srr_engine.errors import ContractError, Problem, UserError, problems_from_validation
from srr_engine.events import EventType, record_event
from srr_engine.files import read_records
from srr_engine.instrument import Instrument
from srr_engine.messages import Message, msg
from srr_engine.registry import Registry
from srr_engine.storage import contracts as store
from srr_engine.storage import schema
from srr_engine.storage.db import unit_of_work

AWARDED_PHASES = {Phase.awarded, Phase.active, Phase.evaluating, Phase.closed}


@dataclass
class CheckedInstrument:
    instrument: Instrument
    config: BaseModel

    @property
    def kind(self) -> str:
        return self.instrument.name


@dataclass
class CheckedContract:
    """A contract that passed every check, with its instruments' validated configs."""

    contract: Contract
    instruments: list[CheckedInstrument]
    warnings: list[Problem] = field(default_factory=list)


def check_contract(data: dict[str, Any], registry: Registry, where: str) -> CheckedContract:
    """Validate one contract record and its instruments; all problems are reported at once."""
    try:
        contract = Contract.model_validate(data)
    except ValidationError as exc:
        raise UserError(problems_from_validation(exc, where)) from None
    where = f"{where} ({contract.reference})"
    problems: list[Problem] = []
    checked: list[CheckedInstrument] = []
    for index, spec in enumerate(contract.instruments):
        place = f"{where}, instruments[{index + 1}] ({spec.kind})"
        try:
            checked.append(check_instrument(contract, spec.kind, spec.config, registry))
        except UserError as exc:
            problems += [Problem(f"{place}{', ' + p.where if p.where else ''}", p.what) for p in exc.problems]
    problems += [Problem(where, m) for m in combination_problems([c.instrument for c in checked])]
    if contract.phase in AWARDED_PHASES:  # registered already awarded: judge eligibility at the start
        for c in checked:
            problems += [
                Problem(f"{where}, {c.kind}", m) for m in c.instrument.award_problems(contract, c.config, contract.start)
            ]
    if problems:
        raise UserError(problems)
    warnings = [Problem(where, m) for m in combination_warnings([c.instrument for c in checked])]
    for c in checked:
        warnings += [Problem(f"{where}, {c.kind}", m) for m in c.instrument.not_applicable(contract, c.config)]
    return CheckedContract(contract, checked, warnings)


def check_instrument(contract: Contract, kind: str, config: dict[str, Any], registry: Registry) -> CheckedInstrument:
    """Validate an instrument's config with its own model and let it complete the config."""
    try:
        instrument = registry.instrument(kind)
        validated = instrument.prepare(contract, instrument.config_model.model_validate(config))
    except ValidationError as exc:
        raise UserError(problems_from_validation(exc)) from None
    except ContractError as exc:
        raise UserError([Problem("", exc.message)]) from None
    return CheckedInstrument(instrument, validated)


def combination_problems(instruments: list[Instrument]) -> list[Message]:
    """Two of one kind where that makes no sense, or kinds that conflict."""
    problems = []
    counts = Counter(i.name for i in instruments)
    for kind, count in counts.items():
        if count > 1 and not _allows_multiple(instruments, kind):
            problems.append(msg(f"instrument {kind} staat {count} keer op dit contract; één is toegestaan",
                                f"instrument {kind} appears {count} times on this contract; one is allowed"))
    for inst in instruments:
        for other in sorted(inst.conflicts_with & set(counts)):
            problems.append(msg(f"{inst.name} en {other} gaan niet samen op één contract",
                                f"{inst.name} and {other} cannot be combined on one contract"))
    return problems


def _allows_multiple(instruments: list[Instrument], kind: str) -> bool:
    return next(i for i in instruments if i.name == kind).multiple_per_contract


def combination_warnings(instruments: list[Instrument]) -> list[Message]:
    kinds = {i.name for i in instruments}
    return [text for inst in instruments for other, text in inst.warns_with.items() if other in kinds]


def check_file(path: Path, registry: Registry) -> list[CheckedContract]:
    """Every contract in a file, checked; one bad contract refuses the whole file."""
    problems: list[Problem] = []
    checked: list[CheckedContract] = []
    records = read_records(path)
    for index, record in enumerate(records):
        name = record.get("reference") if isinstance(record, dict) else None
        where = f"{path}, contract {index + 1}" if len(records) > 1 else str(path)
        where += f" ({name})" if isinstance(name, str) and name else ""
        try:
            checked.append(check_contract(record, registry, where))
        except UserError as exc:
            problems += exc.problems
    seen = Counter(c.contract.reference for c in checked)
    problems += [
        Problem(str(path), msg(f"kenmerk {ref} staat {n} keer in het bestand", f"reference {ref} appears {n} times"))
        for ref, n in seen.items()
        if n > 1
    ]
    if problems:
        raise UserError(problems)
    return checked


def register_contracts(checked: list[CheckedContract], actor: str, engine: Engine | None = None) -> list[str]:
    """Store the contracts, their instruments and events in one transaction.

    A reference that exists already refuses the whole batch: nothing is changed.
    """
    with unit_of_work(engine) as session:
        taken = store.existing_references(session, [c.contract.reference for c in checked])
        if taken:
            raise UserError(
                [
                    Problem(ref, msg("dit contract is al geregistreerd", "this contract is registered already"))
                    for ref in sorted(taken)
                ]
            )
        if problems := bundle_problems(session, [c.contract for c in checked]):
            raise UserError(problems)
        for item in checked:
            row = store.insert_contract(session, item.contract)
            record_event(session, EventType.contract_registered, actor, row, {"phase": row.phase})
            for inst in item.instruments:
                config = inst.config.model_dump(mode="json")
                app = store.insert_application(session, row, inst.kind, config, item.contract.start)
                record_event(
                    session, EventType.instrument_applied, actor, row, {"kind": inst.kind, "application_id": app.id}
                )
    return [c.contract.reference for c in checked]


def bundle_problems(session: Session, contracts: list[Contract]) -> list[Problem]:
    """A bundle pools contracts of one buyer and one supplier: a member that differs is refused."""
    new = [c for c in contracts if c.bundle]
    members = store.bundle_members(session, {c.bundle for c in new if c.bundle})
    problems = []
    for contract in new:
        others = members.get(contract.bundle or "", []) + [c for c in new if c.bundle == contract.bundle]
        clash = next(((other, role, theirs.name) for other in others
                      for role, mine, theirs in (("buyer", contract.buyer, other.buyer),
                                                 ("supplier", contract.supplier, other.supplier))
                      if mine and theirs and mine.name != theirs.name), None)
        if clash:
            other, role, name = clash
            role_nl = "opdrachtgever" if role == "buyer" else "leverancier"
            problems.append(Problem(f"{contract.reference}, bundle", msg(
                f"bundel {contract.bundle} bundelt contracten van één opdrachtgever en één leverancier, "
                f"maar {other.reference} heeft {role_nl} {name}",
                f"bundle {contract.bundle} pools contracts of one buyer and one supplier, but "
                f"{other.reference} has {role} {name}")))
    return problems


def apply_instruments(
    reference: str, specs: list[dict[str, Any]], registry: Registry, actor: str, on: date, engine: Engine | None = None
) -> list[str]:
    """Add instruments to a registered contract, e.g. a partnership on a running one ("route 1").

    The new instruments are checked with the ones the contract has; all are added or none.
    """
    with unit_of_work(engine) as session:
        stored = store.require_contract(session, reference)
        contract = stored.contract
        problems: list[Problem] = []
        checked: list[CheckedInstrument] = []
        for index, spec in enumerate(specs):
            kind = str(spec.get("kind", ""))
            try:
                checked.append(check_instrument(contract, kind, {k: v for k, v in spec.items() if k != "kind"}, registry))
            except UserError as exc:
                problems += [Problem(f"{reference}, instruments[{index + 1}] ({kind})", p.what) for p in exc.problems]
        existing = [registry.instruments[a.kind] for a in stored.applications if a.kind in registry.instruments]
        problems += [Problem(reference, m) for m in combination_problems(existing + [c.instrument for c in checked])]
        if contract.phase in AWARDED_PHASES:
            problems += [Problem(f"{reference}, {c.kind}", m) for c in checked
                         for m in c.instrument.award_problems(contract, c.config, on)]
        if problems:
            raise UserError(problems)
        row = session.get(schema.Contract, stored.id)
        for inst in checked:
            app = store.insert_application(session, row, inst.kind, inst.config.model_dump(mode="json"), on)
            record_event(session, EventType.instrument_applied, actor, row,
                         {"kind": inst.kind, "application_id": app.id, "phase": row.phase})
    return [c.kind for c in checked]

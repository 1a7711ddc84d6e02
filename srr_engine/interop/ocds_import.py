"""`srr import ocds`: create or update contracts from OCDS data through the engine's own services.

Per contract of each process: a new one is checked like a contract file (`check_contract`) and
registered (`register_contracts`: events `contract.registered`, `instrument.applied`); one that exists
gets the instruments it lacks (`apply_instruments`) and, when the data names the supplier of a contract
still in tender, the award (`lifecycle.award`). Each is its own transaction, so a process that cannot
be mapped is reported and the others still go in. An instrument the engine refuses (e.g. a reservation
awarded without evidence) is left off and reported; the contract is registered without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from srr_engine.contracts import CheckedContract, apply_instruments, check_contract, register_contracts
from srr_engine.domain import Phase
from srr_engine.errors import UserError
from srr_engine.interop.ocds_map import ImportRule, MappedContract, load_rules, map_process
from srr_engine.interop.ocds_read import read_processes
from srr_engine.messages import Message, msg
from srr_engine.registry import Registry
from srr_engine.storage import schema
from srr_engine.storage.contracts import StoredContract, load_contracts
from srr_engine.storage.db import unit_of_work

TENDER_PHASES = (Phase.planned, Phase.tendering)


@dataclass
class Outcome:
    """What happened to one contract of a process (or to a process that has none to offer)."""

    ocid: str
    reference: str | None
    action: str  # registered | updated | unchanged | skipped | failed (dry run: would_register, would_update)
    kinds: list[str] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)


@dataclass
class ImportReport:
    outcomes: list[Outcome]

    def count(self, *actions: str) -> int:
        return sum(1 for o in self.outcomes if o.action in actions)

    @property
    def changed(self) -> int:
        return self.count("registered", "updated")


def import_ocds(
    path: Path,
    registry: Registry,
    actor: str,
    on: date,
    rules_path: Path | None = None,
    dry_run: bool = False,
    social_only: bool = False,
    engine: Engine | None = None,
) -> ImportReport:
    """Import every process of an OCDS file; see the module docstring."""
    rules = load_rules(rules_path)
    outcomes: list[Outcome] = []
    for process in read_processes(path):
        if process.release is None:
            outcomes.append(Outcome(process.ocid, None, "failed", problems=process.problems or [
                msg("geen release voor dit proces", "no release for this process")]))
            continue
        mapped = map_process(process.ocid, process.release, rules)
        existing = _existing(engine, [m.reference for m in mapped])
        for item in mapped:
            outcome = _one(item, existing.get(item.reference), registry, actor, on, rules, dry_run, social_only, engine)
            outcome.notes = process.problems + outcome.notes
            if process.merged:
                outcome.notes.insert(0, msg(f"{process.merged} releases samengevoegd (ocdsmerge)",
                                            f"{process.merged} releases merged (ocdsmerge)"))
            outcomes.append(outcome)
    return ImportReport(outcomes)


def _existing(engine: Engine | None, references: list[str]) -> dict[str, StoredContract]:
    with unit_of_work(engine) as session:
        found = load_contracts(session, select(schema.Contract).where(schema.Contract.reference.in_(references)))
    return {s.contract.reference: s for s in found}


def _one(mapped: MappedContract, stored: StoredContract | None, registry: Registry, actor: str, on: date,
         rules: list[ImportRule], dry_run: bool, social_only: bool, engine: Engine | None) -> Outcome:
    outcome = Outcome(mapped.ocid, mapped.reference, "failed", notes=list(mapped.notes))
    if mapped.skipped is not None:
        outcome.action, outcome.notes = "skipped", [mapped.skipped, *outcome.notes]
        return outcome
    if social_only and not mapped.instruments:
        outcome.action = "skipped"
        outcome.notes.insert(0, msg("geen social return in de data (--social-only)",
                                    "no social return in the data (--social-only)"))
        return outcome
    if stored is not None:
        return _update(outcome, mapped, stored, registry, actor, on, dry_run, engine)
    if mapped.problems:
        outcome.problems = mapped.problems
        return outcome
    return _register(outcome, mapped, registry, actor, dry_run, engine)


def _flatten(exc: UserError, *strip: str) -> list[Message]:
    """The problems of an error as messages, without the part of `where` the report already shows."""
    found = []
    for p in exc.problems:
        where = p.where
        for prefix in strip:
            if where.startswith(prefix):
                where = where.removeprefix(prefix).lstrip(", ")
                break
        found.append(msg(f"{where}: {p.what.nl}" if where else p.what.nl,
                         f"{where}: {p.what.en}" if where else p.what.en))
    return found


def _record(mapped: MappedContract, specs: list[dict[str, Any]]) -> dict[str, Any]:
    return {**mapped.record, "instruments": specs}


def _register(outcome: Outcome, mapped: MappedContract, registry: Registry, actor: str, dry_run: bool,
              engine: Engine | None) -> Outcome:
    where = mapped.ocid
    strip = (f"{where} ({mapped.reference})", where)
    try:
        check_contract(_record(mapped, []), registry, where)
    except UserError as exc:
        outcome.problems = _flatten(exc, *strip)
        return outcome
    accepted = []
    for inst in mapped.instruments:
        try:
            check_contract(_record(mapped, [a.spec for a in accepted] + [inst.spec]), registry, where)
        except UserError as exc:
            own = (f"{strip[0]}, {inst.kind}", f"{strip[0]}, instruments[{len(accepted) + 1}] ({inst.kind})")
            reasons = "; ".join(m.nl for m in _flatten(exc, *own, *strip))
            reasons_en = "; ".join(m.en for m in _flatten(exc, *own, *strip))
            outcome.notes.append(msg(
                f"{inst.kind} ({inst.signal.text()}) niet toegepast: {reasons}. Voeg het later toe met "
                f"`srr contracts apply {mapped.reference} BESTAND`",
                f"{inst.kind} ({inst.signal.text()}) not applied: {reasons_en}. Add it later with "
                f"`srr contracts apply {mapped.reference} FILE`"))
            continue
        accepted.append(inst)
    checked: CheckedContract = check_contract(_record(mapped, [a.spec for a in accepted]), registry, where)
    outcome.notes += [msg(w.text("nl").removeprefix(strip[0]).lstrip(", :"),
                          w.text("en").removeprefix(strip[0]).lstrip(", :")) for w in checked.warnings]
    outcome.notes += _assumed(accepted)
    outcome.kinds = [a.kind for a in accepted]
    if dry_run:
        outcome.action = "would_register"
        return outcome
    try:
        register_contracts([checked], actor, engine)
    except UserError as exc:
        outcome.problems = _flatten(exc, *strip)
        return outcome
    outcome.action = "registered"
    return outcome


def _assumed(instruments: list[Any]) -> list[Message]:
    notes = []
    for inst in instruments:
        if inst.assumed:
            values = ", ".join(f"{f} = {inst.spec.get(f)}" for f in inst.assumed)
            notes.append(msg(
                f"{inst.kind}: {values} staat niet in de OCDS-data maar komt uit de importregels; controleer het",
                f"{inst.kind}: {values} is not in the OCDS data but comes from the import rules; check it"))
    return notes


def _update(outcome: Outcome, mapped: MappedContract, stored: StoredContract, registry: Registry, actor: str,
            on: date, dry_run: bool, engine: Engine | None) -> Outcome:
    from srr_engine.lifecycle import award

    contract = stored.contract
    outcome.notes += _differences(mapped, stored)
    changed = would = False
    have = {a.kind for a in stored.applications}
    for inst in [i for i in mapped.instruments if i.kind not in have]:
        if dry_run:
            outcome.notes.append(msg(f"zou {inst.kind} toevoegen", f"would add {inst.kind}"))
            would = True
            continue
        try:
            apply_instruments(mapped.reference, [inst.spec], registry, actor, on, engine)
        except UserError as exc:
            reasons = _flatten(exc, mapped.reference)
            outcome.notes.append(msg(f"{inst.kind} niet toegevoegd: {'; '.join(m.nl for m in reasons)}",
                                     f"{inst.kind} not added: {'; '.join(m.en for m in reasons)}"))
            continue
        outcome.kinds.append(inst.kind)
        outcome.notes += _assumed([inst])
        changed = True
    supplier = mapped.supplier
    if supplier and contract.phase in TENDER_PHASES:
        if dry_run:
            outcome.notes.append(msg(f"zou gunnen aan {supplier}", f"would award to {supplier}"))
            would = True
        else:
            try:
                award(mapped.reference, supplier, {}, registry, actor, mapped.awarded_on or on, engine)
                outcome.notes.append(msg(f"gegund aan {supplier}", f"awarded to {supplier}"))
                changed = True
            except UserError as exc:
                reasons = _flatten(exc, mapped.reference)
                outcome.notes.append(msg(f"niet gegund aan {supplier}: {'; '.join(m.nl for m in reasons)}",
                                         f"not awarded to {supplier}: {'; '.join(m.en for m in reasons)}"))
    elif supplier and contract.supplier and contract.supplier.name != supplier:
        outcome.notes.append(msg(f"leverancier in de data is {supplier}; de engine houdt {contract.supplier.name}",
                                 f"the data names supplier {supplier}; the engine keeps {contract.supplier.name}"))
    if dry_run:
        outcome.action = "would_update" if would else "unchanged"
    else:
        outcome.action = "updated" if changed else "unchanged"
    return outcome


def _differences(mapped: MappedContract, stored: StoredContract) -> list[Message]:
    """Figures that differ from the registered contract: reported, never overwritten (there is no event
    for changing a registered contract's figures; change them with the buyer's own process)."""
    c, record = stored.contract, mapped.record
    pairs = [("buyer", c.buyer.name, (record.get("buyer") or {}).get("name")),
             ("value_eur", f"{c.value_eur:.2f}", record.get("value_eur")),
             ("start", c.start.isoformat(), record.get("start")), ("end", c.end.isoformat(), record.get("end")),
             ("cpv", c.cpv, record.get("cpv"))]
    return [msg(f"{name} in de data is {theirs}; de engine houdt {mine}",
                f"{name} in the data is {theirs}; the engine keeps {mine}")
            for name, mine, theirs in pairs if theirs is not None and str(theirs) != str(mine)]

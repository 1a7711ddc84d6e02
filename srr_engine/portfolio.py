"""What the reports show, read from the stored history: per contract and for the portfolio.

Figures come from the stored assessments (the monitoring runs' history), evaluations, realisations
and notes. A bundle's pooled obligation is stored on each member; totals count it once per bundle.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from srr_engine.settings import get_settings
from srr_engine.status import SEVERITY, Status
from srr_engine.storage import schema

ZERO = Decimal("0.00")


def _eur(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


@dataclass
class InstrumentLine:
    kind: str
    status: str
    obligation: Decimal | None
    expected: Decimal | None
    realised: Decimal | None
    reasons: list[dict[str, str]]
    bundle: str | None


@dataclass
class ContractLine:
    id: int
    reference: str
    title: str
    buyer: str
    supplier: str | None
    cpv_division: str
    phase: str
    pilot: bool
    bundle: str | None
    as_of: date | None = None
    instruments: list[InstrumentLine] = field(default_factory=list)
    shortfall: Decimal | None = None
    penalty: Decimal | None = None

    @property
    def status(self) -> str | None:
        statuses = [Status(i.status) for i in self.instruments]
        return str(max(statuses, key=lambda s: SEVERITY[s])) if statuses else None


@dataclass
class BundleCandidate:
    """Small contracts of one buyer and supplier that together reach the bundling threshold."""

    buyer: str
    supplier: str
    references: list[str]
    total: Decimal


@dataclass
class Pilot:
    reference: str
    title: str
    phase: str
    status: str | None
    evaluated: str | None


@dataclass
class Report:
    as_of: date
    contracts: list[ContractLine]
    history: list[tuple[date, dict[str, Decimal]]]
    totals: dict[str, dict[str, list[Decimal]]]  # view -> key -> [committed, realised]
    statuses: Counter[str]
    banenafspraak_jobs: int
    employed: dict[str, Counter[str]]
    notes: list[dict[str, Any]]
    bundle_candidates: list[BundleCandidate] = field(default_factory=list)
    pilots: list[Pilot] = field(default_factory=list)


def _lines(session: Session, contract_ids: list[int] | None) -> dict[int, ContractLine]:
    c, buyer, supplier = schema.Contract, aliased(schema.Organisation), aliased(schema.Organisation)
    query = (select(c.id, c.reference, c.title, buyer.name, supplier.name, c.cpv, c.phase, c.pilot, c.bundle)
             .join(buyer, c.buyer_id == buyer.id).outerjoin(supplier, c.supplier_id == supplier.id)
             .where(c.phase != "planned").order_by(c.reference))
    if contract_ids is not None:
        query = query.where(c.id.in_(contract_ids))
    return {row[0]: ContractLine(row[0], row[1], row[2], row[3], row[4], row[5][:2], row[6], row[7], row[8])
            for row in session.execute(query)}


def _assessments(session: Session, ids: list[int], as_of: date) -> list[schema.Assessment]:
    a = schema.Assessment
    return list(session.scalars(select(a).where(a.contract_id.in_(ids), a.as_of <= as_of).order_by(a.as_of, a.id)))


def history(rows: list[schema.Assessment]) -> list[tuple[date, dict[str, Decimal]]]:
    """Expected and realised per as-of date, summed over instruments in euros (a bundle once)."""
    per_day: dict[date, dict[str, Decimal]] = defaultdict(lambda: {"expected": ZERO, "realised": ZERO})
    seen: set[tuple[date, str]] = set()
    for row in rows:
        if row.expected_cents is None or row.realised_cents is None:
            continue
        bundle = (row.figures or {}).get("bundle")
        if bundle:
            if (row.as_of, bundle) in seen:
                continue
            seen.add((row.as_of, bundle))
        per_day[row.as_of]["expected"] += Decimal(row.expected_cents).scaleb(-2)
        per_day[row.as_of]["realised"] += Decimal(row.realised_cents).scaleb(-2)
    return sorted(per_day.items())


def report(session: Session, as_of: date, references: list[str] | None = None) -> Report:
    """The report's figures as of a date, for the named contracts or the whole portfolio."""
    ids = None
    if references is not None:
        ids = list(session.scalars(select(schema.Contract.id).where(schema.Contract.reference.in_(references))))
    lines = _lines(session, ids)
    rows = _assessments(session, list(lines), as_of)
    latest: dict[int, schema.Assessment] = {}
    for row in rows:
        latest[row.application_id] = row
    apps = schema.InstrumentApplication
    kinds = {app_id: kind for app_id, kind in session.execute(
        select(apps.id, apps.kind).where(apps.contract_id.in_(list(lines))))}
    for app_id, row in sorted(latest.items()):
        line = lines[row.contract_id]
        line.as_of = max(line.as_of or row.as_of, row.as_of)
        line.instruments.append(InstrumentLine(kinds.get(app_id, "?"), row.status, _eur(row.obligation_cents),
                                               _eur(row.expected_cents), _eur(row.realised_cents), row.reasons,
                                               (row.figures or {}).get("bundle")))
    evaluated = _add_evaluations(session, lines, as_of)
    return Report(as_of, list(lines.values()), history([r for r in rows if r.contract_id in lines]),
                  _totals(list(lines.values())), Counter(line.status or "none" for line in lines.values()),
                  *_people(session, list(lines), as_of), _notes(session, list(lines), as_of),
                  bundle_candidates(session, get_settings().portfolio.bundle_threshold_eur) if references is None
                  else [],
                  [Pilot(line.reference, line.title, line.phase, line.status, evaluated.get(line.id))
                   for line in lines.values() if line.pilot])


def _add_evaluations(session: Session, lines: dict[int, ContractLine], as_of: date) -> dict[int, str]:
    """Shortfall and penalty from each contract's latest evaluation; returns the evaluated statuses."""
    e = schema.Evaluation
    statuses = {}
    for row in session.scalars(select(e).where(e.contract_id.in_(list(lines)), e.as_of <= as_of).order_by(e.as_of)):
        line = lines[row.contract_id]
        found = [Status(r["status"]) for r in row.results]
        statuses[row.contract_id] = str(max(found, key=lambda s: SEVERITY[s])) if found else None
        shortfalls = [Decimal(r["shortfall_eur"]) for r in row.results if r.get("shortfall_eur") is not None]
        penalties = [Decimal(r["penalty_eur"]) for r in row.results if r.get("penalty_eur") is not None]
        line.shortfall = sum(shortfalls, ZERO) if shortfalls else None
        line.penalty = sum(penalties, ZERO) if penalties else None
    return statuses


def bundle_candidates(session: Session, threshold: Decimal) -> list[BundleCandidate]:
    """Per buyer and supplier: the running or planned contracts below the threshold, not yet in a bundle,
    when there are two or more and together they reach it."""
    c, buyer, supplier = schema.Contract, aliased(schema.Organisation), aliased(schema.Organisation)
    rows = session.execute(
        select(buyer.name, supplier.name, c.reference, c.value_cents)
        .join(buyer, c.buyer_id == buyer.id).join(supplier, c.supplier_id == supplier.id)
        .where(c.bundle.is_(None), c.value_cents < int(threshold * 100),
               c.phase.in_(["planned", "tendering", "awarded", "active"]))
        .order_by(buyer.name, supplier.name, c.reference))
    groups: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for buyer_name, supplier_name, reference, cents in rows:
        groups[(buyer_name, supplier_name)].append((reference, cents))
    return [BundleCandidate(b, s, [ref for ref, _ in items], Decimal(sum(v for _, v in items)).scaleb(-2))
            for (b, s), items in groups.items()
            if len(items) > 1 and sum(v for _, v in items) >= threshold * 100]


def _totals(lines: list[ContractLine]) -> dict[str, dict[str, list[Decimal]]]:
    """Committed (obligation) and realised per buyer, supplier, CPV division and instrument."""
    views: dict[str, dict[str, list[Decimal]]] = {v: defaultdict(lambda: [ZERO, ZERO])
                                                  for v in ("buyer", "supplier", "cpv_division", "instrument")}
    seen: set[str] = set()
    for line in lines:
        for inst in line.instruments:
            if inst.obligation is None or inst.realised is None:
                continue
            if inst.bundle:
                if inst.bundle in seen:
                    continue
                seen.add(inst.bundle)
            for view, key in (("buyer", line.buyer), ("supplier", line.supplier or "-"),
                              ("cpv_division", line.cpv_division), ("instrument", inst.kind)):
                views[view][key][0] += inst.obligation
                views[view][key][1] += inst.realised
    return {view: dict(sorted(values.items())) for view, values in views.items()}


def _people(session: Session, ids: list[int], as_of: date) -> tuple[int, dict[str, Counter[str]]]:
    """Jobs counted for the banenafspraak, and placements still employed 6 and 12 months after start
    (as the suppliers reported it): counts only, never who."""
    r = schema.Realisation
    accepted = (r.contract_id.in_(ids), r.status == "accepted", r.reported_on <= as_of, r.start <= as_of)
    jobs = session.scalar(select(func.count()).where(*accepted, r.kind == "placement",
                                                     r.target_group == "banenafspraak")) or 0
    employed: dict[str, Counter[str]] = {"6m": Counter(), "12m": Counter()}
    for six, twelve in session.execute(select(r.employed_6m, r.employed_12m).where(*accepted, r.kind == "placement")):
        employed["6m"]["unknown" if six is None else str(six).lower()] += 1
        employed["12m"]["unknown" if twelve is None else str(twelve).lower()] += 1
    return jobs, employed


def _notes(session: Session, ids: list[int], as_of: date) -> list[dict[str, Any]]:
    f = schema.Fact
    rows = session.execute(select(schema.Contract.reference, f.kind, f.on, f.data).join(schema.Contract)
                           .where(f.contract_id.in_(ids), f.kind.in_(["contract.story", "contract.lesson"]),
                                  f.on <= as_of).order_by(f.on))
    return [{"reference": ref, "kind": kind.split(".")[1], "on": on, "text": data.get("text", "")}
            for ref, kind, on, data in rows]

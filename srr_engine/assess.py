"""Assessing contracts as of a date: facts loaded in bulk, instruments' pure rules, worst status wins.

A plugin that raises gives that instrument an `error` assessment; the rest of the portfolio is still
assessed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from srr_engine.domain import Phase
from srr_engine.instrument import Assessment, BundleMember, ContractFacts, Fact, Leniency, RealisationSummary
from srr_engine.messages import msg
from srr_engine.registry import Registry
from srr_engine.settings import get_settings
from srr_engine.status import Status, worst
from srr_engine.storage import schema
from srr_engine.storage.contracts import StoredApplication, StoredContract, euros, load_contracts
from srr_engine.storage.db import core
from srr_engine.storage.realisations import totals_by_contract, value_as_of
from srr_engine.timelimit import PluginTimeout, time_limit

log = logging.getLogger(__name__)
MONITORED_PHASES = (Phase.awarded, Phase.active, Phase.evaluating)


@dataclass
class InstrumentResult:
    application: StoredApplication
    assessment: Assessment
    #: The application's config as validated for the assessment (reused for its check-ins).
    config: BaseModel | None = None


@dataclass
class ContractResult:
    stored: StoredContract
    facts: ContractFacts
    instruments: list[InstrumentResult] = field(default_factory=list)

    @property
    def status(self) -> Status | None:
        return worst(r.assessment.status for r in self.instruments)


def load_facts(
    session: Session, contracts: list[StoredContract], as_of: date, with_realisations: bool = False
) -> dict[int, ContractFacts]:
    """The facts of many contracts as of a date, in a fixed number of queries.

    Rows are read as plain tuples and the models built without re-validation (the rows were validated
    when they were written), so a batch of thousands costs little beyond the rules themselves.
    """
    ids = [s.id for s in contracts]
    totals = totals_by_contract(session, ids, as_of)
    facts: dict[int, list[Fact]] = defaultdict(list)
    f = schema.Fact
    for cid, kind, on, data, by in core(session).execute(
        select(f.contract_id, f.kind, f.on, f.data, f.recorded_by)
        .where(f.contract_id.in_(ids), f.on <= as_of).order_by(f.contract_id, f.on, f.id)
    ):
        facts[cid].append(Fact.model_construct(kind=kind, on=on, data=data, recorded_by=by))
    leniencies: dict[int, list[Leniency]] = defaultdict(list)
    g = schema.LeniencyDecision
    for row in core(session).execute(
        select(g.contract_id, g.kind, g.percentage, g.until, g.reason, g.granted_by, g.granted_on)
        .where(g.contract_id.in_(ids), g.granted_on <= as_of)
        .order_by(g.granted_on, g.id)
    ):
        leniencies[row.contract_id].append(Leniency.model_construct(
            kind=row.kind, percentage=None if row.percentage is None else Decimal(row.percentage), until=row.until,
            reason=row.reason, granted_by=row.granted_by, granted_on=row.granted_on))
    summaries = _realisation_summaries(session, ids, as_of) if with_realisations else {}
    bundles = _bundles(session, {s.contract.bundle for s in contracts if s.contract.bundle}, as_of)
    result = {}
    for stored in contracts:
        t = totals.get(stored.id)
        result[stored.id] = ContractFacts.model_construct(
            contract=stored.contract,
            as_of=as_of,
            realised_eur=Decimal(t.accepted_cents if t else 0).scaleb(-2),
            pending_eur=Decimal(t.pending_cents if t else 0).scaleb(-2),
            last_reported_on=t.last_reported_on if t else None,
            facts=facts.get(stored.id, []),
            leniencies=leniencies.get(stored.id, []),
            realisations=summaries.get(stored.id, []),
            bundle=bundles.get(stored.contract.bundle or "", []),
        )
    return result


def _bundles(session: Session, names: set[str], as_of: date) -> dict[str, list[BundleMember]]:
    """The members of the named bundles with their realised value as of a date, in two queries."""
    if not names:
        return {}
    c = schema.Contract
    rows = core(session).execute(
        select(c.id, c.bundle, c.reference, c.value_cents, c.wage_sum_cents, c.start, c.end)
        .where(c.bundle.in_(names)).order_by(c.start, c.reference)
    ).all()
    totals = totals_by_contract(session, [row.id for row in rows], as_of)
    found: dict[str, list[BundleMember]] = defaultdict(list)
    for row in rows:
        t = totals.get(row.id)
        found[row.bundle].append(BundleMember.model_construct(
            reference=row.reference, value_eur=euros(row.value_cents), wage_sum_eur=euros(row.wage_sum_cents),
            start=row.start, end=row.end,
            realised_eur=euros(t.accepted_cents if t else 0), pending_eur=euros(t.pending_cents if t else 0),
            last_reported_on=t.last_reported_on if t else None))
    return found


def _realisation_summaries(session: Session, ids: list[int], as_of: date) -> dict[int, list[RealisationSummary]]:
    r = schema.Realisation
    rows = core(session).execute(
        select(r.contract_id, r.kind, r.target_group, r.start, r.end, value_as_of(as_of), r.employed_6m,
               r.employed_12m).where(r.contract_id.in_(ids), r.status == "accepted", r.reported_on <= as_of)
        .order_by(r.contract_id, r.id)
    )
    found: dict[int, list[RealisationSummary]] = defaultdict(list)
    for cid, kind, group, start, end, cents, e6, e12 in rows:
        found[cid].append(RealisationSummary.model_construct(
            kind=kind, target_group=group, start=start, end=end, value_eur=Decimal(cents).scaleb(-2),
            employed_6m=e6, employed_12m=e12))
    return found


def validated_config(registry: Registry, application: StoredApplication) -> BaseModel | None:
    """The application's config validated by its instrument's model (None when it is not installed)."""
    instrument = registry.instruments.get(application.kind)
    return None if instrument is None else instrument.config_model.model_validate(application.config)


def assess_one(registry: Registry, facts: ContractFacts, application: StoredApplication) -> Assessment:
    """One instrument's assessment; a missing or failing plugin gives an `error` assessment."""
    return _assess(registry, facts, application)[0]


def _assess(registry: Registry, facts: ContractFacts, application: StoredApplication) -> tuple[Assessment, BaseModel | None]:
    """The assessment and the validated config it was made with (None when validation failed)."""
    instrument = registry.instruments.get(application.kind)
    if instrument is None:
        return Assessment(kind=application.kind, status=Status.error, reasons=[msg(
            f"instrument {application.kind} is niet geïnstalleerd", f"instrument {application.kind} is not installed")]), None
    config = None
    limit = get_settings().plugins.call_timeout_seconds
    try:
        config = instrument.config_model.model_validate(application.config)
        with time_limit(limit):
            return instrument.assess(facts, config), config
    except Exception as exc:
        log.error("instrument %s failed on %s: %s", application.kind, facts.contract.reference, type(exc).__name__)
        what = (f"duurde langer dan {limit:g} s", f"took longer than {limit:g} s") if isinstance(exc, PluginTimeout) \
            else (type(exc).__name__, type(exc).__name__)
        return Assessment(kind=application.kind, status=Status.error, reasons=[msg(
            f"beoordeling mislukt in plugin {application.kind} ({what[0]}); operations is gewaarschuwd",
            f"assessment failed in plugin {application.kind} ({what[1]}); operations was alerted")]), config


def assess_contracts(session: Session, registry: Registry, contracts: list[StoredContract], as_of: date) -> list[ContractResult]:
    """Assess a batch of contracts: facts in bulk, then every instrument of every contract."""
    facts = load_facts(session, contracts, as_of)
    results = []
    for stored in contracts:
        result = ContractResult(stored, facts[stored.id])
        for app in stored.applications:
            assessment, config = _assess(registry, result.facts, app)
            result.instruments.append(InstrumentResult(app, assessment, config))
        results.append(result)
    return results


def monitored_query(references: list[str] | None = None) -> Select[tuple[schema.Contract]]:
    """The contracts a portfolio sweep covers (awarded, active, evaluating), or the named ones."""
    query = select(schema.Contract).order_by(schema.Contract.id)
    if references:
        return query.where(schema.Contract.reference.in_(references))
    return query.where(schema.Contract.phase.in_([str(p) for p in MONITORED_PHASES]))


def batches(session: Session, query: Select[tuple[schema.Contract]], size: int) -> Iterator[list[StoredContract]]:
    """The contracts of `query` in batches of `size` (keyset pagination on id: bounded memory)."""
    last_id = 0
    while True:
        batch = load_contracts(session, query.where(schema.Contract.id > last_id).limit(size))
        if not batch:
            return
        yield batch
        last_id = batch[-1].id

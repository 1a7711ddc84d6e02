"""The monitoring sweep: assess every monitored contract as of a date and store what changed.

A sweep runs in batches of contracts (hundreds to thousands): each batch is one transaction that
assesses, stores the assessment history and appends an event for every status change. Running it
twice for the same date changes nothing the second time. The Prefect flow calls `sweep_batch` once
per batch; `sweep` runs the same batches without Prefect.
"""

from __future__ import annotations

import gc
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any, TypeVar

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from srr_engine.assess import ContractResult, assess_contracts, monitored_query
from srr_engine.checkins import due_checkins, fell_behind, store_checkins, unanswered
from srr_engine.domain import Phase
from srr_engine.events import EventType, event_row
from srr_engine.messages import Message
from srr_engine.registry import Registry
from srr_engine.settings import NudgeSettings, get_settings
from srr_engine.status import SEVERITY, Status
from srr_engine.storage import schema
from srr_engine.storage.assessments import assessments_on, statuses_before
from srr_engine.storage.contracts import load_contracts
from srr_engine.storage.db import core, unit_of_work

log = logging.getLogger(__name__)
ATTENTION_LIMIT = 25
LOCKED_RETRIES = 5
T = TypeVar("T")
NEEDS_ATTENTION = {Status.error, Status.not_met, Status.behind, Status.at_risk}


@dataclass(frozen=True)
class Attention:
    """A contract that needs attention, for the sweep's summary (worst first)."""

    reference: str
    status: Status
    reason: Message | None


@dataclass
class SweepSummary:
    """What a sweep (or one batch of it) did; batches merge into the run's summary."""

    as_of: date
    contracts: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    stored: int = 0
    changes: int = 0
    ended: int = 0
    checkins: int = 0
    attention: list[Attention] = field(default_factory=list)

    def merge(self, other: SweepSummary) -> SweepSummary:
        self.contracts += other.contracts
        self.statuses.update(other.statuses)
        self.stored += other.stored
        self.changes += other.changes
        self.ended += other.ended
        self.checkins += other.checkins
        self.attention = most_urgent(self.attention + other.attention)
        return self


def most_urgent(items: list[Attention]) -> list[Attention]:
    return sorted(items, key=lambda a: (-SEVERITY[a.status], a.reference))[:ATTENTION_LIMIT]


def batch_bounds(
    as_of: date, size: int, references: list[str] | None = None, engine: Engine | None = None
) -> list[tuple[int, int]]:
    """The (first id, last id) of each batch of monitored contracts: cheap to compute, and small to
    hand to a Prefect task as parameters."""
    with unit_of_work(engine) as session:
        ids = list(core(session).scalars(monitored_query(references).with_only_columns(schema.Contract.id)))
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def retried_when_locked(run: Callable[..., T]) -> Callable[..., T]:
    """Run again (with backoff) when SQLite reports the database locked: another writer committed
    since the transaction began to read (a busy snapshot), or held the lock past the busy timeout."""
    @wraps(run)
    def retrying(*args: Any, **kwargs: Any) -> T:
        attempt = 0
        while True:
            try:
                return run(*args, **kwargs)
            except OperationalError as exc:
                attempt += 1
                if "database is locked" not in str(exc) or attempt >= LOCKED_RETRIES:
                    raise
                log.warning("database locked, %s tried again (%d)", run.__name__, attempt)
                time.sleep(0.2 * 2**attempt)
    return retrying


@retried_when_locked
def sweep_batch(
    bounds: tuple[int, int],
    as_of: date,
    registry: Registry,
    references: list[str] | None = None,
    actor: str = "monitor",
    engine: Engine | None = None,
    nudges: NudgeSettings | None = None,
) -> SweepSummary:
    """Assess the monitored contracts with ids in `bounds`, store the results and plan the check-ins
    they call for, in one transaction (the check-ins are the nudge outbox).

    On PostgreSQL the batch's contract rows are locked first: a second sweep of the same batch waits,
    then finds everything stored and changes nothing. Sweeps take batches in id order, so they cannot
    deadlock. On SQLite writers queue on the database's busy timeout."""
    first, last = bounds
    query = monitored_query(references).where(schema.Contract.id.between(first, last))
    nudges = nudges or get_settings().nudges
    with collector_paused(), unit_of_work(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(select(schema.Contract.id).where(schema.Contract.id.between(first, last))
                            .order_by(schema.Contract.id).with_for_update())
        results = assess_contracts(session, registry, load_contracts(session, query), as_of)
        summary, behind = store_results(session, results, as_of, actor)
        summary.ended = record_ended(session, results, as_of, actor)
        summary.checkins = plan_checkins(session, results, behind, as_of, registry, nudges)
    return summary


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch.

    A batch builds a hundred-odd objects per contract (rows, models, messages) that all live until it
    ends. Each time enough of them pile up the collector walks them, and every other object of the
    process (many more with Prefect loaded), while reference counting already frees nearly all garbage:
    measured on 10k contracts that cost 25 % of the sweep, 40 % inside a flow run, for a few hundred
    objects collected. The collector resumes (if it was on) when the batch ends.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def plan_checkins(
    session: Session, results: list[ContractResult], behind: set[int], as_of: date, registry: Registry,
    nudges: NudgeSettings,
) -> int:
    """The check-ins due as of the date: regular ones, the instruments' own, unanswered ones escalated,
    and an escalation for every contract that fell behind."""
    ids = [r.stored.id for r in results]
    awarded = {cid: on for cid, on in core(session).execute(
        select(schema.Contract.id, schema.Contract.awarded_on).where(schema.Contract.id.in_(ids)))}
    planned = due_checkins(results, as_of, registry, nudges, awarded) + unanswered(session, ids, as_of, nudges)
    planned += [fell_behind(r, as_of) for r in results if r.stored.id in behind]
    return store_checkins(session, planned, as_of)


def sweep(
    as_of: date,
    registry: Registry,
    references: list[str] | None = None,
    batch_size: int = 1000,
    actor: str = "monitor",
    engine: Engine | None = None,
    progress: Callable[[int], None] | None = None,
) -> SweepSummary:
    """The whole sweep without Prefect, batch after batch."""
    summary = SweepSummary(as_of)
    for bounds in batch_bounds(as_of, batch_size, references, engine):
        batch = sweep_batch(bounds, as_of, registry, references, actor, engine)
        summary.merge(batch)
        if progress:
            progress(batch.contracts)
    return summary


def assessment_values(assessment: Any) -> dict[str, Any]:
    """The stored columns of an assessment (JSON-safe, so a re-run compares equal)."""
    data = assessment.model_dump(mode="json", include={"figures", "reasons"})
    return {
        "status": str(assessment.status),
        "obligation_cents": _cents(assessment.obligation_eur),
        "expected_cents": _cents(assessment.expected_eur),
        "realised_cents": _cents(assessment.realised_eur),
        "pending_cents": _cents(assessment.pending_eur),
        "figures": data["figures"],
        "reasons": data["reasons"],
    }


def _cents(amount: Any) -> int | None:
    return None if amount is None else int(amount * 100)


def store_results(
    session: Session, results: list[ContractResult], as_of: date, actor: str
) -> tuple[SweepSummary, set[int]]:
    """Write new or changed assessments (executemany) and a `status.changed` event per change.
    Also returns the contracts with an instrument that changed to `behind`."""
    summary = SweepSummary(as_of, contracts=len(results))
    app_ids = [i.application.id for r in results for i in r.instruments]
    existing = assessments_on(session, app_ids, as_of)
    before = statuses_before(session, app_ids, as_of)
    now = datetime.now(UTC)
    new_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    behind: set[int] = set()
    for result in results:
        reference = result.stored.contract.reference
        status = result.status
        summary.statuses[str(status) if status else "none"] += 1
        if status in NEEDS_ATTENTION:
            worst = next(i.assessment for i in result.instruments if i.assessment.status == status)
            summary.attention.append(Attention(reference, status, worst.reasons[0] if worst.reasons else None))
        for item in result.instruments:
            values = assessment_values(item.assessment)
            old = existing.get(item.application.id)
            if old is None:
                new_rows.append({"contract_id": result.stored.id, "application_id": item.application.id,
                                 "as_of": as_of, **values})
                previous = before.get(item.application.id)
            elif all(getattr(old, key) == value for key, value in values.items()):
                continue
            else:
                previous = old.status
                for key, value in values.items():
                    setattr(old, key, value)
            summary.stored += 1
            if previous != values["status"]:
                if values["status"] == str(Status.behind):
                    behind.add(result.stored.id)
                events.append(event_row(EventType.status_changed, actor, result.stored.id, reference, {
                    "kind": item.application.kind, "application_id": item.application.id,
                    "from": previous, "to": values["status"], "as_of": as_of.isoformat()}, now))
                if values["status"] == str(Status.error):  # a plugin failed or hung: tell operations
                    events.append(event_row(EventType.operations_alert, actor, result.stored.id, reference, {
                        "kind": item.application.kind, "problem": "plugin_failed", "as_of": as_of.isoformat()}, now))
    connection = core(session)  # Core executemany: no ORM bookkeeping for rows it never loads
    if new_rows:
        connection.execute(insert(schema.Assessment.__table__), new_rows)
    if events:
        connection.execute(insert(schema.Event.__table__), events)
    summary.changes = len(events)
    summary.attention = most_urgent(summary.attention)
    return summary, behind


def record_ended(session: Session, results: list[ContractResult], as_of: date, actor: str) -> int:
    """A `contract.ended` event, once, for each active contract whose end date has passed (its
    evaluation can start: a Prefect trigger reacts to it)."""
    ended = {r.stored.id: r.stored.contract for r in results
             if r.stored.contract.phase == Phase.active and r.stored.contract.end < as_of}
    if not ended:
        return 0
    known = set(core(session).scalars(select(schema.Event.contract_id).where(
        schema.Event.type == str(EventType.contract_ended), schema.Event.contract_id.in_(ended))))
    now = datetime.now(UTC)
    rows = [event_row(EventType.contract_ended, actor, cid, c.reference, {"end": c.end.isoformat(),
                                                                          "as_of": as_of.isoformat()}, now)
            for cid, c in ended.items() if cid not in known]
    if rows:
        core(session).execute(insert(schema.Event.__table__), rows)
    return len(rows)

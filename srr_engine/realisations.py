"""Importing and reviewing realisations: a file is imported whole or not at all.

Each row is valued once at import (with the contract's pinned valuation table) and stored in the
form the database can sum for any date; only rows the buyer accepts count.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, aliased

from srr_engine.errors import ContractError, Problem, UserError, problems_from_validation
from srr_engine.checkins import answer_by_report
from srr_engine.events import EventType, record_event
from srr_engine.messages import msg
from srr_engine.privacy import identifying, pseudonymise
from srr_engine.realisation_rows import RealisationRow, read_rows
from srr_engine.settings import get_settings
from srr_engine.registry import Registry
from srr_engine.storage import schema
from srr_engine.domain import Contract
from srr_engine.storage.contracts import StoredContract, get_contract, require_contract
from srr_engine.storage.db import unit_of_work
from srr_engine.valuation import StoredValue, ValuationTable, to_cents, value_realisation

PLACEMENT_KINDS = ("placement", "learning")


@dataclass
class ImportResult:
    rows: int
    per_contract: dict[str, int]
    submitted_cents: int


def table_for(stored: StoredContract, registry: Registry) -> ValuationTable | None:
    """The valuation table pinned by one of the contract's instruments (the core names none)."""
    for app in stored.applications:
        instrument = registry.instruments.get(app.kind)
        if instrument is None:
            continue
        key = instrument.valuation_table(instrument.config_model.model_validate(app.config))
        if key:
            return registry.tables.get(*key)
    return None


CHUNK = 5000
MAX_PROBLEMS = 200


def file_digest(path: Path) -> str:
    """The file's SHA-256, read in blocks (a report may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Target:
    """A contract rows are reported on, with the table that values them (None: cannot be valued)."""

    id: int
    contract: Contract
    table: ValuationTable | None


class _Import:
    """One import in one transaction: rows are validated, valued and inserted in chunks, so memory stays
    bounded however long the file is; any problem rolls everything back."""

    def __init__(self, session: Session, path: Path, registry: Registry, batch: schema.ImportBatch,
                 reported_on: date):
        self.session, self.path, self.registry, self.batch, self.reported_on = session, path, registry, batch, reported_on
        self.targets: dict[str, _Target | None] = {}
        self.problems: list[Problem] = []
        self.more_problems = 0
        self.records: list[dict[str, Any]] = []
        self.rows = 0
        self.per_contract: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # id -> [rows, cents]
        key = get_settings().privacy.pseudonym_key
        self.key = key.get_secret_value() if key is not None else None

    def problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    def target(self, reference: str) -> _Target | None:
        if reference not in self.targets:
            stored = get_contract(self.session, reference)
            self.targets[reference] = None if stored is None else _Target(
                stored.id, stored.contract, table_for(stored, self.registry))
        return self.targets[reference]

    def add(self, line: int, cells: dict[str, Any]) -> None:
        where = f"{self.path}, regel {line}"
        candidate = cells.get("candidate")
        if self.key is not None and candidate and identifying(str(candidate)):
            cells = {**cells, "candidate": pseudonymise(str(candidate), self.key)}
        try:
            row = RealisationRow.model_validate(cells)
        except ValidationError as exc:
            for problem in problems_from_validation(exc, where):
                self.problem(problem)
            return
        target = self.target(row.contract)
        if target is None:
            self.problem(Problem(f"{where}, veld 'contract'", msg(
                f"contract {row.contract} bestaat niet", f"contract {row.contract} does not exist")))
            return
        if target.table is None:
            self.problem(Problem(f"{where}, veld 'contract'", msg(
                f"contract {row.contract} heeft geen instrument dat realisaties waardeert (zoals sroi_clause)",
                f"contract {row.contract} has no instrument that values realisations (such as sroi_clause)")))
            return
        c = target.contract
        if row.kind not in PLACEMENT_KINDS and not (c.start <= row.end <= c.end):
            self.problem(Problem(f"{where}, veld 'end'", msg(
                f"{row.end} ligt buiten de looptijd {c.start} - {c.end}",
                f"{row.end} is outside the contract term {c.start} - {c.end}")))
            return
        try:
            value = value_realisation(target.table, row.kind, row.target_group, row.start, row.end, (c.start, c.end),
                                      row.hours_per_week, row.bonuses, row.amount_eur, row.hours)
        except ContractError as exc:
            self.problem(Problem(where, exc.message))
            return
        self.rows += 1
        totals = self.per_contract[target.id]
        totals[0] += 1
        totals[1] += value.cents_as_of(c.end)
        if not self.problems:  # once the import is refused there is no point in writing more
            self.records.append(_record(row, value, target.id, self.batch.id, line, self.reported_on))
            if len(self.records) >= CHUNK:
                self.flush()

    def flush(self) -> None:
        if self.records and not self.problems:
            self.session.execute(schema.Realisation.__table__.insert(), self.records)
        self.records = []

    def refuse_if_problems(self) -> None:
        if self.problems:
            extra = [Problem(str(self.path), msg(f"en nog {self.more_problems} problemen",
                                                 f"and {self.more_problems} more problems"))] if self.more_problems else []
            raise UserError(self.problems + extra)


def import_file(
    path: Path, registry: Registry, actor: str, reported_on: date, engine: Engine | None = None
) -> ImportResult:
    """Validate, value and store every row of a file, or change nothing and report the problems (the
    first 200, and how many more). Rows stream through in chunks: memory does not grow with the file."""
    digest = file_digest(path)
    with unit_of_work(engine) as session:
        previous = session.scalar(select(schema.ImportBatch).where(schema.ImportBatch.sha256 == digest))
        if previous is not None:
            raise UserError([Problem(str(path), msg(
                f"dit bestand is al ingelezen op {previous.imported_at:%Y-%m-%d} door {previous.imported_by}",
                f"this file was imported already on {previous.imported_at:%Y-%m-%d} by {previous.imported_by}"))])
        batch = schema.ImportBatch(file_name=path.name, sha256=digest, rows=0, imported_by=actor,
                                   imported_at=datetime.now(UTC))
        session.add(batch)
        session.flush()
        work = _Import(session, path, registry, batch, reported_on)
        for line, cells in read_rows(path):
            work.add(line, cells)
        work.flush()
        work.refuse_if_problems()
        for problem in double_counting(session, path, batch.id):
            work.problem(problem)
        work.refuse_if_problems()
        batch.rows = work.rows
        references = {t.id: ref for ref, t in work.targets.items() if t is not None}
        for contract_id, (rows, cents) in work.per_contract.items():
            record_event(session, EventType.realisation_reported, actor, session.get(schema.Contract, contract_id),
                         {"rows": rows, "value_eur": f"{cents / 100:.2f}", "import_id": batch.id})
        answer_by_report(session, list(work.per_contract), actor, reported_on)
        return ImportResult(rows=work.rows,
                            per_contract={references[cid]: t[0] for cid, t in work.per_contract.items()},
                            submitted_cents=sum(t[1] for t in work.per_contract.values()))


def _record(row: RealisationRow, value: StoredValue, contract_id: int, import_id: int, line: int,
            reported_on: date) -> dict[str, Any]:
    return dict(
        contract_id=contract_id, import_id=import_id, line=line, candidate=row.candidate, kind=row.kind,
        target_group=row.target_group,
        hours_per_week_centi=None if row.hours_per_week is None else int(row.hours_per_week * 100),
        start=row.start, end=row.end,
        amount_cents=None if row.amount_eur is None else to_cents(row.amount_eur),
        hours_centi=None if row.hours is None else int(row.hours * 100),
        bonuses=row.bonuses, evidence=row.evidence, status="submitted", reported_on=reported_on,
        rate_num=value.rate_num,
        win_start=value.win_start.toordinal() if value.win_start else None,
        win_end=value.win_end.toordinal() if value.win_end else None,
        lump_cents=value.lump_cents, lump_on=value.lump_on.toordinal() if value.lump_on else None,
        employed_6m=row.employed_6m, employed_12m=row.employed_12m,
    )


def double_counting(session: Session, path: Path, import_id: int) -> list[Problem]:
    """The same candidate in overlapping periods on contracts of one buyer is counted once only: the
    rows just inserted are checked against each other and against earlier ones, by the database."""
    a, b = aliased(schema.Realisation), aliased(schema.Realisation)
    ca, cb = aliased(schema.Contract), aliased(schema.Contract)
    clashes = session.execute(
        select(a.line, a.candidate, b.start, b.end, cb.reference, b.import_id == import_id, b.line)
        .join(ca, a.contract_id == ca.id)
        .join(b, (b.candidate == a.candidate) & (b.id != a.id))
        .join(cb, (b.contract_id == cb.id) & (cb.buyer_id == ca.buyer_id))
        .where(a.import_id == import_id, a.kind.in_(PLACEMENT_KINDS), a.candidate.is_not(None),
               b.kind.in_(PLACEMENT_KINDS), b.status != "rejected", b.start <= a.end, a.start <= b.end,
               (b.import_id != import_id) | (b.import_id.is_(None)) | (b.id < a.id))
        .order_by(a.line, b.id).limit(MAX_PROBLEMS))
    problems, reported = [], set()
    for line, candidate, start, end, ref, same_file, other_line in clashes:
        if line in reported:
            continue
        reported.add(line)
        source = f"regel {other_line} van dit bestand" if same_file else "eerder ingelezen"
        source_en = f"line {other_line} of this file" if same_file else "imported before"
        problems.append(Problem(f"{path}, regel {line}, veld 'candidate'", msg(
            f"kandidaat {candidate} telt al mee op contract {ref} ({start} - {end}, {source}): "
            "dubbel tellen binnen één opdrachtgever is niet toegestaan",
            f"candidate {candidate} is counted already on contract {ref} ({start} - {end}, {source_en}): "
            "double counting within one buyer is not allowed")))
    return problems


def review(
    reference: str,
    actor: str,
    accept: list[int] | None = None,
    accept_all: bool = False,
    reject: list[int] | None = None,
    reason: str | None = None,
    engine: Engine | None = None,
) -> tuple[int, int]:
    """Accept or reject submitted realisations of one contract; returns (accepted, rejected)."""
    if reject and not (reason and reason.strip()):
        raise UserError(msg("geef een reden bij afwijzen (--reason)", "give a reason when rejecting (--reason)"))
    if not (accept or accept_all or reject):
        raise UserError(msg("kies --accept ID, --accept-all of --reject ID --reason TEKST",
                            "choose --accept ID, --accept-all or --reject ID --reason TEXT"))
    with unit_of_work(engine) as session:
        stored = require_contract(session, reference)
        r = schema.Realisation
        submitted = set(session.scalars(select(r.id).where(r.contract_id == stored.id, r.status == "submitted")))
        wanted = set(accept or []) | set(reject or [])
        unknown = sorted(wanted - submitted)
        if unknown:
            raise UserError(msg(
                f"realisaties {', '.join(map(str, unknown))} staan niet ter beoordeling op {reference}",
                f"realisations {', '.join(map(str, unknown))} are not awaiting review on {reference}"))
        if set(accept or []) & set(reject or []):
            raise UserError(msg("een realisatie kan niet tegelijk worden geaccepteerd en afgewezen",
                                "a realisation cannot be accepted and rejected at once"))
        accepted_ids = sorted(submitted - set(reject or [])) if accept_all else sorted(accept or [])
        rejected_ids = sorted(reject or [])
        row = session.get(schema.Contract, stored.id)
        now = datetime.now(UTC)
        for ids, status, event, why in (
            (accepted_ids, "accepted", EventType.realisation_accepted, None),
            (rejected_ids, "rejected", EventType.realisation_rejected, reason),
        ):
            if not ids:
                continue
            session.execute(
                update(r).where(r.id.in_(ids), r.status == "submitted")
                .values(status=status, reviewed_by=actor, reviewed_at=now, review_reason=why)
            )
            payload = {"realisation_ids": ids}
            if why:
                payload["reason"] = why
            record_event(session, event, actor, row, payload)
    return len(accepted_ids), len(rejected_ids)

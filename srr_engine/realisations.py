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

from pydantic import ValidationError
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from srr_engine.errors import ContractError, Problem, UserError, problems_from_validation
from srr_engine.checkins import answer_by_report
from srr_engine.events import EventType, record_event
from srr_engine.messages import msg
from srr_engine.privacy import identifying, pseudonymise
from srr_engine.realisation_rows import RealisationRow, read_rows
from srr_engine.settings import get_settings
from srr_engine.registry import Registry
from srr_engine.storage import schema
from srr_engine.storage.contracts import StoredContract, load_contracts, require_contract
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


def import_file(
    path: Path, registry: Registry, actor: str, reported_on: date, engine: Engine | None = None
) -> ImportResult:
    """Validate, value and store every row of a file, or change nothing and report every problem."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    rows: list[tuple[int, RealisationRow]] = []
    problems: list[Problem] = []
    key = get_settings().privacy.pseudonym_key
    for line, cells in read_rows(path):
        candidate = cells.get("candidate")
        if key is not None and candidate and identifying(str(candidate)):
            cells = {**cells, "candidate": pseudonymise(str(candidate), key.get_secret_value())}
        try:
            rows.append((line, RealisationRow.model_validate(cells)))
        except ValidationError as exc:
            problems += problems_from_validation(exc, f"{path}, regel {line}")
    with unit_of_work(engine) as session:
        previous = session.scalar(select(schema.ImportBatch).where(schema.ImportBatch.sha256 == digest))
        if previous is not None:
            raise UserError([Problem(str(path), msg(
                f"dit bestand is al ingelezen op {previous.imported_at:%Y-%m-%d} door {previous.imported_by}",
                f"this file was imported already on {previous.imported_at:%Y-%m-%d} by {previous.imported_by}"))])
        refs = sorted({row.contract for _, row in rows})
        contracts = {s.contract.reference: s for s in load_contracts(
            session, select(schema.Contract).where(schema.Contract.reference.in_(refs)))}
        valued: list[tuple[int, RealisationRow, StoredContract, StoredValue]] = []
        for line, row in rows:
            where = f"{path}, regel {line}"
            stored = contracts.get(row.contract)
            if stored is None:
                problems.append(Problem(f"{where}, veld 'contract'", msg(
                    f"contract {row.contract} bestaat niet", f"contract {row.contract} does not exist")))
                continue
            table = table_for(stored, registry)
            if table is None:
                problems.append(Problem(f"{where}, veld 'contract'", msg(
                    f"contract {row.contract} heeft geen instrument dat realisaties waardeert (zoals sroi_clause)",
                    f"contract {row.contract} has no instrument that values realisations (such as sroi_clause)")))
                continue
            c = stored.contract
            if row.kind not in PLACEMENT_KINDS and not (c.start <= row.end <= c.end):
                problems.append(Problem(f"{where}, veld 'end'", msg(
                    f"{row.end} ligt buiten de looptijd {c.start} - {c.end}",
                    f"{row.end} is outside the contract term {c.start} - {c.end}")))
                continue
            try:
                value = value_realisation(table, row.kind, row.target_group, row.start, row.end, (c.start, c.end),
                                          row.hours_per_week, row.bonuses, row.amount_eur, row.hours)
            except ContractError as exc:
                problems.append(Problem(where, exc.message))
                continue
            valued.append((line, row, stored, value))
        problems += double_counting(session, path, valued)
        if problems:
            raise UserError(problems)
        return _store(session, path, digest, valued, actor, reported_on)


def double_counting(
    session: Session, path: Path, valued: list[tuple[int, RealisationRow, StoredContract, StoredValue]]
) -> list[Problem]:
    """The same candidate in overlapping periods on contracts of one buyer is counted once only."""
    people = [(line, row, stored) for line, row, stored, _ in valued if row.kind in PLACEMENT_KINDS and row.candidate]
    if not people:
        return []
    r, c, buyer_of = schema.Realisation, schema.Contract, {}
    candidates = sorted({row.candidate for _, row, _ in people})
    existing = session.execute(
        select(r.candidate, r.start, r.end, c.reference, c.buyer_id)
        .join(c, r.contract_id == c.id)
        .where(r.candidate.in_(candidates), r.status != "rejected", r.kind.in_(PLACEMENT_KINDS))
    ).all()
    for stored_id, buyer_id in session.execute(select(c.id, c.buyer_id).where(c.id.in_({s.id for _, _, s in people}))):
        buyer_of[stored_id] = buyer_id
    seen = [(cand, start, end, ref, buyer, None) for cand, start, end, ref, buyer in existing]
    problems = []
    for line, row, stored in people:
        buyer = buyer_of[stored.id]
        for cand, start, end, ref, other_buyer, other_line in seen:
            if cand == row.candidate and other_buyer == buyer and start <= row.end and row.start <= end:
                source = f"regel {other_line} van dit bestand" if other_line else "eerder ingelezen"
                source_en = f"line {other_line} of this file" if other_line else "imported before"
                problems.append(Problem(f"{path}, regel {line}, veld 'candidate'", msg(
                    f"kandidaat {row.candidate} telt al mee op contract {ref} ({start} - {end}, {source}): "
                    "dubbel tellen binnen één opdrachtgever is niet toegestaan",
                    f"candidate {row.candidate} is counted already on contract {ref} ({start} - {end}, {source_en}): "
                    "double counting within one buyer is not allowed")))
                break
        seen.append((row.candidate, row.start, row.end, stored.contract.reference, buyer, line))
    return problems


def _store(
    session: Session,
    path: Path,
    digest: str,
    valued: list[tuple[int, RealisationRow, StoredContract, StoredValue]],
    actor: str,
    reported_on: date,
) -> ImportResult:
    batch = schema.ImportBatch(file_name=path.name, sha256=digest, rows=len(valued), imported_by=actor,
                               imported_at=datetime.now(UTC))
    session.add(batch)
    session.flush()
    per_contract: dict[int, list[int]] = defaultdict(list)
    records = []
    for line, row, stored, value in valued:
        records.append(dict(
            contract_id=stored.id, import_id=batch.id, line=line, candidate=row.candidate, kind=row.kind,
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
        ))
        per_contract[stored.id].append(value.cents_as_of(stored.contract.end))
    if records:
        session.execute(schema.Realisation.__table__.insert(), records)
    contracts = {s.id: s for _, _, s, _ in valued}
    for contract_id, values in per_contract.items():
        row = session.get(schema.Contract, contract_id)
        record_event(session, EventType.realisation_reported, actor, row,
                     {"rows": len(values), "value_eur": f"{sum(values) / 100:.2f}", "import_id": batch.id})
    answer_by_report(session, list(per_contract), actor, reported_on)
    return ImportResult(
        rows=len(valued),
        per_contract={contracts[cid].contract.reference: len(v) for cid, v in per_contract.items()},
        submitted_cents=sum(sum(v) for v in per_contract.values()),
    )


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

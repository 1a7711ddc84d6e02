"""Tables out of the engine for spreadsheets: a contract's realisation ledger and the stored assessments.

A file ending in `.xlsx` is written with openpyxl (streaming, so a large history stays small in
memory), anything else as CSV (UTF-8 with a byte-order mark, so Excel reads the accents). Money is in
euros with a decimal point, dates are ISO dates.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from srr_engine.storage import schema

REALISATION_HEADERS = (
    "id", "contract", "candidate", "kind", "target_group", "hours_per_week", "start", "end", "amount_eur", "hours",
    "bonuses", "evidence", "employed_6m", "employed_12m", "status", "reported_on", "reviewed_by", "review_reason",
    "value_eur",
)
ASSESSMENT_HEADERS = (
    "contract", "instrument", "as_of", "status", "obligation_eur", "expected_eur", "realised_eur", "pending_eur",
    "reasons", "figures",
)
MONEY = {"amount_eur", "value_eur", "obligation_eur", "expected_eur", "realised_eur", "pending_eur"}


def _eur(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def _centi(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def realisation_rows(session: Session, contract_id: int, reference: str, as_of: date) -> Iterator[list[Any]]:
    """Every realisation of one contract (any status), with its value as of `as_of`."""
    from srr_engine.storage.realisations import value_as_of

    r = schema.Realisation
    query = select(r.id, r.candidate, r.kind, r.target_group, r.hours_per_week_centi, r.start, r.end, r.amount_cents,
                   r.hours_centi, r.bonuses, r.evidence, r.employed_6m, r.employed_12m, r.status, r.reported_on,
                   r.reviewed_by, r.review_reason, value_as_of(as_of)).where(r.contract_id == contract_id).order_by(r.id)
    for row in session.execute(query):
        (rid, cand, kind, group, hpw, start, end, amount, hours, bonuses, evidence, e6, e12, status, reported,
         who, why, cents) = row
        yield [rid, reference, cand, kind, group, _centi(hpw), start, end, _eur(amount), _centi(hours),
               ";".join(bonuses or []), evidence, e6, e12, status, reported, who, why, _eur(int(cents or 0))]


def assessment_rows(session: Session, references: list[str] | None, since: date | None, until: date | None,
                    language: str = "nl") -> Iterator[list[Any]]:
    """The stored assessment history, oldest first per contract and instrument."""
    a, c, app = schema.Assessment, schema.Contract, schema.InstrumentApplication
    query = (select(c.reference, app.kind, a.as_of, a.status, a.obligation_cents, a.expected_cents, a.realised_cents,
                    a.pending_cents, a.reasons, a.figures)
             .join(c, a.contract_id == c.id).join(app, a.application_id == app.id)
             .order_by(c.reference, app.id, a.as_of))
    if references:
        query = query.where(c.reference.in_(references))
    if since:
        query = query.where(a.as_of >= since)
    if until:
        query = query.where(a.as_of <= until)
    for ref, kind, as_of, status, obligation, expected, realised, pending, reasons, figures in \
            session.execute(query.execution_options(yield_per=2000)):
        texts = [r.get(language) or r.get("nl") or "" for r in reasons or [] if isinstance(r, dict)]
        yield [ref, kind, as_of, status, _eur(obligation), _eur(expected), _eur(realised), _eur(pending),
               " | ".join(texts), json.dumps(figures or {}, ensure_ascii=False, sort_keys=True)]


def write_table(path: Path, headers: tuple[str, ...], rows: Iterable[list[Any]], title: str,
                delimiter: str = ",") -> int:
    """Write rows to `path` (XLSX or CSV by its suffix); returns the number of rows."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx(path, headers, rows, title)
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else _text(v) for v in row])
            count += 1
    return count


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _xlsx(path: Path, headers: tuple[str, ...], rows: Iterable[list[Any]], title: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    count = 0
    for row in rows:
        cells = []
        for name, value in zip(headers, row, strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            if name in MONEY and value is not None:
                cell.number_format = "#,##0.00"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(path)
    return count

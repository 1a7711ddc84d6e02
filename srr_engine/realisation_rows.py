"""Realisation rows as suppliers write them (CSV or XLSX), validated row by row."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from srr_engine.errors import ContractError, Problem, UserError
from srr_engine.messages import msg
from srr_engine.privacy import identifying

COLUMNS = (
    "contract", "candidate", "kind", "target_group", "hours_per_week", "start", "end",
    "amount_eur", "hours", "bonuses", "evidence",
)
OPTIONAL_COLUMNS = ("employed_6m", "employed_12m")


class RealisationRow(BaseModel):
    """One reported realisation. Empty cells are absent values."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contract: str = Field(min_length=1)
    candidate: str | None = None
    kind: Literal["placement", "learning", "purchase", "activity"]
    target_group: str | None = None
    hours_per_week: Decimal | None = Field(None, gt=0, le=80, decimal_places=2)
    start: date
    end: date
    amount_eur: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    hours: Decimal | None = Field(None, gt=0, decimal_places=2)
    bonuses: list[str] = Field(default_factory=list)
    evidence: str | None = Field(None, max_length=500)
    employed_6m: bool | None = None
    employed_12m: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty_cells(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: (None if v in ("", None) else v) for k, v in data.items() if not (k in OPTIONAL_COLUMNS and v in ("", None))}
        return data

    @field_validator("start", "end", mode="before")
    @classmethod
    def _dutch_dates(cls, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, str) and re.match(r"^\d{1,2}-\d{1,2}-\d{4}$", value.strip()):
            return datetime.strptime(value.strip(), "%d-%m-%Y").date()
        return value

    @field_validator("hours_per_week", "amount_eur", "hours", mode="before")
    @classmethod
    def _decimal_comma(cls, value: Any) -> Any:
        if isinstance(value, str) and "," in value and "." not in value:
            return value.replace(",", ".")
        if isinstance(value, float):
            return Decimal(str(value))
        return value

    @field_validator("bonuses", mode="before")
    @classmethod
    def _split_bonuses(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [b.strip() for b in re.split(r"[;|]", value) if b.strip()]
        return value

    @field_validator("candidate")
    @classmethod
    def _pseudonym(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if identifying(value):
            raise ContractError(
                msg(
                    "gebruik een pseudoniem (bijv. P-7f3a), geen BSN, naam of ander herleidbaar gegeven "
                    "(of stel privacy.pseudonym_key in om zulke gegevens te laten vervangen door een sleutel-hash)",
                    "use a pseudonym (e.g. P-7f3a), not a BSN, a name or other identifying data (or set "
                    "privacy.pseudonym_key to have them replaced by a keyed hash)",
                )
            )
        return value

    @model_validator(mode="after")
    def _per_kind(self) -> RealisationRow:
        if self.end < self.start:
            raise ContractError(msg(f"einddatum {self.end} ligt voor startdatum {self.start}",
                                    f"end date {self.end} is before start date {self.start}"))
        needs: dict[str, tuple[str, ...]] = {
            "placement": ("candidate", "target_group", "hours_per_week"),
            "learning": ("candidate", "target_group", "hours_per_week"),
            "purchase": ("target_group", "amount_eur"),
            "activity": (),
        }
        missing = [f for f in needs[self.kind] if getattr(self, f) is None]
        if self.kind == "activity" and self.hours is None and self.amount_eur is None:
            missing.append("hours")
        if missing:
            raise ContractError(msg(f"bij soort {self.kind} ontbreekt: {', '.join(missing)}",
                                    f"kind {self.kind} needs: {', '.join(missing)}"))
        return self


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, cells) for each data row of a CSV or XLSX file; checks the header first."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path)


def _check_header(path: Path, header: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS + OPTIONAL_COLUMNS]
    problems = []
    if missing:
        problems.append(Problem(str(path), msg(f"kolommen ontbreken: {', '.join(missing)}",
                                               f"columns missing: {', '.join(missing)}")))
    if unknown:
        problems.append(Problem(str(path), msg(f"onbekende kolommen: {', '.join(unknown)}",
                                               f"unknown columns: {', '.join(unknown)}")))
    if problems:
        raise UserError(problems)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise UserError([Problem(str(path), msg(f"kan niet lezen: {exc.strerror}", f"cannot read: {exc.strerror}"))])
    with handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        header = [h.strip() for h in next(reader, [])]
        _check_header(path, header)
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, dict(zip(header, row, strict=False))


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        _check_header(path, header)
        for line, row in enumerate(rows, start=2):
            if any(cell not in (None, "") for cell in row):
                yield line, {h: _cell(v) for h, v in zip(header, row, strict=False) if h}
    finally:
        workbook.close()


def _cell(value: Any) -> Any:
    """An XLSX cell as the row model takes it: numbers as text (exact decimals), dates as they are."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value

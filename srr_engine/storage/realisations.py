"""Realisation queries: values summed by the database as of a date (values are stored once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from srr_engine.storage import schema
from srr_engine.storage.db import core
from srr_engine.valuation import RATE_DENOMINATOR

# The value in cents of one realisation as of day :d (a date ordinal); integer arithmetic only, so
# SQLite and PostgreSQL give the same cents. Mirrors srr_engine.valuation.StoredValue.cents_as_of.
VALUE_AS_OF_SQL = f"""
  (CASE WHEN realisations.lump_on IS NOT NULL AND realisations.lump_on <= :d
        THEN realisations.lump_cents ELSE 0 END)
+ (CASE WHEN realisations.win_start IS NOT NULL AND :d >= realisations.win_start
        THEN (realisations.rate_num
              * ((CASE WHEN realisations.win_end < :d THEN realisations.win_end ELSE :d END)
                 - realisations.win_start + 1) * 2 + {RATE_DENOMINATOR}) / {2 * RATE_DENOMINATOR}
        ELSE 0 END)"""


def value_as_of(as_of: date):  # type: ignore[no-untyped-def]
    """A column expression: each realisation's value in cents as of `as_of`."""
    return text(VALUE_AS_OF_SQL).bindparams(bindparam("d", as_of.toordinal()))


@dataclass(frozen=True)
class Totals:
    accepted_cents: int = 0
    pending_cents: int = 0
    last_reported_on: date | None = None


def totals_by_contract(session: Session, contract_ids: list[int], as_of: date) -> dict[int, Totals]:
    """Accepted and pending (submitted) value per contract as of a date, in one aggregate query."""
    if not contract_ids:
        return {}
    r = schema.Realisation
    rows = core(session).execute(
        select(r.contract_id, r.status, func.sum(value_as_of(as_of)), func.max(r.reported_on))
        .where(r.contract_id.in_(contract_ids), r.status != "rejected", r.reported_on <= as_of)
        .group_by(r.contract_id, r.status)
    )
    found: dict[int, dict[str, object]] = {}
    for contract_id, status, cents, reported in rows:
        entry = found.setdefault(contract_id, {"accepted": 0, "submitted": 0, "reported": None})
        entry[status] = int(cents or 0)
        last = entry["reported"]
        entry["reported"] = reported if last is None or (reported and reported > last) else last  # type: ignore[operator]
    return {
        cid: Totals(int(e["accepted"]), int(e["submitted"]), e["reported"])  # type: ignore[arg-type]
        for cid, e in found.items()
    }

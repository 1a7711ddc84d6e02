"""Valuation tables (bouwblokken) and the value of a realisation, computed once and stored.

A table gives a notional value per full-time year (36 h/week) per target group, bonuses, purchase
fractions and an hourly value for activities. A placement or learning place is worth

    (annual value + bonuses) x min(hours_per_week / 36, 1) x counted_days / 365

where counted days lie inside the row's period, the contract term and the table's counting cap from
the row's start, and up to the as-of date. To let the database sum this for any as-of date, the value
is stored as an integer daily rate `rate_num` (cents x centi-hours) over a counted window; the value in
cents on day D is `round_half_up(rate_num x days / RATE_DENOMINATOR)`: exact integer arithmetic, one
rounding per realisation, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from srr_engine.errors import ContractError, Problem, UserError, problems_from_validation
from srr_engine.messages import msg

FULL_TIME_CENTI_HOURS = 3600  # 36 h/week, in hundredths of an hour
RATE_DENOMINATOR = FULL_TIME_CENTI_HOURS * 365
Kind = Literal["placement", "learning", "purchase", "activity"]


class GroupValue(BaseModel):
    """A target group's value per full-time year (or per month), with an optional counting cap."""

    model_config = ConfigDict(extra="forbid")

    label: str
    annual_eur: Decimal | None = Field(None, ge=0)
    monthly_eur: Decimal | None = Field(None, ge=0)
    cap_years: int | None = Field(None, ge=1, description="Counts this many years from the row's start")

    @model_validator(mode="after")
    def _one_rate(self) -> GroupValue:
        if (self.annual_eur is None) == (self.monthly_eur is None):
            raise ValueError("give exactly one of annual_eur and monthly_eur")
        return self

    @property
    def annual(self) -> Decimal:
        return self.annual_eur if self.annual_eur is not None else self.monthly_eur * 12  # type: ignore[operator]


class BonusValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    annual_eur: Decimal = Field(ge=0)


class PurchaseValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str
    fraction: Decimal = Field(ge=0, le=1, description="Share of the invoice excl. VAT that counts")


class ValuationTable(BaseModel):
    """One published table: a region, a version, when it is valid from, and where it comes from."""

    model_config = ConfigDict(extra="forbid")

    region: str = Field(pattern=r"^[a-z0-9-]+$")
    version: str = Field(min_length=1)
    title: str
    valid_from: date
    source: str
    notes: str | None = None
    target_groups: dict[str, GroupValue]
    bonuses: dict[str, BonusValue] = Field(default_factory=dict)
    purchases: dict[str, PurchaseValue] = Field(default_factory=dict)
    activity_hour_eur: Decimal | None = Field(None, ge=0, description="Value of one employee-hour")

    @property
    def key(self) -> tuple[str, str]:
        return (self.region, self.version)


def load_table_file(path: Path) -> ValuationTable:
    """Read a table from a TOML file; a bad file is an error naming the file and the field."""
    try:
        return ValuationTable.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise UserError(problems_from_validation(exc, str(path))) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError([Problem(str(path), msg(f"geen geldige TOML: {exc}", f"not valid TOML: {exc}"))]) from None


class TableRegistry:
    """The valuation tables that are installed, by region and version."""

    def __init__(self, tables: list[ValuationTable]):
        self._tables: dict[tuple[str, str], ValuationTable] = {}
        for table in tables:
            self._tables[table.key] = table

    def all(self) -> list[ValuationTable]:
        return sorted(self._tables.values(), key=lambda t: (t.region, t.valid_from))

    def get(self, region: str, version: str) -> ValuationTable:
        try:
            return self._tables[(region, version)]
        except KeyError:
            raise ContractError(
                msg(
                    f"waarderingstabel {region!r} versie {version!r} is niet geïnstalleerd",
                    f"valuation table {region!r} version {version!r} is not installed",
                )
            ) from None

    def valid_on(self, region: str, on: date) -> ValuationTable:
        """The version of `region` valid on `on` (the newest one from before it, else the oldest)."""
        versions = [t for t in self.all() if t.region == region]
        if not versions:
            known = ", ".join(sorted({t.region for t in self.all()})) or "-"
            raise ContractError(
                msg(
                    f"onbekende waarderingstabel {region!r} (bekend: {known})",
                    f"unknown valuation table {region!r} (known: {known})",
                )
            )
        valid = [t for t in versions if t.valid_from <= on]
        return valid[-1] if valid else versions[0]


class StoredValue(BaseModel):
    """A realisation's value in the stored form (see the module docstring)."""

    rate_num: int = 0
    win_start: date | None = None
    win_end: date | None = None
    lump_cents: int = 0
    lump_on: date | None = None

    def cents_as_of(self, as_of: date) -> int:
        """The value in cents as of a date: the Python twin of the SQL aggregate."""
        total = self.lump_cents if self.lump_on is not None and self.lump_on <= as_of else 0
        if self.win_start is not None and self.win_end is not None and as_of >= self.win_start:
            days = (min(self.win_end, as_of) - self.win_start).days + 1
            total += (self.rate_num * days * 2 + RATE_DENOMINATOR) // (2 * RATE_DENOMINATOR)
        return total


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def to_cents(amount: Decimal) -> int:
    """Euros to whole cents, half up."""
    return int((amount * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def value_realisation(
    table: ValuationTable,
    kind: Kind,
    target_group: str | None,
    start: date,
    end: date,
    term: tuple[date, date],
    hours_per_week: Decimal | None = None,
    bonuses: list[str] | None = None,
    amount_eur: Decimal | None = None,
    hours: Decimal | None = None,
) -> StoredValue:
    """The stored value of one realisation under `table` within the contract `term`.

    Raises ContractError naming the code that the table does not know.
    """
    if kind in ("placement", "learning"):
        group = _lookup(table.target_groups, target_group, "doelgroep", "target group", table)
        annual = group.annual + sum(
            (_lookup(table.bonuses, b, "bonus", "bonus", table).annual_eur for b in bonuses or []), Decimal(0)
        )
        centi_hours = min(int((hours_per_week or Decimal(0)) * 100), FULL_TIME_CENTI_HOURS)
        win_start = max(start, term[0])
        win_end = min(end, term[1])
        if group.cap_years:  # counted in years of 365 days, so a leap day never counts above the cap
            win_end = min(win_end, start + timedelta(days=365 * group.cap_years - 1))
        if win_end < win_start:
            return StoredValue()
        return StoredValue(rate_num=to_cents(annual) * centi_hours, win_start=win_start, win_end=win_end)
    if kind == "purchase":
        purchase = _lookup(table.purchases, target_group, "inkoopsoort", "purchase type", table)
        return StoredValue(lump_cents=to_cents((amount_eur or Decimal(0)) * purchase.fraction), lump_on=end)
    # activity: hours x the table's hourly value, or an agreed amount where the table values case by case
    if table.activity_hour_eur is not None and hours is not None:
        return StoredValue(lump_cents=to_cents(hours * table.activity_hour_eur), lump_on=end)
    if amount_eur is not None:
        return StoredValue(lump_cents=to_cents(amount_eur), lump_on=end)
    raise ContractError(
        msg(
            f"tabel {table.region} {table.version} waardeert activiteiten per geval: geef amount_eur",
            f"table {table.region} {table.version} values activities case by case: give amount_eur",
        )
    )


def _lookup(values: dict, code: str | None, nl: str, en: str, table: ValuationTable):  # type: ignore[no-untyped-def]
    if code in values:
        return values[code]
    known = ", ".join(sorted(values)) or "-"
    raise ContractError(
        msg(
            f"{nl} {code!r} staat niet in tabel {table.region} {table.version} (wel: {known})",
            f"{en} {code!r} is not in table {table.region} {table.version} (known: {known})",
        )
    )

"""Small helpers the built-in instruments share: month arithmetic and numbers in plain words."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from srr_engine.errors import ContractError
from srr_engine.messages import msg
from srr_engine.status import cents


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day that does not exist becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def eur_nl(amount: Decimal) -> str:
    """`Decimal("92038.36")` -> `"€ 92.038,36"`."""
    return "€ " + f"{cents(amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def eur_en(amount: Decimal) -> str:
    """`Decimal("92038.36")` -> `"EUR 92,038.36"`."""
    return f"EUR {cents(amount):,.2f}"


def number_nl(value: Decimal) -> str:
    """A number as written in Dutch, without trailing zeros: `Decimal("7.50")` -> `"7,5"`."""
    return number_en(value).replace(".", ",")


def number_en(value: Decimal) -> str:
    """A number without trailing zeros or exponent: `Decimal("5.00")` -> `"5"`."""
    return f"{value.normalize():f}"


def whole_percent(part: Decimal, whole: Decimal) -> int:
    """`part` as a whole percentage of `whole`, half up (for "33 % gerealiseerd")."""
    return int((part * 100 / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def days_nl(count: int) -> str:
    """`1` -> `"1 dag"`, `3` -> `"3 dagen"`."""
    return f"{count} dag" if count == 1 else f"{count} dagen"


def days_en(count: int) -> str:
    """`1` -> `"1 day"`, `3` -> `"3 days"`."""
    return f"{count} day" if count == 1 else f"{count} days"


def refuse_unknown_offer(offer: dict[str, object], known: set[str]) -> None:
    """An award offer may only name what the instrument takes from it."""
    if unknown := sorted(set(offer) - known):
        raise ContractError(
            msg(
                f"onbekend onderdeel van het aanbod: {', '.join(unknown)} (wel: {', '.join(sorted(known))})",
                f"unknown part of the offer: {', '.join(unknown)} (known: {', '.join(sorted(known))})",
            )
        )

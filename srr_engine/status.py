"""Statuses shared by all instruments, the pace rule, and how a contract's status is combined."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from srr_engine.settings import PaceSettings

CENT = Decimal("0.01")


class Status(StrEnum):
    not_started = "not_started"
    on_track = "on_track"
    at_risk = "at_risk"
    behind = "behind"
    met = "met"
    not_met = "not_met"
    error = "error"


# Worst first. `error` (a plugin failed) outranks everything so it is never hidden; `not_started` is
# between on_track and met: nothing is expected yet, so it needs no attention.
SEVERITY: dict[Status, int] = {
    Status.error: 7,
    Status.not_met: 6,
    Status.behind: 5,
    Status.at_risk: 4,
    Status.on_track: 3,
    Status.not_started: 2,
    Status.met: 1,
}


def worst(statuses: Iterable[Status]) -> Status | None:
    """A contract's status: the worst of its instruments (None when it has no instruments)."""
    return max(statuses, key=SEVERITY.__getitem__, default=None)


def cents(amount: Decimal) -> Decimal:
    """Round to cents, half up (the one rounding rule for money)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def elapsed_days(start: date, end: date, as_of: date) -> int:
    """Days of the term from `start` to `as_of` inclusive, capped to the term; 0 before the start."""
    if as_of < start:
        return 0
    return (min(as_of, end) - start).days + 1


def expected_by_pace(obligation: Decimal, start: date, end: date, as_of: date) -> Decimal:
    """`obligation x elapsed / total`, days counted inclusive, rounded to cents."""
    total = (end - start).days + 1
    return cents(obligation * elapsed_days(start, end, as_of) / total)


def pace_status(
    obligation: Decimal, realised: Decimal, expected: Decimal, deadline: date, as_of: date, pace: PaceSettings
) -> Status:
    """The shared pace rule: met once realised >= obligation; after the deadline unmet is not_met;
    otherwise the ratio realised / expected decides on_track, at_risk or behind."""
    if realised >= obligation:
        return Status.met
    if as_of > deadline:
        return Status.not_met
    if expected <= 0:
        return Status.not_started
    ratio = realised / expected
    if ratio >= pace.on_track_ratio:
        return Status.on_track
    if ratio >= pace.at_risk_ratio:
        return Status.at_risk
    return Status.behind

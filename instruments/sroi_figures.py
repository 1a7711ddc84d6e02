"""The SROI obligation in numbers: what it covers (the contract alone or its pooled bundle), the terms
after offer and leniency, and the amounts owed and expected by a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from instruments.sroi_config import NAME, TURNOVER_FACT, SroiConfig
from srr_engine.domain import Contract
from srr_engine.errors import ContractError
from srr_engine.instrument import BundleMember, ContractFacts, Leniency
from srr_engine.messages import msg
from srr_engine.status import cents, elapsed_days
from srr_engine.valuation import add_years


@dataclass(frozen=True)
class Scope:
    """What one obligation covers: the contract alone, or every contract of its bundle pooled."""

    start: date
    end: date
    realised: Decimal
    pending: Decimal
    last_reported_on: date | None
    bundle: str | None = None
    members: tuple[BundleMember, ...] = ()  # empty when not pooled

    @property
    def term_days(self) -> int:
        return (self.end - self.start).days + 1


def scope_of(facts: ContractFacts, config: SroiConfig) -> Scope:
    """A bundle pools its contracts into one obligation: the base is the members' sum, the pace runs
    from the earliest start to the latest end, and realised and pending value are the members' sums.

    Invoiced turnover is not pooled: invoices are recorded per contract and a member's facts hold only
    its own, so such a clause keeps an obligation per contract.
    """
    contract = facts.contract
    if not facts.bundle or config.base == "invoiced_turnover":
        return Scope(
            contract.start, contract.end, facts.realised_eur, facts.pending_eur, facts.last_reported_on
        )
    members = tuple(facts.bundle)
    return Scope(
        start=min(m.start for m in members),
        end=max(m.end for m in members),
        realised=sum((m.realised_eur for m in members), Decimal("0.00")),
        pending=sum((m.pending_eur for m in members), Decimal("0.00")),
        last_reported_on=max((m.last_reported_on for m in members if m.last_reported_on), default=None),
        bundle=contract.bundle,
        members=members,
    )


@dataclass(frozen=True)
class Terms:
    """The obligation as it stands after the offer and leniency."""

    yearly: tuple[Decimal, ...]  # percentage per contract year; the last one holds for later years
    deadline: date
    lowered_by: Leniency | None
    extended_by: Leniency | None

    def percentage_in(self, year: int) -> Decimal:
        return self.yearly[min(year, len(self.yearly) - 1)]


def contract_years(start: date, end: date) -> list[tuple[date, date]]:
    """The years (first and last day) of a term, counted from its start; the last one may be short."""
    return list(_years(start, end))


@lru_cache(maxsize=4096)
def _years(start: date, end: date) -> tuple[tuple[date, date], ...]:
    """`contract_years`, remembered: a sweep asks for the same term several times per contract."""
    years: list[tuple[date, date]] = []
    while (first := add_years(start, len(years))) <= end:
        last = add_years(start, len(years) + 1) - timedelta(days=1)
        years.append((first, min(last, end)))
    return tuple(years)


def year_of(scope: Scope, day: date) -> int:
    """Index of the contract year holding `day` (0 before the start, the last year after the end)."""
    years = _years(scope.start, scope.end)
    return next((i for i, (_, last) in enumerate(years) if day <= last), len(years) - 1)


def terms(facts: ContractFacts, config: SroiConfig, scope: Scope) -> Terms:
    """Yearly percentages and deadline. The latest leniency with a percentage replaces the whole
    schedule (ramp and offer included); the latest one with `until` moves the deadline."""
    granted = sorted(
        (g for g in facts.leniencies if g.kind in (None, NAME) and g.granted_on <= facts.as_of),
        key=lambda g: g.granted_on,
    )
    lowered = next((g for g in reversed(granted) if g.percentage is not None), None)
    extended = next((g for g in reversed(granted) if g.until is not None), None)
    if lowered is not None and lowered.percentage is not None:
        yearly: tuple[Decimal, ...] = (lowered.percentage,)
    else:
        floor = config.offered_percentage or config.percentage
        yearly = tuple(max(p, floor) for p in config.ramp) if config.ramp else (floor,)
    deadline = extended.until if extended is not None and extended.until is not None else scope.end
    return Terms(yearly, deadline, lowered, extended)


def fixed_base(contract: Contract, config: SroiConfig) -> Decimal:
    """The contract value or wage sum the percentage applies to."""
    if config.base == "contract_value":
        return contract.value_eur
    if contract.wage_sum_eur is None:
        raise ContractError(
            msg(
                "de social return is een percentage van de loonsom, maar het contract noemt geen loonsom "
                "(wage_sum_eur)",
                "social return is a percentage of the wage sum, but the contract gives no wage sum "
                "(wage_sum_eur)",
            )
        )
    return contract.wage_sum_eur


def pooled_base(facts: ContractFacts, config: SroiConfig, scope: Scope) -> Decimal:
    """The fixed base of the scope: the contract's own, or the sum over the bundle's members."""
    if not scope.members:
        return fixed_base(facts.contract, config)
    if config.base == "contract_value":
        return sum((m.value_eur for m in scope.members), Decimal(0))
    if missing := [m.reference for m in scope.members if m.wage_sum_eur is None]:
        raise ContractError(
            msg(
                f"bundel {scope.bundle} bundelt de social return over de loonsom, maar {', '.join(missing)} "
                "noemt geen loonsom (wage_sum_eur)",
                f"bundle {scope.bundle} pools social return over the wage sum, but {', '.join(missing)} "
                "gives no wage sum (wage_sum_eur)",
            )
        )
    return sum((m.wage_sum_eur for m in scope.members if m.wage_sum_eur is not None), Decimal(0))


def accrued(base: Decimal, schedule: Terms, scope: Scope, upto: date) -> Decimal:
    """`base x percentage` spread evenly over the term's days, summed up to `upto`.

    Each contract year contributes `base x its percentage x its days so far / term days`; with one
    percentage this is exactly the shared pace rule `obligation x elapsed / total`.
    """
    weighted = sum(
        (
            schedule.percentage_in(i) * elapsed_days(first, last, upto)
            for i, (first, last) in enumerate(_years(scope.start, scope.end))
        ),
        Decimal(0),
    )
    return cents(base * weighted / (100 * scope.term_days))


@dataclass(frozen=True)
class Figures:
    """Obligation, expected by now and the base they come from, with the scope and terms behind them."""

    scope: Scope
    terms: Terms
    base_eur: Decimal
    obligation: Decimal
    expected: Decimal

    def percentage_on(self, day: date) -> Decimal:
        return self.terms.percentage_in(year_of(self.scope, day))


def figures_of(facts: ContractFacts, config: SroiConfig) -> Figures:
    """For invoiced turnover the obligation grows with each invoice (at the percentage of the invoice's
    contract year) and is all expected at once: the turnover itself already follows the pace."""
    scope = scope_of(facts, config)
    schedule = terms(facts, config, scope)
    if config.base == "invoiced_turnover":
        invoices = [
            (Decimal(str(f.data["amount_eur"])), year_of(scope, f.on)) for f in facts.facts_of(TURNOVER_FACT)
        ]
        turnover = sum((amount for amount, _ in invoices), Decimal(0))
        owed = cents(
            sum((amount * schedule.percentage_in(year) for amount, year in invoices), Decimal(0)) / 100
        )
        return Figures(scope, schedule, turnover, owed, owed)
    base = pooled_base(facts, config, scope)
    return Figures(
        scope,
        schedule,
        base,
        accrued(base, schedule, scope, scope.end),
        accrued(base, schedule, scope, facts.as_of),
    )


def share(part: Decimal, whole: Decimal) -> str | None:
    """`part` as a percentage of `whole` with one decimal, as a string (None when `whole` is 0)."""
    return str((part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) if whole > 0 else None

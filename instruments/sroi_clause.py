"""The SROI clause (social return-bepaling): a share of the contract spent on social return.

The obligation is a percentage of a base (contract value, wage sum or invoiced turnover). Realisations
are valued by the engine with the pinned valuation table and accepted by the buyer; this module
compares the accepted value with the obligation and the pace expected by now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from instruments._common import (
    add_months,
    days_en,
    days_nl,
    eur_en,
    eur_nl,
    number_en,
    number_nl,
    refuse_unknown_offer,
    whole_percent,
)
from srr_engine.domain import Category, Contract, Role
from srr_engine.errors import ContractError, problems_from_validation
from srr_engine.hookspecs import hookimpl
from srr_engine.instrument import (
    Assessment,
    CheckinDue,
    ContractFacts,
    Evaluation,
    Instrument,
    Leniency,
    Obligation,
    TenderOutput,
)
from srr_engine.messages import Message, msg
from srr_engine.status import Status, cents, elapsed_days, pace_status
from srr_engine.valuation import add_years

NAME = "sroi_clause"
TURNOVER_FACT = "sroi_clause.invoiced_turnover"
REPORT_OVERDUE_DAYS = 90
END_WARNING_DAYS = 90

Percentage = Annotated[Decimal, Field(gt=0, le=100)]
Base = Literal["contract_value", "wage_sum", "invoiced_turnover"]

BASE_WORDS: dict[str, tuple[str, str]] = {
    "contract_value": ("de opdrachtwaarde", "the contract value"),
    "wage_sum": ("de loonsom", "the wage sum"),
    "invoiced_turnover": ("de gefactureerde omzet", "the invoiced turnover"),
}
CATEGORY_WORDS: dict[Category, tuple[str, str]] = {
    Category.works: ("werken", "works"),
    Category.services: ("diensten", "services"),
    Category.supplies: ("leveringen", "supplies"),
}


class SroiSettings(BaseModel):
    """When the clause normally applies (`[instruments.sroi_clause]` in the settings)."""

    model_config = ConfigDict(extra="forbid")

    min_value_eur: Decimal = Field(Decimal(250000), ge=0)
    categories: list[Category] = Field(default_factory=lambda: [Category.works, Category.services])
    min_term_months: int = Field(6, ge=0)


class SroiConfig(BaseModel):
    """The clause as written in a contract file."""

    model_config = ConfigDict(extra="forbid")

    percentage: Percentage
    base: Base = "contract_value"
    valuation_table: str = Field(min_length=1, description="Region of the valuation table, e.g. utrecht")
    valuation_table_version: str | None = Field(None, description="Pinned when the clause is applied")
    offered_percentage: Percentage | None = Field(None, description="What the supplier offered at award")
    ramp: list[Percentage] | None = Field(None, min_length=1, description="Percentage per contract year")
    penalty_rate: Decimal = Field(Decimal("1.0"), ge=0, description="Penalty per euro of shortfall")
    policy: Literal["standard", "maatwerk"] = "standard"

    @model_validator(mode="after")
    def _not_below_percentage(self) -> SroiConfig:
        asked = number_nl(self.percentage), number_en(self.percentage)
        if self.offered_percentage is not None and self.offered_percentage < self.percentage:
            raise ContractError(
                msg(
                    f"het aangeboden percentage {number_nl(self.offered_percentage)} % ligt onder het "
                    f"gevraagde {asked[0]} %",
                    f"the offered percentage {number_en(self.offered_percentage)} % is below the "
                    f"{asked[1]} % asked",
                )
            )
        if self.ramp and min(self.ramp) < self.percentage:
            raise ContractError(
                msg(
                    f"de opbouw per jaar (ramp) mag niet onder het percentage van {asked[0]} % komen",
                    f"the yearly ramp must not go below the percentage of {asked[1]} %",
                )
            )
        return self


@dataclass(frozen=True)
class Terms:
    """The obligation as it stands after the offer and leniency."""

    yearly: tuple[Decimal, ...]  # percentage per contract year; the last one holds for later years
    deadline: date
    lowered_by: Leniency | None
    extended_by: Leniency | None

    def percentage_in(self, year: int) -> Decimal:
        return self.yearly[min(year, len(self.yearly) - 1)]


def contract_years(contract: Contract) -> list[tuple[date, date]]:
    """The contract's years (first and last day), counted from its start; the last one may be short."""
    years = []
    while (first := add_years(contract.start, len(years))) <= contract.end:
        last = add_years(contract.start, len(years) + 1) - timedelta(days=1)
        years.append((first, min(last, contract.end)))
    return years


def year_of(contract: Contract, day: date) -> int:
    """Index of the contract year holding `day` (0 before the start, the last year after the end)."""
    years = contract_years(contract)
    return next((i for i, (_, last) in enumerate(years) if day <= last), len(years) - 1)


def terms(facts: ContractFacts, config: SroiConfig) -> Terms:
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
    deadline = extended.until if extended is not None and extended.until is not None else facts.contract.end
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


def accrued(base: Decimal, schedule: Terms, contract: Contract, upto: date) -> Decimal:
    """`base x percentage` spread evenly over the term's days, summed up to `upto`.

    Each contract year contributes `base x its percentage x its days so far / term days`; with one
    percentage this is exactly the shared pace rule `obligation x elapsed / total`.
    """
    weighted = sum(
        (
            schedule.percentage_in(i) * elapsed_days(first, last, upto)
            for i, (first, last) in enumerate(contract_years(contract))
        ),
        Decimal(0),
    )
    return cents(base * weighted / (100 * contract.term_days))


@dataclass(frozen=True)
class Figures:
    """Obligation, expected by now and the base they come from."""

    base_eur: Decimal
    obligation: Decimal
    expected: Decimal


def amounts(facts: ContractFacts, config: SroiConfig, schedule: Terms) -> Figures:
    """For invoiced turnover the obligation grows with each invoice (at the percentage of the invoice's
    contract year) and is all expected at once: the turnover itself already follows the pace."""
    contract = facts.contract
    if config.base == "invoiced_turnover":
        invoices = [
            (Decimal(str(f.data["amount_eur"])), year_of(contract, f.on))
            for f in facts.facts_of(TURNOVER_FACT)
        ]
        turnover = sum((amount for amount, _ in invoices), Decimal(0))
        owed = cents(
            sum((amount * schedule.percentage_in(year) for amount, year in invoices), Decimal(0)) / 100
        )
        return Figures(turnover, owed, owed)
    base = fixed_base(contract, config)
    return Figures(
        base, accrued(base, schedule, contract, contract.end), accrued(base, schedule, contract, facts.as_of)
    )


def share(part: Decimal, whole: Decimal) -> str | None:
    """`part` as a percentage of `whole` with one decimal, as a string (None when `whole` is 0)."""
    return str((part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) if whole > 0 else None


class SroiClause(Instrument):
    name = NAME
    title = msg("Social return-bepaling", "Social return clause")
    description = msg(
        "De opdrachtnemer besteedt een percentage van de opdracht aan werk voor mensen met een afstand "
        "tot de arbeidsmarkt; de inzet wordt gewaardeerd met een regionale bouwblokkentabel.",
        "The supplier spends a percentage of the contract on work for people at a distance from the "
        "labour market; the effort is valued with a regional valuation table.",
    )
    config_model = SroiConfig
    settings_model = SroiSettings

    def prepare(self, contract: Contract, config: SroiConfig) -> SroiConfig:  # type: ignore[override]
        """Check the base is known and pin the table version valid at the contract's start."""
        if config.base != "invoiced_turnover":
            fixed_base(contract, config)
        if config.valuation_table_version is None:
            table = self.tables.valid_on(config.valuation_table, contract.start)
            return config.model_copy(update={"valuation_table_version": table.version})
        self.tables.get(config.valuation_table, config.valuation_table_version)
        return config

    def not_applicable(self, contract: Contract, config: SroiConfig) -> list[Message]:  # type: ignore[override]
        settings: SroiSettings = self.settings  # type: ignore[assignment]
        reasons = []
        if contract.value_eur < settings.min_value_eur:
            reasons.append(
                msg(
                    f"de opdrachtwaarde {eur_nl(contract.value_eur)} ligt onder de drempel van "
                    f"{eur_nl(settings.min_value_eur)} waarboven social return gebruikelijk is",
                    f"the contract value {eur_en(contract.value_eur)} is below the threshold of "
                    f"{eur_en(settings.min_value_eur)} above which social return is usual",
                )
            )
        if contract.category not in settings.categories:
            nl = " en ".join(CATEGORY_WORDS[c][0] for c in settings.categories) or "-"
            en = " and ".join(CATEGORY_WORDS[c][1] for c in settings.categories) or "-"
            reasons.append(
                msg(
                    f"social return geldt standaard voor {nl}, niet voor "
                    f"{CATEGORY_WORDS[contract.category][0]}",
                    f"social return applies by default to {en}, not to "
                    f"{CATEGORY_WORDS[contract.category][1]}",
                )
            )
        if add_months(contract.start, settings.min_term_months) - timedelta(days=1) > contract.end:
            reasons.append(
                msg(
                    f"de looptijd ({contract.start} tot en met {contract.end}) is korter dan "
                    f"{settings.min_term_months} maanden",
                    f"the term ({contract.start} to {contract.end}) is shorter than "
                    f"{settings.min_term_months} months",
                )
            )
        return reasons

    def award(self, contract: Contract, config: SroiConfig, offer: dict[str, Any]) -> SroiConfig:  # type: ignore[override]
        """Apply the supplier's offer, e.g. `{"percentage": "10"}` where 5 % was asked."""
        refuse_unknown_offer(offer, {"percentage"})
        if "percentage" not in offer:
            return config
        try:
            return SroiConfig.model_validate(
                {**config.model_dump(), "offered_percentage": offer["percentage"]}
            )
        except ValidationError as exc:
            raise ContractError(problems_from_validation(exc)[0].what) from None

    def valuation_table(self, config: SroiConfig) -> tuple[str, str]:  # type: ignore[override]
        """The pinned table; an unpinned config (not yet applied) uses the region's newest version."""
        version = (
            config.valuation_table_version or self.tables.valid_on(config.valuation_table, date.max).version
        )
        return (config.valuation_table, version)

    def tender(self, contract: Contract, config: SroiConfig) -> TenderOutput:  # type: ignore[override]
        clause = _clause(config)
        return TenderOutput(
            clause=clause,
            eforms={"BT-06": "soc-obj", "BT-775": "opp", "BT-70": clause.nl},
            ocds={
                "sustainability": [
                    {
                        "goal": "social.disadvantagedEmploymentOpportunities",
                        "strategies": ["contractPerformanceConditions"],
                    }
                ]
            },
        )

    def obligations(self, facts: ContractFacts, config: SroiConfig) -> list[Obligation]:  # type: ignore[override]
        schedule = terms(facts, config)
        figures = amounts(facts, config, schedule)
        base_nl, base_en = BASE_WORDS[config.base]
        pct = schedule.percentage_in(year_of(facts.contract, facts.as_of))
        return [
            Obligation(
                key=NAME,
                description=msg(
                    f"Social return: {number_nl(pct)} % van {base_nl}",
                    f"Social return: {number_en(pct)} % of {base_en}",
                ),
                amount_eur=figures.obligation,
                due=schedule.deadline,
            )
        ]

    def assess(self, facts: ContractFacts, config: SroiConfig) -> Assessment:  # type: ignore[override]
        schedule = terms(facts, config)
        figures = amounts(facts, config, schedule)
        realised = facts.realised_eur
        status = pace_status(
            figures.obligation, realised, figures.expected, schedule.deadline, facts.as_of, self.pace
        )
        if config.base == "invoiced_turnover" and status is Status.met and facts.as_of <= schedule.deadline:
            # More invoices will raise the obligation: ahead is not yet done.
            status = Status.on_track if figures.obligation > 0 else Status.not_started
        return Assessment(
            kind=NAME,
            status=status,
            obligation_eur=figures.obligation,
            expected_eur=figures.expected,
            realised_eur=realised,
            pending_eur=facts.pending_eur,
            figures={
                "percentage": number_en(schedule.percentage_in(year_of(facts.contract, facts.as_of))),
                "base": config.base,
                "base_eur": str(cents(figures.base_eur)),
                "deadline": schedule.deadline.isoformat(),
                "realised_pct_of_obligation": share(realised, figures.obligation),
                "expected_pct_of_obligation": share(figures.expected, figures.obligation),
                "valuation_table": config.valuation_table,
                "valuation_table_version": config.valuation_table_version,
            },
            reasons=_assessment_reasons(facts, config, schedule, figures, status),
        )

    def checkins(self, facts: ContractFacts, config: SroiConfig, assessment: Assessment) -> list[CheckinDue]:  # type: ignore[override]
        schedule = terms(facts, config)
        found = (_report_overdue(facts, schedule), _ends_with_shortfall(facts, schedule, assessment))
        return [c for c in found if c is not None]

    def evaluate(self, facts: ContractFacts, config: SroiConfig) -> Evaluation:  # type: ignore[override]
        schedule = terms(facts, config)
        figures = amounts(facts, config, schedule)
        realised = facts.realised_eur
        shortfall = max(Decimal("0.00"), figures.obligation - realised)
        penalty = cents(shortfall * config.penalty_rate)
        people = [r for r in facts.realisations if r.kind in ("placement", "learning")]
        reasons = [
            msg(
                f"{eur_nl(realised)} gerealiseerd van {eur_nl(figures.obligation)}; tekort "
                f"{eur_nl(shortfall)}, "
                f"boete {eur_nl(penalty)}",
                f"{eur_en(realised)} realised of {eur_en(figures.obligation)}; shortfall "
                f"{eur_en(shortfall)}, "
                f"penalty {eur_en(penalty)}",
            ),
            *_leniency_reasons(facts.contract, config, schedule),
        ]
        return Evaluation(
            kind=NAME,
            status=Status.met if shortfall == 0 else Status.not_met,
            obligation_eur=figures.obligation,
            realised_eur=realised,
            shortfall_eur=shortfall,
            penalty_eur=penalty,
            figures={
                "percentage": number_en(schedule.percentage_in(year_of(facts.contract, facts.as_of))),
                "placements_running": sum(1 for r in people if r.start <= facts.as_of <= r.end),
                "durability": {
                    "employed_6m": _tally(r.employed_6m for r in people),
                    "employed_12m": _tally(r.employed_12m for r in people),
                },
                "banenafspraak_jobs": sum(
                    1
                    for r in facts.realisations
                    if r.kind == "placement" and r.target_group == "banenafspraak"
                ),
            },
            reasons=reasons,
        )


def _tally(answers: Any) -> dict[str, int]:
    """Count yes / no / not reported."""
    counts = {"true": 0, "false": 0, "unknown": 0}
    for answer in answers:
        counts["unknown" if answer is None else str(answer).lower()] += 1
    return counts


def _clause(config: SroiConfig) -> Message:
    pct_nl, pct_en = number_nl(config.percentage), number_en(config.percentage)
    base_nl, base_en = BASE_WORDS[config.base]
    if config.ramp:
        base_nl += " (per contractjaar oplopend: " + ", ".join(f"{number_nl(p)} %" for p in config.ramp) + ")"
        base_en += " (rising per contract year: " + ", ".join(f"{number_en(p)} %" for p in config.ramp) + ")"
    if config.policy == "maatwerk":
        goal_nl = (
            f"Opdrachtgever en opdrachtnemer spreken samen (Maatwerk voor Mensen) af hoe de opdrachtnemer "
            f"ten minste {pct_nl} % van {base_nl} besteedt aan social return"
        )
        goal_en = (
            f"Buyer and supplier agree together (Maatwerk voor Mensen) how the supplier spends at least "
            f"{pct_en} % of {base_en} on social return"
        )
    else:
        goal_nl = f"De opdrachtnemer besteedt ten minste {pct_nl} % van {base_nl} aan social return"
        goal_en = f"The supplier spends at least {pct_en} % of {base_en} on social return"
    nl = (
        f"{goal_nl}: werk, leerwerkplekken of andere inzet voor mensen met een afstand tot de arbeidsmarkt. "
        f"De inzet wordt gewaardeerd met de bouwblokken van de waarderingstabel {config.valuation_table} en "
        f"telt mee zodra de opdrachtgever haar heeft geaccepteerd."
    )
    en = (
        f"{goal_en}: jobs, learning places or other effort for people at a distance from the labour market. "
        f"The effort is valued with the building blocks of valuation table {config.valuation_table} and "
        f"counts once the buyer has accepted it."
    )
    if config.penalty_rate == 1:
        nl += (
            " Bij een tekort aan het einde van de looptijd betaalt de opdrachtnemer het niet-gerealiseerde "
            "bedrag als boete."
        )
        en += " A shortfall at the end of the term is paid by the supplier as a penalty."
    elif config.penalty_rate > 0:
        nl += (
            f" Bij een tekort aan het einde van de looptijd betaalt de opdrachtnemer een boete van "
            f"{number_nl(config.penalty_rate)} maal het niet-gerealiseerde bedrag."
        )
        en += (
            f" A shortfall at the end of the term leads to a penalty of {number_en(config.penalty_rate)} "
            "times "
            f"the unrealised amount."
        )
    return msg(nl, en)


def _assessment_reasons(
    facts: ContractFacts, config: SroiConfig, schedule: Terms, figures: Figures, status: Status
) -> list[Message]:
    contract, realised = facts.contract, facts.realised_eur
    reasons: list[Message] = []
    if facts.as_of < contract.start:
        reasons.append(
            msg(f"het contract begint op {contract.start}", f"the contract starts on {contract.start}")
        )
    if figures.obligation > 0:
        done, expected = (
            whole_percent(realised, figures.obligation),
            whole_percent(figures.expected, figures.obligation),
        )
        reasons.append(
            msg(
                f"{done} % van de social return gerealiseerd ({eur_nl(realised)} van "
                f"{eur_nl(figures.obligation)}), {expected} % verwacht op {facts.as_of}",
                f"{done} % of the social return realised ({eur_en(realised)} of "
                f"{eur_en(figures.obligation)}), {expected} % expected by {facts.as_of}",
            )
        )
    elif config.base == "invoiced_turnover":
        reasons.append(
            msg(
                "nog geen gefactureerde omzet gemeld, dus nog geen social return verschuldigd",
                "no invoiced turnover reported yet, so no social return owed yet",
            )
        )
    if status is Status.not_met:
        missing = figures.obligation - realised
        reasons.append(
            msg(
                f"de termijn liep af op {schedule.deadline}: er ontbreekt {eur_nl(missing)}",
                f"the deadline was {schedule.deadline}: {eur_en(missing)} is missing",
            )
        )
    if facts.pending_eur > 0:
        reasons.append(
            msg(
                f"{eur_nl(facts.pending_eur)} aan gemelde inzet wacht nog op beoordeling",
                f"{eur_en(facts.pending_eur)} of reported effort is waiting for review",
            )
        )
    return reasons + _leniency_reasons(contract, config, schedule)


def _leniency_reasons(contract: Contract, config: SroiConfig, schedule: Terms) -> list[Message]:
    reasons = []
    if (lowered := schedule.lowered_by) is not None and lowered.percentage is not None:
        reasons.append(
            msg(
                f"coulance ({lowered.granted_on}, {lowered.granted_by}): {number_nl(lowered.percentage)} % "
                "in "
                f"plaats van {number_nl(config.offered_percentage or config.percentage)} % – "
                f"{lowered.reason}",
                f"leniency ({lowered.granted_on}, {lowered.granted_by}): {number_en(lowered.percentage)} % "
                f"instead of {number_en(config.offered_percentage or config.percentage)} % – "
                f"{lowered.reason}",
            )
        )
    if (extended := schedule.extended_by) is not None:
        reasons.append(
            msg(
                f"coulance ({extended.granted_on}, {extended.granted_by}): de termijn loopt tot "
                f"{extended.until} in plaats van {contract.end} – {extended.reason}",
                f"leniency ({extended.granted_on}, {extended.granted_by}): the deadline is {extended.until} "
                f"instead of {contract.end} – {extended.reason}",
            )
        )
    return reasons


def _report_overdue(facts: ContractFacts, schedule: Terms) -> CheckinDue | None:
    """A weekly reminder to the supplier while nothing was reported for more than 90 days."""
    contract, as_of = facts.contract, facts.as_of
    if not contract.start <= as_of <= schedule.deadline:
        return None
    since = facts.last_reported_on or contract.start
    if (as_of - since).days <= REPORT_OVERDUE_DAYS:
        return None
    year, week, _ = as_of.isocalendar()
    if facts.last_reported_on is None:
        text = msg(
            f"{contract.reference}: sinds de start op {contract.start} is er nog niets gemeld over social "
            f"return. Wilt u de gerealiseerde inzet melden?",
            f"{contract.reference}: nothing has been reported on social return since the start on "
            f"{contract.start}. Please report the effort realised.",
        )
    else:
        text = msg(
            f"{contract.reference}: de laatste melding over social return is van {since}, meer dan "
            f"{REPORT_OVERDUE_DAYS} dagen geleden. Wilt u de gerealiseerde inzet melden?",
            f"{contract.reference}: the last social return report was on {since}, more than "
            f"{REPORT_OVERDUE_DAYS} days ago. Please report the effort realised.",
        )
    return CheckinDue(
        rule="sroi.report_overdue",
        roles=[Role.supplier],
        period=f"{year}-W{week:02d}",
        urgency=4,
        message=text,
    )


def _ends_with_shortfall(facts: ContractFacts, schedule: Terms, assessment: Assessment) -> CheckinDue | None:
    """Once per deadline: the term ends within 90 days and the obligation is not met."""
    obligation, realised = assessment.obligation_eur, assessment.realised_eur
    days_left = (schedule.deadline - facts.as_of).days
    if (
        obligation is None
        or realised is None
        or realised >= obligation
        or not 0 <= days_left <= END_WARNING_DAYS
    ):
        return None
    ref, missing = facts.contract.reference, obligation - realised
    return CheckinDue(
        rule="sroi.ends_with_shortfall",
        roles=[Role.contract_manager, Role.escalation],
        period=schedule.deadline.isoformat(),
        urgency=7,
        message=msg(
            f"{ref} loopt af op {schedule.deadline} (over {days_nl(days_left)}) en er ontbreekt nog "
            f"{eur_nl(missing)} aan social return ({whole_percent(realised, obligation)} % gerealiseerd)",
            f"{ref} ends on {schedule.deadline} (in {days_en(days_left)}) and {eur_en(missing)} of social "
            "return "
            f"is still missing ({whole_percent(realised, obligation)} % realised)",
        ),
    )


@hookimpl
def register_instruments(register: Callable[[type[Instrument]], None]) -> None:
    register(SroiClause)

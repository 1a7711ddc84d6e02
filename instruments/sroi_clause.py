"""The SROI clause (social return-bepaling): a share of the contract spent on social return.

The obligation is a percentage of a base (contract value, wage sum or invoiced turnover); the contracts
of a bundle share one obligation. Realisations are valued by the engine with the pinned valuation table
and accepted by the buyer; this module compares the accepted value with the obligation and the pace
expected by now (the numbers are worked out in `sroi_figures`) and says so in plain words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

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
from instruments.sroi_config import BASE_WORDS, NAME, SroiConfig, SroiSettings
from instruments.sroi_figures import Figures, figures_of, fixed_base, share
from srr_engine.domain import Category, Contract, Role
from srr_engine.errors import ContractError, problems_from_validation
from srr_engine.hookspecs import hookimpl
from srr_engine.instrument import (
    Assessment,
    CheckinDue,
    ContractFacts,
    Evaluation,
    Instrument,
    Obligation,
    TenderOutput,
)
from srr_engine.messages import Message, msg
from srr_engine.status import Status, cents, pace_status

REPORT_OVERDUE_DAYS = 90
END_WARNING_DAYS = 90

CATEGORY_WORDS: dict[Category, tuple[str, str]] = {
    Category.works: ("werken", "works"),
    Category.services: ("diensten", "services"),
    Category.supplies: ("leveringen", "supplies"),
}


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
        """Each contract on its own, except the value: in a bundle the pooled value decides."""
        settings: SroiSettings = self.settings  # type: ignore[assignment]
        reasons = []
        if contract.bundle is None and contract.value_eur < settings.min_value_eur:
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
        """A pooled obligation is the bundle's: every member names the same one, with the bundle."""
        figures = figures_of(facts, config)
        base_nl, base_en = BASE_WORDS[config.base]
        pct = figures.percentage_on(facts.as_of)
        if figures.scope.members:
            base_nl += f" van bundel {figures.scope.bundle}"
            base_en += f" of bundle {figures.scope.bundle}"
        return [
            Obligation(
                key=NAME,
                description=msg(
                    f"Social return: {number_nl(pct)} % van {base_nl}",
                    f"Social return: {number_en(pct)} % of {base_en}",
                ),
                amount_eur=figures.obligation,
                due=figures.terms.deadline,
            )
        ]

    def assess(self, facts: ContractFacts, config: SroiConfig) -> Assessment:  # type: ignore[override]
        figures = figures_of(facts, config)
        realised, deadline = figures.scope.realised, figures.terms.deadline
        status = pace_status(figures.obligation, realised, figures.expected, deadline, facts.as_of, self.pace)
        if config.base == "invoiced_turnover" and status is Status.met and facts.as_of <= deadline:
            # More invoices will raise the obligation: ahead is not yet done.
            status = Status.on_track if figures.obligation > 0 else Status.not_started
        return Assessment(
            kind=NAME,
            status=status,
            obligation_eur=figures.obligation,
            expected_eur=figures.expected,
            realised_eur=realised,
            pending_eur=figures.scope.pending,
            figures={
                "percentage": number_en(figures.percentage_on(facts.as_of)),
                "base": config.base,
                "base_eur": str(cents(figures.base_eur)),
                "deadline": deadline.isoformat(),
                "realised_pct_of_obligation": share(realised, figures.obligation),
                "expected_pct_of_obligation": share(figures.expected, figures.obligation),
                "valuation_table": config.valuation_table,
                "valuation_table_version": config.valuation_table_version,
                **_bundle_figures(figures),
            },
            reasons=_assessment_reasons(facts, config, figures, status),
        )

    def checkins(self, facts: ContractFacts, config: SroiConfig, assessment: Assessment) -> list[CheckinDue]:  # type: ignore[override]
        figures = figures_of(facts, config)
        found = (_report_overdue(facts, figures), _ends_with_shortfall(facts, figures, assessment))
        return [c for c in found if c is not None]

    def evaluate(self, facts: ContractFacts, config: SroiConfig) -> Evaluation:  # type: ignore[override]
        figures = figures_of(facts, config)
        realised = figures.scope.realised
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
            *_bundle_reasons(facts, figures),
            *_leniency_reasons(config, figures),
        ]
        return Evaluation(
            kind=NAME,
            status=Status.met if shortfall == 0 else Status.not_met,
            obligation_eur=figures.obligation,
            realised_eur=realised,
            shortfall_eur=shortfall,
            penalty_eur=penalty,
            figures={
                "percentage": number_en(figures.percentage_on(facts.as_of)),
                **_bundle_figures(figures),
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
    facts: ContractFacts, config: SroiConfig, figures: Figures, status: Status
) -> list[Message]:
    contract, realised, pending = facts.contract, figures.scope.realised, figures.scope.pending
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
    reasons += _bundle_reasons(facts, figures)
    if status is Status.not_met:
        missing = figures.obligation - realised
        reasons.append(
            msg(
                f"de termijn liep af op {figures.terms.deadline}: er ontbreekt {eur_nl(missing)}",
                f"the deadline was {figures.terms.deadline}: {eur_en(missing)} is missing",
            )
        )
    if pending > 0:
        reasons.append(
            msg(
                f"{eur_nl(pending)} aan gemelde inzet wacht nog op beoordeling",
                f"{eur_en(pending)} of reported effort is waiting for review",
            )
        )
    return reasons + _leniency_reasons(config, figures)


def _bundle_figures(figures: Figures) -> dict[str, Any]:
    """The bundle the figures are pooled over and its number of contracts (None when not pooled)."""
    scope = figures.scope
    return {"bundle": scope.bundle, "bundle_contracts": len(scope.members) or None}


def _bundle_reasons(facts: ContractFacts, figures: Figures) -> list[Message]:
    scope = figures.scope
    if scope.members:
        return [
            msg(
                f"gebundeld in bundel {scope.bundle} met {len(scope.members)} contracten: de cijfers gelden "
                f"voor de hele bundel, van {scope.start} tot en met {scope.end}",
                f"pooled in bundle {scope.bundle} with {len(scope.members)} contracts: the figures are for "
                f"the whole bundle, from {scope.start} to {scope.end}",
            )
        ]
    if facts.bundle:
        return [
            msg(
                f"niet gebundeld in bundel {facts.contract.bundle}: gefactureerde omzet telt per contract",
                f"not pooled in bundle {facts.contract.bundle}: invoiced turnover counts per contract",
            )
        ]
    return []


def _leniency_reasons(config: SroiConfig, figures: Figures) -> list[Message]:
    reasons = []
    schedule, normal_end = figures.terms, figures.scope.end
    if (lowered := schedule.lowered_by) is not None and lowered.percentage is not None:
        reasons.append(
            msg(
                f"coulance ({lowered.granted_on}, {lowered.granted_by}): {number_nl(lowered.percentage)} % "
                f"in plaats van {number_nl(config.offered_percentage or config.percentage)} % – "
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
                f"{extended.until} in plaats van {normal_end} – {extended.reason}",
                f"leniency ({extended.granted_on}, {extended.granted_by}): the deadline is {extended.until} "
                f"instead of {normal_end} – {extended.reason}",
            )
        )
    return reasons


def _report_overdue(facts: ContractFacts, figures: Figures) -> CheckinDue | None:
    """A weekly reminder to the supplier while nothing was reported for more than 90 days (on any
    contract of a pooled bundle)."""
    contract, as_of, last = facts.contract, facts.as_of, figures.scope.last_reported_on
    if not contract.start <= as_of <= figures.terms.deadline:
        return None
    since = last or contract.start
    if (as_of - since).days <= REPORT_OVERDUE_DAYS:
        return None
    year, week, _ = as_of.isocalendar()
    if last is None:
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
        answered_by_report=True,
        roles=[Role.supplier],
        period=f"{year}-W{week:02d}",
        urgency=4,
        message=text,
    )


def _ends_with_shortfall(facts: ContractFacts, figures: Figures, assessment: Assessment) -> CheckinDue | None:
    """Once per deadline: the term (of a pooled bundle: the bundle's) ends within 90 days and the
    obligation is not met."""
    obligation, realised = assessment.obligation_eur, assessment.realised_eur
    deadline = figures.terms.deadline
    days_left = (deadline - facts.as_of).days
    if (
        obligation is None
        or realised is None
        or realised >= obligation
        or not 0 <= days_left <= END_WARNING_DAYS
    ):
        return None
    ref, missing = facts.contract.reference, obligation - realised
    ref_nl = f"{ref} (bundel {figures.scope.bundle})" if figures.scope.members else ref
    ref_en = f"{ref} (bundle {figures.scope.bundle})" if figures.scope.members else ref
    return CheckinDue(
        rule="sroi.ends_with_shortfall",
        roles=[Role.contract_manager, Role.escalation],
        period=deadline.isoformat(),
        urgency=7,
        message=msg(
            f"{ref_nl} loopt af op {deadline} (over {days_nl(days_left)}) en er ontbreekt nog "
            f"{eur_nl(missing)} aan social return ({whole_percent(realised, obligation)} % gerealiseerd)",
            f"{ref_en} ends on {deadline} (in {days_en(days_left)}) and {eur_en(missing)} of social "
            f"return is still missing ({whole_percent(realised, obligation)} % realised)",
        ),
    )


@hookimpl
def register_instruments(register: Callable[[type[Instrument]], None]) -> None:
    register(SroiClause)


@hookimpl
def register_commands(cli: Any) -> None:
    from instruments.sroi_clause_cli import app

    cli.add_typer(app, name=NAME)

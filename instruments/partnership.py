"""The partnership agreement (Handreiking Partnership & Inkoopkracht, 2020).

Buyer and supplier sign a letter of intent, meet every N weeks, agree action points with owners and
follow shared goals by KPI counts. It works on a contract that is already running ("route 1"), so it
has no applicability limits. Progress is counted, not valued in euros.

Sessions are due on a fixed rhythm: N weeks after the letter of intent, then every N weeks after the
previous *due date* (not after the last session held), so a late session does not shift the plan and
everyone can put the dates in their calendar. A session counts for the first due date whose grace
period (14 days after it) it falls in; one held early counts for the next due date.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from instruments._common import number_en, number_nl
from srr_engine.domain import Contract, Role
from srr_engine.errors import ContractError
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
from srr_engine.status import Status, expected_by_pace, pace_status, worst

NAME = "partnership"
SESSION_FACT = "partnership.session"
KPI_FACT = "partnership.kpi"
DONE_FACT = "partnership.action_done"
KPI_CODE = r"^[a-z0-9_]+$"
GRACE_DAYS = 14
DUE_SOON_DAYS = 5


class Goal(BaseModel):
    """A shared goal: by `by`, the KPI reaches `target`."""

    model_config = ConfigDict(extra="forbid")

    horizon: Literal["short", "long"]
    text: str = Field(min_length=1)
    kpi: str = Field(pattern=KPI_CODE)
    target: int = Field(ge=1)
    by: date


class Action(BaseModel):
    """An action point with an owner and a due date."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    due: date


class PartnershipConfig(BaseModel):
    """The partnership as written in a contract file."""

    model_config = ConfigDict(extra="forbid")

    letter_of_intent: date
    session_every_weeks: int = Field(ge=1)
    goals: list[Goal] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> PartnershipConfig:
        kpis = [g.kpi for g in self.goals]
        if twice := sorted({k for k in kpis if kpis.count(k) > 1}):
            raise ContractError(
                msg(
                    f"KPI {', '.join(twice)} staat bij meer dan één doel; geef elk doel een eigen KPI-code",
                    f"KPI {', '.join(twice)} appears in more than one goal; give each goal its own KPI code",
                )
            )
        if early := [g.kpi for g in self.goals if g.by <= self.letter_of_intent]:
            raise ContractError(
                msg(
                    f"het doel voor {', '.join(early)} ligt niet na de intentieverklaring "
                    f"({self.letter_of_intent})",
                    f"the goal for {', '.join(early)} is not after the letter of intent "
                    f"({self.letter_of_intent})",
                )
            )
        ids = [a.id for a in self.actions]
        if twice := sorted({i for i in ids if ids.count(i) > 1}):
            raise ContractError(
                msg(
                    f"actiepunt {', '.join(twice)} staat er dubbel in",
                    f"action {', '.join(twice)} is listed twice",
                )
            )
        return self


class SessionData(BaseModel):
    """The data of a `partnership.session` fact."""

    notes: str | None = None
    actions: list[Action] = Field(default_factory=list)


@dataclass(frozen=True)
class Slot:
    """One planned session: sessions held from `opens` to `closes` (due + grace) count for it."""

    opens: date
    due: date
    held: date | None

    @property
    def closes(self) -> date:
        return self.due + timedelta(days=GRACE_DAYS)

    def missed(self, as_of: date) -> bool:
        return self.held is None and as_of > self.closes


def plan(config: PartnershipConfig, contract: Contract, held: list[date]) -> list[Slot]:
    """The sessions due from the letter of intent up to the contract's end, with the one held for each
    (the first in `held` within the slot's window)."""
    slots: list[Slot] = []
    opens = date.min
    step, grace, day = timedelta(weeks=config.session_every_weeks), timedelta(days=GRACE_DAYS), timedelta(days=1)
    ordered = all(a <= b for a, b in pairwise(held))  # then the first one in the window is found by bisection
    due = config.letter_of_intent + step
    while due <= contract.end:
        closes = due + grace
        if ordered:
            i = bisect_left(held, opens)
            found = held[i] if i < len(held) and held[i] <= closes else None
        else:
            found = next((d for d in held if opens <= d <= closes), None)
        slots.append(Slot(opens, due, found))
        opens = closes + day
        due += step
    return slots


def missed_in_a_row(slots: list[Slot], as_of: date) -> int:
    """Missed sessions since the last one held (the open slot, not yet missed, does not break the row)."""
    count = 0
    for slot in reversed([s for s in slots if s.opens <= as_of]):
        if slot.held is not None:
            break
        if slot.missed(as_of):
            count += 1
    return count


def last_missed(slots: list[Slot], as_of: date) -> Slot | None:
    return next((s for s in reversed(slots) if s.missed(as_of)), None)


def next_open(slots: list[Slot], as_of: date) -> Slot | None:
    """The next session still to be held: not held yet and its grace period not over."""
    return next((s for s in slots if s.held is None and as_of <= s.closes), None)


def all_actions(facts: ContractFacts, config: PartnershipConfig) -> list[Action]:
    """Action points from the config and from the sessions held so far (a later one with the same id wins)."""
    actions = {a.id: a for a in config.actions}
    for fact in facts.facts_of(SESSION_FACT):
        actions.update((a.id, a) for a in SessionData.model_validate(fact.data).actions)
    return list(actions.values())


def open_actions(facts: ContractFacts, config: PartnershipConfig) -> list[Action]:
    done = {str(f.data["action_id"]) for f in facts.facts_of(DONE_FACT)}
    return sorted((a for a in all_actions(facts, config) if a.id not in done), key=lambda a: (a.due, a.id))


def kpi_counts(facts: ContractFacts) -> dict[str, int]:
    """The latest count per KPI."""
    return {str(f.data["kpi"]): int(f.data["count"]) for f in facts.facts_of(KPI_FACT)}


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    count: int
    expected: Decimal
    status: Status

    def figures(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "target": self.goal.target,
            "expected": str(self.expected),
            "status": self.status.value,
        }

    def reason(self) -> Message:
        shown = self.expected.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return msg(
            f"{self.goal.text}: {self.count} van {self.goal.target} ({self.goal.kpi}) gehaald, "
            f"{number_nl(shown)} verwacht; doel op {self.goal.by}",
            f"{self.goal.text}: {self.count} of {self.goal.target} ({self.goal.kpi}) reached, "
            f"{number_en(shown)} expected; goal by {self.goal.by}",
        )


class Partnership(Instrument):
    name = NAME
    title = msg("Partnerschap", "Partnership agreement")
    description = msg(
        "Opdrachtgever en leverancier sluiten een intentieverklaring, spreken elke paar weken af, werken "
        "actiepunten af en volgen samen doelen op korte en lange termijn met KPI's.",
        "Buyer and supplier sign a letter of intent, meet every few weeks, work through action points and "
        "follow shared short- and long-term goals with KPIs.",
    )
    config_model = PartnershipConfig
    multiple_per_contract = False

    def tender(self, contract: Contract, config: PartnershipConfig) -> TenderOutput:  # type: ignore[override]
        weeks = config.session_every_weeks
        return TenderOutput(
            clause=msg(
                f"Opdrachtgever en opdrachtnemer gaan een partnerschap aan om samen werk te maken van mensen "
                "met een afstand tot de arbeidsmarkt. Zij leggen gezamenlijke doelen op korte en lange "
                "termijn "
                f"vast in een intentieverklaring, spreken ten minste elke {weeks} weken af, leggen "
                "actiepunten "
                f"met een eigenaar vast en rapporteren de voortgang op de afgesproken KPI's.",
                "Buyer and supplier enter into a partnership to create work together for people at a "
                "distance "
                "from the labour market. They set shared short- and long-term goals in a letter of intent, "
                "meet "
                f"at least every {weeks} weeks, record action points with an owner and report progress on "
                "the "
                f"agreed KPIs.",
            ),
            eforms={"BT-06": "soc-obj"},
            ocds={
                "sustainability": [
                    {
                        "goal": "social.disadvantagedEmploymentOpportunities",
                        "strategies": ["contractPerformanceConditions"],
                    }
                ]
            },
        )

    def obligations(self, facts: ContractFacts, config: PartnershipConfig) -> list[Obligation]:  # type: ignore[override]
        slots = plan(config, facts.contract, [])
        sessions = Obligation(
            key="partnership.sessions",
            description=msg(
                f"elke {config.session_every_weeks} weken een partnerschapssessie",
                f"a partnership session every {config.session_every_weeks} weeks",
            ),
            target=Decimal(len(slots)),
            unit="sessions",
            due=slots[-1].due if slots else facts.contract.end,
        )
        goals = [
            Obligation(
                key=f"partnership.kpi.{g.kpi}",
                description=msg(g.text, g.text),
                target=Decimal(g.target),
                unit=g.kpi,
                due=g.by,
            )
            for g in config.goals
        ]
        return [sessions, *goals]

    def goal_progress(self, facts: ContractFacts, config: PartnershipConfig) -> list[GoalProgress]:
        """Each goal by the shared pace rule, from the letter of intent to the goal's date."""
        counts = kpi_counts(facts)
        progress = []
        for goal in config.goals:
            count, target = counts.get(goal.kpi, 0), Decimal(goal.target)
            expected = expected_by_pace(target, config.letter_of_intent, goal.by, facts.as_of)
            status = pace_status(target, Decimal(count), expected, goal.by, facts.as_of, self.pace)
            progress.append(GoalProgress(goal, count, expected, status))
        return progress

    def assess(self, facts: ContractFacts, config: PartnershipConfig) -> Assessment:  # type: ignore[override]
        as_of = facts.as_of
        held = [f.on for f in facts.facts_of(SESSION_FACT)]
        slots = plan(config, facts.contract, held)
        missed = missed_in_a_row(slots, as_of)
        upcoming = next_open(slots, as_of)
        pending = open_actions(facts, config)
        overdue = [a for a in pending if a.due < as_of]
        goals = self.goal_progress(facts, config)

        if as_of < config.letter_of_intent:
            session_status = Status.not_started
        else:
            session_status = {0: Status.on_track, 1: Status.at_risk}.get(missed, Status.behind)
        statuses = [session_status, *(g.status for g in goals)]
        if overdue:
            statuses.append(Status.at_risk)

        reasons = [_sessions_reason(len(held), missed, slots, upcoming, as_of)]
        reasons += [_overdue_reason(a) for a in overdue]
        reasons += [g.reason() for g in goals]
        return Assessment(
            kind=NAME,
            status=worst(statuses) or Status.on_track,
            figures={
                "next_session_due": upcoming.due.isoformat() if upcoming else None,
                "sessions_held": len(held),
                "missed_in_a_row": missed,
                "kpis": {g.goal.kpi: g.figures() for g in goals},
                "open_actions": [_action_figures(a, as_of) for a in pending],
            },
            reasons=reasons,
        )

    def checkins(
        self, facts: ContractFacts, config: PartnershipConfig, assessment: Assessment
    ) -> list[CheckinDue]:  # type: ignore[override]
        as_of, ref = facts.as_of, facts.contract.reference
        slots = plan(config, facts.contract, [f.on for f in facts.facts_of(SESSION_FACT)])
        found = []
        upcoming = next_open(slots, as_of)
        if upcoming is not None and (upcoming.due - as_of).days <= DUE_SOON_DAYS:
            found.append(
                CheckinDue(
                    rule="partnership.session_due",
                    roles=[Role.supplier, Role.contract_manager],
                    period=upcoming.due.isoformat(),
                    urgency=3,
                    message=msg(
                        f"{ref}: de volgende partnerschapssessie staat gepland op {upcoming.due}; houd haar "
                        f"uiterlijk {upcoming.closes}",
                        f"{ref}: the next partnership session is planned for {upcoming.due}; hold it by "
                        f"{upcoming.closes} at the latest",
                    ),
                )
            )
        missed = missed_in_a_row(slots, as_of)
        if missed and (last := last_missed(slots, as_of)) is not None:
            roles = [Role.supplier, Role.contract_manager] + ([Role.escalation] if missed >= 2 else [])
            found.append(
                CheckinDue(
                    rule="partnership.session_missed",
                    roles=roles,
                    period=last.due.isoformat(),
                    urgency=7 if missed >= 2 else 5,
                    message=msg(
                        f"{ref}: de partnerschapssessie van {last.due} is niet gehouden ({missed} op rij "
                        "gemist). "
                        f"Plan een nieuwe afspraak.",
                        f"{ref}: the partnership session of {last.due} was not held ({missed} missed in a "
                        "row). "
                        f"Please plan a new meeting.",
                    ),
                )
            )
        return found

    def evaluate(self, facts: ContractFacts, config: PartnershipConfig) -> Evaluation:  # type: ignore[override]
        as_of = facts.as_of
        held = [f.on for f in facts.facts_of(SESSION_FACT)]
        planned = [s for s in plan(config, facts.contract, held) if s.due <= min(as_of, facts.contract.end)]
        goals = self.goal_progress(facts, config)
        results = {g.goal.kpi: Status.met if g.count >= g.goal.target else Status.not_met for g in goals}
        missed = sum(1 for s in planned if s.missed(as_of))
        reasons = [
            msg(
                f"{len(held)} sessies gehouden, {len(planned)} gepland, {missed} gemist",
                f"{len(held)} sessions held, {len(planned)} planned, {missed} missed",
            ),
            *(g.reason() for g in goals),
        ]
        return Evaluation(
            kind=NAME,
            status=Status.not_met if Status.not_met in results.values() else Status.met,
            figures={
                "goals": {
                    g.goal.kpi: {
                        "horizon": g.goal.horizon,
                        "text": g.goal.text,
                        "target": g.goal.target,
                        "count": g.count,
                        "status": results[g.goal.kpi].value,
                    }
                    for g in goals
                },
                "sessions_held": len(held),
                "sessions_planned": len(planned),
                "sessions_missed": missed,
                "open_actions": [_action_figures(a, as_of) for a in open_actions(facts, config)],
            },
            reasons=reasons,
        )


def _sessions_reason(
    held: int, missed: int, slots: list[Slot], upcoming: Slot | None, as_of: date
) -> Message:
    if missed and (last := last_missed(slots, as_of)) is not None:
        return msg(
            f"{missed} partnerschapssessie(s) op rij gemist, de laatste gepland op {last.due}",
            f"{missed} partnership session(s) missed in a row, the last one planned for {last.due}",
        )
    after_nl = f"; volgende sessie gepland op {upcoming.due}" if upcoming else ""
    after_en = f"; next session planned for {upcoming.due}" if upcoming else ""
    return msg(f"{held} sessie(s) gehouden{after_nl}", f"{held} session(s) held{after_en}")


def _overdue_reason(action: Action) -> Message:
    return msg(
        f"actiepunt {action.id} ({action.text}, {action.owner}) had af moeten zijn op {action.due}",
        f"action {action.id} ({action.text}, {action.owner}) was due on {action.due}",
    )


def _action_figures(action: Action, as_of: date) -> dict[str, Any]:
    return {**action.model_dump(mode="json"), "overdue": action.due < as_of}


@hookimpl
def register_instruments(register: Callable[[type[Instrument]], None]) -> None:
    register(Partnership)


@hookimpl
def register_commands(cli: Any) -> None:
    from instruments.partnership_cli import app

    cli.add_typer(app, name=NAME)

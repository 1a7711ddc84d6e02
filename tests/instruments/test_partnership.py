"""The partnership agreement: session rhythm, action points, KPI pace, check-ins and its commands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from instruments.partnership import Partnership, PartnershipConfig
from srr_engine.domain import Contract, Role
from srr_engine.instrument import ContractFacts, Fact
from srr_engine.settings import PaceSettings
from srr_engine.status import Status
from srr_engine.valuation import TableRegistry

LOI = date(2026, 2, 15)
# With a session every 6 weeks from the letter of intent, sessions are due on 2026-03-29, 2026-05-10,
# 2026-06-21, ...; each is missed once 14 days have passed without one (2026-04-12, 2026-05-24, ...).
GOALS = [
    {"horizon": "short", "text": "Twee leerwerkplekken in de avondploeg", "kpi": "learning_places", "target": 2,
     "by": date(2026, 12, 31)},
    {"horizon": "long", "text": "Tien banen voor de banenafspraak", "kpi": "banenafspraak_jobs", "target": 10,
     "by": date(2029, 12, 31)},
]  # fmt: skip


def contract() -> Contract:
    return Contract.model_validate(
        {
            "reference": "RWS-2026-0042",
            "title": "Schoonmaak kantoren regio Midden-Nederland",
            "buyer": "Rijkswaterstaat",
            "category": "services",
            "cpv": "90910000",
            "value_eur": "2400000.00",
            "start": date(2026, 1, 1),
            "end": date(2029, 12, 31),
            "supplier": "Schoon & Sociaal BV",
        }
    )


@pytest.fixture
def partnership(tables: TableRegistry) -> Partnership:
    return Partnership(settings=Partnership.settings_model(), pace=PaceSettings(), tables=tables)


def config(**changes: Any) -> PartnershipConfig:
    """Sessions only, unless goals or actions are given."""
    return PartnershipConfig.model_validate({"letter_of_intent": LOI, "session_every_weeks": 6, **changes})


def session(on: date, *actions: dict[str, Any]) -> Fact:
    return Fact(kind="partnership.session", on=on, data={"notes": "goed gesprek", "actions": list(actions)})


def kpi(on: date, code: str, count: int) -> Fact:
    return Fact(kind="partnership.kpi", on=on, data={"kpi": code, "count": count})


def done(on: date, action_id: str) -> Fact:
    return Fact(kind="partnership.action_done", on=on, data={"action_id": action_id})


def facts(as_of: date, *recorded: Fact) -> ContractFacts:
    return ContractFacts(contract=contract(), as_of=as_of, facts=list(recorded))


def test_example_config_is_accepted() -> None:
    example = config(goals=GOALS)
    assert [g.kpi for g in example.goals] == ["learning_places", "banenafspraak_jobs"]
    assert Partnership.multiple_per_contract is False


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"session_every_week": 6}, "session_every_week"),
        ({"session_every_weeks": 0}, "session_every_weeks"),
        ({"goals": [{**GOALS[0], "kpi": "Learning places"}]}, "kpi"),
        (
            {"goals": [GOALS[0], {**GOALS[1], "kpi": "learning_places"}]},
            "learning_places appears in more than one",
        ),
        ({"goals": [{**GOALS[0], "by": date(2026, 1, 1)}]}, "not after the letter of intent"),
        (
            {"actions": [{"id": "a1", "text": "x", "owner": "y", "due": LOI}] * 2},
            "action a1 is listed twice",
        ),
    ],
)
def test_config_refuses_mistakes(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        config(**changes)


@pytest.mark.parametrize(
    ("as_of", "held", "status", "missed"),
    [
        (date(2026, 2, 1), [], Status.not_started, 0),
        (date(2026, 4, 12), [], Status.on_track, 0),  # last day of the grace period of 2026-03-29
        (date(2026, 4, 13), [], Status.at_risk, 1),
        (date(2026, 5, 25), [], Status.behind, 2),
        (date(2026, 5, 25), [date(2026, 4, 10)], Status.at_risk, 1),  # held in grace; 2026-05-10 missed
        (date(2026, 5, 25), [date(2026, 5, 20)], Status.on_track, 0),  # held again: the row is broken
        (date(2026, 5, 25), [date(2026, 4, 20)], Status.on_track, 0),  # early for 2026-05-10: counts for it
    ],
)
def test_missed_sessions(
    partnership: Partnership, as_of: date, held: list[date], status: Status, missed: int
) -> None:
    assessment = partnership.assess(facts(as_of, *(session(d) for d in held)), config())

    assert assessment.status is status
    assert assessment.figures["missed_in_a_row"] == missed
    assert assessment.figures["sessions_held"] == len(held)
    assert assessment.obligation_eur is None and assessment.expected_eur is None


def test_figures_and_reasons_for_sessions(partnership: Partnership) -> None:
    held = partnership.assess(facts(date(2026, 4, 1), session(date(2026, 3, 30))), config())
    assert held.figures["next_session_due"] == "2026-05-10"
    assert held.reasons[0].nl == "1 sessie(s) gehouden; volgende sessie gepland op 2026-05-10"

    missed = partnership.assess(facts(date(2026, 5, 25)), config())
    assert missed.figures["next_session_due"] == "2026-06-21"
    assert missed.reasons[0].nl == "2 partnerschapssessie(s) op rij gemist, de laatste gepland op 2026-05-10"


def test_overdue_action_is_at_risk_until_done(partnership: Partnership) -> None:
    plan = config(
        actions=[
            {"id": "a1", "text": "Vacatures delen met UWV", "owner": "B. Jansen", "due": date(2026, 3, 1)}
        ]
    )
    on_time = partnership.assess(facts(date(2026, 3, 1)), plan)
    overdue = partnership.assess(facts(date(2026, 3, 2)), plan)
    finished = partnership.assess(facts(date(2026, 3, 5), done(date(2026, 3, 3), "a1")), plan)

    assert on_time.status is Status.on_track
    assert overdue.status is Status.at_risk
    assert overdue.reasons[1].nl == (
        "actiepunt a1 (Vacatures delen met UWV, B. Jansen) had af moeten zijn op 2026-03-01"
    )
    assert overdue.figures["open_actions"] == [
        {
            "id": "a1",
            "text": "Vacatures delen met UWV",
            "owner": "B. Jansen",
            "due": "2026-03-01",
            "overdue": True,
        }
    ]
    assert finished.status is Status.on_track
    assert finished.figures["open_actions"] == []


def test_actions_from_sessions_count(partnership: Partnership) -> None:
    action = {"id": "2026-03-29.1", "text": "Rooster avondploeg", "owner": "A. de Vries", "due": "2026-04-15"}
    held = session(date(2026, 3, 29), action)

    assert partnership.assess(facts(date(2026, 4, 15), held), config()).status is Status.on_track
    late = partnership.assess(facts(date(2026, 4, 16), held), config())
    assert late.status is Status.at_risk
    assert [a["id"] for a in late.figures["open_actions"]] == ["2026-03-29.1"]


@pytest.mark.parametrize(
    ("count", "status"),
    [(0, Status.behind), (1, Status.at_risk), (2, Status.met)],
)
def test_kpi_by_the_pace_rule(partnership: Partnership, count: int, status: Status) -> None:
    # 2026-08-22 is day 189 of the 320 from the letter of intent to 2026-12-31: 2 x 189 / 320 = 1.18 expected
    sessions = [
        session(d) for d in (date(2026, 3, 29), date(2026, 5, 10), date(2026, 6, 21), date(2026, 8, 2))
    ]
    counted = facts(date(2026, 8, 22), *sessions, kpi(date(2026, 8, 1), "learning_places", count))
    assessment = partnership.assess(counted, config(goals=GOALS))

    assert assessment.figures["kpis"]["learning_places"] == {
        "count": count,
        "target": 2,
        "expected": "1.18",
        "status": status.value,
    }
    # 10 x 189 / 1416 days to 2029-12-31: 1.33 expected, none yet
    assert assessment.figures["kpis"]["banenafspraak_jobs"]["expected"] == "1.33"
    assert assessment.figures["kpis"]["banenafspraak_jobs"]["status"] == "behind"
    assert assessment.status is Status.behind


def test_latest_kpi_count_counts(partnership: Partnership) -> None:
    counts = facts(
        date(2026, 4, 1),
        kpi(date(2026, 3, 1), "learning_places", 2),
        kpi(date(2026, 3, 20), "learning_places", 1),
    )
    assessment = partnership.assess(counts, config(goals=GOALS[:1]))
    assert assessment.figures["kpis"]["learning_places"]["count"] == 1
    assert assessment.reasons[1].nl == (
        "Twee leerwerkplekken in de avondploeg: 1 van 2 (learning_places) gehaald, 0,3 verwacht; doel op 2026-12-31"
    )


def test_kpi_not_met_after_its_date(partnership: Partnership) -> None:
    late = facts(date(2027, 1, 1), kpi(date(2026, 12, 1), "learning_places", 1))
    assert (
        partnership.assess(late, config(goals=GOALS[:1])).figures["kpis"]["learning_places"]["status"]
        == "not_met"
    )


def checkins(partnership: Partnership, state: ContractFacts) -> list[tuple[str, str, list[Role]]]:
    found = partnership.checkins(state, config(), partnership.assess(state, config()))
    return [(c.rule, c.period, c.roles) for c in found]


def test_session_due_check_in(partnership: Partnership) -> None:
    both = [Role.supplier, Role.contract_manager]
    assert checkins(partnership, facts(date(2026, 3, 23))) == []  # 6 days before 2026-03-29
    assert checkins(partnership, facts(date(2026, 3, 24))) == [
        ("partnership.session_due", "2026-03-29", both)
    ]
    assert checkins(partnership, facts(date(2026, 4, 5))) == [("partnership.session_due", "2026-03-29", both)]
    assert checkins(partnership, facts(date(2026, 4, 5), session(date(2026, 4, 1)))) == []


def test_session_missed_check_in(partnership: Partnership) -> None:
    both = [Role.supplier, Role.contract_manager]
    assert checkins(partnership, facts(date(2026, 4, 13))) == [
        ("partnership.session_missed", "2026-03-29", both)
    ]
    assert checkins(partnership, facts(date(2026, 5, 25))) == [
        ("partnership.session_missed", "2026-05-10", [*both, Role.escalation])
    ]
    state = facts(date(2026, 5, 25))
    [missed] = partnership.checkins(state, config(), partnership.assess(state, config()))
    assert missed.message.nl == (
        "RWS-2026-0042: de partnerschapssessie van 2026-05-10 is niet gehouden (2 op rij gemist). "
        "Plan een nieuwe afspraak."
    )


def test_evaluation(partnership: Partnership) -> None:
    sessions = [session(d) for d in (date(2026, 3, 29), date(2026, 5, 12), date(2026, 8, 2))]
    counts = [kpi(date(2026, 12, 15), "learning_places", 2), kpi(date(2026, 12, 15), "banenafspraak_jobs", 3)]
    evaluation = partnership.evaluate(facts(date(2026, 12, 31), *sessions, *counts), config(goals=GOALS))

    assert evaluation.status is Status.not_met  # the long-term goal is not reached
    assert evaluation.figures["goals"]["learning_places"]["status"] == "met"
    assert evaluation.figures["goals"]["banenafspraak_jobs"]["status"] == "not_met"
    # due 03-29, 05-10, 06-21, 08-02, 09-13, 10-25, 12-06: held for 03-29, 05-10 (on 05-12) and 08-02
    assert (evaluation.figures["sessions_held"], evaluation.figures["sessions_planned"]) == (3, 7)
    assert evaluation.figures["sessions_missed"] == 4
    assert evaluation.reasons[0].nl == "3 sessies gehouden, 7 gepland, 4 gemist"


def test_obligations(partnership: Partnership) -> None:
    sessions, *goals = partnership.obligations(facts(date(2026, 3, 1)), config(goals=GOALS))
    # every 6 weeks from 2026-03-29 up to the end 2029-12-31: 33 sessions, the last 198 weeks after the letter
    assert (sessions.target, sessions.due) == (Decimal(33), date(2029, 12, 2))
    assert [(g.key, g.target, g.due) for g in goals] == [
        ("partnership.kpi.learning_places", Decimal(2), date(2026, 12, 31)),
        ("partnership.kpi.banenafspraak_jobs", Decimal(10), date(2029, 12, 31)),
    ]


def test_tender_output(partnership: Partnership) -> None:
    output = partnership.tender(contract(), config())
    assert "ten minste elke 6 weken" in output.clause.nl
    assert "at least every 6 weeks" in output.clause.en
    assert output.eforms == {"BT-06": "soc-obj"}
    assert output.ocds["sustainability"][0]["goal"] == "social.disadvantagedEmploymentOpportunities"

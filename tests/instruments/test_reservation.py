"""The reserved contract: evidence at award, art. 77 CPV codes, re-verification during the contract."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from instruments.reservation import Reservation, ReservationConfig, ReservationSettings
from srr_engine.domain import Contract, Role
from srr_engine.errors import ContractError
from srr_engine.instrument import ContractFacts, Fact
from srr_engine.settings import PaceSettings
from srr_engine.status import Status
from srr_engine.valuation import TableRegistry

# As the public example contract file writes it (`kind` removed by the engine).
EXAMPLE = {
    "basis": "art_2_82",
    "evidence": {
        "share_disadvantaged": "0.42",
        "as_of": date(2026, 1, 15),
        "source": "Accountantsverklaring 2025",
    },
    "reverify_every_months": 12,
}


def contract(**changes: Any) -> Contract:
    """DJI-2026-0007 from the public example, with `changes`."""
    data = {
        "reference": "DJI-2026-0007",
        "title": "Catering penitentiaire inrichting Zwolle",
        "buyer": "Dienst Justitiele Inrichtingen",
        "category": "services",
        "cpv": "55520000",
        "value_eur": "850000.00",
        "start": date(2026, 3, 1),
        "end": date(2028, 2, 29),
        "supplier": "Sociale Keuken Zwolle",
    }
    return Contract.model_validate({**data, **changes})


@pytest.fixture
def reservation(tables: TableRegistry) -> Reservation:
    return Reservation(settings=Reservation.settings_model(), pace=PaceSettings(), tables=tables)


def config(**changes: Any) -> ReservationConfig:
    return ReservationConfig.model_validate({**EXAMPLE, **changes})


def evidence(share: str, as_of: date) -> dict[str, Any]:
    return {"share_disadvantaged": share, "as_of": as_of, "source": "verklaring"}


def renewed(on: date, share: str = "0.40") -> Fact:
    return Fact(
        kind="reservation.evidence", on=on, data={"share_disadvantaged": share, "source": "verklaring"}
    )


def facts(as_of: date, *recorded: Fact) -> ContractFacts:
    return ContractFacts(contract=contract(), as_of=as_of, facts=list(recorded))


def test_example_config_is_accepted_and_typos_are_not() -> None:
    assert config().evidence is not None
    assert config().evidence.share_disadvantaged == Decimal("0.42")  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="reverify_every_month"):
        ReservationConfig.model_validate({**EXAMPLE, "reverify_every_month": 6})
    with pytest.raises(ValidationError):
        config(evidence=evidence("1.2", date(2026, 1, 15)))


def test_award_refused_below_30_percent(reservation: Reservation) -> None:
    problems = reservation.award_problems(
        contract(), config(evidence=evidence("0.29", date(2026, 1, 15))), date(2026, 2, 1)
    )

    assert [p.nl for p in problems] == [
        (
            "minimaal 30 % van het personeel moet tot de doelgroep behoren (artikel 2.82 Aanbestedingswet); "
            "aangetoond 29 % op 2026-01-15"
        )
    ]
    assert (
        reservation.award_problems(
            contract(), config(evidence=evidence("0.30", date(2026, 1, 15))), date(2026, 2, 1)
        )
        == []
    )


def test_award_refused_with_evidence_older_than_12_months(reservation: Reservation) -> None:
    old = config(evidence=evidence("0.42", date(2025, 1, 15)))

    assert reservation.award_problems(contract(), old, date(2026, 1, 15)) == []  # exactly 12 months
    [problem] = reservation.award_problems(contract(), old, date(2026, 2, 15))  # 13 months
    assert problem.nl == (
        "het bewijs van 2025-01-15 is bij gunning op 2026-02-15 ouder dan 12 maanden; vraag een actuele verklaring"
    )


def test_award_refused_without_evidence_and_offer_supplies_it(reservation: Reservation) -> None:
    planned = config(evidence=None)
    [problem] = reservation.award_problems(contract(), planned, date(2026, 2, 1))
    assert (
        problem.en
        == "there is no evidence yet that the supplier meets the conditions of the reserved contract"
    )

    awarded = reservation.award(contract(), planned, {"evidence": evidence("0.35", date(2026, 1, 20))})
    assert awarded.evidence is not None and awarded.evidence.share_disadvantaged == Decimal("0.35")
    assert reservation.award_problems(contract(), awarded, date(2026, 2, 1)) == []
    with pytest.raises(ContractError):
        reservation.award(contract(), planned, {"evidence": {"share_disadvantaged": "0.35"}})


def test_art_77_has_no_share_bar(reservation: Reservation) -> None:
    mission = config(basis="art_77", evidence=evidence("0.10", date(2026, 1, 15)))
    assert reservation.award_problems(contract(cpv="85311000"), mission, date(2026, 2, 1)) == []


@pytest.mark.parametrize(
    ("cpv", "allowed"),
    [
        ("85000000-9", True),
        ("85100000", True),
        ("85323000-9", True),
        ("85324000", False),
        ("84999999", False),
        ("92500000-6", True),
        ("98133110", True),
        ("75121000-0", True),
        ("92511000", False),  # only the listed codes, compared on 8 digits
        ("55520000", False),
    ],
)
def test_art_77_only_for_its_cpv_codes(reservation: Reservation, cpv: str, allowed: bool) -> None:
    mission = config(basis="art_77")
    if allowed:
        assert reservation.prepare(contract(cpv=cpv), mission) == mission
    else:
        with pytest.raises(ContractError, match=f"not allowed for CPV code {cpv}"):
            reservation.prepare(contract(cpv=cpv), mission)
    assert reservation.prepare(contract(cpv=cpv), config()) == config()  # art. 2.82 has no CPV limit


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        (date(2026, 6, 1), Status.on_track),
        (date(2026, 12, 15), Status.on_track),  # 31 days before the due date 2027-01-15
        (date(2026, 12, 16), Status.at_risk),  # 30 days before
        (date(2027, 1, 15), Status.at_risk),  # due today
        (date(2027, 1, 16), Status.not_met),  # overdue
    ],
)
def test_reverification_status(reservation: Reservation, as_of: date, status: Status) -> None:
    assessment = reservation.assess(facts(as_of), config())

    assert assessment.status is status
    assert assessment.obligation_eur is None and assessment.realised_eur is None
    assert assessment.figures == {
        "share_disadvantaged": "0.42",
        "evidence_as_of": "2026-01-15",
        "reverify_due": "2027-01-15",
    }


def test_newer_evidence_moves_the_due_date(reservation: Reservation) -> None:
    assessment = reservation.assess(facts(date(2027, 1, 16), renewed(date(2026, 12, 20))), config())

    assert assessment.status is Status.on_track
    assert assessment.figures["reverify_due"] == "2027-12-20"
    assert (
        assessment.reasons[0].nl
        == "40 % van het personeel behoort tot de doelgroep (bewijs van 2026-12-20: verklaring)"
    )


def test_evidence_recorded_after_as_of_does_not_count(reservation: Reservation) -> None:
    assessment = reservation.assess(facts(date(2027, 1, 16), renewed(date(2027, 2, 1))), config())
    assert assessment.status is Status.not_met
    assert (
        assessment.reasons[1].nl
        == "het bewijs had uiterlijk 2027-01-15 vernieuwd moeten zijn (1 dag te laat)"
    )


def test_new_evidence_below_the_bar_is_not_met(reservation: Reservation) -> None:
    assessment = reservation.assess(facts(date(2026, 10, 1), renewed(date(2026, 9, 1), "0.25")), config())

    assert assessment.status is Status.not_met
    assert assessment.reasons[1].nl == (
        "minimaal 30 % van het personeel moet tot de doelgroep behoren (artikel 2.82 Aanbestedingswet); "
        "aangetoond 25 % op 2026-09-01"
    )


def test_evidence_due_check_in(reservation: Reservation) -> None:
    def found(as_of: date) -> list[tuple[str, str, list[Role]]]:
        state = facts(as_of)
        return [
            (c.rule, c.period, c.roles)
            for c in reservation.checkins(state, config(), reservation.assess(state, config()))
        ]

    assert found(date(2026, 12, 15)) == []
    assert found(date(2026, 12, 16)) == [
        ("reservation.evidence_due", "2027-01-15", [Role.supplier, Role.contract_manager])
    ]
    assert found(date(2027, 1, 16)) == [
        (
            "reservation.evidence_overdue",
            "2027-01-15",
            [Role.supplier, Role.contract_manager, Role.escalation],
        )
    ]


def test_evaluation_met_when_never_lapsed(reservation: Reservation) -> None:
    kept_up = facts(date(2028, 2, 29), renewed(date(2027, 1, 10)), renewed(date(2028, 1, 5)))
    evaluation = reservation.evaluate(kept_up, config())

    assert evaluation.status is Status.met
    assert evaluation.figures["lapses"] == 0
    assert (
        reservation.assess(kept_up.model_copy(update={"as_of": date(2028, 3, 15)}), config()).status
        is Status.met
    )


def test_evaluation_not_met_after_a_gap(reservation: Reservation) -> None:
    late = facts(date(2028, 2, 29), renewed(date(2027, 2, 1)), renewed(date(2028, 1, 5)))
    evaluation = reservation.evaluate(late, config())

    assert evaluation.status is Status.not_met
    assert [r.nl for r in evaluation.reasons[1:]] == [
        "het bewijs verliep op 2027-01-15; nieuw bewijs kwam pas op 2027-02-01"
    ]
    expired = reservation.evaluate(facts(date(2028, 2, 29), renewed(date(2027, 1, 10))), config())
    assert [r.nl for r in expired.reasons[1:]] == ["het bewijs verliep op 2028-01-10"]


def test_evidence_superseded_before_the_start_does_not_count(reservation: Reservation) -> None:
    before = config(evidence=evidence("0.20", date(2025, 6, 1)))
    kept_up = facts(
        date(2028, 2, 29), renewed(date(2026, 2, 1)), renewed(date(2027, 1, 20)), renewed(date(2028, 1, 5))
    )
    assert reservation.evaluate(kept_up, before).status is Status.met


def test_tender_output(reservation: Reservation) -> None:
    sheltered = reservation.tender(contract(), config(reserved_execution=True))
    assert sheltered.eforms == {"BT-71": "res-ws", "BT-736": "yes"}
    assert sheltered.ocds == {"otherRequirements": {"reservedParticipation": ["shelteredWorkshop"]}}
    assert "ten minste 30 % van hun werknemers" in sheltered.clause.nl

    mission = reservation.tender(contract(cpv="85311000"), config(basis="art_77"))
    assert mission.eforms == {"BT-71": "res-pub-ser"}
    assert mission.ocds == {
        "otherRequirements": {"reservedParticipation": ["publicServiceMissionOrganization"]}
    }
    with pytest.raises(ValidationError, match="only possible with art_2_82"):
        config(basis="art_77", reserved_execution=True)


def test_warns_when_combined_with_an_sroi_clause() -> None:
    assert "social return-bepaling" in Reservation.warns_with["sroi_clause"].nl


def test_obligation_is_the_evidence(reservation: Reservation) -> None:
    [obligation] = reservation.obligations(facts(date(2026, 6, 1)), config())
    assert (obligation.target, obligation.due) == (Decimal("0.30"), date(2027, 1, 15))


def test_the_bars_are_settings(tables: TableRegistry) -> None:
    stricter = Reservation(
        settings=ReservationSettings(
            min_share=Decimal("0.40"), max_evidence_age_months=6, due_warning_days=60
        ),
        pace=PaceSettings(),
        tables=tables,
    )
    shown_35 = config(evidence=evidence("0.35", date(2026, 1, 15)))

    assert [p.nl for p in stricter.award_problems(contract(), shown_35, date(2026, 8, 1))] == [
        (
            "minimaal 40 % van het personeel moet tot de doelgroep behoren (artikel 2.82 Aanbestedingswet); "
            "aangetoond 35 % op 2026-01-15"
        ),
        "het bewijs van 2026-01-15 is bij gunning op 2026-08-01 ouder dan 6 maanden; vraag een actuele verklaring",
    ]
    assert stricter.assess(facts(date(2026, 6, 1)), shown_35).status is Status.not_met
    assert stricter.assess(facts(date(2026, 11, 20)), config()).status is Status.at_risk  # 56 days left
    [obligation] = stricter.obligations(facts(date(2026, 6, 1)), config())
    assert obligation.target == Decimal("0.40")
    assert (
        obligation.description.en == "at least 40 % of the staff are disabled or disadvantaged, shown again"
    )
    clause = stricter.tender(contract(), config()).clause
    assert "ten minste 40 % van hun werknemers" in clause.nl and "at most 6 months old" in clause.en


def test_default_settings_are_the_law_and_the_shipped_config(reservation: Reservation) -> None:
    shipped = tomllib.loads((Path(__file__).parents[2] / "config" / "srr.toml").read_text(encoding="utf-8"))
    assert ReservationSettings.model_validate(shipped["instruments"]["reservation"]) == reservation.settings
    assert reservation.settings == ReservationSettings(
        min_share=Decimal("0.30"), max_evidence_age_months=12, due_warning_days=30
    )
    with pytest.raises(ValidationError, match="min_share"):
        ReservationSettings(min_share=Decimal("1.5"))

"""The SROI clause: obligation, pace, leniency, ramp, offer, check-ins and evaluation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from instruments.sroi_clause import SroiClause, SroiConfig
from srr_engine.domain import Contract, Role
from srr_engine.errors import ContractError
from srr_engine.instrument import BundleMember, ContractFacts, Fact, Leniency, RealisationSummary
from srr_engine.settings import PaceSettings
from srr_engine.status import Status, expected_by_pace
from srr_engine.valuation import TableRegistry

# The instrument as the public example contract file writes it (`kind` removed by the engine).
EXAMPLE = {"percentage": "5", "base": "contract_value", "valuation_table": "utrecht"}


def contract(**changes: Any) -> Contract:
    """RWS-2026-0042 from the public example, with `changes`."""
    data = {
        "reference": "RWS-2026-0042",
        "title": "Schoonmaak kantoren regio Midden-Nederland",
        "buyer": "Rijkswaterstaat",
        "category": "services",
        "cpv": "90910000",
        "value_eur": "2400000.00",
        "wage_sum_eur": "1500000.00",
        "start": date(2026, 1, 1),
        "end": date(2029, 12, 31),
        "supplier": "Schoon & Sociaal BV",
    }
    return Contract.model_validate({**data, **changes})


@pytest.fixture
def sroi(tables: TableRegistry) -> SroiClause:
    return SroiClause(settings=SroiClause.settings_model(), pace=PaceSettings(), tables=tables)


def config(sroi: SroiClause, the_contract: Contract | None = None, **changes: Any) -> SroiConfig:
    return sroi.prepare(the_contract or contract(), SroiConfig.model_validate({**EXAMPLE, **changes}))


def facts(
    as_of: date, realised: str = "0", the_contract: Contract | None = None, **more: Any
) -> ContractFacts:
    return ContractFacts(
        contract=the_contract or contract(), as_of=as_of, realised_eur=Decimal(realised), **more
    )


def test_public_example_figures(sroi: SroiClause) -> None:
    assessment = sroi.assess(facts(date(2026, 12, 31), "92038.36"), config(sroi))

    assert assessment.obligation_eur == Decimal("120000.00")
    assert assessment.expected_eur == Decimal("29979.47")
    assert assessment.realised_eur == Decimal("92038.36")
    assert assessment.status is Status.on_track
    assert assessment.figures["percentage"] == "5"
    assert assessment.figures["realised_pct_of_obligation"] == "76.7"
    assert assessment.figures["expected_pct_of_obligation"] == "25.0"
    assert assessment.reasons[0].nl == (
        "77 % van de social return gerealiseerd (€ 92.038,36 van € 120.000,00), 25 % verwacht op 2026-12-31"
    )
    assert assessment.reasons[0].en.startswith(
        "77 % of the social return realised (EUR 92,038.36 of EUR 120,000.00)"
    )


def test_flat_percentage_follows_the_shared_pace_rule(sroi: SroiClause) -> None:
    for as_of in (date(2026, 1, 1), date(2027, 2, 28), date(2028, 2, 29), date(2029, 12, 31)):
        expected = sroi.assess(facts(as_of), config(sroi)).expected_eur
        assert expected == expected_by_pace(Decimal("120000.00"), date(2026, 1, 1), date(2029, 12, 31), as_of)


def test_prepare_pins_the_table_version_valid_at_the_start(sroi: SroiClause) -> None:
    prepared = config(sroi)
    assert prepared.valuation_table_version == "current"
    assert sroi.valuation_table(prepared) == ("utrecht", "current")


def test_prepare_refuses_unknown_tables(sroi: SroiClause) -> None:
    with pytest.raises(ContractError, match="version 'v99' is not installed"):
        config(sroi, valuation_table_version="v99")
    with pytest.raises(ContractError, match="unknown valuation table 'atlantis'"):
        config(sroi, valuation_table="atlantis")


def test_config_refuses_typos_and_impossible_percentages() -> None:
    with pytest.raises(ValidationError, match="percentge"):
        SroiConfig.model_validate({**EXAMPLE, "percentge": "5"})
    for wrong in ("0", "100.5"):
        with pytest.raises(ValidationError):
            SroiConfig.model_validate({**EXAMPLE, "percentage": wrong})
    with pytest.raises(ValidationError, match="below the 5 % asked"):
        SroiConfig.model_validate({**EXAMPLE, "offered_percentage": "4"})


@pytest.mark.parametrize(
    ("realised", "status"),
    [
        ("26981.53", Status.on_track),  # ratio just at 0.9 of 29979.47
        ("26981.52", Status.at_risk),
        ("17987.69", Status.at_risk),  # ratio just at 0.6
        ("17987.68", Status.behind),
        ("0", Status.behind),
        ("120000.00", Status.met),
    ],
)
def test_status_at_the_pace_thresholds(sroi: SroiClause, realised: str, status: Status) -> None:
    assert sroi.assess(facts(date(2026, 12, 31), realised), config(sroi)).status is status


def test_not_started_before_the_contract_starts(sroi: SroiClause) -> None:
    assessment = sroi.assess(facts(date(2025, 12, 1)), config(sroi))
    assert assessment.status is Status.not_started
    assert assessment.expected_eur == Decimal("0.00")
    assert assessment.reasons[0].nl == "het contract begint op 2026-01-01"


def test_not_met_after_the_end(sroi: SroiClause) -> None:
    at_end = sroi.assess(facts(date(2029, 12, 31), "100000.00"), config(sroi))
    after = sroi.assess(facts(date(2030, 1, 1), "100000.00"), config(sroi))

    assert at_end.status is Status.at_risk  # 100,000 of 120,000 expected: ratio 0.83
    assert after.status is Status.not_met
    assert after.reasons[1].nl == "de termijn liep af op 2029-12-31: er ontbreekt € 20.000,00"


def leniency(**fields: Any) -> Leniency:
    return Leniency(**{"reason": "crisis in de schoonmaak", "granted_by": "opdrachtgever", **fields})


def test_leniency_lowers_the_percentage_and_moves_the_deadline(sroi: SroiClause) -> None:
    granted = [
        leniency(percentage=Decimal(4), granted_on=date(2029, 3, 1)),
        leniency(kind="sroi_clause", percentage=Decimal(3), granted_on=date(2029, 6, 1)),
        leniency(until=date(2030, 6, 30), granted_on=date(2029, 6, 1)),
        leniency(kind="reservation", percentage=Decimal(1), granted_on=date(2029, 7, 1)),
    ]
    assessment = sroi.assess(facts(date(2030, 1, 15), "70000.00", leniencies=granted), config(sroi))

    assert assessment.obligation_eur == Decimal("72000.00")  # 3 % of 2,400,000
    assert assessment.expected_eur == Decimal("72000.00")
    assert assessment.status is Status.on_track  # 70,000 of 72,000, and the deadline moved to 2030-06-30
    assert assessment.figures["deadline"] == "2030-06-30"
    assert [r.nl for r in assessment.reasons[1:]] == [
        "coulance (2029-06-01, opdrachtgever): 3 % in plaats van 5 % – crisis in de schoonmaak",
        (
            "coulance (2029-06-01, opdrachtgever): de termijn loopt tot 2030-06-30 in plaats van 2029-12-31 – "
            "crisis in de schoonmaak"
        ),
    ]
    after = sroi.assess(facts(date(2030, 7, 1), "70000.00", leniencies=granted), config(sroi))
    assert after.status is Status.not_met


def test_leniency_granted_after_as_of_does_not_count(sroi: SroiClause) -> None:
    later = [leniency(percentage=Decimal(3), granted_on=date(2027, 1, 1))]
    assessment = sroi.assess(facts(date(2026, 12, 31), leniencies=later), config(sroi))
    assert assessment.obligation_eur == Decimal("120000.00")


def test_ramp_raises_the_percentage_per_contract_year(sroi: SroiClause) -> None:
    ramped = config(sroi, ramp=["5", "7.5", "10"])
    # 2,400,000 x (5 % x 365 + 7.5 % x 365 + 10 % x 366 + 10 % x 365) / 1461 days
    assessment = sroi.assess(facts(date(2027, 6, 30)), ramped)

    assert assessment.obligation_eur == Decimal("195030.80")
    # all of 2026 at 5 % and 181 days of 2027 at 7.5 %
    assert assessment.expected_eur == Decimal("52279.26")
    assert assessment.figures["percentage"] == "7.5"
    assert sroi.assess(facts(date(2029, 6, 1)), ramped).figures["percentage"] == "10"


def test_ramp_must_not_go_below_the_percentage() -> None:
    with pytest.raises(ValidationError, match="ramp must not go below"):
        SroiConfig.model_validate({**EXAMPLE, "ramp": ["4", "6"]})


def test_offer_raises_the_obligation(sroi: SroiClause) -> None:
    awarded = sroi.award(contract(), config(sroi), {"percentage": "10"})

    assert awarded.offered_percentage == Decimal(10)
    assessment = sroi.assess(facts(date(2026, 12, 31), "92038.36"), awarded)
    assert assessment.obligation_eur == Decimal("240000.00")
    assert assessment.expected_eur == Decimal("59958.93")
    assert assessment.status is Status.on_track


def test_offer_is_a_floor_under_the_ramp(sroi: SroiClause) -> None:
    awarded = sroi.award(contract(), config(sroi, ramp=["5", "7.5", "10"]), {"percentage": "8"})
    # 8 %, 8 %, 10 %, 10 % over 365, 365, 366 and 365 days
    assert sroi.assess(facts(date(2026, 6, 1)), awarded).obligation_eur == Decimal("216016.43")


def test_offer_below_the_asked_percentage_or_unknown_is_refused(sroi: SroiClause) -> None:
    with pytest.raises(ContractError, match="the offered percentage 4 % is below the 5 % asked"):
        sroi.award(contract(), config(sroi), {"percentage": "4"})
    with pytest.raises(ContractError, match="unknown part of the offer: price"):
        sroi.award(contract(), config(sroi), {"price": "1"})


def test_wage_sum_base(sroi: SroiClause) -> None:
    assessment = sroi.assess(facts(date(2026, 12, 31)), config(sroi, base="wage_sum"))
    assert assessment.obligation_eur == Decimal("75000.00")

    without = contract(wage_sum_eur=None)
    with pytest.raises(ContractError, match="gives no wage sum"):
        config(sroi, without, base="wage_sum")


def test_invoiced_turnover_base_grows_with_the_invoices(sroi: SroiClause) -> None:
    turnover = config(sroi, base="invoiced_turnover", ramp=["5", "10"])
    invoices = [
        Fact(kind="sroi_clause.invoiced_turnover", on=date(2026, 3, 1), data={"amount_eur": "100000.00"}),
        Fact(kind="sroi_clause.invoiced_turnover", on=date(2027, 2, 1), data={"amount_eur": "50000.00"}),
    ]

    nothing_yet = sroi.assess(facts(date(2026, 2, 1)), turnover)
    assert (nothing_yet.obligation_eur, nothing_yet.status) == (Decimal("0.00"), Status.not_started)

    first_year = sroi.assess(facts(date(2026, 12, 31), "5000.00", facts=invoices), turnover)
    assert first_year.obligation_eur == Decimal("5000.00")  # the 2027 invoice is after as_of
    assert first_year.status is Status.on_track  # ahead, but more invoices will follow

    second_year = sroi.assess(facts(date(2027, 3, 1), "4000.00", facts=invoices), turnover)
    assert second_year.obligation_eur == Decimal("10000.00")  # 5 % of 100,000 + 10 % of 50,000
    assert second_year.expected_eur == Decimal("10000.00")
    assert second_year.figures["base_eur"] == "150000.00"
    assert second_year.status is Status.behind


def test_not_applicable_says_why(sroi: SroiClause) -> None:
    small = contract(value_eur="200000.00", category="supplies", end=date(2026, 5, 31))
    reasons = sroi.not_applicable(small, config(sroi, small))

    assert [r.nl for r in reasons] == [
        (
            "de opdrachtwaarde € 200.000,00 ligt onder de drempel van € 250.000,00 waarboven social return "
            "gebruikelijk is"
        ),
        "social return geldt standaard voor werken en diensten, niet voor leveringen",
        "de looptijd (2026-01-01 tot en met 2026-05-31) is korter dan 6 maanden",
    ]
    six_months = contract(value_eur="250000.00", end=date(2026, 6, 30))
    assert sroi.not_applicable(six_months, config(sroi, six_months)) == []


def test_report_overdue_check_in(sroi: SroiClause) -> None:
    def due(as_of: date, last: date | None = None) -> list[str]:
        state = facts(as_of, last_reported_on=last)
        return [
            (c.rule, c.period) for c in sroi.checkins(state, config(sroi), sroi.assess(state, config(sroi)))
        ]

    assert due(date(2026, 4, 1)) == []  # exactly 90 days after the start
    assert due(date(2026, 4, 2)) == [("sroi.report_overdue", "2026-W14")]
    assert due(date(2026, 4, 2), last=date(2026, 3, 1)) == []
    assert due(date(2026, 6, 1), last=date(2026, 3, 1)) == [("sroi.report_overdue", "2026-W23")]

    state = facts(date(2026, 4, 2))
    [checkin] = sroi.checkins(state, config(sroi), sroi.assess(state, config(sroi)))
    assert checkin.roles == [Role.supplier]
    assert "sinds de start op 2026-01-01 is er nog niets gemeld" in checkin.message.nl


def test_ends_with_shortfall_check_in(sroi: SroiClause) -> None:
    def found(as_of: date, realised: str) -> list[Any]:
        state = facts(as_of, realised, last_reported_on=as_of)
        return sroi.checkins(state, config(sroi), sroi.assess(state, config(sroi)))

    assert found(date(2029, 10, 1), "100000.00") == []  # 91 days before the end
    [checkin] = found(date(2029, 10, 2), "100000.00")
    assert (checkin.rule, checkin.period) == ("sroi.ends_with_shortfall", "2029-12-31")
    assert checkin.roles == [Role.contract_manager, Role.escalation]
    assert "er ontbreekt nog € 20.000,00 aan social return (83 % gerealiseerd)" in checkin.message.nl
    assert found(date(2029, 10, 2), "120000.00") == []


def test_evaluation(sroi: SroiClause) -> None:
    people = [
        RealisationSummary(
            kind="placement",
            target_group="banenafspraak",
            start=date(2027, 1, 1),
            end=date(2030, 6, 30),
            value_eur=Decimal("50000.00"),
            employed_6m=True,
            employed_12m=True,
        ),
        RealisationSummary(
            kind="placement",
            target_group="participatiewet",
            start=date(2026, 2, 1),
            end=date(2026, 12, 31),
            value_eur=Decimal("36666.67"),
            employed_6m=True,
            employed_12m=False,
        ),
        RealisationSummary(
            kind="learning",
            target_group="mbo_bbl",
            start=date(2029, 9, 1),
            end=date(2030, 8, 31),
            value_eur=Decimal("11698.63"),
            employed_6m=None,
        ),
        RealisationSummary(
            kind="purchase", start=date(2026, 5, 1), end=date(2026, 5, 31), value_eur=Decimal(12000)
        ),
    ]
    state = facts(date(2029, 12, 31), "110365.30", realisations=people)
    evaluation = sroi.evaluate(state, config(sroi, penalty_rate="1.5"))

    assert evaluation.status is Status.not_met
    assert evaluation.obligation_eur == Decimal("120000.00")
    assert evaluation.shortfall_eur == Decimal("9634.70")
    assert evaluation.penalty_eur == Decimal("14452.05")
    assert evaluation.figures["placements_running"] == 2
    assert evaluation.figures["durability"] == {
        "employed_6m": {"true": 2, "false": 0, "unknown": 1},
        "employed_12m": {"true": 1, "false": 1, "unknown": 1},
    }
    assert evaluation.figures["banenafspraak_jobs"] == 1

    met = sroi.evaluate(facts(date(2029, 12, 31), "125000.00"), config(sroi))
    assert (met.status, met.shortfall_eur, met.penalty_eur) == (Status.met, Decimal("0.00"), Decimal("0.00"))


def test_tender_output(sroi: SroiClause) -> None:
    output = sroi.tender(contract(), config(sroi))

    assert output.clause.nl.startswith(
        "De opdrachtnemer besteedt ten minste 5 % van de opdrachtwaarde aan social return"
    )
    assert output.clause.en.startswith(
        "The supplier spends at least 5 % of the contract value on social return"
    )
    assert output.eforms == {"BT-06": "soc-obj", "BT-775": "opp", "BT-70": output.clause.nl}
    assert output.ocds == {
        "sustainability": [
            {
                "goal": "social.disadvantagedEmploymentOpportunities",
                "strategies": ["contractPerformanceConditions"],
            }
        ]
    }
    maatwerk = sroi.tender(contract(), config(sroi, policy="maatwerk", ramp=["5", "7.5"]))
    assert "(Maatwerk voor Mensen)" in maatwerk.clause.nl
    assert "van de opdrachtwaarde (per contractjaar oplopend: 5 %, 7,5 %)" in maatwerk.clause.nl


def test_obligations(sroi: SroiClause) -> None:
    [obligation] = sroi.obligations(facts(date(2026, 12, 31)), config(sroi))
    assert obligation.amount_eur == Decimal("120000.00")
    assert obligation.due == date(2029, 12, 31)
    assert obligation.description.nl == "Social return: 5 % van de opdrachtwaarde"


# Two small contracts of one buyer and supplier, pooled in bundle GEM-SCHOON (5 % of 150,000 each).
SMALL = {"value_eur": "150000.00", "wage_sum_eur": "90000.00", "bundle": "GEM-SCHOON"}
FIRST = contract(reference="GEM-2026-0001", start=date(2026, 1, 1), end=date(2027, 12, 31), **SMALL)
SECOND = contract(reference="GEM-2026-0002", start=date(2026, 7, 1), end=date(2028, 6, 30), **SMALL)


def member(of: Contract, realised: str = "0", **more: Any) -> BundleMember:
    return BundleMember(
        reference=of.reference,
        value_eur=of.value_eur,
        wage_sum_eur=of.wage_sum_eur,
        start=of.start,
        end=of.end,
        realised_eur=Decimal(realised),
        **more,
    )


def pooled(
    of: Contract, as_of: date, first: str = "4000.00", second: str = "2500.00", **more: Any
) -> ContractFacts:
    """The facts of one member of the bundle: its own realised value, and both members."""
    own = first if of is FIRST else second
    members = [member(FIRST, first), member(SECOND, second)]
    return facts(as_of, own, the_contract=of, bundle=members, **more)


def test_a_bundle_pools_its_contracts_into_one_obligation(sroi: SroiClause) -> None:
    seen = [sroi.assess(pooled(of, date(2026, 12, 31)), config(sroi, of)) for of in (FIRST, SECOND)]

    for assessment in seen:
        assert assessment.obligation_eur == Decimal("15000.00")  # 5 % of 150,000 + 150,000
        assert assessment.realised_eur == Decimal("6500.00")  # 4,000 + 2,500
        # paced over the bundle's span, 2026-01-01 to 2028-06-30 (912 days): 15,000 x 365 / 912
        assert assessment.expected_eur == Decimal("6003.29")
        assert assessment.expected_eur == expected_by_pace(
            Decimal("15000.00"), date(2026, 1, 1), date(2028, 6, 30), date(2026, 12, 31)
        )
        assert assessment.status is Status.on_track
        assert assessment.figures["bundle"] == "GEM-SCHOON"
        assert assessment.figures["bundle_contracts"] == 2
        assert assessment.figures["base_eur"] == "300000.00"
        assert assessment.figures["deadline"] == "2028-06-30"
        assert assessment.reasons[1].nl == (
            "gebundeld in bundel GEM-SCHOON met 2 contracten: de cijfers gelden voor de hele bundel, van "
            "2026-01-01 tot en met 2028-06-30"
        )
        assert assessment.reasons[1].en.startswith("pooled in bundle GEM-SCHOON with 2 contracts")
    assert seen[0] == seen[1]


def test_a_contract_outside_a_bundle_keeps_its_own_figures(sroi: SroiClause) -> None:
    alone = sroi.assess(facts(date(2026, 12, 31), "4000.00", the_contract=FIRST), config(sroi, FIRST))

    assert (alone.obligation_eur, alone.realised_eur) == (Decimal("7500.00"), Decimal("4000.00"))
    assert (alone.figures["bundle"], alone.figures["bundle_contracts"]) == (None, None)


def test_a_bundle_pools_the_wage_sum_and_pending_value(sroi: SroiClause) -> None:
    members = [member(FIRST, pending_eur=Decimal("100.00")), member(SECOND, pending_eur=Decimal("50.00"))]
    state = facts(date(2026, 12, 31), the_contract=FIRST, bundle=members)
    assessment = sroi.assess(state, config(sroi, FIRST, base="wage_sum"))

    assert assessment.obligation_eur == Decimal("9000.00")  # 5 % of 90,000 + 90,000
    assert assessment.pending_eur == Decimal("150.00")

    members[1] = members[1].model_copy(update={"wage_sum_eur": None})
    with pytest.raises(ContractError, match="but GEM-2026-0002 gives no wage sum"):
        sroi.assess(state.model_copy(update={"bundle": members}), config(sroi, FIRST, base="wage_sum"))


def test_invoiced_turnover_is_not_pooled(sroi: SroiClause) -> None:
    invoice = Fact(kind="sroi_clause.invoiced_turnover", on=date(2026, 3, 1), data={"amount_eur": "20000.00"})
    state = pooled(FIRST, date(2026, 12, 31), facts=[invoice])
    assessment = sroi.assess(state, config(sroi, FIRST, base="invoiced_turnover"))

    assert (assessment.obligation_eur, assessment.realised_eur) == (Decimal("1000.00"), Decimal("4000.00"))
    assert assessment.figures["bundle"] is None
    assert assessment.reasons[1].en == (
        "not pooled in bundle GEM-SCHOON: invoiced turnover counts per contract"
    )


def test_a_bundled_obligation_is_due_at_the_end_of_the_bundle(sroi: SroiClause) -> None:
    [obligation] = sroi.obligations(pooled(FIRST, date(2026, 12, 31)), config(sroi, FIRST))

    assert (obligation.amount_eur, obligation.due) == (Decimal("15000.00"), date(2028, 6, 30))
    assert obligation.description.nl == "Social return: 5 % van de opdrachtwaarde van bundel GEM-SCHOON"
    # the first contract has ended, but the bundle runs on: not yet not_met
    assert sroi.assess(pooled(FIRST, date(2028, 1, 15)), config(sroi, FIRST)).status is Status.behind


def test_a_bundle_is_evaluated_as_a_whole(sroi: SroiClause) -> None:
    evaluation = sroi.evaluate(pooled(SECOND, date(2028, 6, 30), "9000.00", "4000.00"), config(sroi, SECOND))

    assert evaluation.status is Status.not_met
    assert (evaluation.obligation_eur, evaluation.realised_eur) == (Decimal("15000.00"), Decimal("13000.00"))
    assert (evaluation.shortfall_eur, evaluation.penalty_eur) == (Decimal("2000.00"), Decimal("2000.00"))
    assert (evaluation.figures["bundle"], evaluation.figures["bundle_contracts"]) == ("GEM-SCHOON", 2)
    assert evaluation.reasons[1].nl.startswith("gebundeld in bundel GEM-SCHOON met 2 contracten")


def test_a_bundled_contract_below_the_threshold_is_not_questioned(sroi: SroiClause) -> None:
    assert sroi.not_applicable(FIRST, config(sroi, FIRST)) == []
    alone = FIRST.model_copy(update={"bundle": None})
    [reason] = sroi.not_applicable(alone, config(sroi, alone))
    assert "€ 150.000,00 ligt onder de drempel" in reason.nl


def test_bundle_check_ins_follow_the_bundle(sroi: SroiClause) -> None:
    # nothing reported on the first contract for 5 months, but the second was reported on recently
    members = [member(FIRST, "9000.00"), member(SECOND, "4000.00", last_reported_on=date(2028, 3, 1))]
    state = facts(date(2028, 4, 15), "9000.00", the_contract=FIRST, bundle=members)
    found = sroi.checkins(state, config(sroi, FIRST), sroi.assess(state, config(sroi, FIRST)))

    assert [(c.rule, c.period) for c in found] == [("sroi.ends_with_shortfall", "2028-06-30")]
    assert found[0].message.nl.startswith("GEM-2026-0001 (bundel GEM-SCHOON) loopt af op 2028-06-30")

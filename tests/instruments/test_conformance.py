"""The built-in instruments pass the plugin test kit, like any third-party instrument must."""

from __future__ import annotations

from instruments.partnership import Partnership
from instruments.reservation import Reservation
from instruments.sroi_clause import SroiClause
from srr_engine.testing import DEFAULT_FACT_SETS, InstrumentConformance, fact


class TestSroiClause(InstrumentConformance):
    instrument_class = SroiClause
    valid_configs = [
        {"percentage": "5", "valuation_table": "utrecht"},
        {"percentage": "5", "base": "wage_sum", "valuation_table": "oost-nederland", "ramp": ["5", "6", "7"],
         "penalty_rate": "0.5", "policy": "maatwerk"},
        {"percentage": "3", "base": "invoiced_turnover", "valuation_table": "holland-rijnland",
         "offered_percentage": "4"},
    ]
    invalid_configs = [
        ({"valuation_table": "utrecht"}, "percentage"),
        ({"percentage": "120", "valuation_table": "utrecht"}, "percentage"),
        ({"percentage": "5", "base": "omzet", "valuation_table": "utrecht"}, "base"),
        ({"percentage": "5", "valuation_table": "atlantis"}, "valuation_table"),
        ({"percentage": "5", "offered_percentage": "4", "valuation_table": "utrecht"}, "offered_percentage"),
        ({"percentage": "5", "ramp": ["4", "6"], "valuation_table": "utrecht"}, "ramp"),
    ]
    fact_sets = {
        **DEFAULT_FACT_SETS,
        "invoiced_and_lenient": {
            "realised_eur": "30000.00",
            "last_reported_on": "2027-03-31",
            "facts": [fact("sroi_clause.invoiced_turnover", "2026-06-30", amount_eur="400000.00"),
                      fact("sroi_clause.invoiced_turnover", "2027-06-30", amount_eur="450000.00")],
            "leniencies": [{"percentage": "3", "reason": "crisis", "granted_by": "A. de Vries",
                            "granted_on": "2027-09-01"},
                           {"until": "2029-06-30", "reason": "uitstel", "granted_by": "A. de Vries",
                            "granted_on": "2028-10-01"}],
        },
        "bundled": {
            "bundle": [
                {"reference": "TEST-2026-0001", "value_eur": "2400000.00", "wage_sum_eur": "1500000.00",
                 "start": "2026-01-01", "end": "2028-12-31", "realised_eur": "40000.00"},
                {"reference": "TEST-2026-0002", "value_eur": "300000.00", "wage_sum_eur": "200000.00",
                 "start": "2026-04-01", "end": "2029-03-31", "realised_eur": "5000.00",
                 "last_reported_on": "2026-12-31"},
            ],
        },
    }


class TestReservation(InstrumentConformance):
    instrument_class = Reservation
    contracts = [{"cpv": "85311000", "title": "Dagbesteding", "category": "services"}]  # art. 77 allows it
    valid_configs = [
        {"basis": "art_2_82", "evidence": {"share_disadvantaged": "0.42", "as_of": "2025-11-15",
                                           "source": "Accountantsverklaring 2025"}},
        {"basis": "art_2_82", "reserved_execution": True, "reverify_every_months": 6},
        {"basis": "art_77", "evidence": {"share_disadvantaged": "0.10", "as_of": "2025-12-01",
                                         "source": "Statuten"}},
    ]
    invalid_configs = [
        ({}, "basis"),
        ({"basis": "art_99"}, "basis"),
        ({"basis": "art_2_82", "reverify_every_month": 6}, "reverify_every_month"),
        ({"basis": "art_77", "reserved_execution": True}, "reserved_execution"),
        ({"basis": "art_2_82", "evidence": {"share_disadvantaged": "1.2", "as_of": "2026-01-01",
                                            "source": "x"}}, "share_disadvantaged"),
    ]
    fact_sets = {
        **DEFAULT_FACT_SETS,
        "renewed": {"facts": [
            fact("reservation.evidence", "2026-11-01", share_disadvantaged="0.38", source="Verklaring 2026"),
            fact("reservation.evidence", "2028-01-15", share_disadvantaged="0.25", source="Verklaring 2027"),
        ]},
    }


class TestPartnership(InstrumentConformance):
    instrument_class = Partnership
    valid_configs = [
        {"letter_of_intent": "2026-02-15", "session_every_weeks": 6},
        {"letter_of_intent": "2026-02-15", "session_every_weeks": 8,
         "goals": [{"horizon": "short", "text": "Twee leerwerkplekken", "kpi": "learning_places", "target": 2,
                    "by": "2026-12-31"},
                   {"horizon": "long", "text": "Tien banen", "kpi": "banenafspraak_jobs", "target": 10,
                    "by": "2028-12-31"}],
         "actions": [{"id": "A1", "text": "Vacatures delen", "owner": "B. Jansen", "due": "2026-04-01"}]},
    ]
    invalid_configs = [
        ({"session_every_weeks": 6}, "letter_of_intent"),
        ({"letter_of_intent": "2026-02-15", "session_every_weeks": 0}, "session_every_weeks"),
        ({"letter_of_intent": "2026-02-15", "session_every_week": 6}, "session_every_week"),
        ({"letter_of_intent": "2026-02-15", "session_every_weeks": 6,
          "goals": [{"horizon": "short", "text": "x", "kpi": "jobs", "target": 1, "by": "2026-12-31"},
                    {"horizon": "long", "text": "y", "kpi": "jobs", "target": 2, "by": "2027-12-31"}]},
         "kpi"),
        ({"letter_of_intent": "2026-02-15", "session_every_weeks": 6,
          "goals": [{"horizon": "short", "text": "x", "kpi": "jobs", "target": 1, "by": "2026-01-31"}]},
         "letter_of_intent"),
    ]
    fact_sets = {
        **DEFAULT_FACT_SETS,
        "sessions_and_kpis": {"facts": [
            fact("partnership.session", "2026-03-30", notes="goed gesprek", actions=[
                {"id": "A2", "text": "Werkervaringsplek", "owner": "C. Smit", "due": "2026-06-01"}]),
            fact("partnership.session", "2026-05-12"),
            fact("partnership.kpi", "2026-09-01", kpi="learning_places", count=1),
            fact("partnership.action_done", "2026-04-15", action_id="A1"),
        ]},
    }

"""The instruments' own commands (`srr partnership ...`, `srr reservation ...`) on a real database."""

from __future__ import annotations

import json

from srr_test_support import row_counts


def test_partnership_facts_recorded_and_assessed(srr, examples):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    out = srr.ok("partnership", "session", "RWS-2026-0042", "--date", "2026-03-29", "--notes", "Kennismaking",
                 "--action", "Rooster avondploeg;A. de Vries;2026-04-15", "--by", "cm")
    assert "2026-03-29.1" in out
    srr.ok("partnership", "kpi", "RWS-2026-0042", "learning_places", "1", "--as-of", "2026-06-01")
    before_done = json.loads(srr.ok("status", "RWS-2026-0042", "--as-of", "2026-04-20", "--json"))
    partnership = before_done["contracts"][0]["instruments"][1]
    assert partnership["kind"] == "partnership"
    assert [a["id"] for a in partnership["figures"]["open_actions"]] == ["2026-03-29.1"]
    assert any("2026-03-29.1" in reason or "Rooster avondploeg" in reason for reason in partnership["reasons"])
    srr.ok("partnership", "done", "RWS-2026-0042", "2026-03-29.1", "--date", "2026-04-10")

    status = json.loads(srr.ok("status", "RWS-2026-0042", "--as-of", "2026-06-01", "--json"))
    figures = status["contracts"][0]["instruments"][1]["figures"]
    assert figures["sessions_held"] == 1
    assert figures["kpis"]["learning_places"]["count"] == 1
    assert figures["open_actions"] == []


def test_reservation_evidence_and_refusals_change_nothing_else(srr, examples):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    due = json.loads(srr.ok("status", "DJI-2026-0007", "--as-of", "2027-01-20", "--json"))
    assert due["contracts"][0]["instruments"][0]["status"] == "not_met"  # evidence of 2026-01-15 is overdue
    srr.ok("reservation", "evidence", "DJI-2026-0007", "--share", "0.41", "--as-of", "2027-01-10",
           "--source", "Accountantsverklaring 2026")
    renewed = json.loads(srr.ok("status", "DJI-2026-0007", "--as-of", "2027-01-20", "--json"))
    assert renewed["contracts"][0]["instruments"][0]["status"] == "on_track"

    before = row_counts(srr.url)
    unknown = srr("partnership", "kpi", "NOPE-1", "learning_places", "2", "--as-of", "2026-06-01")
    assert unknown.code == 2 and "NOPE-1 bestaat niet" in unknown.err
    wrong_instrument = srr("partnership", "kpi", "DJI-2026-0007", "learning_places", "2", "--as-of", "2026-06-01")
    assert wrong_instrument.code == 2 and "geen instrument partnership" in wrong_instrument.err
    bad_date = srr("partnership", "session", "RWS-2026-0042", "--date", "29-03-2026")
    assert bad_date.code != 0
    assert row_counts(srr.url) == before

"""The instruments' own commands (`srr partnership ...`, `srr reservation ...`, `srr sroi_clause ...`) and
what instruments make of contracts registered through `srr`, on a real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
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


def small_contract(reference: str, start: str, end: str, **changes: Any) -> dict[str, Any]:
    """A contract of 150,000 of Gemeente Zwolle with a 5 % SROI clause, in bundle ZWOLLE-SCHOON."""
    return {
        "reference": reference, "title": "Schoonmaak wijkcentra", "buyer": "Gemeente Zwolle",
        "category": "services", "cpv": "90910000", "value_eur": "150000.00", "start": start, "end": end,
        "supplier": {"name": "Schoon & Sociaal BV"}, "bundle": "ZWOLLE-SCHOON",
        "instruments": [{"kind": "sroi_clause", "percentage": "5", "valuation_table": "utrecht"}],
        **changes,
    }


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def sroi_status(srr, reference: str, as_of: str) -> dict[str, Any]:
    status = json.loads(srr.ok("status", reference, "--as-of", as_of, "--json"))
    [sroi] = [i for i in status["contracts"][0]["instruments"] if i["kind"] == "sroi_clause"]
    return sroi


def test_bundled_contracts_share_one_pooled_obligation(srr, tmp_path):
    bundle = [small_contract("ZWO-2026-0001", "2026-01-01", "2027-12-31"),
              small_contract("ZWO-2026-0002", "2026-07-01", "2028-06-30")]
    added = srr("contracts", "add", write_yaml(tmp_path / "bundle.yaml", bundle))
    assert added.code == 0, added.err
    assert "drempel" not in added.err  # the pooled value decides, not each contract's 150,000
    report = tmp_path / "report.csv"
    report.write_text("contract,candidate,kind,target_group,hours_per_week,start,end,amount_eur,hours,bonuses,evidence\n"
                      "ZWO-2026-0001,,purchase,social_enterprise,,2026-05-01,2026-05-31,4000.00,,,invoice 1\n"
                      "ZWO-2026-0002,,purchase,social_enterprise,,2026-09-01,2026-09-30,2500.00,,,invoice 2\n")
    srr.ok("realisations", "import", report, "--reported-on", "2026-10-01")
    for reference in ("ZWO-2026-0001", "ZWO-2026-0002"):
        srr.ok("realisations", "review", reference, "--accept-all")

    seen = [sroi_status(srr, ref, "2026-12-31") for ref in ("ZWO-2026-0001", "ZWO-2026-0002")]
    assert seen[0] == seen[1]
    sroi = seen[0]
    assert (sroi["obligation_eur"], sroi["realised_eur"], sroi["expected_eur"]) == ("15000.00", "6500.00", "6003.29")
    assert (sroi["figures"]["bundle"], sroi["figures"]["bundle_contracts"]) == ("ZWOLLE-SCHOON", 2)
    assert sroi["figures"]["deadline"] == "2028-06-30"
    assert any("gebundeld in bundel ZWOLLE-SCHOON met 2 contracten" in r for r in sroi["reasons"])


def test_a_bundle_of_two_suppliers_is_refused(srr, tmp_path):
    srr.ok("contracts", "add", write_yaml(tmp_path / "first.yaml", small_contract("ZWO-2026-0001", "2026-01-01", "2027-12-31")))
    before = row_counts(srr.url)
    other = small_contract("ZWO-2026-0002", "2026-07-01", "2028-06-30", supplier={"name": "Groen Werkt BV"})
    refused = srr("contracts", "add", write_yaml(tmp_path / "other.yaml", other))
    assert refused.code != 0
    assert "ZWO-2026-0002, bundle" in refused.err
    assert "maar ZWO-2026-0001 heeft leverancier Schoon & Sociaal BV" in refused.err
    assert row_counts(srr.url) == before


def test_invoiced_turnover_raises_the_obligation(srr, examples, tmp_path):
    turnover = small_contract("ZWO-2026-0010", "2026-01-01", "2027-12-31", bundle=None, instruments=[
        {"kind": "sroi_clause", "percentage": "5", "base": "invoiced_turnover", "valuation_table": "utrecht"}])
    srr.ok("contracts", "add", examples / "contracts.yaml", write_yaml(tmp_path / "turnover.yaml", turnover))
    assert sroi_status(srr, "ZWO-2026-0010", "2026-04-01")["obligation_eur"] == "0.00"

    out = srr.ok("sroi_clause", "turnover", "ZWO-2026-0010", "100000", "--on", "2026-03-01", "--invoice", "F-001")
    assert "Omzet € 100.000,00 op 2026-03-01 (factuur F-001) vastgelegd voor ZWO-2026-0010" in out
    srr.ok("sroi_clause", "turnover", "ZWO-2026-0010", "50000.50", "--on", "2026-06-01", "--by", "A. de Vries")
    assert sroi_status(srr, "ZWO-2026-0010", "2026-04-01")["obligation_eur"] == "5000.00"
    grown = sroi_status(srr, "ZWO-2026-0010", "2026-06-30")
    assert grown["obligation_eur"] == "7500.03"  # 5 % of 150,000.50
    assert grown["figures"]["base_eur"] == "150000.50"

    before = row_counts(srr.url)
    for amount in ("0", "0.00", "12.345", "1,50", "NaN", "1e5", "veel"):
        bad = srr("sroi_clause", "turnover", "ZWO-2026-0010", amount, "--on", "2026-07-01")
        assert bad.code != 0 and "geef een bedrag in euro's boven 0" in bad.err, amount
    other_base = srr("sroi_clause", "turnover", "RWS-2026-0042", "1000", "--on", "2026-07-01")
    assert other_base.code == 2
    assert "RWS-2026-0042 is een percentage van de opdrachtwaarde, niet van de gefactureerde omzet" in other_base.err
    no_clause = srr("sroi_clause", "turnover", "DJI-2026-0007", "1000", "--on", "2026-07-01")
    assert no_clause.code == 2 and "geen instrument sroi_clause" in no_clause.err
    unknown = srr("sroi_clause", "turnover", "NOPE-1", "1000", "--on", "2026-07-01")
    assert unknown.code == 2 and "NOPE-1 bestaat niet" in unknown.err
    assert row_counts(srr.url) == before

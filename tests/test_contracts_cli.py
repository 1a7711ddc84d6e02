"""Registering contracts from files: all or nothing, with errors a contract manager understands."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from srr_test_support import row_counts


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_example_contracts_are_stored_with_their_instruments(srr, examples):
    out = srr.ok("contracts", "add", examples / "contracts.yaml")
    assert "RWS-2026-0042" in out and "DJI-2026-0007" in out

    rws = json.loads(srr.ok("contracts", "show", "RWS-2026-0042", "--json"))
    assert rws["value_eur"] == "2400000.00" and rws["wage_sum_eur"] == "1500000.00"
    assert rws["phase"] == "active" and rws["buyer"]["name"] == "Rijkswaterstaat"
    kinds = [i["kind"] for i in rws["instruments"]]
    assert kinds == ["sroi_clause", "partnership"]
    sroi = rws["instruments"][0]
    assert sroi["percentage"] == "5" and sroi["valuation_table"] == "utrecht"
    assert sroi["valuation_table_version"] == "current"  # pinned at registration

    dji = json.loads(srr.ok("contracts", "show", "DJI-2026-0007", "--json"))
    assert dji["pilot"] is True and [i["kind"] for i in dji["instruments"]] == ["reservation"]

    counts = row_counts(srr.url)
    assert counts["contracts"] == 2 and counts["instrument_applications"] == 3
    # one event per registration and per applied instrument, in the same transaction
    assert counts["events"] == 2 + 3


def test_adding_the_same_file_again_changes_nothing(srr, examples):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    before = row_counts(srr.url)
    result = srr("contracts", "add", examples / "contracts.yaml")
    assert result.code != 0
    assert "RWS-2026-0042" in result.err and "al geregistreerd" in result.err
    assert row_counts(srr.url) == before


def test_malformed_contracts_are_refused_with_field_and_problem(srr, examples, tmp_path):
    good = yaml.safe_load((examples / "contracts.yaml").read_text())
    cases = {
        "value_eur": ({**good[0], "value_eur": "veel"}, "value_eur", "geen bedrag"),
        "negative": ({**good[0], "value_eur": "-5"}, "value_eur", "-5"),
        "dates": ({**good[0], "end": "2025-01-01"}, "einddatum 2025-01-01 ligt voor de startdatum", ""),
        "instrument": ({**good[0], "instruments": [{"kind": "pso_ladder"}]}, "onbekend instrument 'pso_ladder'", ""),
        "category": ({**good[0], "category": "diensten"}, "category", "diensten"),
        "config": ({**good[0], "instruments": [{**good[0]["instruments"][0], "percentage": "abc"}]},
                   "instruments[1]", "percentage"),
    }
    before = row_counts(srr.url)
    for name, (contract, expect1, expect2) in cases.items():
        path = write_yaml(tmp_path / f"{name}.yaml", [good[1], contract])
        result = srr("contracts", "add", path)
        assert result.code != 0, name
        assert expect1 in result.err and expect2 in result.err, (name, result.err)
        assert "Er is niets gewijzigd" in result.err
        assert row_counts(srr.url) == before, name


def test_list_filters_by_phase_buyer_and_supplier(srr_sqlite, examples, tmp_path):
    srr = srr_sqlite
    planned = {"reference": "GEM-1", "title": "Groenonderhoud", "buyer": "Gemeente Utrecht", "category": "works",
               "cpv": "77310000", "value_eur": "400000", "start": "2027-01-01", "end": "2028-12-31"}
    srr.ok("contracts", "add", examples / "contracts.yaml", write_yaml(tmp_path / "gem.yaml", planned))
    listed = json.loads(srr.ok("contracts", "list", "--json"))
    assert [c["reference"] for c in listed] == ["DJI-2026-0007", "GEM-1", "RWS-2026-0042"]
    assert [c["reference"] for c in json.loads(srr.ok("contracts", "list", "--phase", "planned", "--json"))] == ["GEM-1"]
    by_buyer = json.loads(srr.ok("contracts", "list", "--buyer", "rijkswater", "--json"))
    assert [c["reference"] for c in by_buyer] == ["RWS-2026-0042"]
    by_supplier = json.loads(srr.ok("contracts", "list", "--supplier", "Keuken", "--json"))
    assert [c["reference"] for c in by_supplier] == ["DJI-2026-0007"]
    assert srr("contracts", "list", "--phase", "lopend").code != 0


def test_notification_urls_are_not_printed_whole(srr_sqlite, tmp_path, examples):
    srr = srr_sqlite
    data = yaml.safe_load((examples / "contracts.yaml").read_text())[0]
    data["contacts"]["supplier"]["notify"] = ["json://hook-user:s3cr3t-T0KEN@localhost:8765/hook"]
    srr.ok("contracts", "add", write_yaml(tmp_path / "c.yaml", data))
    shown = srr.ok("contracts", "show", "RWS-2026-0042")
    assert "s3cr3t-T0KEN" not in shown and "json://hook-user:****@localhost:8765/hook" in shown


def test_unknown_reference_is_a_clear_error(srr_sqlite):
    result = srr_sqlite("contracts", "show", "NOPE-1")
    assert result.code == 2 and "contract NOPE-1 bestaat niet" in result.err


def test_an_instrument_is_added_to_a_running_contract_as_an_event(srr, examples, tmp_path):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    route1 = write_yaml(tmp_path / "partnership.yaml", {
        "kind": "partnership", "letter_of_intent": "2026-06-01", "session_every_weeks": 4,
        "goals": [{"horizon": "short", "text": "Kennismaking met de cateraar", "kpi": "trial_places",
                   "target": 1, "by": "2026-12-31"}]})
    before = row_counts(srr.url)
    srr.ok("contracts", "apply", "DJI-2026-0007", route1, "--as-of", "2026-06-01", "--by", "C. Bakker")
    shown = json.loads(srr.ok("contracts", "show", "DJI-2026-0007", "--json"))
    assert [i["kind"] for i in shown["instruments"]] == ["reservation", "partnership"]
    assert shown["instruments"][1]["applied_on"] == "2026-06-01"
    after = row_counts(srr.url)
    assert after["instrument_applications"] == before["instrument_applications"] + 1
    assert after["events"] == before["events"] + 1

    twice = srr("contracts", "apply", "DJI-2026-0007", route1)
    assert twice.code != 0 and "partnership staat 2 keer" in twice.err
    assert row_counts(srr.url) == after

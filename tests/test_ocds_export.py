"""`srr export ocds`: release packages that validate against the OCDS 1.1.5 release-package schema with
the sustainability and otherRequirements extensions, with check-ins and report deadlines as
`implementation.milestones` of type `reporting`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml
from ocds_support import codes, schema_errors

from srr_engine.registry import get_registry
from srr_engine.sweep import sweep

DATA = Path(__file__).parent / "data" / "ocds"
STATUSES = {"scheduled", "met", "notMet", "partiallyMet"}


def export(srr, tmp_path: Path, *args: str) -> dict:
    path = tmp_path / "export.json"
    srr.ok("export", "ocds", *args, "--output", path)
    return json.loads(path.read_text(encoding="utf-8"))


def by_ocid(package: dict) -> dict[str, dict]:
    return {r["ocid"]: r for r in package["releases"]}


def milestones(release: dict) -> list[dict]:
    return [m for c in release.get("contracts", []) for m in c["implementation"]["milestones"]]


def test_the_portfolio_exports_as_valid_ocds_with_the_instruments_and_check_ins(srr, examples, tmp_path):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    srr.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-06-01")
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    sweep(date(2026, 6, 30), get_registry())
    checkins = json.loads(srr.ok("checkins", "list", "--contract", "RWS-2026-0042", "--json"))
    regular = next(c for c in checkins if c["rule"] == "checkin.regular")
    srr.ok("checkins", "answer", str(regular["id"]), "--status", "behind", "--as-of", "2026-07-02")

    package = export(srr, tmp_path, "--as-of", "2026-07-31", "--ocid-prefix", "ocds-test01")
    assert schema_errors(package) == []
    assert package["version"] == "1.1" and len(package["extensions"]) == 2
    releases = by_ocid(package)
    rws, dji = releases["ocds-test01-RWS-2026-0042"], releases["ocds-test01-DJI-2026-0007"]

    assert rws["tender"]["sustainability"] == [{"goal": "social.disadvantagedEmploymentOpportunities",
                                                "strategies": ["contractPerformanceConditions"]}]
    assert rws["tender"]["hasSustainability"] is True
    assert dji["tender"]["otherRequirements"] == {"reservedParticipation": ["shelteredWorkshop"]}
    assert "shelteredWorkshop" in codes("reservedParticipation")
    assert rws["tender"]["items"][0]["classification"] == {"scheme": "CPV", "id": "90910000"}
    assert rws["tender"]["value"] == {"amount": 2400000, "currency": "EUR"}
    assert rws["contracts"][0]["period"] == {"startDate": "2026-01-01T00:00:00+01:00",
                                             "endDate": "2029-12-31T23:59:59+01:00"}
    [supplier] = [p for p in rws["parties"] if "supplier" in p["roles"]]
    assert supplier["identifier"] == {"scheme": "NL-KVK", "id": "12345678", "legalName": "Schoon & Sociaal BV"}

    found = milestones(rws)
    assert found and {m["type"] for m in found} == {"reporting"} and {m["status"] for m in found} <= STATUSES
    answered = next(m for m in found if m["id"] == f"checkin-{regular['id']}")
    assert answered["status"] == "partiallyMet" and answered["dateModified"].startswith("2026-07-02")
    assert answered["title"].startswith("Hoe staat het") and answered["title_en"].startswith("How is")
    unanswered = next(m for m in milestones(dji) if m["code"] == "checkin.regular")
    assert unanswered["status"] == "notMet"  # planned 2026-06-30, unanswered for more than 14 days by 2026-07-31
    assert unanswered["dueDate"].startswith("2026-07-14")
    nudge = next(m for m in found if m["code"] == "partnership.session_due")
    assert nudge["status"] == "scheduled"  # expects no answer and was not sent yet
    sroi = next(m for m in found if m["code"] == "sroi_clause.obligation")
    assert sroi["status"] == "scheduled" and sroi["dueDate"].startswith("2029-12-31")
    assert "Verplichting EUR 120,000.00" in sroi["description"]

    earlier = by_ocid(export(srr, tmp_path, "--as-of", "2026-07-05", "--ocid-prefix", "ocds-test01"))
    unanswered = next(m for m in milestones(earlier["ocds-test01-DJI-2026-0007"]) if m["code"] == "checkin.regular")
    assert unanswered["status"] == "scheduled"  # still within the grace period


def test_report_deadlines_after_the_end_are_met_partially_met_or_not_met(srr_sqlite, examples, tmp_path):
    contracts = yaml.safe_load((examples / "contracts.yaml").read_text())
    base = {**contracts[0], "start": "2026-01-01", "end": "2026-06-30", "contacts": {}}
    base["instruments"] = [base["instruments"][0]]
    short = [{**base, "reference": ref, "title": f"Kort contract {ref}"} for ref in ("KORT-1", "KORT-2")]
    (tmp_path / "short.yaml").write_text(yaml.safe_dump(short, sort_keys=False, allow_unicode=True))
    srr_sqlite.ok("contracts", "add", tmp_path / "short.yaml")
    header = (examples / "realisations.csv").read_text().splitlines()[0]
    (tmp_path / "r.csv").write_text(header + "\nKORT-1,P-1,placement,participatiewet,36,2026-01-01,2026-06-30,,,,\n")
    srr_sqlite.ok("realisations", "import", tmp_path / "r.csv", "--reported-on", "2026-07-01")
    srr_sqlite.ok("realisations", "review", "KORT-1", "--accept-all")

    package = export(srr_sqlite, tmp_path, "--as-of", "2026-12-31")
    assert schema_errors(package) == []
    status = {r["tender"]["id"]: next(m["status"] for m in milestones(r) if m["code"] == "sroi_clause.obligation")
              for r in package["releases"]}
    assert status == {"KORT-1": "partiallyMet", "KORT-2": "notMet"}


def test_one_contract_or_a_folder_with_a_package_per_contract(srr_sqlite, examples, tmp_path):
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    one = export(srr_sqlite, tmp_path, "DJI-2026-0007", "--as-of", "2026-06-30", "--publisher", "DJI")
    assert [r["ocid"] for r in one["releases"]] == ["ocds-srr-DJI-2026-0007"] and one["publisher"]["name"] == "DJI"
    assert schema_errors(one) == []

    out = srr_sqlite.ok("export", "ocds", "--output", tmp_path / "packages", "--as-of", "2026-06-30")
    assert "2 contract(en)" in out
    files = sorted(p.name for p in (tmp_path / "packages").iterdir())
    assert files == ["DJI-2026-0007.json", "RWS-2026-0042.json"]
    for name in files:
        package = json.loads((tmp_path / "packages" / name).read_text())
        assert schema_errors(package) == [] and len(package["releases"]) == 1
        assert package["publisher"]["name"] in ("Rijkswaterstaat", "Dienst Justitiele Inrichtingen")

    result = srr_sqlite("export", "ocds", "NOPE-1", "--output", tmp_path / "x.json")
    assert result.code == 2 and "NOPE-1" in result.err


def test_imported_contracts_keep_their_ocid_and_tender_only_ones_have_no_award(srr_sqlite, tmp_path):
    srr_sqlite("import", "ocds", DATA / "constructed" / "awards.json", "--on", "2026-12-15")
    package = export(srr_sqlite, tmp_path, "--as-of", "2027-01-31")
    assert schema_errors(package) == []
    ocids = [r["ocid"] for r in package["releases"]]
    assert ocids.count("ocds-srrtst-GEM-2027-0300") == 2 and "ocds-srrtst-GEM-2027-0100" in ocids
    lots = [r for r in package["releases"] if r["ocid"] == "ocds-srrtst-GEM-2027-0300"]
    assert sorted(r["contracts"][0]["id"] for r in lots) == ["C1", "C2"]
    assert len({r["id"] for r in package["releases"]}) == len(package["releases"])
    reserved = by_ocid(package)["ocds-srrtst-GEM-2027-0200"]
    assert reserved["tag"] == ["tender"] and "awards" not in reserved and reserved["tender"]["status"] == "active"

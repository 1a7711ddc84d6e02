"""`srr import ocds`: release and record packages become contracts through the engine's services (with
events), per process; what cannot be mapped is said and the rest still goes in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ocds_support import release_schema
from sqlalchemy import select
from srr_test_support import row_counts

DATA = Path(__file__).parent / "data" / "ocds"
TENDERS = DATA / "constructed" / "tenders.json"
AWARDS = DATA / "constructed" / "awards.json"
GEM = "ocds-srrtst-GEM-2027-0100"


def events(url: str) -> list[tuple[str | None, str, dict]]:
    from srr_engine.storage import schema
    from srr_engine.storage.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            e = schema.Event
            return [(r, t, p) for r, t, p in conn.execute(select(e.reference, e.type, e.payload).order_by(e.id))]
    finally:
        engine.dispose()


def contracts(srr) -> dict[str, dict]:
    return {c["reference"]: c for c in json.loads(srr.ok("contracts", "list", "--json"))}


def test_merge_rules_are_those_of_the_schema_with_the_extensions():
    from ocdsmerge.rules import get_merge_rules

    from srr_engine.interop.ocds_rules import SCHEMA_RULES

    assert get_merge_rules(release_schema()) == SCHEMA_RULES
    assert SCHEMA_RULES[("tender", "sustainability")] == "wholeListMerge"


def test_tenders_then_awards_register_and_update_contracts_with_events(srr):
    result = srr("import", "ocds", TENDERS, "--on", "2026-10-05")
    assert result.code == 1, result.err  # one process could not be imported; the others are in
    out = result.out
    assert f"{GEM}: geregistreerd (sroi_clause)" in out
    assert "ocds-srrtst-GEM-2027-0200: geregistreerd (reservation)" in out
    assert "ocds-srrtst-UK-0001: niet ingelezen" in out and "de waarde is in GBP, niet in EUR" in out
    assert "ocds-srrtst-GEM-2026-0900: overgeslagen" in out and "status cancelled" in out
    assert "percentage = 5, valuation_table = utrecht staat niet in de OCDS-data" in out
    assert "Samenvatting: 2 geregistreerd, 1 overgeslagen, 1 niet ingelezen" in out

    found = contracts(srr)
    assert set(found) == {GEM, "ocds-srrtst-GEM-2027-0200"}
    shown = json.loads(srr.ok("contracts", "show", GEM, "--json"))
    assert (shown["phase"], shown["value_eur"], shown["cpv"], shown["category"]) == (
        "tendering", "600000.00", "90910000-9", "services")
    assert (shown["start"], shown["end"], shown["buyer"]) == (
        "2027-01-01", "2029-12-31", {"name": "Gemeente Voorbeeldstad", "kvk": "50123456"})
    [sroi] = shown["instruments"]
    assert (sroi["kind"], sroi["percentage"], sroi["valuation_table"]) == ("sroi_clause", "5", "utrecht")
    assert sroi["valuation_table_version"]  # pinned by the instrument, as for a contract file
    reserved = json.loads(srr.ok("contracts", "show", "ocds-srrtst-GEM-2027-0200", "--json"))
    assert reserved["end"] == "2029-02-27"  # 730 days from 2027-03-01 inclusive (2028 is a leap year)
    assert reserved["instruments"][0]["basis"] == "art_2_82"
    types = [(ref, t) for ref, t, _ in events(srr.url)]
    assert types.count((GEM, "contract.registered")) == 1 and (GEM, "instrument.applied") in types

    result = srr("import", "ocds", AWARDS, "--on", "2026-12-15")
    assert result.code == 1
    out = result.out
    assert f"{GEM}: bijgewerkt" in out and "2 releases samengevoegd (ocdsmerge)" in out
    assert "gegund aan Schoon & Sociaal BV" in out
    assert "value_eur in de data is 580000.00; de engine houdt 600000.00" in out
    assert "ocds-srrtst-GEM-2027-0200: ongewijzigd" in out
    assert "ocds-srrtst-GEM-2027-0300/C1: geregistreerd" in out
    assert "reservation (lot LOT-0001.otherRequirements.reservedParticipation = shelteredWorkshop) niet toegepast" in out
    assert "nog geen bewijs" in out and "srr contracts apply ocds-srrtst-GEM-2027-0300/C1" in out
    assert "niet vertaald naar een instrument: lot LOT-0002.sustainability: awardCriteria (social.laborRightsPromotion)" in out

    found = contracts(srr)
    assert (found[GEM]["phase"], found[GEM]["supplier"]) == ("active", "Schoon & Sociaal BV")
    assert found["ocds-srrtst-GEM-2027-0300/C1"]["title"] == "Bedrijfsrestaurant stadhuis"
    assert found["ocds-srrtst-GEM-2027-0300/C1"]["supplier"] == "Werkbedrijf Voorbeeldstad"
    assert found["ocds-srrtst-GEM-2027-0300/C2"]["instruments"] == []
    [awarded] = [p for ref, t, p in events(srr.url) if ref == GEM and t == "contract.awarded"]
    assert awarded["supplier"] == "Schoon & Sociaal BV" and awarded["on"] == "2026-12-01"

    before = row_counts(srr.url)
    again = srr("import", "ocds", AWARDS, "--on", "2026-12-16")
    assert "bijgewerkt" not in again.out and "geregistreerd" not in again.out.replace("niet ingelezen", "")
    assert row_counts(srr.url) == before


def test_a_record_package_uses_each_records_compiled_release(srr_sqlite):
    out = srr_sqlite.ok("import", "ocds", DATA / "constructed" / "records.json", "--on", "2026-12-15")
    assert f"{GEM}: geregistreerd (sroi_clause)" in out
    assert "ocds-srrtst-GEM-2027-0200: geregistreerd (reservation)" in out
    found = contracts(srr_sqlite)
    assert (found[GEM]["phase"], found[GEM]["supplier"]) == ("active", "Schoon & Sociaal BV")
    assert found["ocds-srrtst-GEM-2027-0200"]["phase"] == "tendering"


def test_real_published_data_is_read_and_what_cannot_be_mapped_is_reported(srr_sqlite):
    """Published OCDS from Mexico City and the Mexican federal government (see tests/data/ocds/README.md):
    two releases of one process are merged; values in USD and items without CPV codes cannot be
    mapped, terminated contracts are not followed, and the engine says so per process."""
    from srr_engine.interop.ocds_read import read_processes

    [process] = read_processes(DATA / "real" / "cdmx-release-package.json")
    assert (process.ocid, process.merged, process.release["tag"]) == ("OCDS-87SD3T-AD-SF-DRM-065-2015", 2, ["compiled"])
    assert len(process.release["awards"][0]["suppliers"]) >= 1

    before = row_counts(srr_sqlite.url)
    result = srr_sqlite("import", "ocds", DATA / "real" / "cdmx-release-package.json")
    assert result.code == 2
    assert "OCDS-87SD3T-AD-SF-DRM-065-2015: de waarde is in USD, niet in EUR" in result.err
    assert "geen CPV-code in de items" in result.err and "Er is niets gewijzigd" in result.err
    out = srr_sqlite.ok("import", "ocds", DATA / "real" / "mx-record-package.json")
    assert out.count("overgeslagen") == 3 and "status terminated" in out  # two contracts + the summary
    assert row_counts(srr_sqlite.url) == before


def test_dry_run_checks_everything_and_changes_nothing(srr_sqlite):
    before = row_counts(srr_sqlite.url)
    result = srr_sqlite("import", "ocds", AWARDS, "--dry-run", "--on", "2026-12-15")
    assert result.code == 1
    assert f"{GEM}: zou worden geregistreerd (sroi_clause)" in result.out
    assert "ocds-srrtst-GEM-2027-0300/C1: zou worden geregistreerd" in result.out
    assert row_counts(srr_sqlite.url) == before


def test_social_only_skips_processes_without_social_return(srr_sqlite):
    result = srr_sqlite("import", "ocds", AWARDS, "--social-only", "--on", "2026-12-15")
    assert "ocds-srrtst-GEM-2027-0300/C2: overgeslagen" in result.out and "--social-only" in result.out
    assert "ocds-srrtst-GEM-2027-0300/C2" not in contracts(srr_sqlite)


def test_own_import_rules_decide_the_instrument_and_bad_rules_are_refused(srr_sqlite, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - sustainability: {strategy: contractPerformanceConditions, goal: social}\n"
        "    instrument: {kind: sroi_clause, percentage: '7', valuation_table: oost-nederland}\n")
    srr_sqlite("import", "ocds", TENDERS, "--rules", rules, "--on", "2026-10-05")
    [sroi] = json.loads(srr_sqlite.ok("contracts", "show", GEM, "--json"))["instruments"]
    assert (sroi["percentage"], sroi["valuation_table"]) == ("7", "oost-nederland")
    reserved = json.loads(srr_sqlite.ok("contracts", "show", "ocds-srrtst-GEM-2027-0200", "--json"))
    assert reserved["instruments"] == []  # no rule for reserved participation in this file

    rules.write_text("rules:\n  - instrument: {kind: sroi_clause}\n")
    result = srr_sqlite("import", "ocds", TENDERS, "--rules", rules)
    assert result.code == 2 and str(rules) in result.err and "reserved_participation and sustainability" in result.err


@pytest.mark.parametrize("text, says", [
    ('{"foo": 1}', "geen OCDS release package"),
    ("{not json", "geen geldige JSON"),
])
def test_a_file_that_is_not_ocds_is_refused(srr_sqlite, tmp_path, text, says):
    path = tmp_path / "data.json"
    path.write_text(text)
    result = srr_sqlite("import", "ocds", path)
    assert result.code == 2 and says in result.err


def test_json_lines_of_releases_are_read(srr_sqlite, tmp_path):
    package = json.loads(TENDERS.read_text())
    path = tmp_path / "releases.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in package["releases"][:2]) + "\n")
    out = srr_sqlite.ok("import", "ocds", path, "--on", "2026-10-05")
    assert "Samenvatting: 2 geregistreerd" in out

"""Importing and reviewing realisations: whole files or nothing, no double counting, values in SQL."""

from __future__ import annotations

import json
import shutil

from srr_test_support import row_counts


def test_example_report_imported_reviewed_and_assessed(srr, examples):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    out = srr.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-12-15")
    assert "5 realisaties ingelezen" in out
    pending = json.loads(srr.ok("status", "RWS-2026-0042", "--as-of", "2026-12-31", "--json"))
    sroi = pending["contracts"][0]["instruments"][0]
    assert sroi["realised_eur"] == "0.00" and sroi["pending_eur"] == "92038.36"

    listed = json.loads(srr.ok("realisations", "list", "RWS-2026-0042", "--as-of", "2026-12-31", "--json"))
    assert [r["status"] for r in listed["realisations"]] == ["submitted"] * 5
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all", "--by", "A. de Vries")

    status = json.loads(srr.ok("status", "RWS-2026-0042", "--as-of", "2026-12-31", "--json"))
    assert status["as_of"] == "2026-12-31"
    sroi = status["contracts"][0]["instruments"][0]
    assert sroi["kind"] == "sroi_clause"
    assert (sroi["obligation_eur"], sroi["realised_eur"], sroi["expected_eur"], sroi["pending_eur"]) == (
        "120000.00", "92038.36", "29979.47", "0.00")
    assert sroi["status"] == "on_track"


def test_reject_needs_a_reason_and_only_accepted_rows_count(srr_sqlite, examples):
    srr = srr_sqlite
    srr.ok("contracts", "add", examples / "contracts.yaml")
    srr.ok("realisations", "import", examples / "realisations.csv", "--reported-on", "2026-12-15")
    ids = [r["id"] for r in json.loads(srr.ok("realisations", "list", "RWS-2026-0042", "--json"))["realisations"]]
    refused = srr("realisations", "review", "RWS-2026-0042", "--reject", str(ids[3]))
    assert refused.code != 0 and "reden" in refused.err
    srr.ok("realisations", "review", "RWS-2026-0042", "--reject", str(ids[3]), "--reason", "factuur ontbreekt")
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    sroi = json.loads(srr.ok("status", "RWS-2026-0042", "--as-of", "2026-12-31", "--json"))["contracts"][0]["instruments"][0]
    assert sroi["realised_eur"] == "80038.36"  # without the 12,000.00 purchase
    again = srr("realisations", "review", "RWS-2026-0042", "--accept", str(ids[3]))
    assert again.code != 0 and str(ids[3]) in again.err


def test_a_bad_row_refuses_the_whole_file(srr, examples, tmp_path):
    srr.ok("contracts", "add", examples / "contracts.yaml")
    before = row_counts(srr.url)
    lines = (examples / "realisations.csv").read_text().splitlines()
    lines.append("RWS-2026-0042,P-5,placement,participatiewet,veertig,2026-01-01,2026-02-01,,,,")
    lines.append("RWS-2026-0042,123456782,placement,participatiewet,36,2026-01-01,2026-02-01,,,,")
    lines.append("XYZ-1,,purchase,social_enterprise,,2026-05-01,2026-05-31,10.00,,,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    result = srr("realisations", "import", bad)
    assert result.code != 0
    assert "regel 7, veld 'hours_per_week'" in result.err
    assert "regel 8, veld 'candidate'" in result.err and "BSN" in result.err
    assert "regel 9, veld 'contract'" in result.err and "XYZ-1 bestaat niet" in result.err
    assert row_counts(srr.url) == before


def test_double_counting_within_one_buyer_is_refused(srr_sqlite, examples, tmp_path):
    srr = srr_sqlite
    srr.ok("contracts", "add", examples / "contracts.yaml")
    second = (examples / "contracts.yaml").read_text().replace("RWS-2026-0042", "RWS-2026-0099")
    second_file = tmp_path / "second.yaml"
    second_file.write_text(second.split("- reference: DJI")[0])
    srr.ok("contracts", "add", second_file)
    srr.ok("realisations", "import", examples / "realisations.csv")
    overlap = tmp_path / "overlap.csv"
    header = (examples / "realisations.csv").read_text().splitlines()[0]
    overlap.write_text(header + "\nRWS-2026-0099,P-7f3a,placement,participatiewet,20,2026-06-01,2026-08-31,,,,\n")
    result = srr("realisations", "import", overlap)
    assert result.code != 0 and "P-7f3a" in result.err and "RWS-2026-0042" in result.err


def test_the_same_file_is_not_imported_twice(srr_sqlite, examples, tmp_path):
    srr = srr_sqlite
    srr.ok("contracts", "add", examples / "contracts.yaml")
    srr.ok("realisations", "import", examples / "realisations.csv")
    copy = tmp_path / "copy.csv"
    shutil.copy(examples / "realisations.csv", copy)
    result = srr("realisations", "import", copy)
    assert result.code != 0 and "al ingelezen" in result.err


def test_xlsx_reports_import_like_csv(srr_sqlite, examples, tmp_path):
    from openpyxl import Workbook

    srr = srr_sqlite
    srr.ok("contracts", "add", examples / "contracts.yaml")
    book = Workbook()
    sheet = book.active
    for line in (examples / "realisations.csv").read_text().splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "report.xlsx"
    book.save(path)
    srr.ok("realisations", "import", path, "--reported-on", "2026-12-15")
    srr.ok("realisations", "review", "RWS-2026-0042", "--accept-all")
    sroi = json.loads(srr.ok("status", "RWS-2026-0042", "--as-of", "2026-12-31", "--json"))["contracts"][0]["instruments"][0]
    assert sroi["realised_eur"] == "92038.36"


def test_double_counting_within_one_file_names_both_lines(srr_sqlite, examples, tmp_path):
    srr_sqlite.ok("contracts", "add", examples / "contracts.yaml")
    before = row_counts(srr_sqlite.url)
    header = (examples / "realisations.csv").read_text().splitlines()[0]
    twice = tmp_path / "twice.csv"
    twice.write_text(header + "\nRWS-2026-0042,P-1,placement,participatiewet,20,2026-02-01,2026-06-30,,,,\n"
                     "RWS-2026-0042,P-2,placement,participatiewet,20,2026-02-01,2026-06-30,,,,\n"
                     "RWS-2026-0042,P-1,learning,mbo_bbl,16,2026-06-01,2026-12-31,,,,\n")
    result = srr_sqlite("realisations", "import", twice)
    assert result.code == 2 and "regel 4, veld 'candidate'" in result.err and "regel 2 van dit bestand" in result.err
    assert "regel 3" not in result.err
    assert row_counts(srr_sqlite.url) == before
